"""``export lieux`` and ``import lieux``: the national open data of digital-mediation venues."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.network.lieux import (
    CONTACT_COLUMNS,
    ID_PREFIX,
    SEPARATOR,
    import_lieux,
    national_cell,
    slug,
    yaml_scalar,
)
from aptic_qualif.vocabularies import LIEUX_COLUMNS, LIEUX_ENUMERATIONS, LIEUX_SERVICES
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import REPO

# The national schema and its example, vendored with their licence (reference/README.md).
SCHEMA = REPO / "reference" / "standard-mediation-num" / "schema.json"
EXAMPLE_CSV = SCHEMA.parent / "exemple-valide.csv"
APPLICATIONS = REPO / "examples" / "applications"
# Qualified with their reviews under the policy 3.0.0 (examples/README.md); the label is the
# policy's own (questionnaire/policy.yaml, label).
QUALIFIED = {
    "association-les-cles-du-plateau",
    "bus-numerique-corse",
    "epn-rural-val-de-saone",
    "france-services-porte-des-causses",
    "mairie-lacapelle-marival",
    "mediatheque-les-tilleuls",
}
EXAMPLES = 12
LABEL = "Lieu qualifié pass numérique (aptic-qualif)"


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project itself is the current folder (its référentiel, questionnaire, examples)."""
    monkeypatch.chdir(REPO)
    return REPO


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, record, strict=True)) for record in reader]


def assert_valid_national(path: Path) -> None:
    """Validate ``path`` with frictionless against the national schema."""
    import frictionless

    with frictionless.system.use_context(trusted=True):
        report = frictionless.validate(str(path), schema=str(SCHEMA))
    errors = report.flatten(["rowNumber", "fieldName", "type", "message"])
    assert report.valid, errors


def _export(runner: CliRunner, tmp_path: Path, *args: str, name: str = "lieux.csv") -> Path:
    target = tmp_path / name
    result = runner.invoke(
        app,
        [
            "export",
            "lieux",
            "examples/applications",
            "--reviews",
            "examples/reviews",
            *args,
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    return target


def _answers(path: Path) -> dict[str, Any]:
    context = load_context(REPO)
    checked, _report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None
    return checked.answers


# ── Export ──


def test_export_only_qualified_venues(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    target = _export(runner, tmp_path)
    text = target.read_text(encoding="utf-8")
    assert "\r\n" not in text
    header, rows = _rows(text)
    assert header == list(LIEUX_COLUMNS)
    assert {row["id"] for row in rows} == {ID_PREFIX + name for name in QUALIFIED}
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    for row in rows:
        assert row["autres_formations_labels"] == LABEL
        assert row["source"] == "aptic-qualif"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date_maj"])
        assert re.fullmatch(r"\d{14}", row["pivot"])
        for column, allowed in LIEUX_ENUMERATIONS.items():
            for value in filter(None, row[column].split(SEPARATOR)):
                assert value in allowed, (column, value)
    assert_valid_national(target)


def test_export_maps_identity_services_and_privacy(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    _header, rows = _rows(_export(runner, tmp_path).read_text(encoding="utf-8"))
    by_id = {row["id"].removeprefix(ID_PREFIX): row for row in rows}

    bus = by_id["bus-numerique-corse"]
    assert bus["pivot"] == "82237860000057"
    assert bus["code_insee"] == "2B096"
    assert bus["typologie"] == "ENM|ASSO"
    assert bus["itinerance"] == "Itinérant"
    assert bus["telephone"] == "+33465710655"  # contacts_publics: true
    assert bus["courriels"] == "bus@strada-numerica.example.org"
    assert bus["modalites_accompagnement"] == (
        "En autonomie|Accompagnement individuel|Dans un atelier collectif|À distance"
    )
    assert bus["latitude"] == "42.3031"
    assert bus["date_maj"] == "2026-11-21"  # the latest review used

    # The services column is the union of the declared services' mappings, in schema order.
    context = load_context(REPO)
    declared = _answers(APPLICATIONS / "bus-numerique-corse.yaml")["apt-services-proposes"]
    national = {
        value
        for service in declared
        for value in context.catalogue.services[service].mappings.lieux_services
    }
    assert bus["services"] == SEPARATOR.join(v for v in LIEUX_SERVICES if v in national)

    # contacts_publics: false → no telephone, email or website. The example that says so,
    # Tremplin, is not qualified (no register of processing yet): exported with --all.
    assert "association-insertion-tremplin" not in by_id
    _header, every = _rows(_export(runner, tmp_path, "--all", name="tous.csv").read_text("utf-8"))
    private = next(r for r in every if r["id"] == ID_PREFIX + "association-insertion-tremplin")
    assert (
        _answers(APPLICATIONS / "association-insertion-tremplin.yaml")["contacts_publics"] is False
    )
    assert all(private[column] == "" for column in CONTACT_COLUMNS)
    assert private["nom"] and private["adresse"]


def test_export_all_venues(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    target = _export(runner, tmp_path, "--all", "--date-maj", "2026-12-01")
    _header, rows = _rows(target.read_text(encoding="utf-8"))
    assert len(rows) == len(list(APPLICATIONS.glob("*.yaml"))) == EXAMPLES
    for row in rows:
        qualified = row["id"].removeprefix(ID_PREFIX) in QUALIFIED
        assert row["autres_formations_labels"] == (LABEL if qualified else "")
        assert row["date_maj"] == "2026-12-01"
    assert_valid_national(target)


def test_export_json(repo: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        ["export", "lieux", "examples/applications", "--reviews", "examples/reviews", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    venues = json.loads(result.stdout)
    assert len(venues) == len(QUALIFIED)
    for venue in venues:
        assert list(venue) == list(LIEUX_COLUMNS)  # the fields of the CSV, in its order
        assert isinstance(venue["latitude"], float) and isinstance(venue["longitude"], float)
        assert venue["autres_formations_labels"] == LABEL


def test_export_json_holds_the_csv_records(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    """Same venues, same values as the CSV (numbers as numbers, empty cells as null), and
    valid against the national schema as a table."""
    import frictionless

    csv_rows = _rows(_export(runner, tmp_path, "--all").read_text(encoding="utf-8"))[1]
    records = json.loads(
        _export(runner, tmp_path, "--all", "-f", "json", name="l.json").read_text(encoding="utf-8")
    )
    assert len(records) == len(csv_rows) == EXAMPLES
    for row, record in zip(csv_rows, records, strict=True):
        for column in LIEUX_COLUMNS:
            value = record[column]
            if value is None:
                assert row[column] == "", column
            elif column in {"latitude", "longitude"}:
                assert isinstance(value, int | float) and value == float(row[column])
            else:
                assert national_cell(column, value) == row[column], column

    def validate(objects: list[dict[str, Any]]) -> Any:
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        return frictionless.Resource(
            data=[list(LIEUX_COLUMNS), *[[r[c] for c in LIEUX_COLUMNS] for r in objects]],
            schema=frictionless.Schema.from_descriptor(schema),
        ).validate()

    report = validate(records)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    assert not validate([{**records[0], "code_postal": "4400", "latitude": "nord"}]).valid


def test_export_is_deterministic_and_refuses_to_overwrite(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    first = _export(runner, tmp_path).read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["export", "lieux", "examples/applications", "-o", str(tmp_path / "lieux.csv")]
    )
    assert result.exit_code == 2
    again = _export(runner, tmp_path, "--force").read_text(encoding="utf-8")
    assert again == first


def test_export_bad_date(repo: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["export", "lieux", "examples/applications", "--date-maj", "01/12/2026"]
    )
    assert result.exit_code == 2


def test_export_drops_values_the_schema_refuses(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    apps = tmp_path / "apps"
    apps.mkdir()
    source = (APPLICATIONS / "bus-numerique-corse.yaml").read_text(encoding="utf-8")
    long_text = "Un texte beaucoup trop long pour la carte. " * 10
    modified = re.sub(
        r"  presentation_resume: >-\n(    .*\n)+",
        f"  presentation_resume: {json.dumps(long_text.strip(), ensure_ascii=False)}\n",
        source,
    )
    assert modified != source
    (apps / "bus.yaml").write_text(modified, encoding="utf-8")
    target = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(apps), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    # refused when answering (APP021), and the export says it leaves it out
    assert "LIEU004" in result.stderr and "280" in result.stderr
    _header, rows = _rows(target.read_text(encoding="utf-8"))
    assert rows[0]["presentation_resume"] == ""
    assert rows[0]["id"] == ID_PREFIX + "bus"
    assert_valid_national(target)


# ── Import ──

HEADER = ",".join(LIEUX_COLUMNS)


def _line(**values: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([values.get(c, "") for c in LIEUX_COLUMNS])
    return buffer.getvalue()


GOOD = {
    "id": "lieu-1",
    "pivot": "82237860000057",
    "nom": "Espace numérique Les Glycines",
    "commune": "Aubenas",
    "code_postal": "07200",
    "code_insee": "07019",
    "adresse": "3 place de la Paix",
    "latitude": "44.6204",
    "longitude": "4.3896",
    "typologie": "EPN|ASSO|INCONNU",
    "telephone": "+33475000000",
    "itinerance": "Fixe",
    "date_maj": "2024-05-02",
    "services": "Aide aux démarches administratives|Loisirs et créations numériques",
    "frais_a_charge": "Gratuit",
    "modalites_accompagnement": "Accompagnement individuel|À distance",
    "presentation_resume": "Postes en libre accès: ateliers # débutants, « aide » aux démarches",
}


def _fixture_csv(tmp_path: Path) -> Path:
    bad_siret = {**GOOD, "id": "lieu-2", "pivot": "82237860000058", "nom": "SIRET faux"}
    rna = {**GOOD, "id": "lieu-3", "pivot": "W123456789", "nom": "Association RNA"}
    no_address = {**GOOD, "id": "lieu-4", "adresse": "", "nom": "Sans adresse"}
    path = tmp_path / "lieux.csv"
    path.write_text(
        HEADER + "\n" + _line(**GOOD) + _line(**bad_siret) + _line(**rna) + _line(**no_address),
        encoding="utf-8",
    )
    return path


def _validation_codes(path: Path) -> set[str]:
    context = load_context(REPO)
    _checked, report = validate_application(path, context.questionnaire, context.catalogue)
    return {d.code for d in report.errors}


def test_import_reports_invalid_rows_and_writes_the_others(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    source = _fixture_csv(tmp_path)
    out = tmp_path / "candidatures"
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == ["espace-numerique-les-glycines.yaml"]
    errors = [line for line in result.stderr.splitlines() if "LIEU002" in line]
    # rows 3 (checksum), 4 (RNA) and 5 (no address), located at their line and column
    pivot = LIEUX_COLUMNS.index("pivot") + 1
    adresse = LIEUX_COLUMNS.index("adresse") + 1
    assert any(f"lieux.csv:3:{pivot}:" in line for line in errors), errors
    assert any(f"lieux.csv:4:{pivot}:" in line for line in errors), errors
    assert any(f"lieux.csv:5:{adresse}:" in line for line in errors), errors
    assert "LIEU003" in result.stderr  # the unknown typologie INCONNU

    skeleton = out / "espace-numerique-les-glycines.yaml"
    text = skeleton.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "questionnaire: qualification-lieux-mediation@3.0.0" in text
    assert _validation_codes(skeleton) == {"APP005", "APP014"}
    answers = _answers(skeleton)
    assert answers["siret"] == "82237860000057"
    assert answers["code_postal"] == "07200"
    assert answers["typologie"] == ["epn", "asso"]
    assert answers["modalites_accompagnement"] == ["accompagnement-individuel", "a-distance"]
    assert answers["latitude"] == 44.6204
    assert answers["presentation_resume"] == GOOD["presentation_resume"]
    assert "contacts_publics" not in answers  # the venue decides
    assert "apt-services-proposes" not in answers  # hinted in a comment, never claimed
    assert "Loisirs et créations numériques:" in text


def test_import_never_overwrites_without_force(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    source = _fixture_csv(tmp_path)
    out = tmp_path / "candidatures"
    runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    skeleton = out / "espace-numerique-les-glycines.yaml"
    skeleton.write_text("# déjà commencée\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 1  # the invalid rows are still there
    assert skeleton.read_text(encoding="utf-8") == "# déjà commencée\n"
    assert str(skeleton) in result.stderr
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out), "--force"])
    assert skeleton.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_import_shared_example(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "exemple-valide.csv"
    shutil.copy(EXAMPLE_CSV, source)
    out = tmp_path / "candidatures"
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (skeleton,) = out.iterdir()
    assert _validation_codes(skeleton) == {"APP005", "APP014"}
    answers = _answers(skeleton)
    assert answers["nom"] == "Anonymal"
    assert answers["itinerance"] == "itinerant"
    assert answers["courriel"] == "contact@laquincaillerie.tl"  # the first of two
    assert "frais_a_charge" not in answers  # two values for a single choice


def test_import_header_without_required_columns(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "lieux.csv"
    source.write_text("id;nom;commune\n1;A;B\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "LIEU001" in result.stderr
    assert not out.exists()


def test_import_names_are_unique_and_stable(repo: Path, tmp_path: Path) -> None:
    same = {**GOOD, "nom": "Médiathèque"}
    path = tmp_path / "lieux.csv"
    path.write_text(
        "\ufeff"
        + HEADER
        + "\n"
        + _line(**same)
        + _line(**{**same, "id": "lieu-2", "commune": "Privas", "code_postal": "07000"})
        + _line(**{**same, "id": "lieu-3"}),
        encoding="utf-8",
    )
    result = import_lieux(path, load_context(REPO))
    assert [v.name for v in result.venues] == [
        "mediatheque-aubenas",
        "mediatheque-privas",
        "mediatheque-aubenas-2",
    ]
    assert result.invalid_rows == []


def test_import_multiline_cell_keeps_row_numbers(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "lieux.csv"
    multiline = {**GOOD, "presentation_resume": "Ligne un\nligne deux"}
    bad = {**GOOD, "pivot": "123"}
    path.write_text(HEADER + "\n" + _line(**multiline) + _line(**bad), encoding="utf-8")
    result = import_lieux(path, load_context(REPO))
    assert result.invalid_rows == [3]
    (error,) = result.report.errors
    assert error.span.line == 4  # the record starts on the fourth line of the file
    doc, problems = parse_yaml(result.text(result.venues[0]), "x.yaml")
    assert doc is not None and not problems
    assert doc.data["lieu"]["presentation_resume"] == "Ligne un\nligne deux"


@pytest.mark.parametrize(
    "value",
    [
        "Anonymal",
        "01000",
        "2A004",
        "yes",
        "No",
        "null",
        "- liste",
        "clé: valeur",
        "texte # commentaire",
        "'quoted'",
        '"double"',
        "  espaces ",
        "a\nb",
        "tab\there",
        "ligne\u2028séparateur",
        "[crochets]",
        "{accolades}",
        "&ancre",
        "*alias",
        "!tag",
        "%pourcent",
        "@arobase",
        "`accent`",
        "Étapes numériques(La Poste)",
        "L'Épeule",
        "12 BIS RUE",
        "1.5",
        "1e3",
        "Mo-Fr 09:00-12:00",
        "",
    ],
)
def test_yaml_scalar_reads_back(value: str) -> None:
    doc, problems = parse_yaml(f"key: {yaml_scalar(value)}\n", "x.yaml")
    assert doc is not None and not problems, problems
    assert doc.data["key"] == value


def test_slug() -> None:
    assert (
        slug("Espace numérique de l'Œuvre — Saint-Étienne")
        == "espace-numerique-de-l-uvre-saint-etienne"
    )
    assert slug("***") == ""


# ── Round trip ──


def test_round_trip_export_then_import(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    exported = _export(runner, tmp_path, "--all")
    out = tmp_path / "reimport"
    result = runner.invoke(app, ["import", "lieux", str(exported), "-o", str(out)])
    assert result.exit_code == 0, result.output
    context = load_context(REPO)
    exported_items = [
        located.id for located in context.questionnaire.identity if located.item.export
    ]
    imported = {_answers(path)["siret"]: _answers(path) for path in out.glob("*.yaml")}
    assert len(imported) == EXAMPLES
    for path in APPLICATIONS.glob("*.yaml"):
        original = _answers(path)
        again = imported[original["siret"]]
        public = original.get("contacts_publics") is True
        for item_id in exported_items:
            column = context.questionnaire.by_id[item_id].item.export
            expected = original.get(item_id)
            if column in CONTACT_COLUMNS and not public:
                expected = None
            assert again.get(item_id) == expected, (path.name, item_id)


def test_export_ids_stay_unique(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(APPLICATIONS / "fablab-la-forge.yaml", tmp_path / folder / "lieu.yaml")
    target = tmp_path / "lieux.csv"
    result = runner.invoke(
        app,
        ["export", "lieux", str(tmp_path / "a"), str(tmp_path / "b"), "--all", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert "LIEU004" in result.stderr
    _header, rows = _rows(target.read_text(encoding="utf-8"))
    assert [row["id"] for row in rows] == [ID_PREFIX + "lieu", ID_PREFIX + "lieu-2"]
    assert_valid_national(target)


# ── Stable ids ──


def _export_folder(runner: CliRunner, folder: Path, target: Path) -> list[dict[str, str]]:
    result = runner.invoke(app, ["export", "lieux", str(folder), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "LIEU004" not in result.stderr
    return _rows(target.read_text(encoding="utf-8"))[1]


def _import(runner: CliRunner, source: Path, out: Path) -> None:
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output


def test_import_export_import_keeps_the_ids(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    """The national id of a record survives import → export → import, whatever the files are
    called: re-publishing updates the same venues instead of adding new ones."""
    exported = _export(runner, tmp_path, "--all")
    first = {row["pivot"]: row["id"] for row in _rows(exported.read_text(encoding="utf-8"))[1]}
    _import(runner, exported, tmp_path / "a")
    again = {
        r["pivot"]: r["id"] for r in _export_folder(runner, tmp_path / "a", tmp_path / "2.csv")
    }
    assert again == first
    # A venue file renamed (the import names files after the venue) keeps its id.
    for number, path in enumerate(sorted((tmp_path / "a").glob("*.yaml"))):
        path.rename(path.with_name(f"renamed-{number}.yaml"))
    renamed = _export_folder(runner, tmp_path / "a", tmp_path / "3.csv")
    assert {row["pivot"]: row["id"] for row in renamed} == first
    _import(runner, tmp_path / "3.csv", tmp_path / "b")
    recorded = {}
    for path in (tmp_path / "b").glob("*.yaml"):
        doc, problems = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        assert doc is not None and not problems
        recorded[doc.data["lieu"]["siret"]] = doc.data["identifiant"]
    assert recorded == first


def test_the_national_id_of_an_imported_record_is_exported(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "exemple-valide.csv"
    shutil.copy(EXAMPLE_CSV, source)
    _import(runner, source, tmp_path / "a")
    (row,) = _rows(EXAMPLE_CSV.read_text(encoding="utf-8"))[1]
    (exported,) = _export_folder(runner, tmp_path / "a", tmp_path / "lieux.csv")
    assert exported["id"] == row["id"] and exported["pivot"] == row["pivot"]
    assert_valid_national(tmp_path / "lieux.csv")


def test_an_id_that_cannot_be_kept_is_reported(repo: Path, tmp_path: Path) -> None:
    header, (row,) = _rows(EXAMPLE_CSV.read_text(encoding="utf-8"))
    row["id"] = "id avec des espaces"
    source = tmp_path / "lieux.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, [row[c] for c in header]])
    source.write_text(buffer.getvalue(), encoding="utf-8")
    result = import_lieux(source, load_context(REPO))
    (venue,) = result.venues
    assert venue.venue_id is None
    assert any(
        d.code == "LIEU003" and "id avec des espaces" in d.message
        for d in result.report.diagnostics
    )
    assert "identifiant:" not in result.text(venue)


def test_two_applications_with_the_same_identifiant(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    for name in ("un", "deux"):
        text = (APPLICATIONS / "fablab-la-forge.yaml").read_text(encoding="utf-8")
        text = text.replace("\ndate:", "\nidentifiant: lieu-42\ndate:", 1)
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    target = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(tmp_path), "--all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "lieu-42" in result.stderr and "identifiant" in result.stderr
    # in file-name order: deux.yaml keeps the id, un.yaml gets another one
    ids = [row["id"] for row in _rows(target.read_text(encoding="utf-8"))[1]]
    assert ids == ["lieu-42", "lieu-42-2"]


def test_a_malformed_identifiant_is_an_error(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    text = (APPLICATIONS / "fablab-la-forge.yaml").read_text(encoding="utf-8")
    target = tmp_path / "lieu.yaml"
    target.write_text(text.replace("\ndate:", '\nidentifiant: "a|b"\ndate:', 1), encoding="utf-8")
    result = runner.invoke(app, ["apply", "validate", str(target)])
    assert result.exit_code == 1
    assert "identifiant" in result.output and f"{target.name}:" in result.output


def test_import_says_what_becomes_of_the_national_services(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """The services column is not silently dropped: the import says once, on the column, that
    the skeletons list them in a comment, and a value that is no national service is reported
    on its row."""
    source = tmp_path / "lieux.csv"
    odd = {**GOOD, "id": "lieu-9", "nom": "Autre lieu", "services": "aide aux démarches "
           "administratives|Cours de cuisine"}  # fmt: skip
    source.write_text(HEADER + "\n" + _line(**GOOD) + _line(**odd), encoding="utf-8")
    out = tmp_path / "importes"
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    column = LIEUX_COLUMNS.index("services") + 1
    said = [line for line in result.stderr.splitlines() if "LIEU003" in line]
    assert any(
        f"lieux.csv:1:{column}: warning[LIEU003]: colonne services : les services nationaux de "
        "2 lieux" in line
        for line in said
    ), said
    assert any(
        f"lieux.csv:3:{column}:" in line and "« Cours de cuisine »" in line for line in said
    ), said
    text = (out / "autre-lieu.yaml").read_text("utf-8")
    assert "#   Aide aux démarches administratives:" in text  # the case of the schema
    assert "Cours de cuisine" not in text


def test_a_venue_link_starts_from_an_imported_venue(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """import lieux, then links create --venue --imported: the new application is the
    imported one (pre-filled, a draft), not a blank one."""
    source = tmp_path / "lieux.csv"
    source.write_text(HEADER + "\n" + _line(**GOOD), encoding="utf-8")
    imported = tmp_path / "importes-07"
    assert runner.invoke(app, ["import", "lieux", str(source), "-o", str(imported)]).exit_code == 0
    applications = tmp_path / "candidatures"
    project = ["--root", str(tmp_path / "projet")]
    shutil.copytree(REPO / "referentiel", tmp_path / "projet" / "referentiel")
    shutil.copytree(REPO / "questionnaire", tmp_path / "projet" / "questionnaire")
    base = [*project, "links", "create", "--applications", str(applications)]
    venue = "espace-numerique-les-glycines"
    wrong = runner.invoke(app, [*base, "--venue", "espace-numerique-glycines", "--imported",
                                str(imported)])  # fmt: skip
    assert wrong.exit_code == 2
    assert f"vouliez-vous dire {venue}" in wrong.output
    assert not applications.exists()
    made = runner.invoke(app, [*base, "--venue", venue, "--imported", str(imported)])
    assert made.exit_code == 0, made.output
    assert "pré-remplie à partir du lieu importé" in made.output
    answers = _answers(applications / f"{venue}.yaml")
    assert answers["siret"] == GOOD["pivot"] and answers["nom"] == GOOD["nom"]
    import yaml

    data = yaml.safe_load((applications / f"{venue}.yaml").read_text("utf-8"))
    assert data["statut"] == "brouillon" and data["identifiant"] == "lieu-1"
    # Again: the application is kept as it is, and the command says so.
    again = runner.invoke(app, [*base, "--venue", venue, "--imported", str(imported)])
    assert again.exit_code == 0 and "rien n'a été repris" in again.output
    # Without --imported, a blank application, and a word on --imported.
    blank = runner.invoke(app, [*base, "--venue", "autre-lieu"])
    assert blank.exit_code == 0 and "--imported" in blank.output
    other = runner.invoke(app, [*base, "--reviewer", "claire", "--imported", str(imported)])
    assert other.exit_code == 2
