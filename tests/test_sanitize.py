"""Sinks: hostile text read from files never acts on the terminal (issue 11, section 1).

Each class is tested through the real commands on a copy of the mini project, with
hypothesis generating labels, venue names, answers and comments made of escape sequences,
bidi controls, Rich markup and formula prefixes.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif import sanitize
from aptic_qualif.cli.app import app
from tests.conftest import MINI

CONTROLS = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
BIDI = {chr(c) for c in sanitize.BIDI_CONTROLS}
FORBIDDEN = CONTROLS | BIDI

TOKENS = [
    "\x1b[2J",  # clear the screen
    "\x1b]0;pwned\x07",  # window title
    "\x1b]8;;https://evil.example\x1b\\clic\x1b]8;;\x1b\\",  # hidden hyperlink
    "\x1b[8m",  # hidden text
    "\x9b31m",  # C1 CSI
    "\x85",
    "\x00",
    "\r",
    "\b",
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "[/]",
    "[bold]",
    "[link=https://evil.example]",
    "[/link]",
    "[red]",
    "\\",
    '=HYPERLINK("https://evil.example")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1)",
    "\t",
    "\n",
    "lieu",
    " ",
    "é",
]
hostile = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map("".join)


def leaked(text: str) -> set[str]:
    return {char for char in text if char in FORBIDDEN}


@contextlib.contextmanager
def project() -> Iterator[Path]:
    """A fresh copy of the mini project, the current folder."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "projet"
        shutil.copytree(MINI, root)
        with contextlib.chdir(root):
            yield root


def _set(path: Path, keys: list[str], value: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


SERVICE = Path("referentiel/services/decouvrir/comprendre-internet.yaml")
APPLICATION = Path("applications/complet.yaml")


class Questionary:
    """Stands in for questionary: records every text shown, answers from a script."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.shown: list[str] = []

    def _ask(self, message: str, choices: list[Any] = ()) -> Any:  # type: ignore[assignment]
        self.shown.append(message)
        self.shown.extend(str(getattr(c, "title", c)) for c in choices)
        answer = self.answers.pop(0)
        return SimpleNamespace(unsafe_ask=lambda: answer)

    def select(self, message: str, choices: list[Any], **_kw: Any) -> Any:
        return self._ask(message, choices)

    def checkbox(self, message: str, choices: list[Any], **_kw: Any) -> Any:
        return self._ask(message, choices)

    def text(self, message: str, **_kw: Any) -> Any:
        return self._ask(message)


@contextlib.contextmanager
def sources_let_controls_through() -> Iterator[None]:
    """The readers refuse control characters in texts (TXT001, tests/test_text.py). Each sink
    must hold on its own all the same, for text that reaches it by another way (a file name,
    a future reader): the sink tests turn the readers' check off."""
    from unittest import mock

    with mock.patch("aptic_qualif.text.text_problem", lambda text, multiline=False: None):
        yield


def run_everything(root: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every terminal sink, on a project whose data hold ``text``: the outputs."""
    monkeypatch.setattr("aptic_qualif.text.text_problem", lambda text, multiline=False: None)
    _set(root / SERVICE, ["pref_label", "fr"], f"Cours {text}")
    _set(root / SERVICE, ["definition", "fr"], f"Définition {text}")
    _set(root / APPLICATION, ["lieu", "nom"], f"Espace {text}")
    _set(root / APPLICATION, ["reponses", "pub-aller-vers-detail"], f"Des permanences {text}")
    runner = CliRunner()
    env = {"COLUMNS": "400"}
    outputs = []

    def invoke(*args: str) -> None:
        result = runner.invoke(app, ["--root", str(root), *args], env=env)
        assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), (args, result.exception)
        assert "erreur interne" not in result.output, (args, result.output)
        outputs.append(result.output)

    fake = Questionary([False, 3, f"Commentaire {text}", "qualifier", f"Bilan {text}"])
    with monkeypatch.context() as patch:
        patch.setattr(
            "aptic_qualif.cli.review.sys",
            SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True)),
        )
        for name in ("select", "checkbox", "text"):
            patch.setattr(f"questionary.{name}", getattr(fake, name))
        invoke("review", str(APPLICATION), "--reviewer", "alice", "--reviews-dir", "reviews")
    outputs.extend(fake.shown)
    invoke("catalogue", "list")
    invoke("catalogue", "show", "DEC-01")
    invoke("catalogue", "validate")
    invoke("apply", "validate", "applications")
    invoke("assess", "applications", "--reviews", "reviews", "--format", "table")
    invoke("coverage", "applications", "--all", "--by", "commune", "--format", "table")
    invoke("review", "summary", "reviews", "--applications", "applications")
    invoke("export", "lieux", "applications", "--all", "-o", "lieux.csv")
    return outputs


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile)
def test_no_control_bidi_or_markup_reaches_the_terminal(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with project() as root:
        for output in run_everything(root, text, monkeypatch):
            assert not leaked(output), (text, output)


def test_terminal_golden(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup is printed as written, and each control has a visible stand-in."""
    outputs = run_everything(mini, "[bold]x\x1b[2J\u202eevil [/]", monkeypatch)
    assert "Cours [bold]x␛[2J<U+202E>evil [/]" in "\n".join(outputs)
    assert "Espace [bold]x␛[2J<U+202E>evil [/]" in "\n".join(outputs)
    # The review prompts show the answer, neutralised, before the reviewer scores it.
    assert any("Des permanences [bold]x␛[2J<U+202E>evil [/]" in o for o in outputs)


def test_catalogue_list_with_a_closing_tag(shipped: Path, runner: CliRunner) -> None:
    """A label ending in ``[/]`` (or opening a tag) no longer crashes ``catalogue list``."""
    path = next((shipped / "referentiel" / "services" / "decouvrir").glob("*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["pref_label"]["fr"] = "Cours [/]"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = runner.invoke(app, ["catalogue", "list"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "Cours [/]" in result.output


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[31mb", "a␛[31mb"),
        ("a\nb\tc\rd", "a\nb\tc␍d"),
        ("\x9b\x7f", "<U+009B>␡"),
        ("abc\u202edef\u2066", "abc<U+202E>def<U+2066>"),
    ],
)
def test_terminal_function(raw: str, shown: str) -> None:
    assert sanitize.terminal(raw) == shown
    assert sanitize.terminal("a\nb", single_line=True) == "a␊b"
    assert sanitize.rich_text("[bold]x[/]") == "\\[bold]x\\[/]"


# ── CSV (issue 11, section 2) ───────────────────────────────────────────────────────────

FORMULA_TOKENS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    '=HYPERLINK("https://evil.example")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-1",
    "lieu",
    " ",
    "é",
    "[/]",
    ";",
    ",",
]
formula = st.lists(st.sampled_from(FORMULA_TOKENS), min_size=1, max_size=5).map("".join)


def csv_cells(path: Path) -> list[tuple[str, str]]:
    """Every cell of a CSV file but its header, with its column."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return [
            (column, cell) for record in reader for column, cell in zip(header, record, strict=True)
        ]


def assert_no_formula(path: Path, exempt: frozenset[str] = frozenset()) -> None:
    from aptic_qualif.network.lieux import PATTERNS

    for column, cell in csv_cells(path):
        if not sanitize.is_formula(cell):
            continue
        assert column in exempt, (path.name, column, cell)
        if column in PATTERNS:
            assert PATTERNS[column].fullmatch(cell), (column, cell)
        else:
            float(cell)  # a number (a longitude), never a formula


def run_csv_sinks(root: Path, text: str) -> dict[str, Path]:
    """Every CSV the tool writes, on a project whose data hold ``text``."""
    from tests.test_reviews import _review

    _set(root / SERVICE, ["pref_label", "fr"], text + "Cours")
    _set(root / APPLICATION, ["lieu", "nom"], text + "Espace")
    _set(root / APPLICATION, ["lieu", "adresse"], text + "1 place")
    _set(root / APPLICATION, ["lieu", "commune"], text + "Bourg")
    _review(root, "alice", 3, comment=text + "Bien")
    runner = CliRunner()
    out = root / "sorties"
    paths = {
        "lieux": out / "lieux.csv",
        "assess": out / "assess.csv",
        "coverage": out / "coverage.csv",
        "services": out / "publication" / "services.csv",
    }
    commands = [
        ["export", "lieux", "applications", "--all", "-o", str(paths["lieux"])],
        ["assess", "applications", "--reviews", "reviews", "--format", "csv"],
        ["coverage", "applications", "--all", "--by", "commune", "--format", "csv"],
        ["publish", "all", "-o", str(paths["services"].parent)],
    ]
    out.mkdir()
    for name, args in zip(["lieux", "assess", "coverage", "services"], commands, strict=True):
        if name in ("assess", "coverage"):
            args = [*args, "-o", str(paths[name])]
        result = runner.invoke(app, ["--root", str(root), *args])
        assert result.exit_code in (0, 1), (args, result.output, result.exception)
        assert "erreur interne" not in result.output, result.output
    return {name: path for name, path in paths.items() if path.exists()}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=formula)
def test_no_csv_cell_starts_a_formula(text: str) -> None:
    from aptic_qualif.network.lieux import UNPREFIXED
    from tests.test_lieux import assert_valid_national

    with project() as root, sources_let_controls_through():
        written = run_csv_sinks(root, text)
        for name, path in written.items():
            assert_no_formula(path, UNPREFIXED if name == "lieux" else frozenset())
        if "lieux" in written:
            assert_valid_national(written["lieux"])


def test_csv_golden(mini: Path) -> None:
    """A formula is written quoted; a telephone number keeps its ``+``."""
    _set(mini / APPLICATION, ["lieu", "telephone"], "+33123456789")
    _set(mini / APPLICATION, ["reponses", "contacts_publics"], True)
    written = run_csv_sinks(mini, '=HYPERLINK("https://evil.example")')
    cells = dict(csv_cells(written["lieux"]))
    assert cells["nom"] == '\'=HYPERLINK("https://evil.example")Espace'
    assert cells["adresse"].startswith("'=HYPERLINK(")
    assert cells["telephone"] in ("+33123456789", "")
    assert dict(csv_cells(written["services"]))["pref_label_fr"].startswith("'=") or any(
        cell.startswith("'=HYPERLINK") for _column, cell in csv_cells(written["services"])
    )
    assert any(cell.startswith("'=HYPERLINK") for _c, cell in csv_cells(written["assess"]))
    assert sanitize.csv_cell("-1") == "'-1" and sanitize.csv_cell(-1) == -1
    assert sanitize.csv_cell("@x") == "'@x" and sanitize.csv_cell("a=b") == "a=b"


def test_a_carriage_return_in_data_never_splits_a_csv_row() -> None:
    """Python's csv module, with rows ending in "\\n", leaves a bare "\\r" unquoted."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(sanitize.csv_row(["a\rb", "c\r\nd", "e"]))
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows == [["a\nb", "c\nd", "e"]]


@given(text=st.text(alphabet=st.characters(codec="utf-8")) | hostile, single=st.booleans())
def test_the_terminal_search_gives_what_the_whole_table_gives(text: str, single: bool) -> None:
    """Only a text with a character to replace is translated: the same text either way."""
    table = sanitize._LINE_TABLE if single else sanitize._LAYOUT_TABLE
    assert sanitize.terminal(text, single_line=single) == text.translate(table)
