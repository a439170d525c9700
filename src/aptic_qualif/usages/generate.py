"""Synthetic activity records, for demos, tests and benchmarks — never real people.

The records follow the format (``schema.json``) and look like a network's year: fewer
accompaniments in summer, more where people live (communes drawn by population, so that
rural départements have few), publics and age bands that go together (retired people are
seniors), one accompaniment in ten collective, one in five paid by a pass. The same seed
gives the same file.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from typing import Any

from aptic_qualif.usages.model import EMITTERS, Resolver, field_names

# relative activity of each month (January first): summer is quiet, autumn busy
SEASON = (1.1, 1.1, 1.15, 1.0, 0.95, 0.9, 0.6, 0.35, 1.05, 1.2, 1.15, 0.8)
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
PROFILES: tuple[tuple[str, str, float], ...] = (
    # (age band, publics, weight)
    ("70-plus", "seniors", 0.2),
    ("60-69", "seniors", 0.15),
    ("40-59", "demandeurs-emploi", 0.12),
    ("40-59", "actifs", 0.1),
    ("25-39", "demandeurs-emploi|jeunes", 0.06),
    ("25-39", "familles", 0.08),
    ("25-39", "beneficiaires-des-minimas-sociaux", 0.07),
    ("18-24", "jeunes|etudiants", 0.07),
    ("40-59", "personnes-exilees", 0.04),
    ("moins-18", "jeunes", 0.03),
    ("", "", 0.08),
)


def _communes(
    departements: tuple[str, ...] | None, venues: int, rng: random.Random
) -> list[tuple[str, str, str, int]]:
    """Venues as (id, commune, département, weight): communes drawn by population."""
    from aptic_qualif.communes import communes

    rows = [
        c
        for c in communes().rows()
        if c.kind == "commune"
        and c.population > 0
        and (departements is None or c.departement in departements)
    ]
    rows.sort(key=lambda c: c.insee)
    weights = [c.population for c in rows]
    chosen = rng.choices(rows, weights=weights, k=venues)
    return [
        (f"aptic-qualif-lieu-{n:05d}", c.insee, c.departement, c.population)
        for n, c in enumerate(chosen)
    ]


def generate_rows(
    count: int,
    services: list[str],
    *,
    seed: int = 1,
    year: int = 2025,
    venues: int = 400,
    departements: tuple[str, ...] | None = None,
) -> Iterator[list[str]]:
    """``count`` records of the format, as lists of cells in the order of its fields."""
    rng = random.Random(seed)
    places = _communes(departements, venues, rng)
    venue_weights = [w**0.5 for _id, _commune, _dep, w in places]
    profile_weights = [w for _a, _p, w in PROFILES]
    months = list(range(12))
    for _ in range(count):
        month = rng.choices(months, weights=SEASON)[0]
        day = rng.randint(1, MONTH_DAYS[month])
        venue, commune, departement, _w = rng.choices(places, weights=venue_weights)[0]
        roll = rng.random()
        mode = "collectif" if roll < 0.1 else "a-distance" if roll < 0.18 else "individuel"
        age, publics, _pw = rng.choices(PROFILES, weights=profile_weights)[0]
        paid = rng.random() < 0.2
        # the commune where it is large enough to name (as an import keeps it), else the
        # département
        residence = Resolver.residence_of(commune) if rng.random() < 0.7 else departement
        yield [
            f"{year}-{month + 1:02d}-{day:02d}"
            if rng.random() < 0.9
            else f"{year}-{month + 1:02d}",
            venue,
            commune,
            rng.choice(services),
            mode,
            str(rng.randint(3, 12)) if mode == "collectif" else "",
            "oui" if paid else "non",
            rng.choice(EMITTERS[:6]) if paid else "",
            publics,
            age,
            residence,
        ]


def generate_csv(count: int, catalogue: Any, **options: Any) -> Iterator[str]:
    """The records as CSV text, in chunks (the header first)."""
    active = sorted((s for s in catalogue.services.values() if s.active), key=lambda s: s.id)
    # services named by id and by notation alike, and a few La Coop thematiques
    services = [s.notation if i % 2 else s.id for i, s in enumerate(active)]
    services += ["sante", "email", "navigation_sur_internet"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(field_names())
    for n, row in enumerate(generate_rows(count, services, **options), start=1):
        writer.writerow(row)
        if n % 50_000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
