"""``export data-inclusion``: every structure and service validates with data·inclusion's own
pydantic models (``data-inclusion-schema`` 1.x), contacts only when public, deterministic."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from data_inclusion.schema import v1
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import application_files
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.network import data_inclusion as di
from aptic_qualif.review.load import load_reviews
from aptic_qualif.vocabularies import DATA_INCLUSION_THEMATIQUES
from tests.conftest import REPO

STRICT = {"ignore_warnings": False}  # the package's warnings count as errors


@pytest.fixture(scope="module")
def context() -> Context:
    return load_context(REPO)


def _export(
    context: Context, folder: Path = REPO / "examples", **options: Any
) -> di.DataInclusionResult:
    files, _missing = application_files([folder / "applications"])
    reviews, _report = load_reviews(folder / "reviews", context.questionnaire)
    return di.export_data_inclusion(files, context, reviews, **options)


def _validate(result: di.DataInclusionResult) -> None:
    for record in result.structures:
        v1.Structure.model_validate(record, context=STRICT)
    for record in result.services:
        v1.Service.model_validate(record, context=STRICT)


def test_every_record_validates_with_the_package_models(context: Context) -> None:
    qualified = _export(context)
    assert (len(qualified.structures), qualified.assessed) == (6, 12)
    _validate(qualified)
    everything = _export(context, include_all=True)
    assert len(everything.structures) == 12
    _validate(everything)
    ids = {s["id"] for s in everything.structures}
    assert all(s["structure_id"] in ids for s in everything.services)
    assert len({s["id"] for s in everything.services}) == len(everything.services)


def test_fields_are_the_schemas(context: Context) -> None:
    assert set(di.STRUCTURE_FIELDS) == set(v1.Structure.model_fields)
    assert set(di.SERVICE_FIELDS) == set(v1.Service.model_fields)
    result = _export(context)
    assert all(tuple(r) == di.STRUCTURE_FIELDS for r in result.structures)
    assert all(tuple(r) == di.SERVICE_FIELDS for r in result.services)


def test_thematiques_come_from_the_referentiel(context: Context) -> None:
    result = _export(context)
    catalogue = context.catalogue.services
    for record in result.services:
        service = catalogue[record["id"].rsplit("--", 1)[1]]
        assert record["thematiques"] == (sorted(service.mappings.data_inclusion) or None)
        assert record["nom"] == service.pref_label.fr


def test_the_mapping_vocabularies_are_data_inclusions() -> None:
    """The référentiel maps to data·inclusion 1.x's thematiques, all of them and only them;
    every network, fee and mobilisation value the export writes is one of the schema's."""
    assert set(DATA_INCLUSION_THEMATIQUES) == {t.value for t in v1.Thematique}
    networks = {r.value for r in v1.ReseauPorteur}
    assert set(di.RESEAUX_OF_TYPOLOGIE.values()) <= networks
    assert set(di.RESEAUX_OF_PROGRAMMES.values()) <= networks
    assert set(di.FRAIS.values()) <= {f.value for f in v1.Frais}
    assert set(di.MODES_MOBILISATION.values()) <= {m.value for m in v1.ModeMobilisation}


def test_the_typologie_becomes_supporting_networks(context: Context) -> None:
    result = _export(context, include_all=True)
    networks = {s["id"]: s["reseaux_porteurs"] for s in result.structures}
    # its type (France Services) and its national programmes (Aidants Connect, conseillers)
    assert networks["aptic-qualif--france-services-porte-des-causses"] == [
        "aidants-connect",
        "conseillers-numeriques",
        "france-service",
    ]
    for record in result.structures:
        assert "typologie" not in record


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_contacts_only_when_public(context: Context, tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    (folder / "applications").mkdir(parents=True)
    (folder / "reviews").mkdir()
    source = (REPO / "examples" / "applications" / "mediatheque-les-tilleuls.yaml").read_text(
        encoding="utf-8"
    )
    assert "contacts_publics: true" in source
    _write(folder / "applications", "public.yaml", source)
    _write(
        folder / "applications",
        "private.yaml",
        source.replace("contacts_publics: true", "contacts_publics: false"),
    )
    result = _export(context, folder, include_all=True)
    _validate(result)
    by_id = {s["id"]: s for s in result.structures}
    public, private = by_id["aptic-qualif--public"], by_id["aptic-qualif--private"]
    assert public["telephone"] and public["courriel"]
    assert private["telephone"] is private["courriel"] is private["site_web"] is None
    for record in result.services:
        if record["structure_id"] == private["id"]:
            assert record["telephone"] is record["courriel"] is None
            assert "telephoner" not in (record["modes_mobilisation"] or [])
        else:
            assert "telephoner" in (record["modes_mobilisation"] or [])


def test_a_venue_not_qualified_is_left_out(context: Context) -> None:
    qualified = {s["id"] for s in _export(context).structures}
    everything = {s["id"] for s in _export(context, include_all=True).structures}
    assert qualified < everything
    assert "aptic-qualif--centre-social-les-capucines" in everything - qualified


def _read_csv(text: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    records = []
    for row in rows:
        assert tuple(row) == fields
        record: dict[str, Any] = {}
        for name, cell in row.items():
            if cell == "":
                record[name] = None
            elif name in di.LIST_FIELDS:
                record[name] = json.loads(cell)
            else:
                record[name] = cell
        records.append(record)
    return records


def test_cli_writes_json_and_csv_deterministically(tmp_path: Path, runner: CliRunner) -> None:
    arguments = [
        "--root",
        str(REPO),
        "export",
        "data-inclusion",
        str(REPO / "examples/applications"),
    ]
    arguments += ["--reviews", str(REPO / "examples/reviews"), "--date-maj", "2026-11-30"]
    first = runner.invoke(app, [*arguments, "-o", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, [*arguments, "-o", str(tmp_path / "b")])
    for name in ("structures.json", "services.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    structures = json.loads((tmp_path / "a" / "structures.json").read_text(encoding="utf-8"))
    assert [s["date_maj"] for s in structures] == ["2026-11-30"] * 6
    again = runner.invoke(app, [*arguments, "-o", str(tmp_path / "a")])
    assert again.exit_code != 0 and "--force" in again.output
    assert second.exit_code == 0

    as_csv = runner.invoke(app, [*arguments, "-o", str(tmp_path / "c"), "-f", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    for name, fields, model in (
        ("structures.csv", di.STRUCTURE_FIELDS, v1.Structure),
        ("services.csv", di.SERVICE_FIELDS, v1.Service),
    ):
        records = _read_csv((tmp_path / "c" / name).read_text(encoding="utf-8"), fields)
        assert records
        for record in records:
            model.model_validate(record, context=STRICT)


def test_cli_refuses_a_file_as_folder(tmp_path: Path, runner: CliRunner) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "--root",
            str(REPO),
            "export",
            "data-inclusion",
            str(REPO / "examples/applications"),
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ── Fields consumers need, the network's identity, the models at export time ──

BASE_URL = "https://reseau.example.org/lieux/"
BOOKING = "https://rdv.example.org/strada-numerica"
CONDITIONS = "Adhésion gratuite à l'association, sur présentation d'une pièce d'identité"
SERVED = ["2B074", "2B177", "2B238", "2B260", "2B263", "2B315", "2B341", "2B354"]


def _network_policy(tmp_path: Path, source: str = "reseau-test", prefix: str = "rt-") -> Path:
    text = (REPO / "questionnaire" / "policy.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "network:\n  source: aptic-qualif\n  id_prefix: aptic-qualif-\n",
        f"network:\n  source: {source}\n  id_prefix: {prefix}\n  base_url: {BASE_URL}\n",
    )
    assert changed != text
    path = tmp_path / "policy.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def _travelling_venue_with_everything(folder: Path) -> None:
    (folder / "applications").mkdir(parents=True)
    (folder / "reviews").mkdir()
    text = (REPO / "examples" / "applications" / "bus-numerique-corse.yaml").read_text(
        encoding="utf-8"
    )
    changed = text.replace(
        "  modalites_acces:\n    - se-presenter\n    - telephoner\n",
        "  modalites_acces:\n    - se-presenter\n    - telephoner\n    - prendre-rdv-en-ligne\n"
        f"  prise_rdv: {BOOKING}\n"
        f"  conditions_acces: {json.dumps(CONDITIONS, ensure_ascii=False)}\n",
    )
    assert changed != text
    # Conditions of access are asked when support is free under conditions, or paid.
    assert "  frais_a_charge: gratuit\n" in changed
    changed = changed.replace(
        "  frais_a_charge: gratuit\n", "  frais_a_charge: gratuit-sous-condition\n"
    )
    _write(folder / "applications", "bus.yaml", changed)
    fixed = (REPO / "examples" / "applications" / "mediatheque-les-tilleuls.yaml").read_text(
        encoding="utf-8"
    )
    _write(folder / "applications", "tilleuls.yaml", fixed)


def test_records_with_every_field_a_consumer_needs_validate(tmp_path: Path) -> None:
    """zone_eligibilite from the communes a travelling venue serves, conditions_acces and the
    booking link from the application, source, ids and lien_source from the network's
    identity: data·inclusion's own models take every record, strictly."""
    folder = tmp_path / "examples"
    _travelling_venue_with_everything(folder)
    context = load_context(REPO, policy=_network_policy(tmp_path))
    result = _export(context, folder, include_all=True)
    assert not [d for d in result.report.diagnostics if d.code == "LIEU007"]
    _validate(result)
    structures = {s["id"]: s for s in result.structures}
    bus = structures["reseau-test--bus"]
    assert bus["source"] == "reseau-test"
    assert bus["lien_source"] == BASE_URL + "rt-bus"
    services = [s for s in result.services if s["structure_id"] == bus["id"]]
    assert services
    for record in services:
        assert record["source"] == "reseau-test"
        assert record["zone_eligibilite"] == SERVED
        assert record["conditions_acces"] == CONDITIONS
        assert record["lien_mobilisation"] == BOOKING
        assert "utiliser-lien-mobilisation" in record["modes_mobilisation"]
        assert record["lien_source"] == BASE_URL + "rt-bus"
        service = v1.Service.model_validate(record, context=STRICT)
        assert str(service.lien_mobilisation) == BOOKING
    # a fixed venue: the people of its département
    tilleuls = [s for s in result.services if s["structure_id"] == "reseau-test--tilleuls"]
    assert tilleuls
    departement = di.departement_code(structures["reseau-test--tilleuls"]["code_insee"])
    for record in tilleuls:
        assert record["zone_eligibilite"] == [departement]
        assert record["conditions_acces"] is None and record["lien_mobilisation"] is None


def test_remote_services_have_a_zone_too(context: Context) -> None:
    result = _export(context)
    remote = [s for s in result.services if s["modes_accueil"] == ["a-distance"]]
    assert all(s["zone_eligibilite"] for s in result.services)
    for record in remote:
        assert record["code_insee"] is None and record["zone_eligibilite"]


@pytest.mark.parametrize(
    ("insee", "departement"), [("2B096", "2B"), ("97411", "974"), ("01053", "01")]
)
def test_departement_code(insee: str, departement: str) -> None:
    assert di.departement_code(insee) == departement
    v1.Service.model_validate(
        {
            "source": "s",
            "structure_id": "s--a",
            "id": "s--a--b",
            "nom": "Service",
            "description": "Une description.",
            "date_maj": "2026-12-01",
            "zone_eligibilite": [departement],
        },
        context=STRICT,
    )


def test_the_national_export_uses_the_networks_identity(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "examples"
    _travelling_venue_with_everything(folder)
    policy = _network_policy(tmp_path)
    target = tmp_path / "lieux.csv"
    result = runner.invoke(
        app,
        [
            *("--root", str(REPO), "export", "lieux", str(folder / "applications"), "--all"),
            *("--policy", str(policy), "-o", str(target)),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {"rt-bus", "rt-tilleuls"}
    assert {row["source"] for row in rows} == {"reseau-test"}
    assert by_id["rt-bus"]["prise_rdv"] == BOOKING


def test_an_imported_record_keeps_its_source(tmp_path: Path, runner: CliRunner) -> None:
    """Import a national extract, export it again: each venue keeps the source and the id of
    its record, whatever the network's own source (data·inclusion ids too)."""
    source = REPO / "reference" / "standard-mediation-num" / "exemple-valide.csv"
    original = {
        row["id"]: row["source"]
        for row in csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    }
    assert original and all(original.values())
    imported = tmp_path / "importes"
    result = runner.invoke(
        app, ["--root", str(REPO), "import", "lieux", str(source), "-o", str(imported)]
    )
    assert result.exit_code == 0, result.output
    policy = _network_policy(tmp_path)
    target = tmp_path / "lieux.csv"
    result = runner.invoke(
        app,
        [
            *("--root", str(REPO), "export", "lieux", str(imported), "--all"),
            *("--policy", str(policy), "-o", str(target)),
        ],
    )
    assert result.exit_code == 0, result.output
    exported = {
        row["id"]: row["source"]
        for row in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))
    }
    assert exported == original
    context = load_context(REPO, policy=policy)
    files, _missing = application_files([imported])
    records = di.export_data_inclusion(files, context, include_all=True)
    assert {s["source"] for s in records.structures} == set(original.values())
    assert {s["id"] for s in records.structures} == {f"{original[i]}--{i}" for i in original}


def test_a_record_the_models_refuse_is_not_exported(
    context: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The models run at export time: a venue whose record they refuse is left out, with a
    warning located in its application, and the other venues are exported."""
    service_record = di.service_record

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        record = service_record(*args, **kwargs)
        if record["structure_id"].endswith("bus-numerique-corse"):
            record["courriel"] = "bus..numerique@example.org"
        return record

    monkeypatch.setattr(di, "service_record", broken)
    result = _export(context)
    warnings = [d for d in result.report.diagnostics if d.code == "LIEU007"]
    assert len(warnings) == 1
    assert warnings[0].span.file.endswith("bus-numerique-corse.yaml")
    assert "courriel" in warnings[0].message
    assert "aptic-qualif--bus-numerique-corse" not in {s["id"] for s in result.structures}
    assert len(result.structures) == 5
    _validate(result)


@settings(max_examples=300)
@given(
    st.one_of(
        st.emails(),
        st.from_regex(r"[a-z.\-]{0,6}@[a-z.\-]{0,6}\.[a-z]{2,3}", fullmatch=True),
        st.text(max_size=20),
    )
)
def test_an_address_the_project_takes_is_one_data_inclusion_takes(address: str) -> None:
    from pydantic import EmailStr, TypeAdapter, ValidationError

    from aptic_qualif.application import email_is_valid

    try:
        TypeAdapter(EmailStr).validate_python(address)
    except ValidationError:
        assert not email_is_valid(address), address
