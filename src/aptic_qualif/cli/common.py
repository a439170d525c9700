"""What every command shares: the global state, error handling and output helpers."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional, ParamSpec, TypeVar, cast

import typer

from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import os_error_message
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.sanitize import terminal

P = ParamSpec("P")
R = TypeVar("R")


OutputOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
    typer.Option(
        "--output",
        "-o",
        help=_("Write to this file instead of the terminal (-o - : the standard output)."),
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help=_("Overwrite the output file if it exists."))
]


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@dataclass
class State:
    """Global options of the current invocation (set by the application callback)."""

    root: Path | None = None
    debug: bool = False


_state = State()


def set_state(new: State) -> None:
    global _state
    _state = new


def state() -> State:
    return _state


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` as an error on standard error and exit with ``code``."""
    echo(_("error: {message}").format(message=message), err=True)
    raise typer.Exit(code)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print a text for people on standard output (or error).

    The terminal sink: the text passes :func:`aptic_qualif.sanitize.terminal`, so that no
    control character or bidi control read from a file (a label, a venue name, a file
    name in a message) reaches the terminal."""
    typer.echo(terminal(text), err=err, nl=nl)


def echo_data(text: str, *, nl: bool = True) -> None:
    """Print a file format (JSON, CSV, Markdown…) on standard output: as it is when piped
    or redirected, through :func:`aptic_qualif.sanitize.terminal` when it is a terminal."""
    typer.echo(terminal(text) if sys.stdout.isatty() else text, nl=nl)


def user_path(path: Path | str) -> Path:
    """A path the user typed, made absolute against the current folder, where it was typed.

    Commands only ever handle absolute paths. A relative one would be read again against
    whatever folder a tool later works from: MkDocs, for one, resolves its ``site_dir``
    against its configuration file, in a temporary folder, so that ``publish site -o
    build/site`` wrote the site there and lost it. ``..`` is kept as typed (a symlink before
    it means what the system says); messages name paths through
    :func:`~aptic_qualif.project.display_path`.
    """
    return Path(path).absolute()


STDOUT = Path("-")
"""``-o -``: the standard output, as every command-line tool reads it."""


def _absolute(value: object) -> object:
    """``value`` with its paths made absolute by :func:`user_path` (lists of paths too);
    ``-`` stays the standard output (:data:`STDOUT`)."""
    if value == STDOUT:
        return value
    if isinstance(value, Path):
        return user_path(value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Path) for v in value):
        return type(value)(user_path(v) for v in value)
    return value


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command on absolute paths; turn the library's exceptions, and every error of
    the system (:class:`OSError`, by errno), into one clean message and exit code 2.

    Every ``Path`` the command receives (options, arguments, their defaults) is made
    absolute against the current folder first (:func:`user_path`), once for all commands.
    A user's mistake never shows a traceback; ``--debug`` shows it for any error.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        positional = [_absolute(value) for value in args]
        named: dict[str, Any] = {name: _absolute(value) for name, value in kwargs.items()}
        try:
            return cast("Callable[..., R]", func)(*positional, **named)
        except (typer.Exit, typer.Abort):
            raise
        except CommandError as exc:
            if state().debug:
                traceback.print_exc()
            fail(str(exc))
        except KeyboardInterrupt:
            echo(_("interrupted"), err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader stopped reading (``… | head``): nothing more to say, to anyone; the
            # standard output goes nowhere, so that flushing it at exit says nothing either.
            with contextlib.suppress(OSError, ValueError, AttributeError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
            raise typer.Exit(0) from None
        except OSError as exc:
            if state().debug:
                traceback.print_exc()
            fail(os_error_message(exc))
        except Exception as exc:
            if state().debug:
                raise
            fail(
                _("internal error ({kind}: {error}); rerun with --debug and report it").format(
                    kind=type(exc).__name__, error=exc
                )
            )

    return wrapper


def emit_report(report: Report, fmt: ReportFormat, *, err: bool = False) -> None:
    """Print a report as text or JSON on standard output (or error)."""
    if fmt is ReportFormat.json:
        typer.echo(report.render_json(), err=err)
    else:
        echo(report.render_text(), err=err)


def folder_output(path: Path | None) -> Path | None:
    """``path`` for a command that writes a folder: ``-o -`` is refused there."""
    if path == STDOUT:
        fail(_("-o - is the standard output, and this command writes a folder: give its path"))
    return path


def exit_for(ok: bool) -> None:
    """Exit 1 when the input fails the rules."""
    if not ok:
        raise typer.Exit(1)


def write_output(
    text: str | Iterable[str], output: Path | None, *, force: bool = False, announce: bool = True
) -> None:
    """Print ``text``, or write it atomically to ``output`` (never over a file without force)
    and say so (unless not ``announce``: :func:`announce_written` says it later, once a
    progress bar is gone). ``text`` may be an iterable of chunks, each written as it comes
    (streamed outputs)."""
    if output is None or output == STDOUT:
        for chunk in [text] if isinstance(text, str) else text:
            echo_data(chunk, nl=False)
        return
    from aptic_qualif.fsio import atomic_write

    try:
        atomic_write(output, text, force=force)
    except FileExistsError:
        raise CommandError(
            _("{path} already exists; add --force to overwrite it").format(
                path=display_path(output)
            )
        ) from None
    if announce:
        announce_written(output)


def announce_written(output: Path | None) -> None:
    """Say on standard error that ``output`` was written (nothing for standard output)."""
    if output is not None and output != STDOUT:
        echo(_("Written: {path}").format(path=display_path(output)), err=True)
