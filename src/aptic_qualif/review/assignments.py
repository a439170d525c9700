"""Who reviews which application: the coordinator's assignments, as pretalx keeps them.

They live in ``<reviews folder>/affectations.yaml``, beside the reviews they announce (the
commands that read reviews only read ``<application>/<reviewer>.yaml``, one folder down):

.. code-block:: yaml

    affectations:
      fablab-la-forge: [claire-martin, fatou-diallo]

The tool owns the file: it writes it whole and atomically, in order, each time the
coordinator assigns. :func:`propose` gives each application its reviewers, balanced across
the reviewers and never one who declared a conflict of interest with that venue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import Field

from aptic_qualif.access import servable
from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import atomic_write
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.review.model import Review
from aptic_qualif.schema import StrictModel, validate_document
from aptic_qualif.yamlio import dump_yaml, load_yaml

ASSIGNMENTS_FILE = "affectations.yaml"
PER_APPLICATION = 2
"""How many reviewers :func:`propose` gives each application."""
HEADER = (
    "# Affectations des relecteurs, tenues par aptic-qualif serve / reviewer assignments, "
    "kept by aptic-qualif serve.\n"
)

Assignments = dict[str, list[str]]
"""The reviewers of each application, by application id (each list in order, no repeat)."""


class AssignmentsFile(StrictModel):
    affectations: dict[str, list[str]] = Field(default_factory=dict)


def assignments_path(reviews_dir: Path) -> Path:
    return reviews_dir / ASSIGNMENTS_FILE


def load_assignments(reviews_dir: Path) -> Assignments:
    """The assignments kept for the project (none when the file does not exist yet); a file
    that cannot be read is a :class:`CommandError` that says why."""
    path = assignments_path(reviews_dir)
    if not path.exists() and not path.is_symlink():
        return {}
    doc, problems = load_yaml(path, display_path(path), within=reviews_dir)
    loaded = None
    if doc is not None and not problems:
        loaded, problems = validate_document(AssignmentsFile, doc)
    if loaded is None:
        raise CommandError(
            _("{path} is unreadable: {problem}").format(
                path=display_path(path), problem=problems[0].message if problems else ""
            )
        )
    bad = [
        name
        for app_id, reviewers in loaded.affectations.items()
        for name in (app_id, *reviewers)
        if not servable(name)
    ]
    if bad:
        raise CommandError(
            _("{path} is unreadable: '{id}' is not an id the web front can serve").format(
                path=display_path(path), id=bad[0]
            )
        )
    return {app: _unique(reviewers) for app, reviewers in loaded.affectations.items()}


def save_assignments(reviews_dir: Path, assignments: Mapping[str, Sequence[str]]) -> None:
    """Write every assignment, atomically (applications in order, none left empty)."""
    data = {
        "affectations": {
            app: _unique(assignments[app]) for app in sorted(assignments) if assignments[app]
        }
    }
    reviews_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(assignments_path(reviews_dir), HEADER + dump_yaml(data), force=True)


def assigned_to(assignments: Mapping[str, Sequence[str]], reviewer: str) -> set[str]:
    """The applications assigned to ``reviewer``."""
    return {app for app, reviewers in assignments.items() if reviewer in reviewers}


def load_counts(assignments: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How many applications each reviewer has."""
    counts: dict[str, int] = {}
    for reviewers in assignments.values():
        for reviewer in reviewers:
            counts[reviewer] = counts.get(reviewer, 0) + 1
    return counts


def conflicts(reviews: Iterable[Review]) -> set[tuple[str, str]]:
    """``(application, reviewer)`` for each conflict of interest declared in a review file
    (finished or still a draft)."""
    return {(r.application, r.reviewer) for r in reviews if r.conflict_of_interest}


def propose(
    applications: Iterable[str],
    reviewers: Iterable[str],
    assignments: Mapping[str, Sequence[str]],
    conflicts: Iterable[tuple[str, str]] = (),
    *,
    per_application: int = PER_APPLICATION,
) -> Assignments:
    """Every assignment, with ``applications`` topped up to ``per_application`` reviewers
    each: the assignments already made are kept (less any in conflict), and each missing
    reviewer is the one with the fewest assignments so far, the first by name among equals
    (the same files always give the same proposal). A reviewer who declared a conflict of
    interest with a venue (``(application, reviewer)`` in ``conflicts``) is never proposed
    for it. An application may get fewer when too few reviewers are free of conflict."""
    pool = sorted(set(reviewers))
    refused = set(conflicts)
    result: Assignments = {
        app: [r for r in _unique(names) if (app, r) not in refused]
        for app, names in assignments.items()
    }
    counts = load_counts(result)
    for reviewer in pool:
        counts.setdefault(reviewer, 0)
    for app in sorted(set(applications)):
        chosen = result.setdefault(app, [])
        while len(chosen) < per_application:
            free = [r for r in pool if r not in chosen and (app, r) not in refused]
            if not free:
                break
            best = min(free, key=lambda r: (counts[r], r))
            chosen.append(best)
            counts[best] += 1
    return {app: names for app, names in result.items() if names}


def _unique(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen
