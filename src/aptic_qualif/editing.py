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

No update is lost. Every change of an application is a read-modify-write made under the
exclusive lock of its file (:func:`aptic_qualif.fsio.exclusive`: threads and processes wait
their turn), and a save changes only the fields its form carries (one section's answers and
their evidence). A form also carries the version of what it showed
(:func:`section_version`); a field that changed in the file since then, and that the form
would change to something else, is not replaced: the save reports a :class:`Conflict` with
both values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    CheckedApplication,
    StatusChange,
    answer_size_problem,
    evidence_size_problem,
    load_application,
    validate_application,
)
from aptic_qualif.diagnostics import Report
from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import atomic_write, exclusive
from aptic_qualif.i18n import _, localized
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.answers import convert_form, evidence_lines
from aptic_qualif.questionnaire.conditions import is_answered
from aptic_qualif.questionnaire.derive import asked
from aptic_qualif.questionnaire.load import IDENTITY, LoadedQuestionnaire, LocatedItem
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.yamlio import MAX_BYTES, dump_yaml

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
    data = blank(loaded, today=today, identity=identity)
    if start is not None:
        data = {**dict(start), "date": data["date"], "statut": "brouillon"}
    with exclusive(path):
        if path.exists() or path.is_symlink():
            raise CommandError(
                _("{path} already exists: choose another name").format(path=display_path(path))
            )
        write(path, data, new=True)


@dataclass
class Conflict:
    """A field a save did not replace: it changed in the file since the form was shown, and
    the form would change it to something else."""

    field: str
    """The form's name of the field: the question's id, or ``preuves:<id>`` for its evidence."""
    item: str
    label: str
    evidence: bool
    saved: str
    """The value in the file, as people read it."""
    typed: str
    """The value the form sent, as people read it."""

    @property
    def message(self) -> str:
        if self.evidence:
            text = _(
                "The evidence for “{label}” was changed elsewhere since this page was shown: "
                "it was not replaced. Saved: “{saved}”. Yours: “{typed}”."
            )
        else:
            text = _(
                "The answer to “{label}” was changed elsewhere since this page was shown: "
                "it was not replaced. Saved: “{saved}”. Yours: “{typed}”."
            )
        return text.format(label=self.label, saved=self.saved, typed=self.typed)


@dataclass
class Saved:
    """What saving a section changed."""

    removed: list[str] = field(default_factory=list)
    """Answers removed because their question no longer applies."""
    conflicts: list[Conflict] = field(default_factory=list)
    """Fields not replaced because they changed in the file since the form was shown."""
    version: str = ""
    """The version the form carries from now on (:func:`section_version`): the page keeps
    showing what was typed, so a conflict stays until the person takes the saved value."""

    refused: dict[str, list[str]] = field(default_factory=dict)
    """Per question, why an answer or evidence sent was not written (over its size limit:
    :func:`~aptic_qualif.application.answer_size_problem`); the file keeps what it had."""


def _fields(located: LocatedItem) -> list[tuple[str, bool]]:
    """The form fields of a question: its answer, and its evidence when it takes some."""
    found = [(located.id, False)]
    if located.item.evidence is not None:
        found.append((f"preuves:{located.id}", True))
    return found


def _stored(data: Mapping[str, Any], located: LocatedItem, evidence: bool) -> Any:
    """The value of a field in an application (as plain data); ``None`` when empty."""
    if evidence:
        return list(data.get("preuves", {}).get(located.id, [])) or None
    value = data.get(IDENTITY_KEY if located.is_identity else ANSWERS_KEY, {}).get(located.id)
    return value if is_answered(value) else None


def _posted(
    form: Mapping[str, Sequence[str]], located: LocatedItem, evidence: bool, catalogue: Catalogue
) -> Any:
    """The value of a field as the form sends it; ``None`` when empty."""
    if evidence:
        return evidence_lines("\n".join(form.get(f"preuves:{located.id}", ()))) or None
    value, _problem = convert_form(located, list(form.get(located.id, ())), catalogue)
    return value if is_answered(value) else None


def fingerprint(value: Any, *, evidence: bool = False) -> str:
    """A short fingerprint of a field's value (the order of a multiple choice aside)."""
    if isinstance(value, list) and not evidence:
        value = sorted(value, key=str)
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def plain(application: Any) -> dict[str, Any]:
    """An application read by the validator, as plain data (as :func:`read_data` gives it)."""
    data: dict[str, Any] = application.model_dump(exclude_none=True, exclude_defaults=True)
    data.setdefault(IDENTITY_KEY, {})
    data.setdefault(ANSWERS_KEY, {})
    return data


def _encode(version: Mapping[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in version.items())


def _decode(version: str) -> dict[str, str]:
    found = {}
    for part in version.split():
        name, sep, value = part.partition("=")
        if sep and name:
            found[name] = value
    return found


def section_version(data: Mapping[str, Any], loaded: LoadedQuestionnaire, section: str) -> str:
    """The version of a section as a page shows it, from the application ``data`` the page
    is made of (:func:`plain`): the fingerprint of each of its fields. A form sends it back
    (``_version``) so that a save knows what the person saw."""
    return _encode(
        {
            name: fingerprint(_stored(data, located, evidence), evidence=evidence)
            for located in loaded.items
            if located.theme == section
            for name, evidence in _fields(located)
        }
    )


def shown_value(value: Any) -> str:
    """A field's value as a message shows it."""
    if value is None:
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def save_section(
    path: Path,
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue,
    section: str,
    form: Mapping[str, Sequence[str]],
    *,
    version: str | None = None,
    today: date | None = None,
) -> Saved:
    """Store the answers of one ``section`` given as a web form sends them (field name → its
    values; ``preuves:<item>`` for evidence, one per line), then write the file.

    Every question of the section is in the form (an absent field is an empty answer), so a
    checkbox unticked is an answer removed. The application goes back to draft (a submitted
    application that changes is submitted again), and its date is the day of the change.

    The file is read, changed and written under its lock, and only the fields of the
    section change. With the ``version`` the form showed (:func:`section_version`), a field
    the form sends as it was shown is left as the file has it (the person did not change it),
    and a field the person changed that also changed in the file since is not replaced: it
    is reported in :attr:`Saved.conflicts`. Without a version, the form's values are
    written."""
    items = [i for i in loaded.items if i.theme == section]
    if not items:
        raise CommandError(
            _("'{section}' is not a section of the questionnaire").format(section=section)
        )
    seen = _decode(version) if version is not None else None
    with exclusive(path):
        data = read_data(path)
        conflicts: list[Conflict] = []
        kept: dict[str, str] = {}  # fields whose version stays what the page showed
        refused: dict[str, list[str]] = {}
        for located in items:
            for name, evidence in _fields(located):
                # over its size limit (APP022): not written, the page keeps what was typed
                if evidence:
                    lines = evidence_lines("\n".join(form.get(name, ())))
                    too_big = evidence_size_problem(lines)
                else:
                    too_big = typed_size_problem(located, form.get(located.id, ()))
                if too_big is not None:
                    refused.setdefault(located.id, []).append(too_big)
                    if seen is not None:
                        kept[name] = seen.get(name, "")
                    continue
                on_disk = _stored(data, located, evidence)
                typed = _posted(form, located, evidence, catalogue)
                mark = fingerprint(typed, evidence=evidence)
                if mark == fingerprint(on_disk, evidence=evidence):
                    continue
                if seen is not None:
                    shown = seen.get(name)
                    if shown == mark:  # as the page showed it: not this person's change
                        kept[name] = shown
                        continue
                    if shown != fingerprint(on_disk, evidence=evidence):
                        conflicts.append(
                            Conflict(
                                field=name,
                                item=located.id,
                                label=localized(located.item.label),
                                evidence=evidence,
                                saved=shown_value(on_disk),
                                typed=shown_value(typed),
                            )
                        )
                        kept[name] = shown or ""
                        continue
                _store(data, located, evidence, typed)
        saved = Saved(
            removed=[located.id for located in prune(data, loaded)],
            conflicts=conflicts,
            refused=refused,
        )
        data["date"] = (today or date.today()).isoformat()
        data["statut"] = "brouillon"
        write(path, data)
    fresh = _decode(section_version(data, loaded, section))
    saved.version = _encode({name: kept.get(name, value) for name, value in fresh.items()})
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


def _store(data: dict[str, Any], located: LocatedItem, evidence: bool, value: Any) -> None:
    if evidence:
        part = data.setdefault("preuves", {})
    else:
        part = data[IDENTITY_KEY if located.is_identity else ANSWERS_KEY]
    if value is None:
        part.pop(located.id, None)
    else:
        part[located.id] = value


ASIDE_KEY = "mises_de_cote"
"""Where answers of questions that no longer apply are kept until the application is
submitted (:func:`prune`)."""


def prune(data: dict[str, Any], loaded: LoadedQuestionnaire) -> list[LocatedItem]:
    """Put aside the answers and the evidence of the questions that no longer apply, given
    the answers in ``data`` (an application as plain data), and bring back those of the
    questions that apply again; returns the questions put aside, in questionnaire order.
    ``apply fill`` and ``serve`` both call it after a change.

    Nothing is destroyed while the venue writes: an answer put aside (``mises_de_cote``) is
    never scored nor exported, and comes back as it was when the box that hid it is ticked
    again, unless the question was answered anew meanwhile. Submitting the application drops
    what is still aside (:func:`set_status`)."""
    aside: dict[str, Any] = data.setdefault(ASIDE_KEY, {})
    removed: list[LocatedItem] = []
    for _round in range(len(loaded.items) + 1):  # an answer brought back may enable others
        answers = {
            key: value
            for part in (data[IDENTITY_KEY], data[ANSWERS_KEY])
            for key, value in part.items()
            if is_answered(value)
        }
        # A question whose answer follows from another is not asked: its answer is put
        # aside, and derived again from the answer it follows from.
        enabled = asked([i.item for i in loaded.items], answers)
        changed = False
        for located in loaded.items:
            part = data[IDENTITY_KEY] if located.is_identity else data[ANSWERS_KEY]
            evidence = data.get("preuves", {})
            if located.id in enabled:
                kept = aside.pop(located.id, None)
                if kept is not None and not is_answered(part.get(located.id)):
                    if kept.get("reponse") is not None:
                        part[located.id] = kept["reponse"]
                        changed = True
                    if kept.get("preuves") and not evidence.get(located.id):
                        data.setdefault("preuves", {})[located.id] = kept["preuves"]
                continue
            if located.id not in part and located.id not in evidence:
                continue
            entry: dict[str, Any] = {}
            if located.id in part:
                entry["reponse"] = part.pop(located.id)
            if located.id in evidence:
                entry["preuves"] = evidence.pop(located.id)
            if is_answered(entry.get("reponse")) or entry.get("preuves"):
                aside[located.id] = entry
            removed.append(located)
            changed = True
        if not changed:
            break
    if not aside:
        data.pop(ASIDE_KEY, None)
    order = {located.id: index for index, located in enumerate(loaded.items)}
    unique = {located.id: located for located in removed}
    return sorted(
        (located for located in unique.values() if located.id not in enabled),
        key=lambda located: order[located.id],
    )


def now_stamp() -> str:
    """The moment of a change of status, as ``historique`` records it (local time with its
    offset, to the second)."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def set_status(
    path: Path, status: Status, *, today: date | None = None, when: str | None = None
) -> bool:
    """Mark the application as submitted or as a draft again, and record the change, with
    its date, at the end of its ``historique`` (``soumise``; ``rouverte``; ``resoumise`` for a
    submission after the application was reopened). Returns whether the status changed: an
    application already in ``status`` is left as it is."""
    with exclusive(path):
        data = read_data(path)
        current = data.get("statut") or ("soumise" if data.get("date") else "brouillon")
        if current == status:
            return False
        history = list(data.get("historique", []))
        if status == "soumise":
            reopened = any(event.get("evenement") == "rouverte" for event in history)
            event = "resoumise" if reopened else "soumise"
            data["date"] = (today or date.today()).isoformat()
            data.pop(ASIDE_KEY, None)  # what was put aside goes with the submission
        else:
            event = "rouverte"
        history.append({"evenement": event, "date": when or now_stamp()})
        data["statut"] = status
        data["historique"] = history
        write(path, data)
        return True


def close(path: Path, *, when: str | None = None) -> bool:
    """Record that the venue has closed, as the charter asks the venue to tell the network
    (commitment 8): a ``fermee`` event, with its date, at the end of the ``historique`` of a
    submitted application. The venue is then no longer qualified nor published; reopening
    the application (:func:`set_status`) undoes it. Returns whether the closure was
    recorded (an application whose closure is already the last event is left as it is)."""
    with exclusive(path):
        data = read_data(path)
        current = data.get("statut") or ("soumise" if data.get("date") else "brouillon")
        if current != "soumise":
            raise CommandError(
                _(
                    "Only a submitted application can report the venue's closure: this one is a "
                    "draft."
                )
            )
        history = list(data.get("historique", []))
        if history and history[-1].get("evenement") == "fermee":
            return False
        history.append({"evenement": "fermee", "date": when or now_stamp()})
        data["historique"] = history
        write(path, data)
        return True


def status_of(checked: CheckedApplication) -> Status:
    """An application is submitted unless it says it is a draft. A file without a status
    (written by hand or by ``apply fill``) is submitted when it is given, if it is dated;
    an undated one — an ``import lieux`` skeleton, whose ``date`` is left for the venue to
    fill in — is a draft: it is not offered to reviewers."""
    if checked.application.statut is not None:
        return checked.application.statut
    return "soumise" if checked.application.date is not None else "brouillon"


def history(checked: CheckedApplication) -> list[StatusChange]:
    """The changes of status recorded in the application, oldest first."""
    return list(checked.application.historique)


def resubmitted(checked: CheckedApplication) -> StatusChange | None:
    """The last submission, when the application is submitted after having been reopened
    (it changed after it was first submitted); otherwise ``None``."""
    if status_of(checked) != "soumise":
        return None
    events = checked.application.historique
    if events and events[-1].evenement == "resoumise":
        return events[-1]
    return None


def last_change(checked: CheckedApplication) -> str | None:
    """The date of the last change of status, or the application's date without history."""
    if checked.application.historique:
        return checked.application.historique[-1].date
    return checked.application.date.isoformat() if checked.application.date else None


def require_draft(checked: CheckedApplication) -> None:
    """:class:`CommandError` unless the application is a draft: a submitted application is
    read-only until the venue reopens it (:func:`set_status`)."""
    if status_of(checked) == "soumise":
        raise CommandError(
            _(
                "This application is submitted: it cannot be changed. Reopen it first "
                "(the reviewers will be told, and you will have to submit it again)."
            )
        )


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
        applicable = [i for i in loaded.items if i.theme == section and i.id in checked.asked]
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
    """The questions of ``section`` that apply and are asked (not derived from another
    answer), given the answers in the file."""
    return [i for i in loaded.items if i.theme == section and i.id in checked.asked]


def identity_card(
    checked: CheckedApplication, loaded: LoadedQuestionnaire, problems: Collection[str]
) -> list[LocatedItem]:
    """The identity answers shown together as one card to check rather than as questions.

    Only for an application started from the national venue data (``import lieux``: it keeps
    the venue's national ``identifiant``): the answers such an import fills
    (:func:`~aptic_qualif.questionnaire.effort.is_prefilled`) that are given, asked, and not
    among ``problems`` (the questions with an error or a warning, which stay questions so
    that the venue sees what to correct). The venue opens the card to correct an answer; the
    questionnaire's length (``questionnaire validate``) counts the card as one question."""
    from aptic_qualif.questionnaire.effort import is_prefilled

    if checked.application.identifiant is None:
        return []
    identity = checked.application.lieu
    return [
        located
        for located in loaded.items
        if located.is_identity
        and is_prefilled(located)
        and located.id in checked.asked
        and located.id not in problems
        and identity.get(located.id) not in (None, "", [])
    ]


def check(
    path: Path, loaded: LoadedQuestionnaire, catalogue: Catalogue
) -> tuple[CheckedApplication | None, Report]:
    """The application read back and validated, as every command reads it."""
    return validate_application(path, loaded, catalogue)
