"""The example applications validate, or fail exactly as they are meant to."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from aptic_qualif.application import validate_application
from aptic_qualif.context import Context, load_context
from aptic_qualif.questionnaire.jsonschema import application_schema
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples" / "applications").glob("*.yaml"))
INCOMPLETE = "centre-social-les-capucines"


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO)


def test_there_are_examples_of_every_kind() -> None:
    assert len(EXAMPLES) >= 12
    names = {path.stem for path in EXAMPLES}
    assert INCOMPLETE in names
    assert "espace-connecte-sans-charte" in names  # a knock-out
    # what the questionnaire 2.0.0 is for (examples/README.md): good practice with few
    # means, a lone adviser, many means with thin practice
    assert {
        "association-les-cles-du-plateau",
        "mairie-lacapelle-marival",
        "espace-numerique-les-forges",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example(path: Path, context: Context) -> None:
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None
    if path.stem == INCOMPLETE:
        assert report.diagnostics and {d.code for d in report.diagnostics} == {"APP005"}
        return
    assert report.diagnostics == [], report.render_text()
    schema = application_schema(context.questionnaire, context.catalogue)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(checked.doc.data))
    assert errors == []
