"""Diagnostics: one located, coded problem type shared by every validator.

A diagnostic renders as ``file:line:col: error[CODE]: message``, like a compiler.
Codes are stable and listed in :mod:`aptic_qualif.codes`, where each has a short name
and a description that the documentation shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from aptic_qualif.i18n import _, ngettext

Severity = Literal["error", "warning"]


class Span(NamedTuple):
    """A position in a file: 1-based line and column (0 when unknown)."""

    file: str
    line: int
    col: int


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in one place."""

    code: str
    severity: Severity
    span: Span
    message: str
    hint: str | None = None
    form_hint: str | None = None
    """The hint for a person answering in a form (the browser, ``apply fill``), when
    :attr:`hint` speaks of the file (« in quotes »); ``None``: the same hint for both."""

    @classmethod
    def error(
        cls,
        code: str,
        span: Span,
        message: str,
        hint: str | None = None,
        *,
        form_hint: str | None = None,
    ) -> Diagnostic:
        return cls(code, "error", span, message, hint, form_hint)

    @classmethod
    def warning(
        cls,
        code: str,
        span: Span,
        message: str,
        hint: str | None = None,
        *,
        form_hint: str | None = None,
    ) -> Diagnostic:
        return cls(code, "warning", span, message, hint, form_hint)

    @property
    def hint_in_a_form(self) -> str | None:
        """The hint to show beside a question of a form."""
        return self.form_hint if self.form_hint is not None else self.hint

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)

    @property
    def shown_hint(self) -> str | None:
        """The hint printed under the diagnostic: its own, else its code's general one
        (:data:`aptic_qualif.codes.HINTS`), so that no diagnostic comes without one."""
        from aptic_qualif.codes import code_hint

        return self.hint or code_hint(self.code)

    def render(self) -> str:
        file, line, col = self.span
        where = f"{file}:{line}:{col}" if line else file
        text = f"{where}: {self.severity}[{self.code}]: {self.message}"
        hint = self.shown_hint
        if hint:
            text += "\n  = " + _("hint: {hint}").format(hint=hint)
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.shown_hint,
        }


@dataclass
class Report:
    """The diagnostics of one run, rendered all at once and sorted."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Diagnostic]:
        unique = dict.fromkeys(self.diagnostics)
        return sorted(unique, key=Diagnostic.sort_key)

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        if not errors and not warnings:
            return _("No problem found.")
        files = len({d.span.file for d in self.diagnostics})
        parts = []
        if errors:
            parts.append(ngettext("{n} error", "{n} errors", errors).format(n=errors))
        if warnings:
            parts.append(ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))
        where = ngettext("in {n} file", "in {n} files", files).format(n=files)
        return _("Found {problems} {where}.").format(problems=", ".join(parts), where=where)

    def render_text(self) -> str:
        lines = [d.render() for d in self.sorted()]
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "diagnostics": [d.to_json() for d in self.sorted()],
        }

    def render_json(self) -> str:
        return json.dumps(
            self.to_json(), ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True
        )
