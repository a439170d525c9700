"""Golden outputs: the published JSON Schema of assessments and the assessments of the
examples. Regenerate with ``UPDATE_GOLDEN=1 make unit`` after an intended change, and
review the diff."""

from __future__ import annotations

import json
import os
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


def check(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{path} is out of date: UPDATE_GOLDEN=1"


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
    check(GOLDEN / "assessments.json", text)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(text), schema)
    check(GOLDEN / "assessments.csv", render_csv(examples))


def test_the_examples_get_the_decisions_they_illustrate(examples: list[Assessment]) -> None:
    decisions = {a.application: a.decision for a in examples}
    assert decisions["centre-social-les-capucines"] == "a-completer"
    assert decisions["espace-connecte-sans-charte"] == "non-qualifie"
    assert decisions["tiers-lieu-la-coursive"] == "non-qualifie"
    assert decisions["mediatheque-les-tilleuls"] == "qualifie"
