"""The diagnostics of ``apply validate``, placed at the questions of the web pages.

The web checks nothing itself: it reads the report of
:func:`aptic_qualif.application.validate_application` (the call ``apply validate`` makes)
and finds, for each diagnostic, the question it is about from the place it points to in the
application file (``lieu.<id>``, ``reponses.<id>``, ``preuves.<id>[n]``). A diagnostic that
is about no question (a missing date, an unknown key) is listed without a link.

The hint shown is :attr:`~aptic_qualif.diagnostics.Diagnostic.hint_in_a_form`: a hint that
speaks of the file (« in quotes ») has a version for a person typing in a form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aptic_qualif.application import ANSWERS_KEY, IDENTITY_KEY, CheckedApplication
from aptic_qualif.diagnostics import Diagnostic, Report, Severity
from aptic_qualif.i18n import _
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.yamlio import PathKey

EVIDENCE_KEY = "preuves"
MISSING = "APP005"


@dataclass(frozen=True)
class Problem:
    """One diagnostic as a page shows it: at a question when it is about one."""

    severity: Severity
    code: str
    text: str
    """The message, with its hint."""
    item: str | None = None
    section: str | None = None
    evidence: bool = False
    """About the evidence of the question rather than its answer."""

    @property
    def anchor(self) -> str | None:
        """The id of the field the problem is about, in its section page."""
        if self.item is None:
            return None
        return f"preuves-{self.item}" if self.evidence else self.item


def worded(diagnostic: Diagnostic) -> str:
    """The message of ``diagnostic`` with its hint for a form, as one text."""
    hint = diagnostic.hint_in_a_form
    if not hint:
        return diagnostic.message
    return _("{problem} ({hint})").format(problem=diagnostic.message, hint=hint)


def _paths(checked: CheckedApplication) -> dict[tuple[int, int], PathKey]:
    """Every located place of the application file (a value or a key) and its path."""
    places: dict[tuple[int, int], PathKey] = {}
    doc = checked.doc
    for table in (doc.key_positions, doc.positions):
        for path, packed in table.items():
            places.setdefault((packed >> 32, packed & 0xFFFFFFFF), path)
    return places


def problems(
    checked: CheckedApplication, report: Report, questionnaire: LoadedQuestionnaire
) -> list[Problem]:
    """Every diagnostic of ``report`` (the report of ``checked``), each at its question when
    it is about one; a required answer missing is « an answer is required » at its question.
    In questionnaire order, then the problems of no question."""
    places = _paths(checked)
    by_id = questionnaire.by_id
    found: list[Problem] = []
    for diagnostic in report.sorted():
        if diagnostic.code == MISSING:
            continue  # below, from the list of the required questions not answered
        item, evidence = None, False
        if diagnostic.span.file == checked.doc.file:
            path = places.get((diagnostic.span.line, diagnostic.span.col), ())
            if (
                len(path) >= 2
                and path[0] in (IDENTITY_KEY, ANSWERS_KEY, EVIDENCE_KEY)
                and str(path[1]) in by_id
            ):
                item, evidence = str(path[1]), path[0] == EVIDENCE_KEY
        found.append(
            Problem(
                diagnostic.severity,
                diagnostic.code,
                worded(diagnostic),
                item,
                by_id[item].theme if item is not None else None,
                evidence,
            )
        )
    for key in checked.missing:
        found.append(Problem("error", MISSING, _("an answer is required"), key, by_id[key].theme))
    order = {located.id: located.order for located in questionnaire.items}
    found.sort(key=lambda p: (p.item is None, order.get(p.item or "", 0)))
    return found


def at_questions(
    found: Iterable[Problem], *, severity: Severity = "error", missing: bool = True
) -> dict[str, list[str]]:
    """The texts of the problems of each question (``missing``: with « an answer is
    required » on the required questions not answered)."""
    texts: dict[str, list[str]] = {}
    for problem in found:
        if problem.item is None or problem.severity != severity:
            continue
        if problem.code == MISSING and not missing:
            continue
        texts.setdefault(problem.item, []).append(problem.text)
    return texts


def merged(*parts: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Messages per question from several sources, in order, without repeats."""
    together: dict[str, list[str]] = {}
    for part in parts:
        for key, texts in part.items():
            kept = together.setdefault(key, [])
            kept.extend(t for t in texts if t not in kept)
    return together
