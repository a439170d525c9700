"""Reviewer assignments: the proposal (balance, conflicts, determinism) and their file."""

from __future__ import annotations

from pathlib import Path

import pytest

from aptic_qualif.errors import CommandError
from aptic_qualif.review.assignments import (
    assignments_path,
    load_assignments,
    load_counts,
    propose,
    save_assignments,
)

REVIEWERS = [f"relecteur-{n:02d}" for n in range(12)]
APPLICATIONS = [f"lieu-{n:03d}" for n in range(200)]


def test_two_reviewers_each_balanced_across_reviewers() -> None:
    proposal = propose(APPLICATIONS, REVIEWERS, {})
    assert set(proposal) == set(APPLICATIONS)
    assert all(len(set(names)) == 2 for names in proposal.values())
    counts = load_counts(proposal)
    assert set(counts) == set(REVIEWERS)
    assert max(counts.values()) - min(counts.values()) <= 1  # 400 reviews over 12 people


def test_the_fewest_assignments_first_and_existing_ones_kept() -> None:
    existing = {"lieu-000": ["relecteur-05"], "lieu-001": ["relecteur-00", "relecteur-01"]}
    pool = ["relecteur-00", "relecteur-01", "relecteur-05", "zoe"]
    proposal = propose(["lieu-000", "lieu-002"], pool, existing)
    assert proposal["lieu-001"] == ["relecteur-00", "relecteur-01"]  # untouched
    # relecteur-05 is kept; zoe has no assignment yet, so she comes first.
    assert proposal["lieu-000"] == ["relecteur-05", "zoe"]
    # Then everyone has one: the first by name among equals.
    assert proposal["lieu-002"] == ["relecteur-00", "relecteur-01"]


def test_a_conflict_of_interest_is_never_proposed_and_is_dropped() -> None:
    conflicts = {("lieu-000", "relecteur-00"), ("lieu-001", "relecteur-01")}
    existing = {"lieu-001": ["relecteur-01"]}
    proposal = propose(APPLICATIONS[:20], REVIEWERS[:3], existing, conflicts)
    assert "relecteur-00" not in proposal["lieu-000"]
    assert "relecteur-01" not in proposal["lieu-001"]
    assert proposal["lieu-000"] == ["relecteur-01", "relecteur-02"]
    # With a single reviewer free of conflict, an application gets only that one.
    alone = propose(["a"], ["x", "y"], {}, {("a", "x")})
    assert alone == {"a": ["y"]}


def test_the_same_files_give_the_same_proposal() -> None:
    existing = {"lieu-010": ["relecteur-03"]}
    first = propose(APPLICATIONS, reversed(REVIEWERS), existing, {("lieu-004", "relecteur-00")})
    again = propose(reversed(APPLICATIONS), REVIEWERS, existing, {("lieu-004", "relecteur-00")})
    assert first == again


def test_assignments_are_written_atomically_and_read_back(tmp_path: Path) -> None:
    reviews = tmp_path / "relectures"
    assert load_assignments(reviews) == {}
    save_assignments(reviews, {"b": ["y", "x", "y"], "a": ["x"], "c": []})
    assert load_assignments(reviews) == {"a": ["x"], "b": ["y", "x"]}
    text = assignments_path(reviews).read_text(encoding="utf-8")
    assert text.index("a:") < text.index("b:") and "c:" not in text
    assert not [p for p in reviews.iterdir() if p.name.startswith(".")]  # no temporary file


@pytest.mark.parametrize(
    "content",
    ["affectations: [", "affectations: {a: 3}", "autre: {}", "affectations: {'../x': [y]}"],
)
def test_an_unreadable_assignments_file_says_why(tmp_path: Path, content: str) -> None:
    assignments_path(tmp_path).write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=r"affectations\.yaml"):
        load_assignments(tmp_path)
