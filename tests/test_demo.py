"""``make demo``, run as the Makefile writes it, on a fresh copy of the project.

The ``demo:`` recipe is read from the Makefile and expanded the way make would (variables,
``$(wildcard …)``, ``$(filter-out …)``, continuation lines, the ``@`` and ``-`` prefixes);
each command then runs through the shell from a temporary copy of the project, with the
relative paths of the recipe and the installed ``aptic-qualif`` console script. The outputs
are checked by :mod:`aptic_qualif.demo`, the check the recipe itself ends with.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from aptic_qualif.demo import BUILD_DIR, check_demo, check_outputs, demo_outputs, main
from aptic_qualif.referentiel.load import load_catalogue
from tests.conftest import REPO

MAKEFILE = REPO / "Makefile"
PROJECT_FILES = ("referentiel", "questionnaire", "examples", "site", "CONTRIBUTING.md")
"""What the demo reads: the data, the examples, the hand-written site and what it includes."""


# -- reading the recipe as make does ----------------------------------------------------------


@dataclass(frozen=True)
class Command:
    line: str  # as make runs it, expanded, without its prefixes
    may_fail: bool  # the "-" prefix
    silent: bool  # the "@" prefix


def _variables(makefile: str) -> dict[str, str]:
    """The simple variables of the Makefile (``NAME := value``, ``?=``, ``=``)."""
    found: dict[str, str] = {}
    for line in makefile.splitlines():
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*?)\s*(?:#.*)?", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _recipe(makefile: str, target: str) -> list[str]:
    """The lines of ``target``'s recipe, continuation lines joined as make joins them."""
    lines = makefile.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"{target}\s*:", line))
    logical: list[str] = []
    pending = ""
    for line in lines[start + 1 :]:
        if not pending and not line.startswith("\t"):
            break
        text = line.removeprefix("\t")
        if pending:
            text = text.lstrip()
        if text.endswith("\\"):
            pending += text[:-1].rstrip() + " "
            continue
        logical.append(pending + text)
        pending = ""
    return logical


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one opened just before ``start``."""
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    raise ValueError(f"unbalanced parentheses: {text}")


def _expand(text: str, variables: dict[str, str], cwd: Path) -> str:
    """``text`` with its ``$(…)`` expanded: variables, ``wildcard`` and ``filter-out``."""
    out: list[str] = []
    position = 0
    while (start := text.find("$", position)) != -1:
        out.append(text[position:start])
        if text.startswith("$$", start):
            out.append("$")
            position = start + 2
            continue
        if not text.startswith("$(", start):
            raise ValueError(f"unsupported make syntax: {text[start:]}")
        end = _closing(text, start + 2)
        inner = text[start + 2 : end]
        function, _sep, args = inner.partition(" ")
        if function == "wildcard":
            words = _expand(args, variables, cwd).split()
            matches = [m for w in words for m in glob.glob(w, root_dir=cwd)]  # noqa: PTH207
            out.append(" ".join(sorted(matches)))
        elif function == "filter-out":
            patterns, words = (_expand(a, variables, cwd).split() for a in args.split(",", 1))
            globs = [p.replace("%", "*") for p in patterns]
            out.append(
                " ".join(w for w in words if not any(fnmatch.fnmatchcase(w, g) for g in globs))
            )
        elif inner in variables:
            out.append(_expand(variables[inner], variables, cwd))
        else:
            raise ValueError(f"unsupported make expression: $({inner})")
        position = end + 1
    out.append(text[position:])
    return "".join(out)


def demo_commands(cwd: Path, bin_dir: Path) -> list[Command]:
    """The ``demo:`` recipe as make would run it from ``cwd``, with the tools of ``bin_dir``."""
    makefile = MAKEFILE.read_text(encoding="utf-8")
    variables = {**_variables(makefile), "VENV": str(bin_dir.parent), "BIN": str(bin_dir)}
    commands = []
    for line in _recipe(makefile, "demo"):
        prefixes = re.match(r"[@+-]*", line).group(0)  # type: ignore[union-attr]
        expanded = _expand(line[len(prefixes) :].strip(), variables, cwd)
        commands.append(Command(expanded, "-" in prefixes, "@" in prefixes))
    return commands


def _bin_dir(tmp: Path) -> Path:
    """The folder of ``python`` and the ``aptic-qualif`` console script of this interpreter;
    without a console script (the package not installed), a folder of stand-ins that run
    ``python -m aptic_qualif``."""
    here = Path(sys.executable).parent
    if (here / "aptic-qualif").is_file() and (here / "python").exists():
        return here
    stand_in = tmp / "bin"
    stand_in.mkdir()
    (stand_in / "python").symlink_to(sys.executable)
    script = stand_in / "aptic-qualif"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m aptic_qualif "$@"\n')
    script.chmod(0o755)
    return stand_in


# -- running it --------------------------------------------------------------------------


@dataclass
class Demo:
    folder: Path
    commands: list[Command]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The project's data copied into a fresh folder, and the demo recipe run there."""
    folder = tmp_path_factory.mktemp("demo") / "projet"
    folder.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy2(source, folder / name)
    commands = demo_commands(folder, _bin_dir(folder.parent))
    env = {**os.environ, "APTIC_QUALIF_LANG": "fr"}
    for command in commands:
        result = subprocess.run(
            command.line,
            shell=True,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0 and not command.may_fail:
            pytest.fail(
                f"make demo fails at: {command.line}\n(exit {result.returncode})\n"
                f"{result.stdout}\n{result.stderr}"
            )
    return Demo(folder, commands)


def test_the_recipe_is_read_as_make_reads_it(tmp_path: Path) -> None:
    (tmp_path / "examples" / "applications").mkdir(parents=True)
    for name in ("a.yaml", "centre-social-les-capucines.yaml", "b.yaml"):
        (tmp_path / "examples" / "applications" / name).write_text("x", encoding="utf-8")
    commands = demo_commands(tmp_path, Path("/opt/venv/bin"))
    lines = [c.line for c in commands]
    assert lines[0] == "/opt/venv/bin/aptic-qualif --version"
    assert (
        "/opt/venv/bin/aptic-qualif apply validate "
        "examples/applications/a.yaml examples/applications/b.yaml"
    ) in lines
    incomplete = [c for c in commands if c.may_fail]
    assert [c.line for c in incomplete] == [
        "/opt/venv/bin/aptic-qualif apply validate "
        "examples/applications/centre-social-les-capucines.yaml"
    ]
    joined = next(line for line in lines if "evaluations.html" in line)
    assert "--format html -o build/evaluations.html --force" in joined  # "\" continuation
    assert all("$(" not in line for line in lines)


def test_the_demo_ends_by_checking_itself(demo: Demo) -> None:
    assert demo.commands[-1].line.endswith("/python -m aptic_qualif.demo build")
    assert not demo.commands[-1].may_fail


def test_the_check_knows_every_output_of_the_recipe(demo: Demo) -> None:
    """Each ``-o build/…`` of the recipe is checked (no output added without its check)."""
    catalogue, _report = load_catalogue(demo.folder / "referentiel")
    assert catalogue is not None
    checked = demo_outputs(catalogue)
    for command in demo.commands:
        for target in re.findall(r"-o (\S+)", command.line):
            name = Path(target).relative_to(BUILD_DIR).as_posix()
            assert any(c == name or c.startswith(name.rstrip("/") + "/") for c in checked), name


def test_every_output_of_the_demo_is_there(demo: Demo) -> None:
    report = check_demo(demo.folder / BUILD_DIR, demo.folder)
    assert report.ok, report.render_text()
    assert report.diagnostics == []


def test_the_site_has_a_page_per_active_service(demo: Demo) -> None:
    catalogue, _report = load_catalogue(demo.folder / "referentiel")
    assert catalogue is not None
    pages = [name for name in demo_outputs(catalogue) if name.startswith("site/referentiel/")]
    active = [s for s in catalogue.services.values() if s.active]
    assert len(pages) == len(active) > 0
    for service in active:
        assert f"site/referentiel/{service.id}/index.html" in pages


# -- the check itself ----------------------------------------------------------------------


def test_the_check_names_each_missing_or_empty_file(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``make demo`` printed when ``publish site`` lost the site: build/site held only
    its marker file."""
    build = tmp_path / "projet" / BUILD_DIR
    shutil.copytree(demo.folder / BUILD_DIR, build, ignore=shutil.ignore_patterns("site"))
    (build / "site").mkdir()
    (build / "site" / ".aptic-qualif-site").write_text("aptic-qualif publish site\n")
    (build / "evaluations.html").write_text("", encoding="utf-8")
    monkeypatch.chdir(demo.folder)

    assert main([str(build)]) == 1
    err = capsys.readouterr().err
    assert f"{build}/site/index.html: error[IO001]: fichier absent" in err
    assert f"{build}/evaluations.html: error[IO001]: fichier vide" in err
    assert "site/referentiel/creer-une-adresse-electronique/index.html" in err
    assert "la démo est incomplète" in err.lower()


def test_the_check_says_where_to_look(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(demo.folder)
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert "build/evaluations.html" in out
    assert "python -m http.server -d build/site" in out
    assert "build/referentiel.jsonld" in out


def test_an_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    report = check_outputs(tmp_path, ["vide/", "absent/"])
    assert [d.code for d in report.errors] == ["IO001", "IO001"]
