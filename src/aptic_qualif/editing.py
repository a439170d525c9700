"""Editing an application section by section: what a venue does in ``serve``.

The application file stays the store. Each change is written atomically to the file, then
the file is read back through :func:`aptic_qualif.application.validate_application`, so that
what a person sees beside a question (an error, a question that now applies or no longer
does, the progress of a theme) is exactly what ``apply validate`` and ``assess`` say of the
file.

A section is the venue identity (:data:`~aptic_qualif.questionnaire.load.IDENTITY`) or one
theme. An answer to a question that no longer applies is removed when the section is saved
(the validator would refuse it), and a text that cannot be converted (``abc`` for a number) is
kept as typed, so that nothing is lost and the error shows beside the question.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    CheckedApplication,
    answer_size_problem,
    evidence_size_problem,
    load_application,
    validate_application,
)
from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.answers import convert_form, evidence_lines
from aptic_qualif.questionnaire.conditions import enabled_items, is_answered
from aptic_qualif.questionnaire.load import IDENTITY, LoadedQuestionnaire, LocatedItem
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.yamlio import MAX_BYTES, atomic_write, dump_yaml

Status = Literal["brouillon", "soumise"]

HEADER = "# " + "Candidature enregistrée par aptic-qualif serve / saved by aptic-qualif serve.\n"


def sections(loaded: LoadedQuestionnaire) -> list[str]:
    """The sections of an application in order: identity first, then the themes."""
    return [IDENTITY, *loaded.themes]


def blank(
    loaded: LoadedQuestionnaire, *, today: date | None = None, identity: Mapping[str, Any] = {}
) -> dict[str, Any]:
    """A new application (a draft), optionally with identity answers already known."""
    return {
        "questionnaire": loaded.reference,
        "date": (today or date.today()).isoformat(),
        "statut": "brouillon",
        IDENTITY_KEY: dict(identity),
        ANSWERS_KEY: {},
    }


def read_data(path: Path) -> dict[str, Any]:
    """The application at ``path`` as plain data to edit, or :class:`CommandError` when the
    file is not an application that can be read."""
    _doc, application, problems = load_application(path)
    if application is None:
        raise CommandError(
            _("{path} cannot be edited: {problem}").format(
                path=display_path(path),
                problem=problems[0].message if problems else _("unreadable file"),
            )
        )
    data = application.model_dump(exclude_none=True, exclude_defaults=True)
    data.setdefault(IDENTITY_KEY, {})
    data.setdefault(ANSWERS_KEY, {})
    return data


def write(path: Path, data: Mapping[str, Any], *, new: bool = False) -> None:
    """Write the application atomically (``new``: refuse to replace an existing file)."""
    order = ["questionnaire", "date", "statut", IDENTITY_KEY, ANSWERS_KEY, "preuves"]
    ordered = {key: data[key] for key in order if key in data and data[key] not in ({}, None)}
    ordered.update({k: v for k, v in data.items() if k not in ordered and v not in ({}, None)})
    content = HEADER + dump_yaml(ordered)
    if len(content.encode("utf-8")) > MAX_BYTES:
        # Never write a file the reader would refuse: the venue could no longer open it. The
        # limits of each answer keep a file far smaller; this is the last safeguard.
        raise CommandError(
            _(
                "this change would make the application larger than the {size} MiB an "
                "application may be: it is not saved"
            ).format(size=MAX_BYTES // (1024 * 1024))
        )
    atomic_write(path, content, force=not new)


def create(
    path: Path,
    loaded: LoadedQuestionnaire,
    *,
    start: Mapping[str, Any] | None = None,
    today: date | None = None,
    identity: Mapping[str, Any] = {},
) -> None:
    """Write a new application at ``path``: blank (with ``identity`` if given), or a copy of
    ``start`` (an application made by ``import lieux``: its answers, evidence and national
    identifier are kept) as a draft of today. An existing file is never replaced."""
    if path.exists() or path.is_symlink():
        raise CommandError(
            _("{path} already exists: choose another name").format(path=display_path(path))
        )
    data = blank(loaded, today=today, identity=identity)
    if start is not None:
        data = {**dict(start), "date": data["date"], "statut": "brouillon"}
    write(path, data, new=True)


@dataclass
class Saved:
    """What saving a section changed."""

    removed: list[str] = field(default_factory=list)
    """Answers removed because their question no longer applies."""
    refused: dict[str, list[str]] = field(default_factory=dict)
    """Per question, why an answer or evidence sent was not written (over its size limit:
    :func:`~aptic_qualif.application.answer_size_problem`); the file keeps what it had."""


def save_section(
    path: Path,
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue,
    section: str,
    form: Mapping[str, Sequence[str]],
    *,
    today: date | None = None,
) -> Saved:
    """Store the answers of one ``section`` given as a web form sends them (field name → its
    values; ``preuves:<item>`` for evidence, one per line), then write the file.

    Every question of the section is in the form (an absent field is an empty answer), so a
    checkbox unticked is an answer removed. The application goes back to draft (a submitted
    application that changes is submitted again), and its date is the day of the change."""
    data = read_data(path)
    items = [i for i in loaded.items if i.theme == section]
    if not items:
        raise CommandError(
            _("'{section}' is not a section of the questionnaire").format(section=section)
        )
    refused: dict[str, list[str]] = {}
    for located in items:
        part = data[IDENTITY_KEY if located.is_identity else ANSWERS_KEY]
        too_big = typed_size_problem(located, form.get(located.id, ()))
        if too_big is not None:
            refused.setdefault(located.id, []).append(too_big)
        else:
            value, _problem = convert_form(located, list(form.get(located.id, ())), catalogue)
            if is_answered(value):
                part[located.id] = value
            else:
                part.pop(located.id, None)
        if located.item.evidence is not None:
            evidence = data.setdefault("preuves", {})
            lines = evidence_lines("\n".join(form.get(f"preuves:{located.id}", ())))
            too_big = evidence_size_problem(lines)
            if too_big is not None:
                refused.setdefault(located.id, []).append(too_big)
            elif lines:
                evidence[located.id] = lines
            else:
                evidence.pop(located.id, None)
    saved = Saved(removed=[located.id for located in prune(data, loaded)], refused=refused)
    data["date"] = (today or date.today()).isoformat()
    data["statut"] = "brouillon"
    write(path, data)
    return saved


def typed_size_problem(located: LocatedItem, typed: Sequence[str]) -> str | None:
    """Why the values a form sent for a question are too big to be its answer
    (:func:`~aptic_qualif.application.answer_size_problem`, the rule ``apply validate``
    applies as ``APP022``), or ``None``: checked before anything is converted or written."""
    item = located.item
    if item.type in {"single_choice", "multiple_choice", "services"}:
        value: Any = list(typed) if item.type != "single_choice" else (typed[-1] if typed else "")
    else:
        value = typed[-1] if typed else ""
    return answer_size_problem(item, value, multiline=located.multiline)


def prune(data: dict[str, Any], loaded: LoadedQuestionnaire) -> list[LocatedItem]:
    """Remove the answers and the evidence of the questions that no longer apply, given the
    answers in ``data`` (an application as plain data); returns those questions, in
    questionnaire order. ``apply fill`` and ``serve`` both call it after a change."""
    answers = {
        key: value
        for part in (data[IDENTITY_KEY], data[ANSWERS_KEY])
        for key, value in part.items()
        if is_answered(value)
    }
    enabled = enabled_items([i.item for i in loaded.items], answers)
    removed = []
    for located in loaded.items:
        if located.id in enabled:
            continue
        found = False
        for part in (data[IDENTITY_KEY], data[ANSWERS_KEY], data.get("preuves", {})):
            if located.id in part:
                del part[located.id]
                found = True
        if found:
            removed.append(located)
    return removed


def set_status(path: Path, status: Status, *, today: date | None = None) -> None:
    """Mark the application as submitted or as a draft again."""
    data = read_data(path)
    data["statut"] = status
    if status == "soumise":
        data["date"] = (today or date.today()).isoformat()
    write(path, data)


def status_of(checked: CheckedApplication) -> Status:
    """An application is submitted unless it says it is a draft (files written by hand or by
    ``apply fill`` have no status: they are submitted when they are given)."""
    return checked.application.statut or "soumise"


@dataclass
class SectionProgress:
    section: str
    answered: int
    applicable: int
    errors: int
    missing: int
    """Required questions that apply and have no answer."""

    @property
    def complete(self) -> bool:
        return self.errors == 0 and self.missing == 0


def progress(
    checked: CheckedApplication,
    loaded: LoadedQuestionnaire,
    *,
    errors: Collection[str] | None = None,
) -> list[SectionProgress]:
    """For each section: questions answered among those that apply, errors, missing answers.
    ``errors``: the questions with an error, when known from the whole report (by default,
    those whose answer is invalid)."""
    raw = {**checked.application.lieu, **checked.application.reponses}
    wrong = checked.invalid if errors is None else errors
    result = []
    for section in sections(loaded):
        applicable = [i for i in loaded.items if i.theme == section and i.id in checked.enabled]
        result.append(
            SectionProgress(
                section=section,
                answered=sum(1 for i in applicable if is_answered(raw.get(i.id))),
                applicable=len(applicable),
                errors=sum(1 for i in applicable if i.id in wrong),
                missing=sum(1 for i in applicable if i.id in checked.missing),
            )
        )
    return result


def errors_by_item(checked: CheckedApplication, *, missing: bool = True) -> dict[str, list[str]]:
    """The error messages of each question, as the validator words them (``missing``: with
    « an answer is required » on the required questions not answered yet)."""
    found: dict[str, list[str]] = {
        key: [d.message for d in ds] for key, ds in checked.invalid.items()
    }
    for key in checked.missing if missing else ():
        found.setdefault(key, []).append(_("an answer is required"))
    return found


def shown_items(
    checked: CheckedApplication, section: str, loaded: LoadedQuestionnaire
) -> list[LocatedItem]:
    """The questions of ``section`` that apply, given the answers in the file."""
    return [i for i in loaded.items if i.theme == section and i.id in checked.enabled]


def check(
    path: Path, loaded: LoadedQuestionnaire, catalogue: Catalogue
) -> tuple[CheckedApplication | None, Report]:
    """The application read back and validated, as every command reads it."""
    return validate_application(path, loaded, catalogue)
