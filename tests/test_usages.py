"""The usage observatory: the record format, its refusals of personal data, the importers
(the format's and La Coop's), the store and the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_catalogue_or_fail
from aptic_qualif.usages.importer import import_coop, import_usages
from aptic_qualif.usages.model import Resolver, field_names
from aptic_qualif.usages.personal import personal_column, personal_value
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "usages"
HEADER = ",".join(field_names())
GOOD = "2025-03-04,aptic-qualif-lieu-1,35238,DEC-01,individuel,,non,,seniors,70-plus,35238"


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_catalogue_or_fail(REPO))


def write(tmp_path: Path, *lines: str, name: str = "u.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def codes(result: object) -> list[str]:
    return [d.code for d in result.report.diagnostics]  # type: ignore[attr-defined]


def test_the_example_imports_whole(resolver: Resolver) -> None:
    result = import_usages(EXAMPLES / "accompagnements-synthetiques.csv", resolver)
    assert result.report.diagnostics == []
    assert result.kept == result.rows == 400


def test_a_service_deprecated_since_counts_under_its_own_name(resolver: Resolver) -> None:
    """An accompaniment of last year names a service deprecated since (the example's
    utiliser-l-ia-generative-avec-discernement, DEC-17): it was offered then, and counts."""
    deprecated = resolver.services["utiliser-l-ia-generative-avec-discernement"]
    assert not deprecated.active
    for value in (deprecated.id, deprecated.notation):
        target = resolver.service(value)
        assert target is not None and target.service == deprecated.id
    text = (EXAMPLES / "accompagnements-synthetiques.csv").read_text(encoding="utf-8")
    assert deprecated.id in text


def test_frictionless_reads_the_format_as_the_importer_does(tmp_path: Path) -> None:
    """The schema is valid for frictionless, which accepts the example and refuses the rows
    that the importer refuses for the schema's own reasons."""
    import frictionless

    from aptic_qualif.usages.model import schema

    descriptor = schema()
    ok = frictionless.validate(
        frictionless.Resource(
            path="accompagnements-synthetiques.csv",
            basepath=str(EXAMPLES),
            schema=frictionless.Schema.from_descriptor(descriptor),
        )
    )
    assert ok.valid, ok.flatten(["rowNumber", "message"])[:3]
    bad = write(
        tmp_path,
        HEADER,
        GOOD,
        "2025-13-04,aptic-qualif-lieu-1,,DEC-01,individuel,,non,,,,",
        "2025-03-04,aptic-qualif-lieu-1,,DEC-01,en-ligne,,non,,,,",
        "2025-03-04,aptic-qualif-lieu-1,,DEC-01,collectif,0,non,,,,",
        "2025-03-04,aptic-qualif-lieu-1,,DEC-01,individuel,,peut-etre,,,,",
        "2025-03-04,aptic-qualif-lieu-1,,DEC-01,individuel,,non,,seniors|vieux,,",
    )
    report = frictionless.validate(
        frictionless.Resource(
            path=bad.name,
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(descriptor),
        )
    )
    frictionless_rows = sorted({row for (row,) in report.flatten(["rowNumber"])})
    ours = import_usages(bad, Resolver(load_catalogue_or_fail(REPO)))
    assert frictionless_rows == ours.invalid_rows == [3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("column", "what"),
    [
        ("nom", "un nom"),
        ("Prénom", "un nom"),
        ("E-mail", "un contact"),
        ("téléphone", "un contact"),
        ("date_naissance", "une date de naissance"),
        ("NIR", "un identifiant de personne"),
        ("Notes", "du texte libre"),
        ("commentaire", "du texte libre"),
    ],
)
def test_a_personal_column_refuses_the_whole_file(
    tmp_path: Path, resolver: Resolver, column: str, what: str
) -> None:
    path = write(tmp_path, f"{HEADER},{column}", f"{GOOD},x")
    result = import_usages(path, resolver)
    assert result.refused and result.kept == 0
    (diagnostic,) = result.report.diagnostics
    assert diagnostic.code == "USG001"
    assert diagnostic.span.line == 1 and diagnostic.span.col == len(field_names()) + 1
    assert what in diagnostic.message


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("jeanne.dupont@example.org", "une adresse électronique"),
        ("06 12 34 56 78", "un numéro de téléphone"),
        ("+33 6 12 34 56 78", "un numéro de téléphone"),
        ("0612345678", "un numéro de téléphone"),
        ("1 84 12 76 451 089 46", "un numéro de sécurité sociale"),
        ("2840576451089", "un numéro de sécurité sociale"),
    ],
)
def test_a_personal_value_refuses_the_whole_file_without_repeating_it(
    tmp_path: Path, resolver: Resolver, value: str, what: str
) -> None:
    row = GOOD.replace("aptic-qualif-lieu-1", f'"{value}"')
    path = write(tmp_path, HEADER, GOOD, row, GOOD)
    result = import_usages(path, resolver)
    assert result.refused and result.kept == 0
    (diagnostic,) = [d for d in result.report.diagnostics if d.code == "USG002"]
    assert diagnostic.span.line == 3 and diagnostic.span.col == 2
    assert what in diagnostic.message
    assert value not in diagnostic.render()


def _nir(draw: st.DrawFn) -> str:
    from stdnum.fr import nir

    body = draw(
        st.builds(
            lambda sex, year, month, dep, commune, order: (
                f"{sex}{year:02d}{month:02d}{dep:02d}{commune:03d}{order:03d}"
            ),
            st.sampled_from("12"),
            st.integers(0, 99),
            st.integers(1, 12),
            st.integers(1, 95),
            st.integers(1, 990),
            st.integers(1, 999),
        )
    )
    return body + nir.calc_check_digits(body)


@settings(max_examples=80)
@given(st.data())
def test_every_generated_nir_phone_and_email_is_seen(data: st.DataObject) -> None:
    nir = data.draw(st.composite(_nir)())
    assert personal_value(nir) == "nir"
    digits = data.draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    phone = "0" + str(data.draw(st.integers(1, 9))) + "".join(map(str, digits))
    separator = data.draw(st.sampled_from(["", " ", ".", "-"]))
    spaced = separator.join([phone[k : k + 2] for k in range(0, 10, 2)])
    assert personal_value(spaced) == "phone"
    user = data.draw(st.from_regex(r"[a-z][a-z0-9._]{0,12}", fullmatch=True))
    assert personal_value(f"{user}@exemple.fr") == "email"


@pytest.mark.parametrize(
    "value", ["2025-03-04", "2025-03", "35238", "2A004", "MAI-16", "aptic-qualif-lieu-00042", "12"]
)
def test_what_a_record_holds_is_not_personal(value: str) -> None:
    assert personal_value(value) is None
    assert personal_column("residence") is None


def test_an_unknown_column_refuses_the_file(tmp_path: Path, resolver: Resolver) -> None:
    result = import_usages(write(tmp_path, f"{HEADER},divers", f"{GOOD},x"), resolver)
    assert result.refused and codes(result) == ["USG003"]


def test_a_missing_required_column_refuses_the_file(tmp_path: Path, resolver: Resolver) -> None:
    result = import_usages(write(tmp_path, "date,lieu", "2025-03-04,x"), resolver)
    assert result.refused and set(codes(result)) == {"USG003"}


def test_a_bad_row_is_reported_and_the_others_kept(tmp_path: Path, resolver: Resolver) -> None:
    path = write(
        tmp_path,
        HEADER,
        GOOD,
        GOOD.replace("DEC-01", "service-inconnu"),
        GOOD.replace("individuel,", "individuel,5"),
        GOOD.rsplit(",", 1)[0] + ",99999",
        GOOD.replace("non,", "non,caf"),
        GOOD.replace("individuel,", "collectif,8").replace("DEC-01", "sante"),
    )
    result = import_usages(path, resolver)
    assert not result.refused
    assert result.kept == 2
    assert result.invalid_rows == [3, 4, 5, 6]
    located = sorted((d.span.line, d.span.col, d.code) for d in result.report.diagnostics)
    assert located == [
        (3, 4, "USG005"),
        (4, 6, "USG004"),
        (5, 11, "USG006"),
        (6, 8, "USG004"),
    ]
    assert result.columns["participants"] == [1, 8]
    assert result.columns["thematique"] == [None, "sante"]


def test_a_small_commune_of_residence_is_kept_as_its_departement(
    tmp_path: Path, resolver: Resolver
) -> None:
    residence = GOOD.rsplit(",", 1)[0] + ","
    path = write(
        tmp_path,
        HEADER,
        GOOD,  # Rennes: a large commune, kept
        residence + "01002",  # L'Abergement-de-Varey, 270 inhabitants
        residence + "01018",  # merged into Valserhône (16,712): kept as Valserhône
        residence + "01002",
        residence + "01003",  # merged into Francheleins (1,597)
        residence + "2A",
    )
    result = import_usages(path, resolver)
    assert not result.refused and result.kept == 6
    assert result.columns["residence"] == ["35238", "01", "01033", "01", "01", "2A"]
    assert result.columns["residence_departement"] == ["35", "01", "01", "01", "01", "2A"]
    (warning,) = result.report.diagnostics
    assert (warning.code, warning.severity, warning.span.line, warning.span.col) == (
        "USG008",
        "warning",
        3,
        11,
    )
    assert "2 communes" in warning.message and "01002, 01003" in warning.message


def test_a_coop_thematique_is_mapped_through_the_referentiel(resolver: Resolver) -> None:
    # « E-mail » is the coop_thematique of one service; « Santé » of several, of one level
    assert resolver.service("email") is not None
    target = resolver.service("sante")
    assert target is not None and target.thematique == "sante"


def test_la_coop_export_is_refused_with_its_personal_columns(resolver: Resolver) -> None:
    result = import_coop(
        EXAMPLES / "coop-activites-synthetiques.csv", resolver, venue="aptic-qualif-lieu-1"
    )
    assert result.refused
    assert codes(result) == ["USG001"] * 4
    assert {d.span.line for d in result.report.diagnostics} == {10}


def test_la_coop_export_mapped(resolver: Resolver) -> None:
    result = import_coop(
        EXAMPLES / "coop-activites-synthetiques.csv",
        resolver,
        venues={"Médiathèque exemple, 35000 Rennes": "aptic-qualif-exemple"},
        drop_personal=True,
    )
    assert codes(result) == ["USG007"] * 4 + ["USG004"]
    columns = result.columns
    assert result.kept == 4
    assert columns["date"] == ["2025-01-06", "2025-01-07", "2025-01-14", "2025-01-21"]
    assert columns["mode"] == ["individuel", "a-distance", "collectif", "individuel"]
    assert columns["participants"] == [1, 1, 3, 1]
    assert columns["lieu"] == ["aptic-qualif-exemple"] * 4
    assert columns["departement"] == ["35"] * 4
    # a procedure's kind before the generic « aide aux démarches »
    assert columns["thematique"][1] == "social_sante"
    assert columns["tranche_age"] == ["70-plus", "60-69", "70-plus", "25-39"]
    assert columns["publics"] == [["seniors"], ["seniors"], ["seniors"], ["demandeurs-emploi"]]
    # one commune, then two communes of one département: the département
    assert columns["residence"][:3] == ["35238", "35238", "35"]


def test_la_coop_row_without_a_venue_is_skipped(resolver: Resolver) -> None:
    result = import_coop(EXAMPLES / "coop-activites-synthetiques.csv", resolver, drop_personal=True)
    assert result.kept == 0 and len(result.invalid_rows) == 5


def test_cli_import_then_report(tmp_path: Path, runner: CliRunner) -> None:
    store = tmp_path / "entrepot"
    source = EXAMPLES / "accompagnements-synthetiques.csv"
    args = ["--root", str(REPO), "usages", "import", str(source), "--store", str(store)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert runner.invoke(app, args).exit_code == 0  # the same file again replaces itself
    months = sorted(p.parent.name for p in store.glob("mois=*/*.parquet"))
    assert len(months) == len(set(months)) == 12
    report = runner.invoke(app, ["--root", str(REPO), "usages", "report", str(store), "-f", "json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.stdout)
    month = next(t for t in data["tableaux"] if t["id"] == "mois")
    total = month["lignes"][-1][1]
    assert (
        total
        == 400
        + sum(  # the collective sessions count their participants
            int(p) - 1
            for p in (
                line.split(",")[5] for line in source.read_text(encoding="utf-8").splitlines()[1:]
            )
            if p
        )
    )
    for fmt in ("csv", "markdown"):
        again = runner.invoke(
            app, ["--root", str(REPO), "usages", "report", str(store), "-f", fmt, "-d", "75"]
        )
        assert again.exit_code == 0, again.output


def test_cli_import_refused_exits_1(tmp_path: Path, runner: CliRunner) -> None:
    path = write(tmp_path, f"{HEADER},email", f"{GOOD},a@b.fr")
    result = runner.invoke(
        app,
        ["--root", str(REPO), "usages", "import", str(path), "--store", str(tmp_path / "s")],
    )
    assert result.exit_code == 1
    assert "USG001" in result.output
    assert not list((tmp_path / "s").glob("**/*.parquet"))


def test_the_other_commands_never_load_duckdb_nor_pyarrow() -> None:
    code = (
        "import sys, aptic_qualif.cli.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'duckdb', 'pyarrow'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aptic_qualif.usages.store import write_records

    store = tmp_path_factory.mktemp("usages") / "entrepot"
    result = import_usages(
        EXAMPLES / "accompagnements-synthetiques.csv", Resolver(load_catalogue_or_fail(REPO))
    )
    write_records(result.columns, store, result.digest)
    return store


def test_no_published_count_is_small(example_store: Path) -> None:
    from aptic_qualif.usages.report import build_report, sections

    report = build_report(example_store, load_catalogue_or_fail(REPO))
    for departement in (None, *report.departements):
        for section in sections(report, departement):
            for row in section.rows:
                for value in row[1:]:
                    if isinstance(value, int) and section.id != "offre":
                        assert value == 0 or value >= 11, (section.id, departement, row)


def test_level_subtotals_hide_only_what_they_must(example_store: Path) -> None:
    from aptic_qualif.usages.report import build_report, level_subtotals
    from tests.test_usages_disclosure import _check_ranges, audit

    report = build_report(example_store, load_catalogue_or_fail(REPO))
    table = report.by_service
    groups = {
        level: [table.col(k) for k in table.col_labels if report.service_levels.get(k) == level]
        for level, _label in report.levels
    }
    published: list[tuple[int, list[int]]] = []
    beside_a_secret = 0
    for i in range(len(table.counts)):
        for level, value in level_subtotals(report, i).items():
            columns = groups[level]
            if value is None:
                continue
            assert value == sum(table.counts[i][j] for j in columns)
            published.append((i, columns))
            beside_a_secret += any(table.value(i, j) is None for j in columns)
    assert beside_a_secret > 0  # published although a count of its level is secret
    _check_ranges(table, audit(table, published))


def test_the_safety_range_is_an_option_of_the_report(
    example_store: Path, runner: CliRunner
) -> None:
    args = ["--root", str(REPO), "usages", "report", str(example_store), "-f", "json"]
    result = runner.invoke(app, [*args, "--safety-range", "50"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intervalle_de_protection"] == 50.0
    assert runner.invoke(app, [*args, "--safety-range", "101"]).exit_code == 2


def test_usage_pages_chart_and_table(example_store: Path) -> None:
    from aptic_qualif.sanitize import html_content
    from aptic_qualif.usages.pages import usage_downloads, usage_pages
    from aptic_qualif.usages.report import build_report

    report = build_report(example_store, load_catalogue_or_fail(REPO))
    pages = usage_pages(report, {"75": "75 Paris"})
    assert "usages/index.md" in pages and "usages/75.md" in pages
    national = pages["usages/index.md"]
    assert national.count("<svg") == 5  # month, level, service, public, age
    assert "| Mois | Accompagnements |" in national
    assert "[75 Paris](75.md)" in national
    chart = national[national.index("<svg") : national.index("</svg>") + 6]
    assert html_content(chart).count("<rect") == chart.count("<rect") > 0
    downloads = usage_downloads(report)
    header = "tableau,ligne,ligne_libelle,colonne,colonne_libelle,valeur,secret\n"
    assert downloads["usages-agregats.csv"].startswith(header)
    assert json.loads(downloads["usages-agregats.schema.json"])["fields"][-1]["name"] == "secret"


def test_the_aggregates_name_rows_and_columns_by_ids(example_store: Path) -> None:
    import csv
    import io

    from aptic_qualif.i18n import use_language
    from aptic_qualif.usages.report import build_report, render_csv

    report = build_report(example_store, load_catalogue_or_fail(REPO))
    files = {}
    for lang in ("fr", "en"):
        with use_language(lang):
            files[lang] = list(csv.DictReader(io.StringIO(render_csv(report))))
    ids = ("tableau", "ligne", "colonne", "valeur", "secret")
    # the same ids in both languages, only the labels change
    assert [[r[k] for k in ids] for r in files["fr"]] == [[r[k] for k in ids] for r in files["en"]]
    assert {r["colonne_libelle"] for r in files["fr"]} != {
        r["colonne_libelle"] for r in files["en"]
    }
    service = next(r for r in files["fr"] if r["tableau"] == "service")
    assert service["ligne"] in report.service_labels
    assert service["ligne_libelle"] == report.service_labels[service["ligne"]]
    levels = {r["ligne"] for r in files["fr"] if r["tableau"] == "niveau"}
    assert levels == {level for level, _label in report.levels}
    assert {r["ligne"] for r in files["fr"] if r["tableau"] == "mois"} >= {"2025-01", "total"}


def test_the_aggregates_are_valid_for_their_schema(example_store: Path, tmp_path: Path) -> None:
    import frictionless

    from aptic_qualif.usages.pages import usage_downloads
    from aptic_qualif.usages.report import build_report

    files = usage_downloads(build_report(example_store, load_catalogue_or_fail(REPO)))
    (tmp_path / "agregats.csv").write_text(files["usages-agregats.csv"], encoding="utf-8")
    descriptor = json.loads(files["usages-agregats.schema.json"])
    report = frictionless.validate(
        frictionless.Resource(
            path="agregats.csv",
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(descriptor),
        )
    )
    assert report.valid, report.flatten(["rowNumber", "message"])[:3]


def test_publish_site_with_usages(example_store: Path, tmp_path: Path, runner: CliRunner) -> None:
    site = tmp_path / "site"
    options = ["--usages-threshold", "5", "--usages-safety-range", "50"]
    result = runner.invoke(
        app,
        [
            "--root",
            str(REPO),
            "publish",
            "site",
            "-o",
            str(site),
            "--usages",
            str(example_store),
            *options,
        ],
    )
    assert result.exit_code == 0, result.output
    from aptic_qualif.usages.report import build_report, render_csv

    expected = build_report(
        example_store, load_catalogue_or_fail(REPO), threshold=5, safety_range=50
    )
    aggregates = (site / "telechargements" / "usages-agregats.csv").read_text("utf-8")

    def counts(text: str) -> list[str]:  # the offer comes from the site's coverage
        return [line for line in text.splitlines() if not line.startswith("offre,")]

    assert counts(aggregates) == counts(render_csv(expected))
    for page in ("usages/index.html", "en/usages/index.html", "usages/13/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "<svg" in html and "<table>" in html
    assert "Usages of digital mediation" in (site / "en/usages/index.html").read_text("utf-8")
    assert (site / "telechargements" / "usages-agregats.csv").is_file()
    assert "usages-agregats.schema.json" in (site / "telechargements/index.html").read_text("utf-8")


def test_report_of_an_empty_store(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "vide").mkdir()
    result = runner.invoke(
        app, ["--root", str(REPO), "usages", "report", str(tmp_path / "vide"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    month = next(t for t in json.loads(result.stdout)["tableaux"] if t["id"] == "mois")
    assert month["lignes"] == [["Total", 0]]


def test_la_coop_workbook_is_read_like_its_csv(tmp_path: Path) -> None:
    """La Coop exports a workbook: its « Activités » sheet, dates as dates, gives the same
    records as the same sheet saved as CSV."""
    import csv
    import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Activités"
    source = EXAMPLES / "coop-activites-synthetiques.csv"
    with source.open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows):
            cells: list[object] = list(row)
            if row and len(row[0]) == 10 and row[0][2] == "/":
                day, month, year = map(int, row[0].split("/"))
                cells[0] = datetime.datetime(year, month, day)
            if len(row) > 2 and row[2].isdigit():
                cells[2] = int(row[2])
            sheet.append(cells)
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    resolver = Resolver(load_catalogue_or_fail(REPO))
    options = {"venue": "aptic-qualif-exemple", "drop_personal": True}
    from_workbook = import_coop(path, resolver, **options)
    from_csv = import_coop(source, resolver, **options)
    assert from_workbook.kept == from_csv.kept == 4
    assert from_workbook.columns == from_csv.columns
    # the same activity is refused: row 14 of the sheet, line 25 of the CSV (its cells
    # hold line breaks)
    assert from_workbook.invalid_rows == [14] and from_csv.invalid_rows == [25]


def test_a_file_that_is_no_workbook_is_refused(tmp_path: Path, resolver: Resolver) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("pas un classeur", encoding="utf-8")
    result = import_coop(path, resolver, venue="x", drop_personal=True)
    assert result.refused and codes(result) == ["IO001"]
