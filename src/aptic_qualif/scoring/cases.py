"""Reference cases: venues whose decision the network has settled, kept as data.

Each case is a folder ``questionnaire/cases/<case-id>/`` holding:

* ``candidature.yaml``: an application, exactly as venues write them (it is checked like
  any application: an incomplete one is *to complete*);
* ``cas.yaml``: the decision expected, why in a few words (``why``, French and English),
  and the reviews as data — each with the reviewer, a possible conflict of interest, the
  scores of the rated answers (as in a review file), a recommendation and comments.

``policy test`` assesses every case under the current policy and questionnaire (or a
private policy) and reports the cases whose decision flips, with what made the difference:
the gates passed or failed with their margins and, against a git reference, the items whose
points changed. A change to the policy or the questionnaire that flips a case therefore
fails unless the case's expectation changes in the same commit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.errors import CommandError
from aptic_qualif.formats import number as format_number
from aptic_qualif.gitref import extract_at_ref, file_at_ref, repository_top
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.project import QUESTIONNAIRE_DIR, REFERENTIEL_DIR, display_path
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.referentiel.model import LangText
from aptic_qualif.review.fingerprint import claim_digest, fingerprint
from aptic_qualif.review.model import Recommendation, Review, Reviewed, ReviewScore
from aptic_qualif.schema import StrictModel, validate_document
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment, CopyMatch, PointLine
from aptic_qualif.scoring.policy import Decision
from aptic_qualif.text import comparison_key
from aptic_qualif.yamlio import Document, bulk_reading, load_yaml

CASES_DIR = "cases"
"""The folder of the reference cases, in the questionnaire folder."""
APPLICATION_FILE = "candidature.yaml"
CASE_FILE = "cas.yaml"
README = "README.md"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# -- the format ------------------------------------------------------------------------------


class CaseReview(StrictModel):
    """One review of the case's application, as data (like a review file, without what the
    tool records by itself: the application, its fingerprint, the date)."""

    reviewer: str
    conflict_of_interest: bool = False
    conflict_details: str | None = None
    scores: dict[str, ReviewScore] = Field(default_factory=dict)
    recommendation: Recommendation | None = None
    comment: str | None = None
    copies_examined: list[str] = Field(default_factory=list)
    """Cases whose near-identical written answers the reviewer examined."""
    unsupported: list[str] = Field(default_factory=list)
    """Declared answers the reviewer found unsupported by the evidence sent."""


class CaseFile(StrictModel):
    """``cas.yaml``."""

    decision: Decision
    """The decision the network expects."""
    why: LangText
    """Why, in a few words (French and English)."""
    reviews: list[CaseReview] = Field(default_factory=list)
    compared_with: list[str] = Field(default_factory=list)
    """Other cases of the same network: their written answers are compared with this
    case's, as ``assess`` compares the applications of a folder (a copied application)."""


@dataclass
class ReferenceCase:
    id: str
    folder: Path
    case: CaseFile
    doc: Document
    """``cas.yaml``, for locating problems."""
    application: Path

    @property
    def expected(self) -> Decision:
        return self.case.decision


def review_of(
    case_review: CaseReview, checked: CheckedApplication, questionnaire: LoadedQuestionnaire
) -> Review:
    """The review a case describes, of its application as it is now (so that it is fresh:
    it records the fingerprint of what it rates).

    This is the one place where a case's review is built: when reviews record what they
    rated otherwise, only this changes.
    """
    reviewed = Reviewed.model_validate(fingerprint(checked, questionnaire).record())
    if case_review.unsupported:
        reviewed = reviewed.model_copy(
            update={
                "claims": {item: claim_digest(checked, item) for item in case_review.unsupported}
            }
        )
    return Review(
        application=checked.id,
        reviewed=reviewed,
        reviewer=case_review.reviewer,
        date=checked.date or date.today(),
        conflict_of_interest=case_review.conflict_of_interest,
        conflict_details=case_review.conflict_details,
        scores=dict(case_review.scores),
        recommendation=case_review.recommendation,
        comment=case_review.comment,
        copies_examined=list(case_review.copies_examined),
        unsupported=list(case_review.unsupported),
    )


# -- loading -------------------------------------------------------------------------------


def load_cases(
    folder: Path, questionnaire: LoadedQuestionnaire, catalogue: Catalogue
) -> tuple[list[ReferenceCase], Report]:
    """Every case of ``folder`` (one sub-folder each), checked; a broken case is reported and
    left out (``README.md`` may document the folder)."""
    report = Report()
    cases: list[ReferenceCase] = []
    with bulk_reading():
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or (path.is_file() and path.name == README):
                continue
            if not path.is_dir():
                report.add(
                    Diagnostic.error(
                        "CAS001",
                        _whole(path),
                        _("a reference case is a folder, not a file"),
                        _("move it into a folder <case-id>/ with {application} and {case}").format(
                            application=APPLICATION_FILE, case=CASE_FILE
                        ),
                    )
                )
                continue
            case, problems = _load_case(path, questionnaire, catalogue)
            report.extend(problems)
            if case is not None and not any(p.severity == "error" for p in problems):
                cases.append(case)
    return cases, report


def _whole(path: Path) -> Span:
    return Span(display_path(path), 0, 0)


def _load_case(
    folder: Path, questionnaire: LoadedQuestionnaire, catalogue: Catalogue
) -> tuple[ReferenceCase | None, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    if not _SLUG.fullmatch(folder.name):
        problems.append(
            Diagnostic.error(
                "CAS002",
                _whole(folder),
                _("'{name}' is not a case identifier (a-z, 0-9, hyphens)").format(name=folder.name),
                _("rename the folder, for example '{slug}'").format(slug=_slugify(folder.name)),
            )
        )
    names = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    for name in sorted(names - {APPLICATION_FILE, CASE_FILE}):
        problems.append(
            Diagnostic.error(
                "CAS001",
                _whole(folder / name),
                _("a reference case holds only {application} and {case}").format(
                    application=APPLICATION_FILE, case=CASE_FILE
                ),
            )
        )
    for name in (APPLICATION_FILE, CASE_FILE):
        if name not in names:
            problems.append(
                Diagnostic.error(
                    "CAS001",
                    _whole(folder),
                    _("the reference case '{id}' has no {file}").format(id=folder.name, file=name),
                )
            )
    if CASE_FILE not in names:
        return None, problems
    doc, diagnostics = load_yaml(
        folder / CASE_FILE, display_path(folder / CASE_FILE), within=folder.parent
    )
    problems += diagnostics
    if doc is None or diagnostics:
        return None, problems
    case, diagnostics = validate_document(CaseFile, doc)
    problems += diagnostics
    if case is None:
        return None, problems
    seen: set[str] = set()
    by_id = questionnaire.by_id
    for index, review in enumerate(case.reviews):
        reviewer = comparison_key(review.reviewer)  # "alice" and a Cyrillic "аlice" are one
        if reviewer in seen:
            problems.append(
                Diagnostic.error(
                    "CAS004",
                    doc.span(("reviews", index, "reviewer")),
                    _("'{reviewer}' reviews this case twice").format(reviewer=review.reviewer),
                    _("merge the two reviews, or name the other reviewer"),
                )
            )
        seen.add(reviewer)
        for item in review.scores:
            located = by_id.get(item)
            if located is None or located.item.scoring != "rubric":
                problems.append(
                    Diagnostic.error(
                        "CAS003",
                        doc.key_span(("reviews", index, "scores", item)),
                        _("'{id}' is not an item rated by reviewers").format(id=item),
                    )
                )
    application = folder / APPLICATION_FILE
    reference = ReferenceCase(folder.name, folder, case, doc, application)
    if APPLICATION_FILE in names:
        checked, report = validate_application(
            application, questionnaire, catalogue, within=folder.parent
        )
        if checked is None:
            problems += report.diagnostics  # unreadable: nothing to assess
        else:
            problems += _unused_scores(reference, checked)
    return reference, problems


def _unused_scores(case: ReferenceCase, checked: CheckedApplication) -> list[Diagnostic]:
    """Scores of rated items that do not apply to the application (a warning)."""
    found = []
    for index, review in enumerate(case.case.reviews):
        for item in review.scores:
            if item in checked.answers or item in checked.enabled:
                continue
            found.append(
                Diagnostic.warning(
                    "CAS005",
                    case.doc.key_span(("reviews", index, "scores", item)),
                    _(
                        "'{id}' does not apply to this case's application: its score is not used"
                    ).format(id=item),
                    _("remove the score, or change the answer it depends on"),
                )
            )
    return found


def _slugify(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "cas"


# -- running -------------------------------------------------------------------------------


Kind = Literal[
    "knockout",
    "to_complete",
    "requirement",
    "pending_review",
    "practice",
    "theme",
    "overall",
]


@dataclass(frozen=True)
class Gate:
    """One thing the decision looked at, passed or not, with its margin when it has one."""

    kind: Kind
    id: str
    label: str
    passed: bool
    value: float | None = None
    threshold: float | None = None

    @property
    def margin(self) -> float | None:
        if self.value is None or self.threshold is None:
            return None
        return round(self.value - self.threshold, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "passed": self.passed,
            "value": self.value,
            "threshold": self.threshold,
            "margin": self.margin,
        }


@dataclass(frozen=True)
class PointChange:
    """An item whose points or maximum differ between two assessments of one case."""

    item: str
    label: str
    before: PointLine | None
    after: PointLine | None

    def to_json(self) -> dict[str, Any]:
        def line(value: PointLine | None) -> dict[str, Any] | None:
            if value is None:
                return None
            return {"points": value.points, "max": value.max, "source": value.source}

        return {
            "item": self.item,
            "label": self.label,
            "before": line(self.before),
            "after": line(self.after),
        }


@dataclass
class CaseResult:
    case: ReferenceCase
    assessment: Assessment
    changes: list[PointChange] | None = None
    """With a base: the items whose points changed since it (``None`` without a base)."""

    @property
    def ok(self) -> bool:
        return self.assessment.decision == self.case.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "folder": display_path(self.case.folder),
            "expected": self.case.expected,
            "got": self.assessment.decision,
            "ok": self.ok,
            "why": {"fr": self.case.case.why.fr, "en": self.case.case.why.en},
            "reasons": self.assessment.reasons,
            "gates": [g.to_json() for g in gates(self.assessment)],
            "point_changes": (
                [c.to_json() for c in self.changes] if self.changes is not None else None
            ),
        }


def assess_case(
    case: ReferenceCase,
    scorer: Scorer,
    others: Mapping[str, ReferenceCase] | None = None,
) -> tuple[Assessment | None, list[Diagnostic]]:
    """The case's application, checked against ``scorer``'s questionnaire and assessed with
    the case's reviews, its written answers compared with those of the cases it names
    (``compared_with``, found in ``others``); ``None`` when the application cannot be read."""
    checked, report = validate_application(case.application, scorer.questionnaire, scorer.catalogue)
    if checked is None:
        return None, report.diagnostics
    reviews = [review_of(review, checked, scorer.questionnaire) for review in case.case.reviews]
    problems: list[Diagnostic] = []
    copies: list[CopyMatch] = []
    if case.case.compared_with:
        from aptic_qualif.review.copies import WrittenAnswer, find_copies, written_answers

        def named(found: CheckedApplication, name: str) -> list[WrittenAnswer]:
            # Every case's application is « candidature.yaml »: known by its case's id.
            return [
                dataclasses.replace(answer, application=name)
                for answer in written_answers(found, scorer.questionnaire)
            ]

        answers = named(checked, case.id)
        for index, other_id in enumerate(case.case.compared_with):
            other = (others or {}).get(other_id)
            if other is None or other_id == case.id:
                problems.append(
                    Diagnostic.error(
                        "CAS006",
                        case.doc.span(("compared_with", index)),
                        _("'{id}' is not another reference case").format(id=other_id),
                        _("name the folder of another case of questionnaire/cases/"),
                    )
                )
                continue
            other_checked, _other_report = validate_application(
                other.application, scorer.questionnaire, scorer.catalogue
            )
            if other_checked is not None:
                answers += named(other_checked, other.id)
        copies = list(find_copies(answers).get(case.id, ()))
    return scorer.assess(checked, reviews, copies=copies), problems


def run_cases(
    cases: Sequence[ReferenceCase], scorer: Scorer, base: Scorer | None = None
) -> tuple[list[CaseResult], Report]:
    """Assess every case; with ``base``, also under it for the cases that flip, to show the
    items whose points changed."""
    report = Report()
    results: list[CaseResult] = []
    by_id = {case.id: case for case in cases}
    for case in cases:
        assessment, problems = assess_case(case, scorer, by_id)
        report.extend(problems)
        if assessment is None:
            continue
        result = CaseResult(case, assessment)
        if base is not None and not result.ok:
            before, problems = assess_case(case, base, by_id)
            report.extend(problems)
            if before is not None:
                result.changes = point_changes(before, assessment)
        results.append(result)
    return results, report


def gates(assessment: Assessment) -> list[Gate]:
    """What the decision looked at, in the order the rules do: knock-outs, answers to
    complete, requirements, reviews awaited, practice floors, then thresholds."""
    found: list[Gate] = [
        Gate("knockout", k.id, k.reason, passed=False) for k in assessment.knockouts
    ]
    found += [
        Gate(
            "to_complete",
            t.item,
            _("{what}: {detail}").format(what=t.label, detail=t.reason) if t.label else t.reason,
            passed=False,
        )
        for t in assessment.to_complete
    ]
    found += [Gate("requirement", r.id, r.reason, passed=False) for r in assessment.requirements]
    labels = {line.item: line.label for line in assessment.lines}
    found += [
        Gate("pending_review", item, labels.get(item, item), passed=False)
        for theme in assessment.themes
        for item in theme.pending
    ]
    found += [
        Gate("pending_review", item, labels.get(item, item), passed=False)
        for item in assessment.reviews.decisive
    ]
    found += [
        Gate("practice", f.id, f.label, f.passed, f.score, f.minimum) for f in assessment.practice
    ]
    found += [
        Gate(
            "theme",
            t.theme,
            t.title,
            t.passed,
            t.percentage,
            None if t.bonus else t.threshold,
        )
        for t in assessment.themes
    ]
    overall = assessment.overall
    found.append(
        Gate(
            "overall", "", _("overall score"), overall.passed, overall.percentage, overall.threshold
        )
    )
    return found


def point_changes(before: Assessment, after: Assessment) -> list[PointChange]:
    """The items whose points, maximum or way of counting differ, in the order of ``after``."""
    old = {line.item: line for line in before.lines}
    new = {line.item: line for line in after.lines}
    changes = []
    for item in [*new, *(i for i in old if i not in new)]:
        a, b = old.get(item), new.get(item)
        if (
            a is not None
            and b is not None
            and (a.points, a.max, a.source)
            == (
                b.points,
                b.max,
                b.source,
            )
        ):
            continue
        known = b if b is not None else a
        changes.append(PointChange(item, known.label if known is not None else item, a, b))
    return changes


# -- a base from git -----------------------------------------------------------------------


@contextmanager
def project_at_ref(
    root: Path, ref: str, extra: Sequence[Path] = ()
) -> Iterator[tuple[Path, list[Path | None]]]:
    """The project's questionnaire and référentiel as they were at git ``ref``, extracted into
    a temporary folder, like ``catalogue diff --base``: yields that project folder and, for
    each file of ``extra``, its version at ``ref`` (``None`` when it had none)."""
    folder = root.resolve()
    toplevel = repository_top(folder, ref)
    relative = folder.relative_to(toplevel)
    wanted = [(relative / name).as_posix() for name in (QUESTIONNAIRE_DIR, REFERENTIEL_DIR)]
    with extract_at_ref(toplevel, ref, wanted) as tmp:
        if tmp is None:
            raise CommandError(
                _("the project has no questionnaire or référentiel at {ref}").format(ref=ref)
            )
        files: list[Path | None] = []
        for index, path in enumerate(extra):
            content = file_at_ref(toplevel, ref, path)
            if content is None:
                files.append(None)
                continue
            target = tmp / f"extra-{index}{path.suffix}"
            target.write_bytes(content)
            files.append(target)
        yield tmp / relative, files


# -- a whole run ---------------------------------------------------------------------------


@dataclass
class CaseRun:
    """A whole ``policy test`` run."""

    policy: str
    results: list[CaseResult] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    """Problems of the case files (and of the applications that cannot be read)."""
    total: int = 0
    """Cases found, broken ones included."""
    base: str | None = None

    @property
    def flipped(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.flipped and len(self.results) == self.total

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "base": self.base,
            "cases": [r.to_json() for r in self.results],
            "total": self.total,
            "flipped": len(self.flipped),
            **self.report.to_json(),
        }


def run_reference_cases(
    root: Path,
    *,
    policy: Path | None = None,
    cases_dir: Path | None = None,
    base: str | None = None,
) -> CaseRun:
    """Every reference case of the project (or of ``cases_dir``) under its policy (or the
    file ``policy``); with ``base``, the cases that flip are also assessed under the project
    at that git reference, to show the items whose points changed."""
    from aptic_qualif.context import load_context

    context = load_context(root, policy=policy, need_policy=True)
    assert context.policy is not None
    scorer = Scorer(context.catalogue, context.questionnaire, context.policy)
    folder = cases_dir if cases_dir is not None else context.root / QUESTIONNAIRE_DIR / CASES_DIR
    if not folder.is_dir():
        raise CommandError(
            _("no reference cases: the folder {path} does not exist").format(
                path=display_path(folder)
            )
        )
    cases, report = load_cases(folder, context.questionnaire, context.catalogue)
    total = len({p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")})
    if not total and report.ok:
        raise CommandError(_("no reference case in {path}").format(path=display_path(folder)))
    run = CaseRun(
        policy=f"{context.policy.id}@{context.policy.version}",
        report=report,
        total=total,
        base=base,
    )
    if base is None:
        results, problems = run_cases(cases, scorer)
    else:
        with project_at_ref(context.root, base, [policy] if policy is not None else []) as found:
            base_root, files = found
            # A private policy is taken as it was at the reference when it was in the
            # repository then, else as it is: only the questionnaire changed.
            at_ref = (files[0] or policy) if policy is not None else None
            based = load_context(base_root, policy=at_ref, need_policy=True)
            assert based.policy is not None
            results, problems = run_cases(
                cases, scorer, Scorer(based.catalogue, based.questionnaire, based.policy)
            )
    run.results = results
    run.report.extend(problems.diagnostics)
    return run


# -- rendering -----------------------------------------------------------------------------


def _signed(value: float) -> str:
    text = format_number(abs(value))
    return f"+{text}" if value >= 0 else f"−{text}"


def describe_gate(gate: Gate) -> str:
    """One gate in plain words, with its margin."""
    mark = "✓" if gate.passed else "✗"
    if gate.kind in {"theme", "overall"}:
        name = _("theme {theme}").format(theme=gate.label) if gate.kind == "theme" else gate.label
        if gate.threshold is None:
            text = _("{name}: {value} % (bonus)").format(
                name=name, value=format_number(gate.value or 0)
            )
        else:
            text = _("{name}: {value} % (threshold {threshold} %, margin {margin})").format(
                name=name,
                value=format_number(gate.value or 0),
                threshold=format_number(gate.threshold),
                margin=_signed(gate.margin or 0),
            )
    elif gate.kind == "practice":
        name = _("practice floor — {scope}").format(scope=gate.label)
        if gate.value is None:
            text = _("{name}: not reviewed yet (minimum {minimum}/4)").format(
                name=name, minimum=format_number(gate.threshold or 0)
            )
        else:
            text = _("{name}: {score}/4 for a minimum of {minimum}/4 ({margin})").format(
                name=name,
                score=format_number(gate.value),
                minimum=format_number(gate.threshold or 0),
                margin=_signed(gate.margin or 0),
            )
    else:
        prefix = {
            "knockout": _("knock-out"),
            "to_complete": _("to complete"),
            "requirement": _("requirement not met"),
            "pending_review": _("awaiting review"),
        }[gate.kind]
        text = (
            _("{what}: {detail}").format(what=prefix, detail=gate.label) if gate.label else prefix
        )
    return f"{mark} {text}"


def _line_text(line: PointLine | None) -> str:
    if line is None:
        return _("absent")
    if line.source == "not_applicable":
        return _("does not apply")
    return f"{format_number(line.points)}/{format_number(line.max)}"


def render_text(run: CaseRun) -> str:
    """One line per case, then what made the difference in each case that flips, then the
    problems of the case files and a summary."""
    from aptic_qualif.scoring.render import decision_label

    results = run.results
    lines: list[str] = [_("Policy {policy}").format(policy=run.policy)]
    width = max((len(r.case.id) for r in results), default=0)
    for result in results:
        # A case that keeps its decision takes one short line (it fits 80 columns); one that
        # flips says both decisions.
        if result.ok:
            status = decision_label(result.case.expected)
        else:
            status = "{expected}, {got}".format(
                expected=_("expected: {decision}").format(
                    decision=decision_label(result.case.expected)
                ),
                got=_("got: {decision}").format(
                    decision=decision_label(result.assessment.decision)
                ),
            )
        mark = "✓" if result.ok else "✗"
        lines.append(f"{mark} {result.case.id.ljust(width)}  {status}")
    for result in results:
        if result.ok:
            continue
        lines += [
            "",
            _("{id}: {got} instead of {expected}").format(
                id=result.case.id,
                got=decision_label(result.assessment.decision),
                expected=decision_label(result.case.expected),
            ),
            "  "
            + _("why this case: {why}").format(
                why=" ".join(localized(result.case.case.why).split())
            ),
            "  " + _("reasons of the decision:"),
        ]
        lines += [f"    - {reason}" for reason in result.assessment.reasons]
        lines.append("  " + _("what made the difference:"))
        lines += [f"    {describe_gate(g)}" for g in gates(result.assessment)]
        if result.changes is not None:
            lines.append("  " + _("points changed since {ref}:").format(ref=run.base))
            if not result.changes:
                lines.append("    " + _("no item's points changed"))
            for change in result.changes:
                lines.append(
                    "    "
                    + _("{item} ({label}): {before} → {after}").format(
                        item=change.item,
                        label=change.label,
                        before=_line_text(change.before),
                        after=_line_text(change.after),
                    )
                )
    flipped = len(run.flipped)
    count = run.total
    lines.append("")
    if run.report.diagnostics:
        lines += [run.report.render_text(), ""]
    broken = run.total - len(results)
    if broken:
        lines.append(
            ngettext(
                "{n} case cannot be run: see the problems above.",
                "{n} cases cannot be run: see the problems above.",
                broken,
            ).format(n=broken)
        )
    if flipped:
        lines.append(
            ngettext(
                "{flipped} case out of {n} flips.",
                "{flipped} cases out of {n} flip.",
                flipped,
            ).format(flipped=flipped, n=count)
        )
    elif results and broken:
        lines.append(
            ngettext(
                "{n} other case keeps its decision.",
                "{n} other cases keep their decision.",
                len(results),
            ).format(n=len(results))
        )
    elif results:
        lines.append(
            ngettext(
                "The {n} reference case keeps its decision.",
                "The {n} reference cases keep their decision.",
                count,
            ).format(n=count)
        )
    return "\n".join(lines) + "\n"
