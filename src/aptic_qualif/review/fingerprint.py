"""What a review rated, as fingerprints: a review is stale when, and only when, it changed.

A reviewer rates the answers to the rubric items of an application, reading their
evidence, for a venue of a given identity. :func:`fingerprint` digests exactly that:

* ``identity``: the venue's validated identity answers;
* ``items``: for each rubric item that applies, its normalised answer and its evidence.

Each digest is the sha256 of canonical JSON (sorted keys, no spaces, UTF-8), so a YAML
comment, keys in another order, a text re-wrapped in the file or a change to an answer
the reviewers do not rate leaves a review fresh. Evidence is a set of links and
documents: its order does not count either.

:func:`changes` compares a review with the current fingerprint and says, in plain words,
what changed since the review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aptic_qualif.application import CheckedApplication
from aptic_qualif.i18n import _, localized
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.review.model import Review, Reviewed

LABEL_LENGTH = 72
"""Item labels longer than this are shortened (at a word) in the messages of changes."""


@dataclass(frozen=True)
class Fingerprint:
    """The fingerprint of what reviewers rate in one application."""

    identity: str
    """sha256 of the canonical JSON of the validated identity answers."""
    items: dict[str, str]
    """For each rubric item that applies: sha256 of the canonical JSON of
    ``{"answer": <normalised answer>, "evidence": [<evidence entries>]}``."""
    answers: dict[str, str] = field(default_factory=dict)
    """For each rubric item that applies: sha256 of its answer alone."""
    evidence: dict[str, str] = field(default_factory=dict)
    """For each rubric item that applies and has evidence: sha256 of its evidence alone."""

    def record(self) -> dict[str, Any]:
        """The ``reviewed`` mapping a review file stores."""
        data: dict[str, Any] = {"identity": self.identity, "items": dict(self.items)}
        if self.answers:
            data["answers"] = dict(self.answers)
        if self.evidence:
            data["evidence"] = dict(self.evidence)
        return data


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value``: sorted keys, no spaces, characters kept as they are."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def digest(value: Any) -> str:
    """sha256 (hexadecimal) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def _normalised(value: Any) -> Any:
    """``value`` with the whitespace of its texts collapsed (a re-wrapped text is the same)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items()}
    return value


def _evidence(entries: Iterable[str]) -> list[str]:
    return sorted(_normalised(list(entries)))


def rated_items(checked: CheckedApplication, questionnaire: LoadedQuestionnaire) -> list[str]:
    """The rubric items that apply to ``checked``, in questionnaire order."""
    return [
        located.id
        for located in questionnaire.items
        if located.item.scoring == "rubric" and located.id in checked.enabled
    ]


def fingerprint(checked: CheckedApplication, questionnaire: LoadedQuestionnaire) -> Fingerprint:
    """The fingerprint of what reviewers rate in ``checked``."""
    identity = {
        located.id: _normalised(checked.answers[located.id])
        for located in questionnaire.identity
        if located.id in checked.answers
    }
    items: dict[str, str] = {}
    answers: dict[str, str] = {}
    evidence: dict[str, str] = {}
    for item in rated_items(checked, questionnaire):
        answer = _normalised(checked.answers.get(item))
        entries = _evidence(checked.evidence.get(item, ()))
        items[item] = digest({"answer": answer, "evidence": entries})
        answers[item] = digest(answer)
        if entries:
            evidence[item] = digest(entries)
    return Fingerprint(digest(identity), items, answers, evidence)


def claim_digest(checked: CheckedApplication, item: str) -> str:
    """The fingerprint of a declared answer and its evidence, as a review records a claim it
    marks unsupported (:attr:`~aptic_qualif.review.model.Reviewed.claims`)."""
    return digest(
        {
            "answer": _normalised(checked.answers.get(item)),
            "evidence": _evidence(checked.evidence.get(item, ())),
        }
    )


def unsupported_claims(
    checked: CheckedApplication, questionnaire: LoadedQuestionnaire, reviews: Sequence[Review]
) -> set[str]:
    """The declared answers of ``checked`` that a majority of ``reviews`` (the reviews used)
    mark unsupported by their evidence, as the answer and evidence still are: a venue that
    sends the missing evidence lifts the mark."""
    counts: dict[str, int] = {}
    for review in reviews:
        recorded = review.reviewed.claims if review.reviewed is not None else {}
        for item in set(review.unsupported):
            located = questionnaire.by_id.get(item)
            if (
                located is None
                or located.item.scoring == "rubric"
                or located.item.evidence is None
                or item not in checked.enabled
                or recorded.get(item) != claim_digest(checked, item)
            ):
                continue
            counts[item] = counts.get(item, 0) + 1
    return {item for item, n in counts.items() if 2 * n > len(reviews)}


def short_label(item: str, questionnaire: LoadedQuestionnaire) -> str:
    """The label of ``item`` in the language in use, shortened at a word when long."""
    located = questionnaire.by_id.get(item)
    return item if located is None else shorten(localized(located.item.label))


def shorten(text: str, length: int = LABEL_LENGTH) -> str:
    """``text`` on one line; longer than ``length``, cut at a clause (`` : ``, ``, ``…) or
    else at a word, and ended by « … »."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    head = flat[: length + 1]
    clause = max(head.rfind(mark) for mark in (" : ", " ; ", ", ", " ? ", " ("))
    cut = head[:clause] if clause >= length // 3 else head[:length].rsplit(" ", 1)[0]
    return cut.rstrip(" :;,.?!") + "…"


def _order(questionnaire: LoadedQuestionnaire) -> dict[str, int]:
    return {located.id: located.order for located in questionnaire.items}


def changes(review: Review, current: Fingerprint, questionnaire: LoadedQuestionnaire) -> list[str]:
    """What changed since ``review``, one plain message per change; ``[]``: it is fresh."""
    reviewed = review.reviewed
    if reviewed is None:
        return [_("this review predates per-answer fingerprints; review again")]
    found: list[str] = []
    if reviewed.identity != current.identity:
        found.append(_("the venue's identity changed since this review"))
    order = _order(questionnaire)
    every = sorted(
        set(reviewed.items) | set(current.items), key=lambda i: (order.get(i, len(order)), i)
    )
    for item in every:
        label = short_label(item, questionnaire)
        before, now = reviewed.items.get(item), current.items.get(item)
        if before == now:
            continue
        if before is None:
            found.append(_("'{label}' now applies and was not reviewed").format(label=label))
        elif now is None:
            found.append(_("'{label}' no longer applies").format(label=label))
        else:
            found.extend(_item_changes(item, label, reviewed, current))
    return found


def _item_changes(item: str, label: str, reviewed: Reviewed, current: Fingerprint) -> list[str]:
    """What changed in a rubric item that applies and was reviewed, and whose digest differs."""
    found: list[str] = []
    if item in reviewed.answers and item in current.answers:
        # The answer and the evidence have digests of their own: say which changed.
        if reviewed.answers[item] != current.answers[item]:
            found.append(_("the answer to '{label}' changed since this review").format(label=label))
        if reviewed.evidence.get(item) != current.evidence.get(item):
            found.append(
                _("the evidence of '{label}' changed since this review").format(label=label)
            )
    return found or [
        _("the answer or the evidence of '{label}' changed since this review").format(label=label)
    ]
