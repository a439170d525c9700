"""Every batch command on a folder holding one poisoned entry among valid files.

The poisoned entry is, in turn: bad YAML, YAML nested too deep, a named pipe, a symbolic
link to a valid file outside the folder, a file that is not UTF-8, a folder named
``*.yaml``, an empty file, a file over the size limit, a broken link and a link to
itself. Each command must report that entry with a located error naming it, still process
the valid files (their output is there), and exit 1 (bad input) — never hang, never stop
at the first bad file, never show an internal error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.review.workflow import review_application
from tests.conftest import FIXTURES
from tests.test_fill import Scripted

APPLICATION = "applications/complet.yaml"
SECOND = "applications/second.yaml"

POISONS = [
    "bad-yaml",
    "too-deep",
    "fifo",
    "symlink-outside",
    "not-utf8",
    "folder",
    "empty",
    "too-large",
    "broken-link",
    "link-loop",
]


def poison(path: Path, kind: str, valid: bytes) -> None:
    """Put a poisoned entry of ``kind`` at ``path``; ``valid`` is what a valid file of that
    place holds (the symbolic link points to a copy of it outside the project)."""
    if kind == "bad-yaml":
        path.write_text("questionnaire: [pas fermé\nlieu: {\n", encoding="utf-8")
    elif kind == "too-deep":
        path.write_text("lieu: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink-outside":
        outside = path.parents[3] / "ailleurs" / path.name
        outside.parent.mkdir(parents=True, exist_ok=True)
        outside.write_bytes(valid)
        path.symlink_to(outside)
    elif kind == "not-utf8":
        path.write_bytes(valid.replace("é".encode(), b"\xe9", 1))
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "too-large":
        path.write_bytes(valid + b"#" * (3 * 1024 * 1024) + b"\n")
    elif kind == "broken-link":
        path.symlink_to(path.parent / "nowhere.yaml")
    elif kind == "link-loop":
        path.symlink_to(path.name)
    else:  # pragma: no cover
        raise AssertionError(kind)


def located(name: str, output: str) -> bool:
    """Whether ``output`` holds an error located in the file ``name`` (its line and column
    when the file could be read, the file alone when it could not)."""
    pattern = rf"(^|\s|/){re.escape(name)}(:\d+:\d+)?: error\[[A-Z]+\d{{3}}\]"
    if re.search(pattern, output, re.MULTILINE):
        return True
    # A JSON report: a diagnostic whose file is ``name``.
    return f'"file": "{name}"' in output


@pytest.fixture
def project(mini: Path) -> Path:
    """The mini project with two valid applications, each reviewed twice."""
    text = (mini / APPLICATION).read_text(encoding="utf-8")
    (mini / SECOND).write_text(
        text.replace("Espace numérique de Bourg", "Tiers-lieu du Revermont").replace(
            "21010053400010", "21010053400028"
        ),
        encoding="utf-8",
    )
    context = load_context(mini, need_policy=True)
    for name in (APPLICATION, SECOND):
        checked, _report = validate_application(
            mini / name, context.questionnaire, context.catalogue
        )
        assert checked is not None and _report.ok, _report.render_text()
        for reviewer, score in (("alice", 3), ("bruno", 2)):
            review_application(
                checked,
                context.questionnaire,
                reviewer,
                Scripted([False, score, "Des actions régulières.", "qualifier", "Solide."]),
                mini / "reviews",
                today=date(2026, 11, 20),
            )
    return mini


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args))


# --- Applications folders: assess, apply validate, export lieux, coverage ---------------

BATCH: dict[str, tuple[list[str], Callable[[Result, Path], bool]]] = {
    "assess json": (
        ["assess", "applications", "-f", "json"],
        lambda r, _root: (
            {a["application"] for a in json.loads(r.stdout)["assessments"]} == {"complet", "second"}
        ),
    ),
    "assess csv": (
        ["assess", "applications", "-f", "csv"],
        lambda r, _root: "Tiers-lieu du Revermont" in r.stdout and "Bourg" in r.stdout,
    ),
    "assess markdown": (
        ["assess", "applications", "-f", "markdown"],
        lambda r, _root: "Tiers-lieu du Revermont" in r.stdout and "Bourg" in r.stdout,
    ),
    "assess table": (
        ["assess", "applications", "-f", "table"],
        lambda r, _root: "Revermont" in r.stdout and "Bourg" in r.stdout,
    ),
    "assess html": (
        ["assess", "applications", "-f", "html", "-o", "out/report.html"],
        lambda _r, root: (
            "Tiers-lieu du Revermont" in (root / "out/report.html").read_text(encoding="utf-8")
        ),
    ),
    "assess with reviews": (
        ["assess", "applications", "--reviews", "reviews", "-f", "json"],
        lambda r, _root: len(json.loads(r.stdout)["assessments"]) == 2,
    ),
    "apply validate": (
        ["apply", "validate", "applications"],
        lambda r, _root: "2 candidature(s) valide(s) sur 3" in r.stdout,
    ),
    "apply validate files": (
        ["apply", "validate", APPLICATION, "applications/poison.yaml", SECOND],
        lambda r, _root: "2 candidature(s) valide(s) sur 3" in r.stdout,
    ),
    "export lieux": (
        ["export", "lieux", "applications", "--all", "-o", "out/lieux.csv"],
        lambda _r, root: (
            "Tiers-lieu du Revermont" in (root / "out/lieux.csv").read_text(encoding="utf-8")
        ),
    ),
    "coverage": (
        ["coverage", "applications", "--all", "-f", "json"],
        lambda r, _root: json.loads(r.stdout)["coverage"]["totals"]["venues"] == 2,
    ),
}


@pytest.mark.parametrize("kind", POISONS)
@pytest.mark.parametrize("command", sorted(BATCH))
def test_applications_folder_with_one_poisoned_file(
    project: Path, runner: CliRunner, command: str, kind: str
) -> None:
    poison(project / "applications/poison.yaml", kind, (project / APPLICATION).read_bytes())
    args, processed = BATCH[command]
    result = invoke(runner, *args)
    if kind == "symlink-outside" and "applications/poison.yaml" in args:
        # A file the user names is read wherever its link leads: only what a folder holds
        # is kept inside that folder.
        assert result.exit_code == 0, result.output
        assert "3 candidature(s) valide(s) sur 3" in result.stdout
        return
    if kind == "folder" and "applications/poison.yaml" in args:
        # A folder the user names is searched, whatever its name (here: empty).
        assert result.exit_code == 0, result.output
        assert "2 candidature(s) valide(s) sur 2" in result.stdout
        return
    assert result.exit_code == 1, result.output
    assert located("applications/poison.yaml", result.stderr + result.stdout), result.output
    assert processed(result, project), result.output


# --- Reviews folders: review summary, assess --reviews ----------------------------------


@pytest.mark.parametrize("kind", POISONS)
@pytest.mark.parametrize(
    "args",
    [
        ["review", "summary", "reviews", "--applications", "applications", "-f", "json"],
        ["assess", "applications", "--reviews", "reviews", "-f", "json"],
        ["export", "lieux", "applications", "--reviews", "reviews", "-o", "out/lieux.csv"],
    ],
    ids=["review summary", "assess", "export lieux"],
)
def test_reviews_folder_with_one_poisoned_review(
    project: Path, runner: CliRunner, args: list[str], kind: str
) -> None:
    valid = (project / "reviews/second/bruno.yaml").read_bytes()
    (project / "reviews/second/bruno.yaml").unlink()
    poison(project / "reviews/second/bruno.yaml", kind, valid)
    result = invoke(runner, *args)
    assert result.exit_code == 1, result.output
    assert located("reviews/second/bruno.yaml", result.stderr + result.stdout), result.output
    if args[0] == "review":
        summary = json.loads(result.stdout)
        assert {a["application"] for a in summary["applications"]} == {"complet", "second"}
    elif args[0] == "assess":
        assert len(json.loads(result.stdout)["assessments"]) == 2
    else:
        assert "Tiers-lieu du Revermont" in (project / "out/lieux.csv").read_text("utf-8")


# --- The référentiel: catalogue validate, publish ---------------------------------------

SERVICE = "referentiel/services/decouvrir/comprendre-internet.yaml"


@pytest.mark.parametrize("kind", POISONS)
@pytest.mark.parametrize(
    "args",
    [
        ["catalogue", "validate"],
        ["catalogue", "validate", "-f", "json"],
        ["publish", "all", "-o", "out/publication"],
        ["publish", "jsonld", "-o", "out/referentiel.jsonld"],
    ],
    ids=["validate", "validate json", "publish all", "publish jsonld"],
)
def test_referentiel_with_one_poisoned_service(
    project: Path, runner: CliRunner, args: list[str], kind: str
) -> None:
    valid = (project / SERVICE).read_bytes()
    (project / SERVICE).unlink()
    poison(project / SERVICE, kind, valid)
    result = invoke(runner, *args)
    output = result.stderr + result.stdout
    if args[0] == "catalogue":
        # Every file is checked: the poisoned one is reported with the others' problems.
        assert result.exit_code == 1, result.output
        assert located(SERVICE, output), result.output
    else:
        # Nothing is published from a référentiel with a hole in it.
        assert result.exit_code in {1, 2}, result.output
        assert located(SERVICE, output) or "catalogue validate" in output, result.output
        assert not (project / args[-1]).exists()


# --- The CSV of import lieux ------------------------------------------------------------


def _csv(project: Path, runner: CliRunner) -> str:
    result = invoke(runner, "export", "lieux", "applications", "--all", "-o", "lieux.csv")
    assert result.exit_code == 0, result.output
    return (project / "lieux.csv").read_text(encoding="utf-8")


def test_import_lieux_with_one_poisoned_row(project: Path, runner: CliRunner) -> None:
    header, first, second = _csv(project, runner).splitlines()
    cells = first.split(",")
    cells[1] = ""  # no name: the row is refused
    (project / "lieux.csv").write_text(
        "\n".join([header, ",".join(cells), second]) + "\n", encoding="utf-8"
    )
    result = invoke(runner, "import", "lieux", "lieux.csv", "-o", "importes")
    assert result.exit_code == 1, result.output
    assert located("lieux.csv", result.stderr + result.stdout), result.output
    written = sorted(p.name for p in (project / "importes").iterdir())
    assert len(written) == 1, written


@pytest.mark.parametrize("kind", [k for k in POISONS if k != "symlink-outside"])
def test_import_lieux_of_a_poisoned_file(project: Path, runner: CliRunner, kind: str) -> None:
    valid = _csv(project, runner).encode("utf-8")
    (project / "lieux.csv").unlink()
    (project / "donnees").mkdir()
    csv_path = project / "donnees" / "lieux.csv"  # named by the user: a link to it is followed
    if kind == "bad-yaml":
        csv_path.write_text('"nom,"adresse\n"pas fermé', encoding="utf-8")
    elif kind == "too-deep":
        csv_path.write_text("x," * 2_000 + "\n", encoding="utf-8")
    else:
        poison(csv_path, kind, valid)
    result = invoke(runner, "import", "lieux", "donnees/lieux.csv", "-o", "importes")
    assert result.exit_code == 1, result.output
    assert located("donnees/lieux.csv", result.stderr + result.stdout), result.output


# --- policy test: one poisoned reference case among valid ones ---------------------------


@pytest.mark.parametrize("kind", POISONS)
def test_policy_test_with_one_poisoned_case(project: Path, runner: CliRunner, kind: str) -> None:
    cases = project / "questionnaire" / "cases"
    shutil.copytree(FIXTURES / "cases-mini" / "valid", cases)
    target = cases / "complet-qualifie" / "candidature.yaml"
    valid = target.read_bytes()
    target.unlink()
    poison(target, kind, valid)
    result = invoke(runner, "policy", "test", "-f", "json")
    assert result.exit_code == 1, result.output
    assert located("questionnaire/cases/complet-qualifie/candidature.yaml", result.output), (
        result.output
    )
    assert "charte-refusee" in result.stdout and "complet-en-attente" in result.stdout


# --- The questionnaire: a poisoned theme, a poisoned policy -----------------------------


@pytest.mark.parametrize("kind", POISONS)
@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("questionnaire/themes/publics.yaml", ["questionnaire", "validate", "-f", "json"]),
        ("questionnaire/policy.yaml", ["questionnaire", "validate"]),
        ("questionnaire/policy.yaml", ["policy", "check"]),
        ("questionnaire/policy.yaml", ["assess", "applications"]),
    ],
    ids=["theme", "policy", "policy check", "assess"],
)
def test_questionnaire_with_one_poisoned_file(
    project: Path, runner: CliRunner, target: str, args: list[str], kind: str
) -> None:
    valid = (project / target).read_bytes()
    (project / target).unlink()
    poison(project / target, kind, valid)
    result = invoke(runner, *args)
    output = result.stderr + result.stdout
    if args[0] == "questionnaire":
        assert result.exit_code == 1, result.output
        assert located(target, output), result.output
    else:
        # A command that needs the policy does not run without a valid one, and says why
        # or which command tells.
        assert result.exit_code in {1, 2}, result.output
        assert target in output or "questionnaire validate" in output, result.output
