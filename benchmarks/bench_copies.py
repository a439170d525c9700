"""Time the search for copied written answers (:mod:`aptic_qualif.review.copies`), next to
comparing every pair.

Synthetic written answers: ``--applications`` applications of 7 answers each, 100 to 180
words drawn from a vocabulary of a few thousand words with a Zipf-like frequency (« de »,
« la », « les »… are frequent, so that honest answers share many words), and planted copies:
``--copies`` of the applications paste one answer of another application, with up to one
word in ten changed, and a third of those paste it under another question. Then:

* **aptic-qualif**: :func:`~aptic_qualif.review.copies.find_copies` — MinHash LSH
  (datasketch's, reproduced with numpy) for the candidate pairs, RapidFuzz's Indel
  similarity for each — over every answer, any question against any other; it reports how
  many planted copies it found and how many other pairs it flagged;
* **RapidFuzz alone**: ``process.cdist`` of every answer to one question against every
  other (``workers=-1``), on ``--subset`` applications, extrapolated to all of them (the
  work grows with the square), for one question and for any question against any other;
* **difflib**: ``SequenceMatcher.ratio`` of every pair of answers to one question, on
  ``--subset`` applications, extrapolated likewise — what one would write with the
  standard library.

    python benchmarks/bench_copies.py [--applications 2000] [--subset 150] [--seed 0]
"""

from __future__ import annotations

import argparse
import difflib
import platform
import random
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from aptic_qualif.review.copies import THRESHOLD, WrittenAnswer, find_copies, normalise

ITEMS = 7


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    letters = "abcdefghijlmnoprstuvéè"
    common = [
        "de",
        "la",
        "les",
        "le",
        "des",
        "et",
        "à",
        "un",
        "une",
        "pour",
        "en",
        "avec",
        "nous",
        "les",
        "personnes",
        "qui",
        "sur",
    ]
    words = common + [
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)
    ]
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]
    return words, weights


def corpus(
    applications: int, copies: int, rng: random.Random
) -> tuple[list[WrittenAnswer], set[tuple[str, str]]]:
    words, weights = vocabulary(rng)
    texts: dict[tuple[str, str], str] = {}
    for a in range(applications):
        for i in range(ITEMS):
            count = rng.randint(100, 180)
            texts[(f"lieu-{a:05d}", f"q{i}")] = " ".join(rng.choices(words, weights, k=count))
    planted: set[tuple[str, str]] = set()
    ids = sorted({app for app, _item in texts})
    for copier in rng.sample(ids, copies):
        source = rng.choice([i for i in ids if i != copier])
        item = f"q{rng.randrange(ITEMS)}"
        target = item if rng.random() < 2 / 3 else f"q{(int(item[1]) + 1) % ITEMS}"
        pasted = texts[(source, item)].split()
        for index in rng.sample(range(len(pasted)), rng.randint(0, len(pasted) // 10)):
            pasted[index] = rng.choice(words)
        texts[(copier, target)] = " ".join(pasted)
        planted.add((min(copier, source), max(copier, source)))
    answers = [WrittenAnswer(app, item, normalise(text)) for (app, item), text in texts.items()]
    return answers, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--copies", type=float, default=0.03, help="share of applications")
    parser.add_argument("--subset", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    answers, planted = corpus(args.applications, round(args.applications * args.copies), rng)
    n = args.applications
    print(f"Python {platform.python_version()}, {platform.machine()}, {n} applications")
    print(f"{len(answers)} answers, {len(planted)} planted copies, threshold {THRESHOLD}")

    start = time.perf_counter()
    found = find_copies(answers)
    ours = time.perf_counter() - start
    pairs = {(min(a, m.other), max(a, m.other)) for a, ms in found.items() for m in ms}
    print(
        f"aptic-qualif (MinHash LSH + RapidFuzz), any question: {ours:.2f} s — "
        f"{len(planted & pairs)}/{len(planted)} planted copies found, "
        f"{len(pairs - planted)} other pairs flagged"
    )

    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    subset = [a for a in answers if int(a.application[5:]) < args.subset]
    one = [a.text for a in subset if a.item == "q0"]
    start = time.perf_counter()
    process.cdist(one, one, scorer=Indel.normalized_similarity, score_cutoff=THRESHOLD, workers=-1)
    same = (time.perf_counter() - start) * (n / args.subset) ** 2
    start = time.perf_counter()
    every = [a.text for a in subset]
    process.cdist(
        every, every, scorer=Indel.normalized_similarity, score_cutoff=THRESHOLD, workers=-1
    )
    anything = (time.perf_counter() - start) * (n / args.subset) ** 2
    print(
        f"RapidFuzz cdist alone (extrapolated from {args.subset}): one question {same:.1f} s, "
        f"x{ITEMS} questions {same * ITEMS:.1f} s; any question against any other "
        f"{anything:.1f} s"
    )

    start = time.perf_counter()
    for first, second in combinations(one, 2):
        difflib.SequenceMatcher(None, first, second).ratio()
    naive = (time.perf_counter() - start) * (n / args.subset) ** 2
    print(
        f"difflib pairwise (extrapolated from {args.subset}): one question {naive:.0f} s, "
        f"x{ITEMS} questions {naive * ITEMS:.0f} s"
    )


if __name__ == "__main__":
    main()
