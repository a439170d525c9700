"""The rules of the national schema of venues, enforced when a venue answers: `apply
validate`, `apply fill` (through `check_answer`) and the JSON Schema, one failing fixture per
rule, and the export that keeps only what the schema takes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import check_answer
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.hours import EXAMPLE, check_opening_hours
from aptic_qualif.network.national import column_problem
from aptic_qualif.questionnaire.jsonschema import application_schema
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import REPO

BASE = REPO / "examples" / "applications" / "mediatheque-les-tilleuls.yaml"
CROSS_CHECKS = {f"APP02{n}" for n in range(3, 10)}
HOURS = '  horaires: "Tu,Th,Fr 13:30-18:30; We,Sa 10:00-12:30,13:30-18:00; PH off"\n'
ACCESS = "  modalites_acces:\n    - se-presenter\n"
LONG = "Un lieu " + "très " * 60 + "accueillant."


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def _line(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# (name, text replaced, replacement, expected code, severity, the line's start)
RULES = [
    ("free-text-hours", HOURS, '  horaires: "lundi 9h-12h"\n', "APP020", "error", "  horaires"),
    (
        "hours-with-french-times",
        HOURS,
        '  horaires: "Mo-Fr 09h00-12h00"\n',
        "APP020",
        "error",
        "  horaires",
    ),
    (
        "hours-replaced-by-a-later-rule",
        HOURS,
        '  horaires: "Mo,Tu,Th 09:00-12:00; Tu 14:00-17:00"\n',
        "APP020",
        "warning",
        "  horaires",
    ),
    (
        "summary-too-long",
        "  presentation_resume: >-\n",
        f'  presentation_resume: "{LONG}"\n  ancien_resume: >-\n',
        "APP021",
        "error",
        "  presentation_resume",
    ),
    (
        "exclusive-access",
        ACCESS,
        ACCESS + "    - pas-d-accueil-du-public\n",
        "APP004",
        "error",
        "  modalites_acces",
    ),
    (
        "separator-in-email",
        "  courriel: numerique.tilleuls@mediatheques.example.org\n",
        "  courriel: numerique|tilleuls@mediatheques.example.org\n",
        "APP021",
        "error",
        "  courriel",
    ),
    (
        "full-width-postcode",
        '  code_postal: "44400"\n',
        '  code_postal: "４４４００"\n',
        "APP009",
        "error",
        "  code_postal",
    ),
]


def _write(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = BASE.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    if "ancien_resume" in new:  # drop the former folded summary
        head, _sep, tail = text.partition("  ancien_resume: >-\n")
        lines = tail.splitlines(keepends=True)
        while lines and lines[0].startswith("    "):
            lines.pop(0)
        text = head + "".join(lines)
    path = tmp_path / "lieu.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.mark.parametrize(("name", "old", "new", "code", "severity", "start"), RULES)
def test_each_rule_is_enforced_when_answering(
    repo: Path,
    runner: CliRunner,
    tmp_path: Path,
    name: str,
    old: str,
    new: str,
    code: str,
    severity: str,
    start: str,
) -> None:
    path, text = _write(tmp_path, old, new)
    result = runner.invoke(app, ["apply", "validate", str(path), "--format", "json"])
    assert result.exit_code == (1 if severity == "error" else 0), result.output
    found = json.loads(result.output)["diagnostics"]
    # A value changed here may also contradict another answer: the cross-checks between
    # answers (APP023 to APP029) are tested in tests/test_coherence.py.
    found = [d for d in found if d["code"] == code or d["code"] not in CROSS_CHECKS]
    assert [(d["code"], d["severity"]) for d in found] == [(code, severity)], found
    is_list = new.count("\n    - ") > 0  # a list is located at its first entry
    assert found[0]["line"] == _line(text, start + ":") + is_list, name


def test_the_base_application_is_valid(repo: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["apply", "validate", str(BASE)])
    assert result.exit_code == 0, result.output


def test_messages_are_french_with_a_hint_and_an_example(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    path, _text = _write(tmp_path, HOURS, '  horaires: "ouvert en semaine"\n')
    result = runner.invoke(app, ["apply", "validate", str(path)])
    assert "error[APP020]" in result.output
    assert "opening_hours d'OpenStreetMap" in result.output
    assert EXAMPLE in result.output
    # Hours written the French way are answered with the OSM spelling to use.
    path, _text = _write(tmp_path, HOURS, '  horaires: "lundi 9h-12h"\n')
    result = runner.invoke(app, ["apply", "validate", str(path)])
    assert "error[APP020]" in result.output and "Mo 09:00-12:00" in result.output
    path, _text = _write(
        tmp_path,
        "  presentation_resume: >-\n",
        f'  presentation_resume: "{LONG}"\n  ancien_resume: >-\n',
    )
    result = runner.invoke(app, ["apply", "validate", str(path)])
    assert f"{len(LONG)} caractères" in result.output and "280" in result.output


def _item(item_id: str) -> Any:
    return load_context(REPO).questionnaire.by_id[item_id].item


def test_fill_refuses_what_the_export_would_drop(repo: Path) -> None:
    """`apply fill` checks each typed answer with check_answer, hint included."""
    value, errors = check_answer(_item("horaires"), "ouvert en semaine", None, hints=True)
    assert value is None and len(errors) == 1 and EXAMPLE in errors[0]
    value, errors = check_answer(_item("horaires"), "lundi 9h-12h", None, hints=True)
    assert value is None and len(errors) == 1 and "Mo 09:00-12:00" in errors[0]
    value, errors = check_answer(_item("presentation_resume"), LONG, None, hints=True)
    assert value is None and len(errors) == 1
    assert check_answer(_item("horaires"), EXAMPLE, None) == (EXAMPLE, [])
    _value, errors = check_answer(
        _item("modalites_acces"), ["se-presenter", "pas-d-accueil-du-public"], None
    )
    assert errors


def _schema_errors(text: str) -> list[str]:
    context = load_context(REPO)
    schema = application_schema(context.questionnaire, context.catalogue)
    doc, problems = parse_yaml(text, "lieu.yaml")
    assert doc is not None and not problems
    validator = jsonschema.Draft202012Validator(schema)
    return [error.message for error in validator.iter_errors(doc.data)]


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [(name, old, new) for name, old, new, _c, _s, _l in RULES if "hours" not in name],
)
def test_the_json_schema_says_the_same(
    repo: Path, tmp_path: Path, name: str, old: str, new: str
) -> None:
    """What a JSON Schema can say (lengths, exclusive choices, '|', ASCII digits) it says;
    opening hours need the parser and are only described there, with an example."""
    assert _schema_errors(BASE.read_text(encoding="utf-8")) == []
    _path, text = _write(tmp_path, old, new)
    assert _schema_errors(text), name


def test_the_json_schema_gives_an_example_of_opening_hours(repo: Path) -> None:
    context = load_context(REPO)
    schema = application_schema(context.questionnaire, context.catalogue)
    hours = schema["properties"]["lieu"]["properties"]["horaires"]
    assert hours["anyOf"][0]["examples"] == [EXAMPLE]
    assert check_opening_hours(EXAMPLE) == check_opening_hours("24/7")  # both fine


def test_every_example_has_valid_opening_hours() -> None:
    for path in sorted((REPO / "examples" / "applications").glob("*.yaml")):
        doc, _problems = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        assert doc is not None
        hours = doc.data["lieu"].get("horaires")
        if hours:
            checked = check_opening_hours(hours)
            assert checked.error is None and checked.warning is None, (path.name, checked)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00", True),
        ("Mo-Fr 09:00-18:00; PH off", True),
        ("24/7", True),
        ('Mo-Fr 09:00-12:00 "sur rendez-vous; le matin"', True),
        ("Mo-Sa 09:00-18:00; Sa 09:00-12:00", True),  # a shorter Saturday: no warning
        ("lundi 9h-12h", False),
        ("Mo-Fr 09:00-18:00;", False),
        ("Mo-Fr 25:00-26:00", False),
        ("", False),
    ],
)
def test_opening_hours(value: str, ok: bool) -> None:
    checked = check_opening_hours(value)
    assert (checked.error is None) == ok
    assert checked.warning is None
    assert column_problem("horaires", value) is None if ok else column_problem("horaires", value)


@given(st.text(max_size=40))
def test_any_text_gets_a_verdict_never_an_exception(text: str) -> None:
    checked = check_opening_hours(text)
    assert checked.error is None or checked.hint


def test_export_keeps_only_valid_hours(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    """An application whose hours are wrong is invalid; exported anyway (--all), its row has
    no hours rather than free text."""
    path, _text = _write(tmp_path, HOURS, '  horaires: "lundi 9h-12h"\n')
    target = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(path), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "lundi" not in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ("Mo-Fr 14:00-12:00", "« 14:00-12:00 » ferme avant d'ouvrir"),
        ("Mo-Fr 09:00-25:00", "« 25:00 » n'est pas une heure de la journée"),
        ("25:00", "« 25:00 » n'est pas une heure de la journée"),
        ("Mo 09:60-12:00", "« 09:60 » n'est pas une heure"),
    ],
)
def test_impossible_hours_are_refused_where_they_are(
    repo: Path, runner: CliRunner, tmp_path: Path, hours: str, said: str
) -> None:
    path, text = _write(tmp_path, HOURS, f'  horaires: "{hours}"\n')
    result = runner.invoke(app, ["apply", "validate", str(path)])
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("  horaires:"))
    assert f"lieu.yaml:{line}:13: error[APP020]" in result.output
    assert said in result.output
    assert check_answer(_item("horaires"), hours, None)[1]


def test_hours_that_end_at_midnight_or_hold_a_time_in_a_comment_are_fine() -> None:
    from aptic_qualif.hours import check_opening_hours

    for hours in ("Mo-Fr 22:00-24:00", 'Mo 09:00-12:00 "fermé à 25:00"', EXAMPLE):
        assert check_opening_hours(hours).error is None, hours


@pytest.mark.parametrize(
    ("typed", "osm"),
    [
        ("Mar,Jeu 09:00-12:00", "Tu,Th 09:00-12:00"),
        ("Lu-Ve 9h-12h et 14h-17h", "Mo-Fr 09:00-12:00,14:00-17:00"),
        ("du lundi au vendredi de 9h à 12h", "Mo-Fr 09:00-12:00"),
        ("lundi 9h-12h, mardi 14h30-17h", "Mo 09:00-12:00; Tu 14:30-17:00"),
        ("lun. mar. 9h-12h", "Mo,Tu 09:00-12:00"),
    ],
)
def test_french_days_get_the_osm_spelling_to_use(typed: str, osm: str) -> None:
    from aptic_qualif.hours import check_opening_hours

    found = check_opening_hours(typed)
    assert found.error is not None and found.hint is not None
    assert f"écrivez « {osm} »" in found.hint
