"""The coordinator's view of the whole network: one row per application, filters and counts.

A département coordinator follows a few hundred applications: the dashboard filters them
(status, decision, département, reviewer, a name) and counts them over the whole network,
not over one page. Validating and assessing an application takes some 20 milliseconds, so each
row is kept while its files do not change: the application's file, and the folder of its
reviews (their names, sizes and dates). A page then only looks at the files' dates.

``serve`` reads every application once in the background when it starts. A page never waits
longer than :data:`BUDGET` for rows not read yet (a network of many thousands): it reads the
rows it shows, and says how many are still to be read.
"""

from __future__ import annotations

import os
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.application import departement_of_insee
from aptic_qualif.scoring.model import ReviewUse

STATUSES = ("brouillon", "soumise")
DECISIONS = ("qualifie", "a-completer", "non-qualifie", "en-attente-de-revue", "a-arbitrer")
BROKEN = "illisible"

BUDGET = 2.0
"""Seconds a page may spend reading applications beyond the rows it shows."""

_INSEE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
_POSTCODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class Row:
    """What the dashboard shows and filters of one application."""

    id: str
    broken: bool = False
    venue: str = ""
    status: str = BROKEN
    decision: str = ""
    departement: str = ""
    reviews: ReviewUse = field(default_factory=ReviewUse)
    reviewers: frozenset[str] = frozenset()
    """Everyone with a review file for it (finished, draft or conflict of interest)."""
    conflicted: frozenset[str] = frozenset()
    """The reviewers who declared a conflict of interest with the venue."""
    pending: bool = False
    """Not read yet (a page's time ran out): neither counted nor filtered."""
    changed: str | None = None
    """When its status last changed (``historique``)."""
    history: tuple[Any, ...] = ()
    """Every change of status, oldest first."""
    withdrawn: tuple[tuple[str, Any], ...] = ()
    """(reviewer, trace) of every conflict of interest declared then withdrawn."""
    copies: tuple[str, ...] = ()
    """The other applications a written answer of it is near-identical to, not examined
    yet by a fresh review (:mod:`aptic_qualif.review.copies`)."""

    @property
    def search_key(self) -> str:
        return fold(f"{self.venue} {self.id}")


def fold(text: str) -> str:
    """Lower case without accents: what a search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def departement_of(answers: Mapping[str, Any]) -> str:
    """The département of a venue: from its INSEE code, else from its postcode (through the
    commune reference: Corsica's 20xxx postcodes are 2A or 2B); empty when neither is
    given."""
    insee = str(answers.get("code_insee") or "").strip().upper()
    if _INSEE.fullmatch(insee):
        return departement_of_insee(insee)
    postcode = str(answers.get("code_postal") or "").strip()
    if not _POSTCODE.fullmatch(postcode):
        return ""
    from aptic_qualif.communes import communes

    found = communes().of_postcode(postcode)
    if found:
        return found[0].departement
    return postcode[:3] if postcode.startswith(("97", "98")) else postcode[:2]


Stamp = tuple[Any, ...]


def stamp(application: Path, reviews: Path) -> Stamp | None:
    """What changes when the row of an application may change: its file, and the review
    files in its folder (``None`` when the application cannot be seen)."""
    try:
        info = application.stat()
    except OSError:
        return None
    seen: list[tuple[str, int, int]] = []
    try:
        with os.scandir(reviews) as entries:
            for entry in entries:
                try:
                    detail = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                seen.append((entry.name, detail.st_mtime_ns, detail.st_size))
    except OSError:
        pass
    return (info.st_ino, info.st_mtime_ns, info.st_size, tuple(sorted(seen)))


class Overview:
    """Rows of the dashboard, kept while the files they come from do not change (a server
    process keeps one; each worker process its own)."""

    def __init__(self, build: Callable[[str], Row]) -> None:
        self.build = build
        self._rows: dict[str, tuple[Stamp, Row]] = {}
        self._lock = threading.Lock()

    def rows(
        self,
        ids: Sequence[str],
        applications: Path,
        reviews: Path,
        *,
        required: Iterable[str] = (),
        budget: float | None = None,
    ) -> list[Row]:
        """The row of each application: kept, or read again when its files changed. With
        a ``budget`` (seconds), the rows beyond it are ``pending``, except the
        ``required`` ones (those a page shows), always read."""
        needed = set(required)
        deadline = None if budget is None else time.monotonic() + budget
        result = []
        for app_id in ids:
            now = stamp(applications / f"{app_id}.yaml", reviews / app_id)
            kept = self._rows.get(app_id)
            if now is not None and kept is not None and kept[0] == now:
                result.append(kept[1])
                continue
            if deadline is not None and app_id not in needed and time.monotonic() > deadline:
                result.append(Row(app_id, pending=True, status=""))
                continue
            row = self.build(app_id)
            if now is not None:
                with self._lock:
                    self._rows[app_id] = (now, row)
            result.append(row)
        if len(self._rows) > len(ids):  # applications removed: forget them
            wanted = set(ids)
            with self._lock:
                for gone in [k for k in self._rows if k not in wanted]:
                    self._rows.pop(gone, None)
        return result

    def forget(self, ids: Iterable[str]) -> None:
        """Read the rows of ``ids`` again next time, though their files did not change (their
        written answers' matches with other applications did)."""
        with self._lock:
            for app_id in ids:
                self._rows.pop(app_id, None)


@dataclass(frozen=True)
class Filters:
    """What the coordinator asked for (each empty: no filter)."""

    status: str = ""
    decision: str = ""
    departement: str = ""
    reviewer: str = ""
    search: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        def one(name: str, allowed: Iterable[str] | None = None, limit: int = 120) -> str:
            value = str(query.get(name, "")).strip()[:limit]
            return value if allowed is None or value in allowed else ""

        return cls(
            status=one("etat", (*STATUSES, BROKEN)),
            decision=one("decision", DECISIONS),
            departement=one("departement", limit=3),
            reviewer=one("relecteur"),
            search=one("q", limit=200),
        )

    @property
    def active(self) -> bool:
        return any((self.status, self.decision, self.departement, self.reviewer, self.search))

    def query(self) -> dict[str, str]:
        """The filters as a page's query string (for the links between pages)."""
        values = {
            "etat": self.status,
            "decision": self.decision,
            "departement": self.departement,
            "relecteur": self.reviewer,
            "q": self.search,
        }
        return {k: v for k, v in values.items() if v}


def select(
    rows: Iterable[Row], filters: Filters, assignments: Mapping[str, Sequence[str]]
) -> list[Row]:
    """The rows the filters keep. A reviewer filter keeps the applications assigned to them
    and those they have a review file for."""
    wanted = fold(filters.search) if filters.search else ""
    kept = []
    for row in rows:
        if row.pending and filters.active:
            continue
        if filters.status and row.status != filters.status:
            continue
        if filters.decision and row.decision != filters.decision:
            continue
        if filters.departement and row.departement != filters.departement:
            continue
        if filters.reviewer and not (
            filters.reviewer in row.reviewers or filters.reviewer in assignments.get(row.id, ())
        ):
            continue
        if wanted and wanted not in row.search_key:
            continue
        kept.append(row)
    return kept


@dataclass(frozen=True)
class Counts:
    """The whole network at a glance, whatever the filters and the page."""

    total: int
    statuses: dict[str, int]
    decisions: dict[str, int]
    departements: list[str]
    pending: int = 0
    """Applications not read yet: in none of the counts above."""


def count(rows: Sequence[Row]) -> Counts:
    statuses = Counter(row.status for row in rows if not row.pending)
    decisions = Counter(row.decision for row in rows if not row.broken and not row.pending)
    return Counts(
        total=len(rows),
        pending=sum(1 for row in rows if row.pending),
        statuses={s: statuses.get(s, 0) for s in (*STATUSES, BROKEN)},
        decisions={d: decisions.get(d, 0) for d in DECISIONS},
        departements=sorted(
            {row.departement for row in rows if row.departement}, key=_departement_order
        ),
    )


def _departement_order(code: str) -> tuple[bool, str]:
    """INSEE order: 19, 2A, 2B, 21…, then overseas (971…)."""
    return (len(code) > 2, code.replace("2A", "20A").replace("2B", "20B"))
