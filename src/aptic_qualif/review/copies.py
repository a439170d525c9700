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
* the candidate pairs come from MinHash LSH (datasketch's, reproduced with numpy) over the
  pairs of consecutive words of each answer, in about linear time; comparing every pair
  grows with the square of the number of answers (a network has a few thousand
  applications of ~7 written answers);
* each candidate pair is measured with RapidFuzz's Indel normalised similarity (1 for the
  same text; small edits, a word changed here and there, keep it high) and kept from
  :data:`THRESHOLD` up;
* a paragraph pasted into a longer answer leaves the two answers as a whole far apart: the
  answers that share runs of :data:`SHINGLE_WORDS` words (an index of a sample of them, the
  same sample in every answer, :func:`passage_pairs`) are aligned word by word with
  RapidFuzz, and a shared passage of :data:`PASSAGE_WORDS` words or more
  (:func:`shared_passage`) is kept too, with its length.

Two venues of one organisation (the same SIREN, the first 9 digits of the SIRET) may share
their texts: such a match is kept, marked :attr:`~aptic_qualif.scoring.model.CopyMatch.
same_organisation`, and is not a copy to examine.

The matches are symmetric (each application of a pair names the other) and sorted, so that
the same folder always gives the same output.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from aptic_qualif.questionnaire.answers import long_answer
from aptic_qualif.scoring.model import CopyMatch
from aptic_qualif.text import skeleton, visible

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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
PASSAGE_WORDS = 30
"""The fewest words of a passage two answers share (small edits allowed) for it to be a
copied passage: two or three lines. Honest answers to one question share phrases of a few
words (« la personne repart avec »), never a paragraph."""
SHINGLE_WORDS = 6
"""Words per run in the index of shared runs (:func:`passage_pairs`)."""
SAMPLE = 3
"""One run in :data:`SAMPLE` is indexed, chosen by its content (its hash), so that two
answers index the same runs of a shared passage whatever their other words."""
STOCK_PHRASE = 20
"""A run found in more answers than this is a stock phrase, not a lead: a text shared by
that many venues is a network's model text, which reviewers know."""
BLOCK_WORDS = 3
"""Within a passage, the fewest words of a run that is the same in both answers."""
GAP_WORDS = 3
"""Within a passage, the most words changed, added or removed between two such runs."""

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
    the letters they imitate, without accents, punctuation nor runs of whitespace.

    Each step acts on one word at a time (nothing joins or reorders characters across
    whitespace), so that the words are normalised one by one, each distinct word once
    (:func:`_normal_word`): the same text as the whole text's normalisation
    (:func:`~aptic_qualif.text.comparison_key`, then without accents nor punctuation), which
    ``tests/test_copies.py`` compares on any text."""
    return " ".join(filter(None, map(_normal_word, visible(text).split())))


@functools.lru_cache(maxsize=1 << 16)
def _normal_word(word: str) -> str:
    """One word of a :func:`visible` text normalised (:func:`normalise`): the words it
    gives, joined by single spaces (none when it was only punctuation)."""
    key = skeleton(word.casefold())
    # the accents, found among the distinct characters rather than one at a time
    accents = {ord(c): None for c in set(key) if unicodedata.combining(c)}
    bare = key.translate(accents).casefold() if accents else key.casefold()
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


LSH_BANDS = 42
LSH_ROWS = 3
"""The bands of the LSH index and the rows (permutations) in each: what datasketch's
``MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)`` chooses, by minimising its
false positive and false negative probabilities with scipy's integration (a second to import
and run, for two constants; ``tests/test_copies.py`` checks that they agree)."""


@functools.lru_cache(maxsize=1 << 16)
def _sha1_hash32(shingle: str) -> int:
    """datasketch's ``sha1_hash32`` of a shingle's UTF-8 bytes: the first 4 bytes of the
    SHA-1, little-endian. Kept for the pairs of words that recur across answers."""
    return int.from_bytes(hashlib.sha1(shingle.encode("utf-8")).digest()[:4], "little")


@functools.cache
def permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """datasketch's ``a`` and ``b`` of its affine permutations for ``seed=SEED``."""
    import numpy as np

    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def signatures_of(texts: Sequence[str]) -> npt.NDArray[np.uint32]:
    """The MinHash signature of each normalised text (:data:`NUM_PERM` 32-bit values), one
    row each: datasketch's ``MinHash`` over :func:`_shingles` with ``num_perm=NUM_PERM,
    seed=SEED`` (its default "affine32" scheme: SHA-1 of each shingle, MurmurHash3's
    finaliser, then ``a * h + b`` modulo 2**32 for each permutation), value for value. The
    texts are signed together: an application's answers in one numpy pass."""
    import numpy as np

    if not texts:
        return np.empty((0, NUM_PERM), dtype=np.uint32)
    counts = []
    hashed: list[int] = []
    for text in texts:
        shingles = set(map(" ".join, pairwise(text.split()))) or {text}
        counts.append(len(shingles))
        hashed.extend(map(_sha1_hash32, shingles))
    hv = np.array(hashed, dtype=np.uint32)
    hv ^= hv >> np.uint32(16)  # MurmurHash3's 32-bit finaliser (wraps modulo 2**32)
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    a, b = permutations()
    starts = np.zeros(len(counts), dtype=np.intp)
    np.cumsum(counts[:-1], out=starts[1:])
    result: npt.NDArray[np.uint32] = np.minimum.reduceat(hv[:, None] * a + b, starts, axis=0)
    return result


def signatures(answers: list[WrittenAnswer]) -> npt.NDArray[np.uint32]:
    """The MinHash signature (:func:`signatures_of`) of each answer, one row each."""
    return signatures_of([answer.text for answer in answers])


@dataclass(frozen=True)
class PreparedAnswer:
    """A written answer with what :class:`CopyFinder` indexes it by, computed from its text
    alone (so that each process of a batch prepares its own answers)."""

    answer: WrittenAnswer
    signature: bytes
    """Its MinHash signature (:func:`signatures_of`), as bytes."""
    runs: tuple[int, ...]
    """The sampled hashes of its runs of words (:func:`_runs`), sorted."""


def prepare_all(answers: Sequence[WrittenAnswer]) -> tuple[PreparedAnswer, ...]:
    """Each answer with its MinHash signature and its sampled runs of words (what
    :class:`CopyFinder` indexes it by), their signatures computed together: a few
    answers (one application's), for numpy makes a matrix of all their word pairs times the
    :data:`NUM_PERM` permutations."""
    signed = signatures_of([answer.text for answer in answers])
    return tuple(
        PreparedAnswer(answer, row.tobytes(), tuple(sorted(_runs(answer.text))))
        for answer, row in zip(answers, signed, strict=True)
    )


class CopyFinder:
    """The copies among written answers given one at a time (:meth:`add`), each prepared
    (:func:`prepare_all`) from its text alone, so that the processes reading a batch prepare the
    answers of their files, and only the comparisons are left to :meth:`matches`."""

    def __init__(self) -> None:
        self._answers: list[WrittenAnswer] = []
        self._signatures: list[bytes] = []
        self._runs: dict[int, list[int]] = {}

    def add(self, prepared: PreparedAnswer) -> None:
        """Index one more answer."""
        position = len(self._answers)
        self._answers.append(prepared.answer)
        self._signatures.append(prepared.signature)
        for key in prepared.runs:
            self._runs.setdefault(key, []).append(position)

    def candidate_pairs(self) -> set[tuple[int, int]]:
        """Pairs of positions ``(i, j)``, ``i < j``, of answers of two different
        applications whose estimated overlap reaches :data:`LSH_THRESHOLD`: MinHash LSH,
        the pairs whose signatures agree on all :data:`LSH_ROWS` values of at least one of
        the :data:`LSH_BANDS` bands — the pairs datasketch's ``MinHashLSH`` returns, without
        importing it (it imports scipy: half a second)."""
        first, second = self._candidates()
        return set(zip(first.tolist(), second.tolist(), strict=True))

    def _candidates(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """:meth:`candidate_pairs` as two arrays (first and second positions), sorted, each
        pair once: every band's buckets expanded into their pairs by numpy, a network's
        hundreds of thousands of them at once."""
        import numpy as np

        answers = self._answers
        count = len(answers)
        none = np.empty(0, dtype=np.int64)
        if count < 2:
            return none, none
        signed = np.frombuffer(b"".join(self._signatures), dtype=np.uint32).reshape(count, NUM_PERM)
        numbering: dict[str, int] = {}
        application = np.array(
            [numbering.setdefault(a.application, len(numbering)) for a in answers],
            dtype=np.int64,
        )
        positions = np.arange(count, dtype=np.int64)
        codes = []
        for band in range(LSH_BANDS):
            columns = signed[:, band * LSH_ROWS : (band + 1) * LSH_ROWS]
            order = np.lexsort(columns.T[::-1])  # the answers by their band, equal together
            ordered = columns[order]
            opens = np.ones(count, dtype=bool)  # where a bucket opens, in that order
            opens[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
            starts = np.flatnonzero(opens)
            ends = np.append(starts[1:], count)
            # each answer with every answer after it in its bucket
            after = np.repeat(ends, ends - starts) - positions - 1
            total = int(after.sum())
            if total == 0:
                continue
            firsts = np.repeat(positions, after)
            step = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(after) - after, after)
            one, other = order[firsts], order[firsts + 1 + step]
            low, high = np.minimum(one, other), np.maximum(one, other)
            apart = application[low] != application[high]
            codes.append(low[apart] * count + high[apart])
        if not codes:
            return none, none
        unique = _unique(np.concatenate(codes))
        return unique // count, unique % count

    def passage_pairs(self) -> set[tuple[int, int]]:
        """Pairs of positions ``(i, j)``, ``i < j``, of answers of two different
        applications that share at least two sampled runs of :data:`SHINGLE_WORDS` words,
        stock phrases aside."""
        answers = self._answers
        shared: dict[tuple[int, int], int] = {}
        for holders in self._runs.values():
            if len(holders) < 2 or len(holders) > STOCK_PHRASE:
                continue
            for at, first in enumerate(holders):
                for second in holders[at + 1 :]:
                    if answers[first].application != answers[second].application:
                        shared[(first, second)] = shared.get((first, second), 0) + 1
        return {pair for pair, count in shared.items() if count >= 2}

    def matches(
        self, threshold: float = THRESHOLD, *, threads: int = 1
    ) -> dict[str, list[CopyMatch]]:
        """Every application with a written answer near-identical (``threshold`` and up)
        to an answer of another application, with its matches (:func:`find_copies`). The
        candidate pairs are measured by RapidFuzz in C, by ``threads`` threads."""
        import numpy as np
        from rapidfuzz.distance import Indel
        from rapidfuzz.process import cpdist

        answers = self._answers
        count = len(answers)
        # the answers in the order of (application, item), ties in the order they came
        order = sorted(range(count), key=lambda p: (answers[p].application, answers[p].item))
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count, dtype=np.int64)
        ranked = [answers[position] for position in order]
        first, second = self._candidates()
        sharing = {
            (int(min(rank[i], rank[j])), int(max(rank[i], rank[j])))
            for i, j in self.passage_pairs()
        }
        low = np.minimum(rank[first], rank[second])
        high = np.maximum(rank[first], rank[second])
        shared = np.array(sorted(sharing), dtype=np.int64).reshape(-1, 2)
        shared_codes = shared[:, 0] * count + shared[:, 1]
        codes = _unique(np.concatenate((low * count + high, shared_codes)))
        lows, highs = codes // count, codes % count
        texts = np.array([answer.text for answer in ranked], dtype=object)
        scores = cpdist(
            texts[lows],
            texts[highs],
            scorer=Indel.normalized_similarity,
            dtype=np.float64,
            workers=max(1, threads),
        )
        # a network's millions of candidate pairs, most far apart: only the near ones and
        # those sharing a passage are looked at one by one
        near = scores >= threshold
        kept = near | np.isin(codes, shared_codes, assume_unique=True)
        found: dict[str, list[CopyMatch]] = {}
        for i, j, score, is_near in zip(
            lows[kept].tolist(),
            highs[kept].tolist(),
            scores[kept].tolist(),
            near[kept].tolist(),
            strict=True,
        ):
            passage = 0
            if not is_near:  # a passage shared
                passage = shared_passage(ranked[i].text, ranked[j].text)
                if passage < PASSAGE_WORDS:
                    continue
            first_answer, second_answer = ranked[i], ranked[j]
            rounded = round(score, 2)
            same = bool(first_answer.siren) and first_answer.siren == second_answer.siren
            for this, that in ((first_answer, second_answer), (second_answer, first_answer)):
                found.setdefault(this.application, []).append(
                    CopyMatch(
                        item=this.item,
                        other=that.application,
                        other_item=that.item,
                        similarity=rounded,
                        passage=passage,
                        other_venue=that.venue,
                        same_organisation=same,
                        siren=first_answer.siren if same else "",
                    )
                )
        return {
            application: sorted(matches, key=_order)
            for application, matches in sorted(found.items())
        }


def _unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values, sorted (``np.unique``, by sorting: several times as fast on a
    million pair codes as its hash table)."""
    import numpy as np

    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _finder(answers: Iterable[WrittenAnswer]) -> CopyFinder:
    finder = CopyFinder()
    # a few answers signed together at a time: their shingles times the permutations is
    # the matrix numpy makes (the whole batch's would weigh hundreds of megabytes)
    listed = list(answers)
    for start in range(0, len(listed), 8):
        for prepared in prepare_all(listed[start : start + 8]):
            finder.add(prepared)
    return finder


def candidate_pairs(answers: list[WrittenAnswer]) -> set[tuple[int, int]]:
    """Pairs of indices ``(i, j)``, ``i < j``, of ``answers`` (:meth:`CopyFinder.
    candidate_pairs`)."""
    return _finder(answers).candidate_pairs()


def _runs(text: str) -> set[int]:
    """The sampled hashes (:func:`_stable_hash`) of the runs of :data:`SHINGLE_WORDS`
    words of ``text``."""
    words = text.split()
    if " ".join(words) != text:  # not normalised: each run joined anew
        runs = (
            " ".join(words[k : k + SHINGLE_WORDS]) for k in range(len(words) - SHINGLE_WORDS + 1)
        )
        return {key for key in map(_stable_hash, runs) if key % SAMPLE == 0}
    # Words separated by single spaces (a normalised answer): each run is a slice of the
    # text's bytes, hashed without joining its words again.
    data = text.encode("utf-8")
    # where each word starts in the bytes: each word's bytes and the space after them
    starts = list(itertools.accumulate(map((1).__add__, map(len, data.split(b" "))), initial=0))
    ends = starts[SHINGLE_WORDS:]  # a run ends where the word after it starts, space aside
    slices = [data[start : end - 1] for start, end in zip(starts, ends, strict=False)]
    return {key for key in map(zlib.crc32, slices) if key % SAMPLE == 0}


def _stable_hash(run: str) -> int:
    # Python's own str hash changes from one run to the next: the sample must not.
    return zlib.crc32(run.encode("utf-8"))


def passage_pairs(answers: list[WrittenAnswer]) -> set[tuple[int, int]]:
    """Pairs of indices ``(i, j)``, ``i < j``, of ``answers`` that share runs of words
    (:meth:`CopyFinder.passage_pairs`)."""
    return _finder(answers).passage_pairs()


def shared_passage(first: str, second: str) -> int:
    """The words of the longest passage two normalised answers share: runs of at least
    :data:`BLOCK_WORDS` words the same in both, separated by at most :data:`GAP_WORDS` words
    changed, added or removed (RapidFuzz's alignment of their words)."""
    from rapidfuzz.distance import Indel

    best = run = 0
    for op in Indel.opcodes(first.split(), second.split()):
        size = op.src_end - op.src_start
        if op.tag == "equal" and size >= BLOCK_WORDS:
            run += size
            best = max(best, run)
        elif op.tag == "equal" or max(size, op.dest_end - op.dest_start) > GAP_WORDS:
            run = 0
    return best


def find_copies(
    answers: Iterable[WrittenAnswer], *, threshold: float = THRESHOLD
) -> dict[str, list[CopyMatch]]:
    """Every application with a written answer near-identical (``threshold`` and up) to an
    answer of another application, with its matches: most similar first, then by the other
    application and item. Matches between venues of one organisation (same SIREN) are kept
    and marked :attr:`~aptic_qualif.scoring.model.CopyMatch.same_organisation`."""
    listed = list(answers)
    if len({answer.application for answer in listed}) < 2:
        return {}  # one application (``assess`` of one file): nothing to compare it with
    return _finder(listed).matches(threshold)


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
    from aptic_qualif.formats import percent
    from aptic_qualif.i18n import _
    from aptic_qualif.scoring.engine import percent_of

    other = match.other
    if match.other_venue:
        other = _("{application} ({venue})").format(application=other, venue=match.other_venue)
    similar = percent(percent_of(match.similarity))
    if match.passage and match.item == match.other_item:
        text = _(
            "« {label} »: a passage of {words} words is the same as in application {other}'s "
            "answer to the same question"
        ).format(label=match.label or match.item, words=match.passage, other=other)
    elif match.passage:
        text = _(
            "« {label} »: a passage of {words} words is the same as in « {other_label} » of "
            "application {other}"
        ).format(
            label=match.label or match.item,
            words=match.passage,
            other_label=match.other_label or match.other_item,
            other=other,
        )
    elif match.item == match.other_item:
        text = _(
            "“{label}”: {similarity} similar to application {other}'s answer to the same question"
        ).format(label=match.label or match.item, similarity=similar, other=other)
    else:
        text = _(
            "“{label}”: {similarity} similar to “{other_label}” of application {other}"
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
