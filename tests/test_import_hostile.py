"""``import lieux`` and the ``identifiant`` of an application facing hostile or faulty data:
duplicate national ids, an oversized cell, control characters and paths in an id, a file
over the size limit, and many venues at once (compact skeletons)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from aptic_qualif.application import Application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.network import COMMENTED_MAX
from aptic_qualif.network.importer import MAX_CELL_CHARS, import_lieux
from aptic_qualif.vocabularies import LIEUX_COLUMNS
from aptic_qualif.yamlio import parse_yaml
from tests.conftest import REPO
from tests.test_lieux import APPLICATIONS, EXAMPLE_CSV, GOOD, HEADER, _line, _rows

SIMPLE = {key: value for key, value in GOOD.items() if key not in {"typologie"}}
"""A valid row with no value the import drops (no warning of its own)."""


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def _csv(tmp_path: Path, *rows: dict[str, str], name: str = "lieux.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "".join(_line(**row) for row in rows), encoding="utf-8")
    return path


def _import(runner: CliRunner, source: Path, out: Path, code: int) -> str:
    result = runner.invoke(app, ["import", "lieux", str(source), "-o", str(out)])
    assert result.exit_code == code, result.output
    return result.stderr


def _identifiants(folder: Path) -> dict[str, object]:
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        doc, problems = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        assert doc is not None and not problems
        found[path.stem] = doc.data.get("identifiant")
    return found


# ── Duplicate national ids ──


def test_rows_sharing_an_id_are_reported_and_imported_once(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    ids = ["same", "same", "Same", "same ", "other"]
    source = _csv(tmp_path, *({**SIMPLE, "id": i, "nom": f"Lieu {n}"} for n, i in enumerate(ids)))
    out = tmp_path / "out"
    stderr = _import(runner, source, out, 1)
    # rows 3, 4 and 5 (lines 3 to 5), located at the id column, in French, naming row 2
    for line in (3, 4, 5):
        (message,) = [m for m in stderr.splitlines() if f"lieux.csv:{line}:1: error[LIEU005]" in m]
        assert f"ligne {line} : l'id" in message and "est déjà celui de la ligne 2" in message
    assert _identifiants(out) == {"lieu-0": "same", "lieu-4": "other"}
    assert "2 candidature(s) écrite(s)" in stderr and "3 ligne(s) invalide(s)" in stderr
    assert "sur 5 ligne(s)" in stderr


def test_an_invalid_row_does_not_take_its_id(repo: Path, tmp_path: Path) -> None:
    """The id goes to the first row that is imported: a row skipped for another reason
    does not make the next one with its id a duplicate."""
    bad = {**SIMPLE, "id": "x-1", "pivot": "123", "nom": "Invalide"}
    good = {**SIMPLE, "id": "X-1", "nom": "Valide"}
    result = import_lieux(_csv(tmp_path, bad, good), load_context(REPO))
    assert [v.venue_id for v in result.venues] == ["X-1"]
    assert result.invalid_rows == [2]
    assert "LIEU005" not in {d.code for d in result.report.diagnostics}


# ── An oversized cell ──


def test_an_oversized_cell_skips_its_row_only(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    rows = [{**SIMPLE, "id": f"lieu-{n}", "nom": f"Lieu {n}"} for n in range(5)]
    rows[0]["presentation_resume"] = "Sur deux\nlignes"  # the records after it shift a line
    rows[1]["presentation_detail"] = "x" * 140_000
    source = _csv(tmp_path, *rows)
    limit = csv.field_size_limit()
    out = tmp_path / "out"
    stderr = _import(runner, source, out, 1)
    assert csv.field_size_limit() == limit  # the module's limit is given back
    column = LIEUX_COLUMNS.index("presentation_detail") + 1
    (error,) = [line for line in stderr.splitlines() if "error[" in line]
    assert error.startswith(f"{source}:4:{column}: error[LIEU002]: ligne 3, colonne ")
    assert f"la cellule a 140000 caractères, plus que les {MAX_CELL_CHARS}" in error
    assert "field larger" not in stderr
    assert sorted(_identifiants(out).values()) == ["lieu-0", "lieu-2", "lieu-3", "lieu-4"]
    assert "1 ligne(s) invalide(s) ignorée(s), sur 5 ligne(s)" in stderr


def test_a_row_the_csv_reader_refuses_skips_that_row_only(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the csv module still refuse a record, the reader goes on with the next one."""
    real = csv.field_size_limit

    def small(*limit: int) -> int:
        return real(1000) if limit and limit[0] > 1000 else real(*limit)

    monkeypatch.setattr(csv, "field_size_limit", small)
    rows = [{**SIMPLE, "id": f"lieu-{n}", "nom": f"Lieu {n}"} for n in range(3)]
    rows[1]["presentation_detail"] = "x" * 5000
    result = import_lieux(_csv(tmp_path, *rows), load_context(REPO))
    monkeypatch.undo()
    assert [v.venue_id for v in result.venues] == ["lieu-0", "lieu-2"]
    assert result.invalid_rows == [3] and result.rows == 3
    (error,) = result.report.errors
    assert error.code == "LIEU002" and error.span.line == 3
    assert error.message.startswith("la ligne 3 ne peut pas être lue")


# ── A file over the size limit ──


def test_a_file_over_the_size_limit_has_its_own_code(
    repo: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aptic_qualif.network.importer.MAX_CSV_BYTES", 2 * 1024 * 1024)
    source = _csv(tmp_path, *({**SIMPLE, "id": f"l{n}"} for n in range(12_000)))
    assert source.stat().st_size > 2 * 1024 * 1024
    out = tmp_path / "out"
    stderr = _import(runner, source, out, 1)
    assert f"{source}:1:1: error[LIEU006]: le fichier dépasse 2 Mio" in stderr
    assert "découpez-le en fichiers plus petits" in stderr
    assert "YAML007" not in stderr
    assert not out.exists()


# ── The identifiant ──

HOSTILE_YAML = {
    "escape": ('"x\\e[2J\\e]0;PWN\\a=1"', "TXT001", "ESC (U+001B)"),
    "bidi": ('"ab\\u202Ecd"', "TXT001", "U+202E"),
    "path": ('"../../etc/x"', "SCH003", "« ../../etc/x »"),
    "slash": ("a/b", "SCH003", "« / »"),
    "dots": ("a..b", "SCH003", "« .. »"),
    "space": ('"a b"', "SCH003", "« a b »"),
    "separator": ('"a|b"', "SCH003", "« | »"),
}


def _with_identifiant(folder: Path, value: str, name: str = "lieu") -> Path:
    text = (APPLICATIONS / "fablab-la-forge.yaml").read_text(encoding="utf-8")
    target = folder / f"{name}.yaml"
    target.write_text(text.replace("\ndate:", f"\nidentifiant: {value}\ndate:", 1), "utf-8")
    return target


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_a_hostile_identifiant_is_refused_and_never_exported(
    repo: Path, runner: CliRunner, tmp_path: Path, case: str
) -> None:
    value, code, shown = HOSTILE_YAML[case]
    target = _with_identifiant(tmp_path, value)
    line = next(
        n
        for n, text in enumerate(target.read_text("utf-8").splitlines(), 1)
        if "identifiant:" in text
    )
    result = runner.invoke(app, ["apply", "validate", str(target)])
    assert result.exit_code == 1
    assert f"{target}:{line}:14: error[{code}]: " in result.output, result.output
    assert shown in result.output
    exported = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(tmp_path), "--all", "-o", str(exported)])
    assert result.exit_code == 1
    assert f"error[{code}]" in result.stderr
    assert _rows(exported.read_text(encoding="utf-8"))[1] == []


def test_no_application_object_holds_a_hostile_identifiant() -> None:
    for value in ("x\x1b[2J", "../../etc/x", "a/b", ".git", "", "x" * 201):
        with pytest.raises(ValidationError):
            Application.model_validate({"questionnaire": "q@1.0.0", "identifiant": value})


@pytest.mark.parametrize(
    "value",
    [
        "structure-1",
        "lieu-42",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        "Hinaura_1234",
        "fr.mednum:lieu.12",
        "conseiller-numerique-62a46ca2af2829a3f8c2ff6c",
        "a" * 200,
    ],
)
def test_real_national_ids_are_accepted(
    repo: Path, runner: CliRunner, tmp_path: Path, value: str
) -> None:
    target = _with_identifiant(tmp_path, f'"{value}"')
    exported = tmp_path / "lieux.csv"
    result = runner.invoke(app, ["export", "lieux", str(target), "--all", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in _rows(exported.read_text(encoding="utf-8"))[1]] == [value]


def test_the_shared_example_id_is_accepted() -> None:
    (row,) = _rows(EXAMPLE_CSV.read_text(encoding="utf-8"))[1]
    Application.model_validate({"questionnaire": "q@1.0.0", "identifiant": row["id"]})


def test_a_hostile_id_at_import_never_reaches_a_skeleton(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    escape = {**SIMPLE, "id": "x\x1b[2J\x1b]0;PWN\x07=1", "nom": "Echappement"}
    path = {**SIMPLE, "id": "../../etc/x", "nom": "Chemin"}
    source = _csv(tmp_path, escape, path)
    out = tmp_path / "out"
    stderr = _import(runner, source, out, 1)
    # a control character: refused like in any other cell (TXT001), the row skipped
    assert f"{source}:2:1: error[TXT001]: ligne 2, colonne id : " in stderr
    # another shape: the venue is imported without it, and told so
    assert f"{source}:3:1: warning[LIEU003]: ligne 3, colonne id : « ../../etc/x »" in stderr
    assert _identifiants(out) == {"chemin": None}
    text = (out / "chemin.yaml").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text and "identifiant:" not in text


# ── Many venues: compact skeletons ──


def _many(tmp_path: Path, count: int, name: str = "lieux.csv") -> Path:
    return _csv(
        tmp_path,
        *({**GOOD, "id": f"lieu-{n}", "nom": f"Lieu {n}"} for n in range(count)),
        name=name,
    )


def test_many_venues_get_compact_skeletons(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    count = COMMENTED_MAX + 1
    out = tmp_path / "many"
    stderr = _import(runner, _many(tmp_path, count), out, 0)
    assert "Candidatures compactes (plus de 50 lieux)" in stderr
    sizes = [path.stat().st_size for path in out.glob("*.yaml")]
    assert len(sizes) == count
    assert max(sizes) < 6_000  # about 4 KB, where a commented skeleton is about 58 KB
    few = tmp_path / "few"
    stderr = _import(runner, _many(tmp_path, COMMENTED_MAX, "few.csv"), few, 0)
    assert "compactes" not in stderr
    assert min(path.stat().st_size for path in few.glob("*.yaml")) > 40_000


def test_a_compact_skeleton_reads_as_the_commented_one(
    repo: Path, runner: CliRunner, tmp_path: Path
) -> None:
    """The same keys and values, so the same answers and the same errors: only the
    comments differ."""
    _import(runner, _many(tmp_path, COMMENTED_MAX + 1), tmp_path / "compact", 0)
    _import(runner, _many(tmp_path, 1, "one.csv"), tmp_path / "full", 0)
    compact = (tmp_path / "compact" / "lieu-0.yaml").read_text(encoding="utf-8")
    full = (tmp_path / "full" / "lieu-0.yaml").read_text(encoding="utf-8")
    assert "aptic-qualif apply template" in compact
    data = [parse_yaml(text, "x.yaml")[0] for text in (compact, full)]
    assert data[0] is not None and data[1] is not None
    assert data[0].data == data[1].data
    assert "Loisirs et créations numériques:" in compact  # the row's services, still hinted
    context = load_context(REPO)
    from aptic_qualif.application import validate_application

    checked = [
        validate_application(tmp_path / folder / "lieu-0.yaml", context.questionnaire, None)
        for folder in ("compact", "full")
    ]
    assert checked[0][0] is not None and checked[1][0] is not None
    assert checked[0][0].answers == checked[1][0].answers
    codes = [sorted((d.code, d.message) for d in report.diagnostics) for _c, report in checked]
    assert codes[0] == codes[1]


def test_compact_skeletons_keep_the_ids_through_export_and_import(
    repo: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aptic_qualif.network.importer.COMMENTED_MAX", 0)
    exported = tmp_path / "1.csv"
    result = runner.invoke(
        app, ["export", "lieux", str(APPLICATIONS), "--all", "-o", str(exported)]
    )
    assert result.exit_code == 0, result.output
    first = {row["pivot"]: row["id"] for row in _rows(exported.read_text(encoding="utf-8"))[1]}
    stderr = _import(runner, exported, tmp_path / "a", 0)
    assert "compactes" in stderr
    again = tmp_path / "2.csv"
    result = runner.invoke(app, ["export", "lieux", str(tmp_path / "a"), "--all", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert {r["pivot"]: r["id"] for r in _rows(again.read_text(encoding="utf-8"))[1]} == first


def test_the_help_says_when_skeletons_are_compact(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "lieux", "--help"], terminal_width=400)
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    assert f"Jusqu'à {COMMENTED_MAX} lieux" in help_text
    assert "compactes" in help_text


def test_the_example_still_imports_commented(repo: Path, runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "exemple.csv"
    shutil.copy(EXAMPLE_CSV, source)
    _import(runner, source, tmp_path / "out", 0)
    (skeleton,) = (tmp_path / "out").iterdir()
    assert "# Nom du lieu" in skeleton.read_text(encoding="utf-8")
