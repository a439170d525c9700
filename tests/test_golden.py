"""Golden outputs: the published JSON Schema of assessments and the assessments of the
examples. Regenerate with ``UPDATE_GOLDEN=1 make unit`` after an intended change, and
review the diff."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from aptic_qualif.context import load_context
from aptic_qualif.review.load import load_reviews
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.render import assessments_schema, render_csv, render_json
from tests.conftest import REPO

SCHEMA = REPO / "schemas" / "assessment.schema.json"
GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def assessment_schema() -> str:
    return json.dumps(assessments_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


RELEASE = re.compile(r"(\"referentiel\": \"[a-z0-9-]+@)[0-9]+\.[0-9]+\.[0-9]+\"")
"""The référentiel's release an assessment names: a contributor who adds a service bumps it,
which changes no score, so that the comparison leaves it aside (it is checked apart)."""


def check(path: Path, text: str, *, any_release: bool = False) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if any_release:
        expected, text = (RELEASE.sub(r'\1<version>"', t) for t in (expected, text))
    assert expected == text, f"{path} is out of date: UPDATE_GOLDEN=1"


def test_the_published_schema_is_up_to_date() -> None:
    check(SCHEMA, assessment_schema())


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> list[Assessment]:
    monkeypatch.chdir(REPO)
    context = load_context(REPO, need_policy=True)
    reviews, report = load_reviews(Path("examples/reviews"), context.questionnaire)
    assert report.ok
    files = sorted(Path("examples/applications").glob("*.yaml"))
    return assess_files(files, context, reviews, Path("examples/reviews")).assessments


def test_golden_assessments(examples: list[Assessment]) -> None:
    text = render_json(examples)
    check(GOLDEN / "assessments.json", text, any_release=True)
    catalogue = load_context(REPO).catalogue
    release = f"{catalogue.scheme.id}@{catalogue.version}"
    assert {a["referentiel"] for a in json.loads(text)["assessments"]} == {release}
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(text), schema)
    check(GOLDEN / "assessments.csv", render_csv(examples))


def test_the_examples_get_the_decisions_they_illustrate(examples: list[Assessment]) -> None:
    """What examples/README.md says each example shows, with its reviews and the policy."""
    decisions = {a.application: a.decision for a in examples}
    assert decisions == {
        # complete and solid; its stale review (REV003) is not used
        "epn-rural-val-de-saone": "qualifie",
        # complete and strong
        "mediatheque-les-tilleuls": "qualifie",
        # decisive disagreement: one more review is needed
        "fablab-la-forge": "en-attente-de-revue",
        # strong on procedures; the reviewer with a conflict of interest (REV004) is not used
        "france-services-porte-des-causses": "qualifie",
        # medium level, no register of processing yet: a requirement, to complete
        "association-insertion-tremplin": "a-completer",
        # itinerant bus
        "bus-numerique-corse": "qualifie",
        # weak but valid: its thresholds cannot be met, whatever the reviews
        "tiers-lieu-la-coursive": "non-qualifie",
        # incomplete (APP005)
        "centre-social-les-capucines": "a-completer",
        # knock-out: the charter is refused
        "espace-connecte-sans-charte": "non-qualifie",
        # good practice with few means
        "association-les-cles-du-plateau": "qualifie",
        # a lone adviser in a town hall
        "mairie-lacapelle-marival": "qualifie",
        # many means, thin practice: below the practice minimum (the policy's rule
        # practice_below_floor), never qualified on equipment
        "espace-numerique-les-forges": "non-qualifie",
    }
    by_name = {a.application: a for a in examples}
    assert [k.id for k in by_name["espace-connecte-sans-charte"].knockouts] == ["charte-refusee"]
    tremplin = by_name["association-insertion-tremplin"]
    assert [r.id for r in tremplin.requirements] == ["registre-des-traitements"]
    assert tremplin.to_complete == [] and tremplin.knockouts == []
    assert by_name["fablab-la-forge"].reviews.decisive == ["pub-suivi-progression"]
    stale = by_name["epn-rural-val-de-saone"].reviews.stale
    assert [s.reviewer for s in stale] == ["sophie-bernard"]
    assert by_name["france-services-porte-des-causses"].reviews.conflicted == ["marc-delmas"]
    forges = by_name["espace-numerique-les-forges"]
    assert forges.knockouts == [] and forges.requirements == [] and forges.to_complete == []
    assert any(f.scope == "overall" and not f.passed for f in forges.practice)
    for name in ("association-les-cles-du-plateau", "mairie-lacapelle-marival"):
        assert all(f.passed for f in by_name[name].practice), name
