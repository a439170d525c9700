"""No import cycle inside the package: each function lives in a module below its users.

The import graph is read from the source with :mod:`ast`: every ``import`` and ``from …
import`` of a module of ``aptic_qualif``, wherever it stands: at the top, under ``if
TYPE_CHECKING:`` (a cycle for the type checker and for the reader) and inside a function (an
import made lazily, to keep a command quick to start, is still a dependency: it only hides the
cycle until the function runs). :mod:`graphlib` finds the cycles."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from pathlib import Path

from tests.conftest import REPO

PACKAGE = "aptic_qualif"


def _modules(src: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``src``, by dotted name (a package by its own)."""
    found: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The modules of the package that ``name`` imports, each with the line of its first
    import there."""
    found: dict[str, int] = {}
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                targets.append(submodule if submodule in modules else module)
        for target in targets:
            # `import a.b.c` runs a/__init__ and a/b/__init__ too: their dependencies count
            # through their own imports; the edge is to the module named.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith(PACKAGE) and target != name:
                found.setdefault(target, node.lineno)
    return found


def import_cycles(src: Path, package: str = PACKAGE) -> list[list[str]]:
    """The import cycles between the modules of ``package``: each as its modules, the first
    repeated at the end, with where each import is (``file:line``). Empty when there is none."""
    modules = _modules(src, package)
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    edges = {name: set(targets) for name, targets in graph.items()}
    cycles: list[list[str]] = []
    while True:
        try:
            TopologicalSorter(edges).prepare()
        except CycleError as error:
            found: list[str] = error.args[1]
            # graphlib gives the cycle against the direction of the imports: turn it round,
            # and start it at its first module in name order (the same report every time).
            ring = found[::-1][:-1]
            start = ring.index(min(ring))
            cycle = [*ring[start:], *ring[:start], ring[start]]
            shown = []
            for importer, imported in pairwise(cycle):
                line = graph[importer][imported]
                where = modules[importer].relative_to(src).as_posix()
                shown.append(f"{importer} ({where}:{line})")
                edges[importer].discard(imported)  # the next cycle, if any, is another one
            cycles.append([*shown, cycle[-1]])
        else:
            return cycles


def test_the_package_has_no_import_cycle() -> None:
    cycles = import_cycles(REPO / "src")
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_finds_cycles(tmp_path: Path) -> None:
    """Top-level, typing-only and lazy imports, relative or absolute, all close a cycle."""
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from aptic_qualif.sub import b\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import thing\n",
        encoding="utf-8",
    )
    (package / "c.py").write_text("import aptic_qualif.d\n", encoding="utf-8")
    (package / "d.py").write_text(
        "def later():\n    from aptic_qualif import c\n", encoding="utf-8"
    )
    (package / "e.py").write_text("from aptic_qualif.a import thing\n", encoding="utf-8")
    cycles = import_cycles(tmp_path)
    assert sorted(" -> ".join(cycle) for cycle in cycles) == [
        "aptic_qualif.a (aptic_qualif/a.py:1) -> aptic_qualif.sub.b (aptic_qualif/sub/b.py:3)"
        " -> aptic_qualif.a",
        "aptic_qualif.c (aptic_qualif/c.py:1) -> aptic_qualif.d (aptic_qualif/d.py:2)"
        " -> aptic_qualif.c",
    ]
    (package / "d.py").write_text("def later():\n    pass\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("", encoding="utf-8")
    assert import_cycles(tmp_path) == []
