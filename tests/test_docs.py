"""Documentation cannot drift from the CLI: every command is documented and has help."""

from __future__ import annotations

from typing import Any

import typer

from aptic_qualif.cli.app import app
from tests.conftest import REPO


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, command in sorted(getattr(group, "commands", {}).items()):
        path = f"{prefix}{name}"
        if getattr(command, "commands", None):
            found += _commands(command, path + " ")
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_there_are_commands() -> None:
    assert {"catalogue validate", "catalogue diff", "catalogue list", "catalogue show"} <= {
        name for name, _ in COMMANDS
    }


def test_every_command_has_help() -> None:
    for name, command in COMMANDS:
        assert command.help and len(command.help) > 15, name
        for param in command.params:
            if param.name not in {"help"} and getattr(param, "param_type_name", "") == "option":
                assert param.help, f"{name} {param.name}"


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, _command in COMMANDS:
        assert f"aptic-qualif {name}" in readme, name


def test_every_diagnostic_code_is_documented() -> None:
    from aptic_qualif.codes import CODES

    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| `{code}` |" not in guide] == []


def test_every_code_is_registered_once() -> None:
    """A code written twice in the table (QST017, QST018 were) would hide a changed meaning."""
    import re
    from pathlib import Path

    from aptic_qualif import codes

    source = Path(codes.__file__).read_text(encoding="utf-8")
    written = re.findall(r'Code\(\s*"([A-Z]+\d{3})"', source)
    assert len(written) == len(set(written)), sorted(c for c in written if written.count(c) > 1)
