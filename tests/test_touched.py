"""A conflict between two service files is reported on the file the contributor touched.

The same notation, id or label in two files: the error goes to the newer file, and names
the other file with its line. The data decides which is newer: the later ``added_in``,
then the higher notation number, then the later path.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.referentiel.check import touch_key, validate_catalogue
from aptic_qualif.referentiel.load import load_catalogue

C = "referentiel/services/decouvrir/comprendre-internet.yaml"
M = "referentiel/services/maitriser/creer-une-adresse-electronique.yaml"


def service(
    id: str,
    notation: str,
    *,
    fr: str = "Nouveau service",
    en: str = "New service",
    added_in: str = "1.1.0",
) -> str:
    level = {"DEC": "decouvrir", "MAI": "maitriser", "AGI": "agir"}[notation[:3]]
    return f"""\
id: {id}
notation: {notation}
level: {level}
status: active
added_in: "{added_in}"
pref_label:
  fr: {fr}
  en: {en}
definition:
  fr: Une définition.
  en: A definition.
modalities: [individuel]
typical_duration: PT1H
sessions: 1
mappings:
  coop_thematiques: [email]
"""


def add(root: Path, text: str) -> str:
    """Write a new service file; its path relative to the project."""
    lines = dict(line.split(": ", 1) for line in text.splitlines()[:3])
    path = f"referentiel/services/{lines['level']}/{lines['id']}.yaml"
    (root / path).write_text(text, encoding="utf-8")
    return path


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error[" in line]


def test_added_service_with_a_taken_notation_is_the_one_reported(
    mini: Path, runner: CliRunner
) -> None:
    added = add(mini, service("mettre-a-jour-ses-appareils", "MAI-01"))
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:2:11: error[REF003]: notation « MAI-01 » déjà utilisée par "
        f"« creer-une-adresse-electronique » ({M}:2)"
    ]


def test_added_service_with_a_confusable_label_is_the_one_reported(
    mini: Path, runner: CliRunner
) -> None:
    # the "е" of "électroniquе" is U+0435 CYRILLIC SMALL LETTER IE
    added = add(
        mini,
        service(
            "ouvrir-une-boite-mail",
            "MAI-02",
            fr="Créer une adresse électroniqu\u0435",
            en="Create an email address",
        ),
    )
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    assert errors(result.output) == [
        f"{added}:7:7: error[REF009]: le libellé « Créer une adresse électroniqu\u0435 » (fr) "
        f"est déjà utilisé par « creer-une-adresse-electronique » ({M}:7)",
        f"{added}:8:7: error[REF009]: le libellé « Create an email address » (en) "
        f"est déjà utilisé par « creer-une-adresse-electronique » ({M}:8)",
    ]


def test_every_duplicate_names_the_file_kept(mini: Path, runner: CliRunner) -> None:
    first = add(mini, service("mettre-a-jour-ses-appareils", "MAI-01", fr="Un", en="One"))
    second = add(mini, service("proteger-ses-appareils", "MAI-01", fr="Deux", en="Two"))
    result = runner.invoke(app, ["catalogue", "validate"])
    assert result.exit_code == 1, result.output
    found = errors(result.output)
    assert [line.split(":", 1)[0] for line in found] == [first, second]
    assert all(f"({M}:2)" in line for line in found)


def test_the_data_decides_without_git(mini: Path) -> None:
    """Later added_in, then higher notation number, then later path: always the same."""
    catalogue, _report = load_catalogue(mini / "referentiel")
    assert catalogue is not None
    entries = {entry.service.id: entry for entry in catalogue.entries}
    order = sorted(entries.values(), key=lambda entry: touch_key(entry, frozenset()))
    assert [entry.service.id for entry in order] == [
        # added_in 1.0.0, then by notation number, then by path
        "comprendre-internet",  # DEC-01
        "creer-une-adresse-electronique",  # MAI-01, later path
        "decouvrir-le-courriel",  # DEC-02
        "reparer-son-ordinateur",  # added_in 1.1.0
    ]
    changed = frozenset({entries["comprendre-internet"].path.resolve()})
    assert max(entries.values(), key=lambda e: touch_key(e, changed)).service.id == (
        "comprendre-internet"
    )


def test_a_duplicate_id_is_reported_on_the_newer_file(mini: Path) -> None:
    referentiel = mini / "referentiel"
    add(mini, service("comprendre-internet", "AGI-02", fr="Autre", en="Other"))
    _catalogue, report = validate_catalogue(referentiel)
    assert [(d.code, d.span.file, d.span.line) for d in report.errors] == [
        ("REF002", "referentiel/services/agir/comprendre-internet.yaml", 1)
    ]
    assert report.errors[0].message == (
        f"identifiant « comprendre-internet » déjà utilisé par {C}:1"
    )
