"""Exceptions that stop a command: the CLI turns them into one message and exit code 2."""

from __future__ import annotations


class CommandError(Exception):
    """The command could not run (missing file, not a project, bad git ref…).

    The message is already translated and meant for the user as is.
    """

    exit_code = 2
