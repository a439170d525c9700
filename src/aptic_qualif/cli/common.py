"""What every command shares: the global state, error handling and output helpers."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, Optional, ParamSpec, TypeVar

import typer

from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _

P = ParamSpec("P")
R = TypeVar("R")


OutputOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
    typer.Option("--output", "-o", help=_("Write to this file instead of the terminal.")),
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
    typer.echo(_("error: {message}").format(message=message), err=True)
    raise typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's exceptions into one clean message and exit code 2.

    A user's mistake never shows a traceback; ``--debug`` shows it for any error.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CommandError as exc:
            if state().debug:
                traceback.print_exc()
            fail(str(exc))
        except KeyboardInterrupt:
            typer.echo(_("interrupted"), err=True)
            raise typer.Exit(130) from None
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
    text = report.render_json() if fmt is ReportFormat.json else report.render_text()
    typer.echo(text, err=err)


def exit_for(ok: bool) -> None:
    """Exit 1 when the input fails the rules."""
    if not ok:
        raise typer.Exit(1)


def write_output(text: str, output: Path | None, *, force: bool = False) -> None:
    """Print ``text``, or write it atomically to ``output`` (never over a file without force)."""
    if output is None:
        typer.echo(text, nl=False)
        return
    from aptic_qualif.yamlio import atomic_write

    try:
        atomic_write(output, text, force=force)
    except FileExistsError:
        raise CommandError(
            _("{path} already exists; add --force to overwrite it").format(path=output)
        ) from None
    typer.echo(_("Written: {path}").format(path=output), err=True)
