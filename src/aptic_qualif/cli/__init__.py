"""The ``aptic-qualif`` command line: parse, call the library, render."""

from __future__ import annotations

import sys


def _language_from_argv(argv: list[str]) -> str | None:
    """``--lang`` is read before the commands are built, so that help texts are translated."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main() -> None:
    """Entry point of the ``aptic-qualif`` console script."""
    from aptic_qualif.i18n import set_language

    try:
        set_language(_language_from_argv(sys.argv[1:]))
    except ValueError:
        set_language(None)  # the --lang option itself reports the bad value

    from aptic_qualif.cli.app import app

    app(prog_name="aptic-qualif")
