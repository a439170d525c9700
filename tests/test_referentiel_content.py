"""Content rules of the shipped référentiel that no catalogue rule can state.

The mapping rules that can be stated in general are catalogue rules (``REF027``–``REF029``,
tests/test_referentiel_validate.py); these tests keep the decisions that name particular
services or topics from coming back (referentiel/CHANGELOG.md, 3.0.0, says why).
"""

from __future__ import annotations

import pytest

from aptic_qualif.context import load_catalogue_or_fail
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.referentiel.model import Service
from tests.conftest import REPO


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_or_fail(REPO)


def _active(catalogue: Catalogue) -> list[Service]:
    return [service for service in catalogue.services.values() if service.active]


def _by_notation(catalogue: Catalogue, notation: str) -> Service:
    return next(s for s in catalogue.services.values() if s.notation == notation)


def test_ai_is_discovered_once_and_practised_at_master(catalogue: Catalogue) -> None:
    """One discovery service (with the Café IA), one to practise at *maîtriser*: two
    *découvrir* services with the same trial of a tool split the statistics arbitrarily."""
    ai = [
        s for s in _active(catalogue) if "intelligence_artificielle" in s.mappings.coop_thematiques
    ]
    by_level = {
        level: [s.notation for s in ai if s.level == level] for level in ("decouvrir", "maitriser")
    }
    assert len(by_level["decouvrir"]) == 1, by_level
    assert by_level["maitriser"], by_level
    [discovery] = by_level["decouvrir"]
    assert "Café IA" in _by_notation(catalogue, discovery).alt_labels.fr
    deprecated = _by_notation(catalogue, "DEC-17")
    assert not deprecated.active
    assert deprecated.replaced_by == _by_notation(catalogue, "MAI-24").id


def test_scams_made_with_ai_are_taught(catalogue: Catalogue) -> None:
    scams = _by_notation(catalogue, "MAI-04")
    text = " ".join([scams.definition.fr, *scams.learning_outcomes.fr]).casefold()
    assert "ia" in text.split() or "l'ia" in text
    assert "voix clonée" in text and "vidéo truquée" in text


@pytest.mark.parametrize(
    ("notation", "thematique"),
    [
        ("AGI-06", "remobilisation--benevolat-action-citoyenne"),
        ("AGI-10", "remobilisation--benevolat-action-citoyenne"),
        ("AGI-15", "remobilisation--benevolat-action-citoyenne"),
        ("MAI-06", "remobilisation--lien-social"),
        ("MAI-14", "sante--acces-aux-soins"),
        ("MAI-16", "sante--acces-aux-soins"),
        ("AGI-17", "creer-une-entreprise--developper-son-entreprise"),
    ],
)
def test_services_carry_the_non_digital_need_they_serve(
    catalogue: Catalogue, notation: str, thematique: str
) -> None:
    """data·inclusion's non-digital thematiques (2.1.0) on every service that obviously
    serves the need, not on some of them only: a social worker who searches by need finds
    the venue."""
    assert thematique in _by_notation(catalogue, notation).mappings.data_inclusion


@pytest.mark.parametrize("notation", ["AGI-11", "AGI-16", "AGI-06"])
def test_no_administrative_help_on_the_map_for_others_procedures(
    catalogue: Catalogue, notation: str
) -> None:
    """« Aide aux démarches administratives » sends people with a procedure of their own:
    not for a business's or an association's procedures, nor for civic participation."""
    assert "Aide aux démarches administratives" not in (
        _by_notation(catalogue, notation).mappings.lieux_services
    )


def test_e_invoicing_is_not_for_jobseekers(catalogue: Catalogue) -> None:
    assert "Insertion professionnelle via le numérique" not in (
        _by_notation(catalogue, "AGI-17").mappings.lieux_services
    )


def test_act_services_take_several_sessions(catalogue: Catalogue) -> None:
    """The *agir* level declares its minimum (``REF029`` enforces it); a single-session
    service would buy the level's bonus in the scoring policy."""
    agir = next(level for level in catalogue.scheme.levels if level.id == "agir")
    assert agir.min_sessions == 2
    for service in _active(catalogue):
        if service.level == "agir":
            assert (service.sessions or 0) >= 2, service.notation
