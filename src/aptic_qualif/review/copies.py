"""Written answers copied from another application.

Reviewers read one application at a time: a venue that pastes another venue's written
answers would be rated at face value. Over the applications of a folder,
:func:`find_copies` finds each written answer (a long text answer of the themes: the answers
reviewers rate, and any other long text) near-identical to another application's answer,
to the same question or to any other one.

How:

* each answer is normalised (:func:`normalise`): what a reader sees, without case, accents,
  punctuation or runs of whitespace, confusable letters (Cyrillic « а » for « a »…) read as
  the letters they imitate — so that none of these hides a copy;
* answers shorter than :data:`MIN_WORDS` words are left out: a few words can honestly be the
  same (« Oui, chaque semaine. »);
* the candidate pairs come from datasketch's MinHash LSH over the pairs of consecutive words
  of each answer, in about linear time; comparing every pair grows with the square of the
  number of answers (a network has a few thousand applications of ~7 written answers);
* each candidate pair is measured with RapidFuzz's Indel normalised similarity (1 for the
  same text; small edits, a word changed here and there, keep it high) and kept from
  :data:`THRESHOLD` up.

Two venues of one organisation (the same SIREN, the first 9 digits of the SIRET) may share
their texts: such a match is kept, marked :attr:`~aptic_qualif.scoring.model.CopyMatch.
same_organisation`, and is not a copy to examine.

The matches are symmetric (each application of a pair names the other) and sorted, so that
the same folder always gives the same output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from aptic_qualif.questionnaire.answers import long_answer
from aptic_qualif.scoring.model import CopyMatch
from aptic_qualif.text import comparison_key

if TYPE_CHECKING:
    from aptic_qualif.application import CheckedApplication
    from aptic_qualif.questionnaire.load import LoadedQuestionnaire
    from aptic_qualif.referentiel.load import Catalogue

THRESHOLD = 0.8
"""The least similarity (0–1) of two normalised answers that makes them near-identical. Two
honest answers to one question share words and letters, and stay well below (about 0.5–0.6);
a pasted answer with a few words changed stays above."""
MIN_WORDS = 25
"""Answers shorter than this (in words, once normalised) are never compared."""
NUM_PERM = 128
"""MinHash permutations: the precision of the estimated overlap of two answers."""
LSH_THRESHOLD = 0.25
"""The estimated overlap (Jaccard index of the pairs of consecutive words) from which two
answers are measured: well below what a near-identical pair has, so that few are missed."""
SEED = 1

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class WrittenAnswer:
    """One written answer of one application, normalised for comparison."""

    application: str
    item: str
    text: str
    """The answer normalised (:func:`normalise`)."""
    venue: str = ""
    siren: str = ""
    """The SIREN of the venue (first 9 digits of a valid SIRET), or empty."""


def normalise(text: str) -> str:
    """``text`` as it is compared: what a reader sees, case folded, confusable letters as
    the letters they imitate, without accents, punctuation nor runs of whitespace."""
    key = unicodedata.normalize("NFD", comparison_key(text))
    # the accents, found among the distinct characters (a few dozen) rather than one
    # character at a time: the same text, several times faster
    accents = {ord(c): None for c in set(key) if unicodedata.combining(c)}
    bare = key.translate(accents).casefold()
    return " ".join(_NOT_WORD.sub(" ", bare).split())


def siren_of(checked: CheckedApplication, questionnaire: LoadedQuestionnaire) -> str:
    """The SIREN of the venue: the first 9 digits of its SIRET when the SIRET is valid."""
    for located in questionnaire.identity:
        if located.item.type == "siret":
            value = checked.answers.get(located.id)
            if isinstance(value, str) and len(value) == 14 and value.isdigit():
                return value[:9]
    return ""


def written_answers(
    checked: CheckedApplication, questionnaire: LoadedQuestionnaire
) -> list[WrittenAnswer]:
    """The written answers of ``checked`` worth comparing: the long text answers of the
    themes that apply, of :data:`MIN_WORDS` words or more once normalised."""
    siren = siren_of(checked, questionnaire)
    found = []
    for located in questionnaire.items:
        if located.is_identity or not long_answer(located) or located.id not in checked.enabled:
            continue
        value = checked.answers.get(located.id)
        if not isinstance(value, str):
            continue
        text = normalise(value)
        if text.count(" ") + 1 < MIN_WORDS:
            continue
        found.append(WrittenAnswer(checked.id, located.id, text, checked.venue_name, siren))
    return found


def similarity(first: str, second: str) -> float:
    """How near two answers are, from 0 to 1, once normalised (RapidFuzz's Indel
    normalised similarity: 1 − insertions and deletions / total length)."""
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(normalise(first), normalise(second)))


def _shingles(text: str) -> list[bytes]:
    words = text.split()
    pairs = {f"{a} {b}" for a, b in pairwise(words)} or {text}
    return [pair.encode("utf-8") for pair in sorted(pairs)]


def candidate_pairs(answers: list[WrittenAnswer]) -> set[tuple[int, int]]:
    """Pairs of indices ``(i, j)``, ``i < j``, of answers of two different applications whose
    estimated overlap reaches :data:`LSH_THRESHOLD` (datasketch's MinHash LSH)."""
    if len(answers) < 2:
        return set()
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

    signatures = MinHash.bulk((_shingles(a.text) for a in answers), num_perm=NUM_PERM, seed=SEED)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for index, signature in enumerate(signatures):
            session.insert(index, signature, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for index, signature in enumerate(signatures):
        for other in lsh.query(signature):
            other = int(other)
            if other != index and answers[other].application != answers[index].application:
                pairs.add((min(index, other), max(index, other)))
    return pairs


def find_copies(
    answers: Iterable[WrittenAnswer], *, threshold: float = THRESHOLD
) -> dict[str, list[CopyMatch]]:
    """Every application with a written answer near-identical (``threshold`` and up) to an
    answer of another application, with its matches: most similar first, then by the other
    application and item. Matches between venues of one organisation (same SIREN) are kept
    and marked :attr:`~aptic_qualif.scoring.model.CopyMatch.same_organisation`."""
    from rapidfuzz.distance import Indel

    listed = sorted(answers, key=lambda a: (a.application, a.item))
    found: dict[str, list[CopyMatch]] = {}
    for i, j in sorted(candidate_pairs(listed)):
        first, second = listed[i], listed[j]
        score = Indel.normalized_similarity(first.text, second.text, score_cutoff=threshold)
        if not score:
            continue
        rounded = round(float(score), 2)
        same = bool(first.siren) and first.siren == second.siren
        for this, that in ((first, second), (second, first)):
            found.setdefault(this.application, []).append(
                CopyMatch(
                    item=this.item,
                    other=that.application,
                    other_item=that.item,
                    similarity=rounded,
                    other_venue=that.venue,
                    same_organisation=same,
                    siren=first.siren if same else "",
                )
            )
    return {
        application: sorted(matches, key=_order) for application, matches in sorted(found.items())
    }


def _order(match: CopyMatch) -> tuple[float, str, str, str]:
    return (-match.similarity, match.other, match.item, match.other_item)


def flagged(matches: Iterable[CopyMatch]) -> list[CopyMatch]:
    """The matches a reviewer has to examine: not between venues of one organisation."""
    return [m for m in matches if not m.same_organisation]


def copies_of_files(
    files: Iterable[Path] | Mapping[Path, Path | None],
    questionnaire: LoadedQuestionnaire,
    catalogue: Catalogue | None,
) -> dict[str, list[CopyMatch]]:
    """:func:`find_copies` over application files (unreadable files left out), each read
    and checked as every command reads it; only the normalised written answers are kept
    while reading, so that a large folder stays small in memory."""
    from aptic_qualif.application import validate_application

    folders: Mapping[Path, Path | None] = files if isinstance(files, Mapping) else {}
    answers: list[WrittenAnswer] = []
    for path in sorted(set(files)):
        checked, _report = validate_application(
            path, questionnaire, catalogue, within=folders.get(path)
        )
        if checked is not None:
            answers.extend(written_answers(checked, questionnaire))
    return find_copies(answers)


def describe(match: CopyMatch) -> str:
    """One match in plain words, as every report and page gives it: the item, the
    similarity, the other application (and its venue when the viewer may see it), and
    whether it is to examine, examined, or shared within one organisation."""
    from aptic_qualif.i18n import _
    from aptic_qualif.scoring.engine import format_number, percent_of

    other = match.other
    if match.other_venue:
        other = _("{application} ({venue})").format(application=other, venue=match.other_venue)
    similar = format_number(percent_of(match.similarity))
    if match.item == match.other_item:
        text = _(
            "« {label} »: {similarity} % similar to application {other}'s answer to the same "
            "question"
        ).format(label=match.label or match.item, similarity=similar, other=other)
    else:
        text = _(
            "« {label} »: {similarity} % similar to « {other_label} » of application {other}"
        ).format(
            label=match.label or match.item,
            similarity=similar,
            other_label=match.other_label or match.other_item,
            other=other,
        )
    if match.same_organisation:
        state = _("same organisation, SIREN {siren}: shared texts, not a copy").format(
            siren=match.siren
        )
    elif match.examined:
        state = _("examined by a reviewer")
    else:
        state = _("to examine: possible copy")
    return f"{text} — {state}"
