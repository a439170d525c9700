"""Review drafts: a review saved as it is made, resumed later, used once finished.

A draft is the review file itself (``reviews/<application-id>/<reviewer>.yaml``) with
``draft: true``: it may hold only some scores, no recommendation and no overall comment.
Nothing uses a draft (:mod:`aptic_qualif.review.select`): it never counts toward a
decision nor toward the agreement between reviewers, and ``review summary`` lists it as
in progress.

The steps, for the terminal (``review``) and any other front-end alike:

1. :func:`start_draft` — a new draft for (application, reviewer), with the answer to the
   conflict-of-interest question, which comes first: a conflicted reviewer scores nothing;
2. :func:`record_score` — one rubric item's score (0–4) and comment, as many times as
   needed, in any order, changing a score as often as wished;
3. :func:`record_overall` — the recommendation and the overall comment;
4. :func:`missing` — what the draft still lacks to be finished;
5. :func:`finish` — the finished review: it checks that nothing is missing, records what
   was reviewed (:mod:`aptic_qualif.review.fingerprint`) and the day, and drops ``draft``.

:func:`save_review` writes a draft or a finished review atomically — it never replaces a
finished review without ``force`` — and :func:`load_review` reads one back to resume.

Every function takes a :class:`~aptic_qualif.review.model.Review` and returns a new one
(reviews are immutable); none of them writes a file except :func:`save_review`.

A draft records, for each item scored, the fingerprint of the answer and evidence it
rated (in ``reviewed``). If the venue changes that answer or evidence before the draft is
finished, the score is of something else: :func:`missing` lists the item as to score
again, so that a review never vouches for an answer its reviewer did not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import atomic_write
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.conditions import is_answered
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.review.fingerprint import (
    Fingerprint,
    claim_digest,
    fingerprint,
    rated_items,
    short_label,
)
from aptic_qualif.review.load import review_path
from aptic_qualif.review.model import Recommendation, Review, Reviewed
from aptic_qualif.schema import validate_document
from aptic_qualif.yamlio import dump_yaml, load_yaml


class DraftError(CommandError):
    """A step of a review that cannot be taken; the message says why, to the reviewer."""


class DraftIncomplete(DraftError):
    """:func:`finish` on a draft that still lacks something (see :attr:`missing`)."""

    def __init__(self, message: str, missing: Missing) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Missing:
    """What a draft still lacks to be finished. False (empty) when nothing is missing."""

    conflict_details: bool = False
    """A conflicted reviewer has not described the link yet."""
    items: list[str] = field(default_factory=list)
    """The rubric items that apply and are not scored, or must be scored again, in
    questionnaire order."""
    changed: list[str] = field(default_factory=list)
    """Among :attr:`items`: those scored, whose answer or evidence changed since."""
    recommendation: bool = False
    """No recommendation yet."""
    comment: bool = False
    """No overall comment yet."""

    def __bool__(self) -> bool:
        return bool(self.conflict_details or self.items or self.recommendation or self.comment)

    def messages(self, questionnaire: LoadedQuestionnaire) -> list[str]:
        """What is missing, one plain message each, in the language in use."""
        found: list[str] = []
        if self.conflict_details:
            found.append(_("the description of your link with the venue"))
        for item in self.items:
            label = short_label(item, questionnaire)
            if item in self.changed:
                found.append(
                    _("a new score for '{label}': its answer or evidence changed").format(
                        label=label
                    )
                )
            else:
                found.append(_("a score for '{label}'").format(label=label))
        if self.recommendation:
            found.append(_("the recommendation"))
        if self.comment:
            found.append(_("the overall comment"))
        return found


def _today(today: date | None) -> date:
    return today or date.today()


def _text(value: str | None) -> str | None:
    """A text as stored: stripped; empty is no text."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _data(review: Review) -> dict[str, Any]:
    """The review as the mapping a file holds, keys in the order of review files."""
    data: dict[str, Any] = {"application": review.application, "reviewer": review.reviewer}
    if review.draft:
        data["draft"] = True
    data["date"] = review.date
    if review.reviewed is not None:
        data["reviewed"] = review.reviewed.model_dump(exclude_defaults=True)
    if review.application_sha256 is not None:
        data["application_sha256"] = review.application_sha256
    data["conflict_of_interest"] = review.conflict_of_interest
    if review.conflict_details is not None:
        data["conflict_details"] = review.conflict_details
    # Days as text: the same date object twice would be written as a YAML alias.
    if review.conflict_declared is not None:
        data["conflict_declared"] = review.conflict_declared.isoformat()
    if review.withdrawn_conflicts:
        data["withdrawn_conflicts"] = [
            entry.model_dump(mode="json", exclude_none=True) for entry in review.withdrawn_conflicts
        ]
    if review.scores:
        data["scores"] = {
            item: score.model_dump(exclude_none=True) for item, score in review.scores.items()
        }
    if review.recommendation is not None:
        data["recommendation"] = review.recommendation
    if review.comment is not None:
        data["comment"] = review.comment
    if review.copies_examined:
        data["copies_examined"] = list(review.copies_examined)
    if review.unsupported:
        data["unsupported"] = list(review.unsupported)
    return data


def _build(data: dict[str, Any]) -> Review:
    return Review.model_validate(data)


def _require_draft(review: Review) -> None:
    if not review.draft:
        raise DraftError(
            _("the review of '{id}' by {reviewer} is finished: it is no longer a draft").format(
                id=review.application, reviewer=review.reviewer
            )
        )


def _rated(current: Fingerprint, items: dict[str, str] | None = None) -> dict[str, Any]:
    """A ``reviewed`` mapping: the current identity, and the fingerprints of ``items``."""
    chosen = current.items if items is None else items
    return {
        "identity": current.identity,
        "items": {item: current.items[item] for item in chosen if item in current.items},
        "answers": {item: current.answers[item] for item in chosen if item in current.answers},
        "evidence": {item: current.evidence[item] for item in chosen if item in current.evidence},
    }


def start_draft(
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    reviewer: str,
    *,
    conflict: bool,
    details: str | None = None,
    today: date | None = None,
) -> Review:
    """A new draft of the review of ``checked`` by ``reviewer``, with the answer to the
    conflict-of-interest question (``details`` describes the link, when there is one)."""
    current = fingerprint(checked, questionnaire)
    data: dict[str, Any] = {
        "application": checked.id,
        "reviewer": reviewer,
        "draft": True,
        "date": _today(today),
        "reviewed": _rated(current, {}),
        "conflict_of_interest": conflict,
    }
    if conflict:
        data["conflict_details"] = _text(details)
        data["conflict_declared"] = _today(today)
    return _build(data)


def record_conflict(
    draft: Review, conflict: bool, details: str | None = None, *, today: date | None = None
) -> Review:
    """The draft with another answer to the conflict-of-interest question. Declaring a
    conflict drops every score, the recommendation and the comments given so far, and
    records the day; withdrawing one keeps a trace of it (``withdrawn_conflicts``: when it
    was declared, when withdrawn, the link described), which the coordinator sees."""
    _require_draft(draft)
    data = _data(draft)
    data["date"] = _today(today)
    data["conflict_of_interest"] = conflict
    data.pop("conflict_details", None)
    data.pop("conflict_declared", None)
    if draft.conflict_of_interest and not conflict:
        trace: dict[str, Any] = {"withdrawn": _today(today)}
        if draft.conflict_declared is not None:
            trace["declared"] = draft.conflict_declared
        if draft.conflict_details is not None:
            trace["conflict_details"] = draft.conflict_details
        data["withdrawn_conflicts"] = [*data.get("withdrawn_conflicts", []), trace]
    if conflict:
        data["conflict_details"] = _text(details)
        data["conflict_declared"] = (
            draft.conflict_declared
            if draft.conflict_of_interest and draft.conflict_declared is not None
            else _today(today)
        )
        for key in ("scores", "recommendation", "comment"):
            data.pop(key, None)
        if data.get("reviewed"):
            data["reviewed"] = {"identity": data["reviewed"]["identity"]}
    return _build(data)


def keep_trace(draft: Review, earlier: Review | None, *, today: date | None = None) -> Review:
    """A new ``draft`` that replaces the review ``earlier`` (a review started again from
    scratch) with the trace of ``earlier``'s declarations of conflict of interest: those
    withdrawn, and its own if the new draft declares none."""
    if earlier is None:
        return draft
    trace = [entry.model_dump(exclude_none=True) for entry in earlier.withdrawn_conflicts]
    if earlier.conflict_of_interest and not draft.conflict_of_interest:
        entry: dict[str, Any] = {"withdrawn": _today(today)}
        if earlier.conflict_declared is not None:
            entry["declared"] = earlier.conflict_declared
        if earlier.conflict_details is not None:
            entry["conflict_details"] = earlier.conflict_details
        trace.append(entry)
    if not trace:
        return draft
    data = _data(draft)
    data["withdrawn_conflicts"] = [*trace, *data.get("withdrawn_conflicts", [])]
    return _build(data)


def record_score(
    draft: Review,
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    item: str,
    score: int,
    comment: str | None = None,
    *,
    today: date | None = None,
) -> Review:
    """The draft with ``score`` (one of the item's rubric steps, 0 to 4) and ``comment``
    (optional) for the rubric item ``item``, replacing any earlier score of it; the draft
    records the fingerprint of the answer and evidence so rated."""
    _require_draft(draft)
    if draft.conflict_of_interest:
        raise DraftError(_("you declared a link with this venue: you do not score it"))
    if item not in rated_items(checked, questionnaire):
        raise DraftError(
            _("'{id}' is not an item reviewers rate in this application").format(id=item)
        )
    rubric = questionnaire.by_id[item].item.rubric or ()
    steps = [step.score for step in rubric]
    if isinstance(score, bool) or not isinstance(score, int) or score not in steps:
        raise DraftError(
            _("the score of '{id}' must be one of {steps}").format(
                id=item, steps=", ".join(map(str, steps))
            )
        )
    current = fingerprint(checked, questionnaire)
    data = _data(draft)
    data["date"] = _today(today)
    entry: dict[str, Any] = {"score": score}
    text = _text(comment)
    if text is not None:
        entry["comment"] = text
    scores = dict(data.get("scores", {}))
    scores[item] = entry
    order = rated_items(checked, questionnaire)
    data["scores"] = dict(
        sorted(scores.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    )
    reviewed = data.get("reviewed") or {"identity": current.identity}
    reviewed["identity"] = current.identity
    for key, digests in (
        ("items", current.items),
        ("answers", current.answers),
        ("evidence", current.evidence),
    ):
        part = dict(reviewed.get(key, {}))
        part.pop(item, None)
        if item in digests:
            part[item] = digests[item]
        reviewed[key] = part
    data["reviewed"] = reviewed
    return _build(data)


def record_overall(
    draft: Review,
    recommendation: Recommendation | None,
    comment: str | None,
    *,
    today: date | None = None,
) -> Review:
    """The draft with the recommendation (``qualifier``, ``a-completer`` or
    ``ne-pas-qualifier``) and the overall comment, both as given: ``None`` (or an empty
    comment) leaves the draft without one, replacing what it held (a form sends both)."""
    _require_draft(draft)
    if draft.conflict_of_interest:
        raise DraftError(_("you declared a link with this venue: you do not score it"))
    data = _data(draft)
    data["date"] = _today(today)
    data.pop("recommendation", None)
    data.pop("comment", None)
    if recommendation is not None:
        data["recommendation"] = recommendation
    text = _text(comment)
    if text is not None:
        data["comment"] = text
    return _build(data)


def missing(
    draft: Review, checked: CheckedApplication, questionnaire: LoadedQuestionnaire
) -> Missing:
    """What ``draft`` still lacks to be finished: with a conflict of interest, only its
    description; otherwise a score for every rubric item that applies to ``checked`` (and
    a new one for any item whose answer or evidence changed since it was scored), the
    recommendation and the overall comment."""
    if draft.conflict_of_interest:
        return Missing(conflict_details=_text(draft.conflict_details) is None)
    current = fingerprint(checked, questionnaire)
    rated = draft.reviewed.items if draft.reviewed is not None else {}
    items: list[str] = []
    changed: list[str] = []
    for item in rated_items(checked, questionnaire):
        if item not in draft.scores:
            items.append(item)
        elif rated.get(item) != current.items.get(item):
            items.append(item)
            changed.append(item)
    return Missing(
        items=items,
        changed=changed,
        recommendation=draft.recommendation is None,
        comment=_text(draft.comment) is None,
    )


def finish(
    draft: Review,
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    *,
    today: date | None = None,
) -> Review:
    """The finished review: :class:`DraftIncomplete` when something is :func:`missing`;
    otherwise it records what was reviewed (every rubric item that applies, and the
    venue's identity, as they are now) and the day, and is no longer a draft. Scores of
    items that no longer apply are dropped."""
    _require_draft(draft)
    lacking = missing(draft, checked, questionnaire)
    if lacking:
        raise DraftIncomplete(
            _("the review is not finished; still missing: {missing}").format(
                missing="; ".join(lacking.messages(questionnaire))
            ),
            lacking,
        )
    current = fingerprint(checked, questionnaire)
    data = _data(draft)
    data.pop("draft")
    data["date"] = _today(today)
    claims = draft.reviewed.claims if draft.reviewed is not None else {}
    data["reviewed"] = current.record()
    if draft.unsupported:
        # A claim is marked for the answer and evidence the reviewer saw.
        data["reviewed"]["claims"] = {
            item: claims.get(item) or claim_digest(checked, item) for item in draft.unsupported
        }
    data.pop("application_sha256", None)
    if "scores" in data:
        applies = set(current.items)
        data["scores"] = {k: v for k, v in data["scores"].items() if k in applies}
        if not data["scores"]:
            del data["scores"]
    return _build(data)


def claims_to_mark(checked: CheckedApplication, questionnaire: LoadedQuestionnaire) -> list[str]:
    """The declared answers of ``checked`` a reviewer may mark unsupported: the questions that
    take evidence, apply and are answered, and that reviewers do not rate."""
    return [
        located.id
        for located in questionnaire.items
        if located.item.evidence is not None
        and located.item.scoring != "rubric"
        and located.id in checked.enabled
        and is_answered(checked.answers.get(located.id))
    ]


def record_claims(
    review: Review,
    checked: CheckedApplication,
    questionnaire: LoadedQuestionnaire,
    unsupported: Iterable[str],
) -> Review:
    """``review`` with the declared answers it marks unsupported by their evidence, each
    recorded with the answer and evidence as they are now (a mark lapses once the venue
    changes them: sends the evidence, for instance)."""
    _require_draft(review)
    wanted = set(unsupported)
    chosen = [item for item in claims_to_mark(checked, questionnaire) if item in wanted]
    claims = {item: claim_digest(checked, item) for item in chosen}
    reviewed = review.reviewed or Reviewed.model_validate(
        _rated(fingerprint(checked, questionnaire), {})
    )
    return review.model_copy(
        update={"unsupported": chosen, "reviewed": reviewed.model_copy(update={"claims": claims})}
    )


def record_copies(review: Review, flagged_others: Iterable[str], examined: Iterable[str]) -> Review:
    """``review`` with the possible copies its reviewer examined: of the other applications
    whose answers are near-identical to this one's (``flagged_others``, the matches still
    found), those the reviewer says they compared (``examined``). A declared conflict of
    interest examines nothing."""
    if review.conflict_of_interest:
        return review
    others = set(flagged_others)
    ticked = sorted(other for other in set(examined) if other in others)
    if ticked == review.copies_examined:
        return review
    return review.model_copy(update={"copies_examined": ticked})


def reopen(review: Review, *, today: date | None = None) -> Review:
    """A finished review as a draft again, with all it holds, to change it. Saving it
    replaces the finished review: :func:`save_review` needs ``force`` for that first save."""
    if review.draft:
        return review
    data = _data(review)
    data["draft"] = True
    data["date"] = _today(today)
    data.pop("application_sha256", None)
    return _build(data)


def review_text(review: Review) -> str:
    """The review as its file holds it (YAML)."""
    return dump_yaml(_data(review))


def save_review(review: Review, reviews_dir: Path, *, force: bool = False) -> Path:
    """Write ``review`` (a draft or a finished review) to its file under ``reviews_dir``,
    atomically; returns the file. An existing draft is replaced; any other existing file —
    a finished review, or a file that is not a readable draft — only with ``force``."""
    path = review_path(reviews_dir, review.application, review.reviewer)
    if not force and (path.exists() or path.is_symlink()) and not _is_draft_file(path):
        raise DraftError(
            _(
                "{path} exists: this reviewer already reviewed this application; add --force "
                "to review it again"
            ).format(path=display_path(path))
        )
    atomic_write(path, review_text(review), force=True)
    return path


def _is_draft_file(path: Path) -> bool:
    doc, problems = load_yaml(path, display_path(path))
    return (
        doc is not None
        and not problems
        and isinstance(doc.data, dict)
        and doc.data.get("draft") is True
    )


def load_review(reviews_dir: Path, application: str, reviewer: str) -> Review | None:
    """The review of ``application`` by ``reviewer`` under ``reviews_dir`` — a draft to
    resume (``draft`` is true) or a finished review — or ``None`` when there is none.
    A file that is not a valid review raises :class:`DraftError`, with every problem."""
    path = review_path(reviews_dir, application, reviewer)
    if not (path.exists() or path.is_symlink()):
        return None
    doc, problems = load_yaml(path, display_path(path))
    review: Review | None = None
    if doc is not None and not problems:
        review, problems = validate_document(Review, doc)
    if review is None or problems:
        raise DraftError(
            _("{path} is not a review that can be resumed:\n{problems}").format(
                path=display_path(path), problems="\n".join(p.render() for p in problems)
            )
        )
    if review.application != application or review.reviewer != reviewer:
        raise DraftError(
            _("{path} is not the review of '{id}' by {reviewer}").format(
                path=display_path(path), id=application, reviewer=reviewer
            )
        )
    return review
