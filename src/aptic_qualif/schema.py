"""Validation of a located YAML document against a pydantic model.

Models are strict (no silent coercion: ``"on"`` is never a boolean, ``2.1`` is never the
text ``"2.1"``) and forbid unknown fields. Pydantic's errors become located diagnostics
with French (or English) messages: SCH001 missing field, SCH002 unknown field, SCH003
invalid value. A validator that raises ``PydanticCustomError("diagnostic", …)`` with a
``code``, a ``message`` and a ``hint`` in its context gets that diagnostic as it is (the
``identifiant`` of an application: ``TXT001`` for a control character).
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from aptic_qualif.diagnostics import Diagnostic
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.text import is_http_iri
from aptic_qualif.yamlio import Document

M = TypeVar("M", bound=BaseModel)

# Digits are ASCII digits only: in a Python pattern, \d also matches "１" or "١".
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_DURATION = re.compile(
    r"P(?!$)(?:(?P<d>[0-9]+)D)?(?:T(?=[0-9])(?:(?P<h>[0-9]+)H)?(?:(?P<m>[0-9]+)M)?)?"
)
_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n", "oui", "non"})


class StrictModel(BaseModel):
    """Base of every file format: strict types, unknown fields refused, immutable, numbers
    finite."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _semver(value: str) -> str:
    if not _SEMVER.fullmatch(value):
        raise PydanticCustomError("semver", "not a semantic version", {"input": value})
    return value


def _duration(value: str) -> str:
    if not _DURATION.fullmatch(value):
        raise PydanticCustomError("iso_duration", "not an ISO 8601 duration", {"input": value})
    return value


def _http_url(value: str) -> str:
    if not is_http_iri(value):
        raise PydanticCustomError("http_url", "not an http(s) URL", {"input": value})
    return value


SemVer = Annotated[str, AfterValidator(_semver)]
"""A semantic version ``MAJOR.MINOR.PATCH``, written as text (quoted in YAML)."""

Duration = Annotated[str, AfterValidator(_duration)]
"""An ISO 8601 duration such as ``PT1H30M``."""

HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An absolute http or https IRI with a host (RFC 3987): see
:func:`aptic_qualif.text.is_http_iri`."""

LaxDate = Annotated[date, Field(strict=False)]
"""A date written ``YYYY-MM-DD`` (YAML gives it as text; parsed here)."""


def version_tuple(version: str) -> tuple[int, int, int]:
    """``"1.2.3"`` → ``(1, 2, 3)`` (the version must be valid)."""
    major, minor, patch = version.split(".")
    return int(major), int(minor), int(patch)


def duration_minutes(value: str) -> int:
    """Minutes in an ISO 8601 duration (days count as 7-hour working days)."""
    match = _DURATION.fullmatch(value)
    if not match:
        raise ValueError(value)
    days, hours, minutes = (int(match.group(g) or 0) for g in ("d", "h", "m"))
    return (days * 7 + hours) * 60 + minutes


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("a boolean ({value})").format(value=str(value).lower())
    if isinstance(value, int | float):
        return _("a number ({value})").format(value=value)
    if isinstance(value, str):
        return _("a text ('{value}')").format(value=value if len(value) < 40 else value[:37] + "…")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


def _message(error: ErrorDetails) -> tuple[str, str | None]:
    """French/English message and hint for one pydantic error (not missing/extra)."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = _describe(value)
    if kind == "string_type":
        hint = None
        if isinstance(value, int | float | bool):
            hint = _("put the value in quotes to keep it as text")
        return _("expected a text, got {got}").format(got=got), hint
    if kind == "bool_type":
        hint = None
        if isinstance(value, str) and value.lower() in _YAML11_BOOLS:
            hint = _("write true or false")
        return _("expected true or false, got {got}").format(got=got), hint
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("expected a whole number, got {got}").format(got=got), None
    if kind in {"float_type", "float_parsing"}:
        return _("expected a number, got {got}").format(got=got), None
    if kind == "finite_number":
        return _("expected a finite number, got {got}").format(got=got), None
    if kind == "list_type":
        return _("expected a list, got {got}").format(got=got), None
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("expected a mapping (key: value), got {got}").format(got=got), None
    if kind in {"literal_error", "enum"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return (
            _("invalid value {got}: expected one of {choices}").format(
                got=got, choices=", ".join(choices)
            ),
            None,
        )
    if kind in {
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }:
        return _("expected a date YYYY-MM-DD, got {got}").format(got=got), _(
            'write the date as "2024-05-31"'
        )
    if kind == "semver":
        return _("expected a version MAJOR.MINOR.PATCH, got {got}").format(got=got), _(
            'write the version in quotes, for example "1.2.0"'
        )
    if kind == "iso_duration":
        return _("expected an ISO 8601 duration, got {got}").format(got=got), _(
            "for example PT45M, PT1H30M or P2D"
        )
    if kind == "http_url":
        return _("expected a web address (http or https), got {got}").format(got=got), _(
            "an absolute address https://host/path (RFC 3987): no space, none of "
            '< > " { } | \\ ^ `, and a percent sign only before two hexadecimal digits'
        )
    if kind == "string_too_short":
        return _("this text must not be empty"), None
    if kind == "too_short":
        n = int(ctx.get("min_length", 1))
        return ngettext(
            "this list needs at least {n} element", "this list needs at least {n} elements", n
        ).format(n=n), None
    if kind == "string_pattern_mismatch":
        return _("{got} does not have the expected format").format(got=got), None
    return error["msg"], None


def error_to_diagnostic(doc: Document, error: ErrorDetails, model: type[BaseModel]) -> Diagnostic:
    """Turn one pydantic error into a located diagnostic."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        field = str(loc[-1])
        return Diagnostic.error(
            "SCH001",
            doc.span(loc[:-1]),
            _("missing required field '{field}'").format(field=field),
        )
    if kind == "extra_forbidden":
        field = str(loc[-1])
        known = _known_fields(model, loc[:-1])
        close = difflib.get_close_matches(field, known, n=1)
        hint = _("did you mean '{name}'?").format(name=close[0]) if close else None
        return Diagnostic.error(
            "SCH002", doc.key_span(loc), _("unknown field '{field}'").format(field=field), hint
        )
    if kind == "diagnostic":  # a check that states its own code, message and hint
        ctx = error.get("ctx") or {}
        return Diagnostic.error(str(ctx["code"]), doc.span(loc), str(ctx["message"]), ctx["hint"])
    message, hint = _message(error)
    where = ".".join(str(part) for part in loc)
    if where:
        message = f"{where}: {message}"
    return Diagnostic.error("SCH003", doc.span(loc), message, hint)


def _known_fields(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model at ``path``, for "did you mean" hints."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part))
        if info is None:
            return []
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in args or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


_DROPPED = object()


def _drop(data: Any, loc: tuple[Any, ...]) -> bool:
    """Mark the value at ``loc`` in ``data`` as dropped (the deepest part of ``loc`` that
    exists: pydantic adds the names of validators and union members to a location)."""
    parent: Any = None
    key: Any = None
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if not (in_mapping or in_list):
            break
        parent, key, current = current, part, current[part]
    if parent is None or parent[key] is _DROPPED:
        return False
    parent[key] = _DROPPED
    return True


def _without_dropped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_dropped(v) for k, v in value.items() if v is not _DROPPED}
    if isinstance(value, list):
        return [_without_dropped(v) for v in value if v is not _DROPPED]
    return value


def salvage(model: type[M], data: Any) -> M | None:
    """``data`` validated without the values that fail ``model``, when what is left still
    makes one (no required field among them): so that the rules across files can check the
    rest of a file whose schema errors are already reported, all problems at once.
    ``None`` when nothing sound is left."""
    current = _without_dropped(data)  # a copy: ``data`` is left as it is
    for _attempt in range(5):
        try:
            return model.model_validate(current)
        except ValidationError as exc:
            errors = exc.errors()
            if any(error["type"] == "missing" for error in errors):
                return None
            dropped = [_drop(current, tuple(error["loc"])) for error in errors]  # every one
            if not any(dropped):
                return None
            current = _without_dropped(current)
    return None


def validate_document(model: type[M], doc: Document) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc`` against ``model``; all errors are returned at once."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [error_to_diagnostic(doc, e, model) for e in exc.errors()]
