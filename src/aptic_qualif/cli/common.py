"""What every command shares: the global state, error handling and output helpers."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import click
import typer

from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _

P = ParamSpec("P")
R = TypeVar("R")


class ReportFormat(str, Enum):
    text = "text"
    json = "json"


@dataclass
class State:
    """Global options, kept in the click context."""

    root: Path | None = None
    debug: bool = False


def state() -> State:
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(State) if ctx is not None else None
    return found if found is not None else State()


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` as an error on standard error and exit with ``code``."""
    typer.echo(f"{_('error')}: {message}", err=True)
    raise typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the library's exceptions into one clean message and exit code 2.

    A user's mistake never shows a traceback; ``--debug`` shows it for any error.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
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


def emit_report(report: Report, fmt: ReportFormat) -> None:
    """Print a report as text or JSON on standard output."""
    typer.echo(report.render_json() if fmt is ReportFormat.json else report.render_text())


def exit_for(ok: bool) -> None:
    """Exit 1 when the input fails the rules."""
    if not ok:
        raise typer.Exit(1)

