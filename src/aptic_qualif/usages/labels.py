"""What a usage report needs of the référentiel and of the commune reference, and its cache.

A report shows each service's label and level, each level's label, the labels of La Coop's
thematiques, and each département's population. Reading and validating the whole référentiel
(and decompressing the commune reference) costs more than aggregating ten million records
from the cubes, so :func:`report_labels` keeps these few values in a JSON file of the store,
``_agregats/referentiel-<fingerprint>.json``, named after the fingerprint of the référentiel's
files (paths, sizes, modification times), of the commune reference and of the tool's version:
a change to any of them reads and validates the référentiel again. Only a valid référentiel
is ever kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aptic_qualif.usages.cube import CUBE_DIR

CACHE_PREFIX = "referentiel-"


@dataclass(frozen=True)
class ServiceLabel:
    id: str
    label: str
    level: str | None
    notation: str
    active: bool


@dataclass(frozen=True)
class ReportLabels:
    """The référentiel's services and levels (in the référentiel's order, French labels),
    La Coop's thematique labels and the départements' populations."""

    levels: tuple[tuple[str, str], ...]
    services: tuple[ServiceLabel, ...]
    coop_thematiques: dict[str, str]
    populations: dict[str, int]

    @classmethod
    def of(cls, catalogue: Any) -> ReportLabels:
        """From a loaded référentiel (a :class:`~aptic_qualif.referentiel.load.Catalogue`)."""
        from aptic_qualif.communes import communes
        from aptic_qualif.vocabularies import COOP_THEMATIQUES

        return cls(
            levels=tuple((level.id, level.pref_label.fr) for level in catalogue.scheme.levels),
            services=tuple(
                ServiceLabel(s.id, s.pref_label.fr, s.level, s.notation, s.active)
                for s in catalogue.services.values()
            ),
            coop_thematiques=dict(COOP_THEMATIQUES),
            populations=dict(communes().departement_populations),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "levels": [list(level) for level in self.levels],
                "services": [[s.id, s.label, s.level, s.notation, s.active] for s in self.services],
                "coop_thematiques": self.coop_thematiques,
                "populations": self.populations,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ReportLabels:
        data = json.loads(text)
        return cls(
            levels=tuple((level, label) for level, label in data["levels"]),
            services=tuple(ServiceLabel(*row) for row in data["services"]),
            coop_thematiques=dict(data["coop_thematiques"]),
            populations={k: int(v) for k, v in data["populations"].items()},
        )


def _fingerprint(root: Path) -> str:
    from aptic_qualif import __version__
    from aptic_qualif.project import REFERENTIEL_DIR

    digest = hashlib.sha256(f"aptic-qualif {__version__}\n{root.resolve()}\n".encode())
    communes = Path(__file__).resolve().parent.parent / "data" / "communes"
    for folder in (root / REFERENTIEL_DIR, communes):
        for directory, folders, files in os.walk(folder):
            folders.sort()
            for name in sorted(files):
                path = Path(directory) / name
                info = path.stat()
                digest.update(f"{path}\t{info.st_size}\t{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def report_labels(root: Path, store: Path) -> ReportLabels:
    """The labels of the project in ``root``, from the store's cache when it is up to date;
    else from the référentiel, read and validated (a broken one stops the command), and kept
    in the cache when the store can be written."""
    cache = store / CUBE_DIR / f"{CACHE_PREFIX}{_fingerprint(root)}.json"
    try:
        return ReportLabels.from_json(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.fsio import atomic_write

    labels = ReportLabels.of(load_catalogue_or_fail(root))
    try:
        atomic_write(cache, labels.to_json(), force=True)
        for stale in cache.parent.glob(f"{CACHE_PREFIX}*.json"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
    return labels
