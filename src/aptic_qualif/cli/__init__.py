"""The ``aptic-qualif`` command line: parse, call the library, render."""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the ``aptic-qualif`` console script."""
    from aptic_qualif.cli.framework import language_from_args
    from aptic_qualif.i18n import set_language

    # Before the commands are built, so that their help texts are in that language.
    try:
        set_language(language_from_args(sys.argv[1:]))
    except ValueError:
        set_language(None)  # the --lang option itself reports the bad value

    from aptic_qualif.cli.app import app

    app(prog_name="aptic-qualif")
