"""The terminal: long texts wrapped at any width and never cut; the framework's own texts
(usage, help, errors) in the language in use."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.cli.framework import translate_error
from aptic_qualif.i18n import set_language
from aptic_qualif.questionnaire.fill import QuestionaryPrompter, wrap
from tests.test_reviews import LONG_STEP

STEP = f"  3 — {LONG_STEP} : voir « le guide » ; https://example.org/{'x' * 90}"


@pytest.mark.parametrize("width", [20, 33, 40, 57, 80, 100, 120, 200])
def test_a_rubric_step_is_wrapped_never_cut(width: int) -> None:
    lines = wrap(STEP, width).split("\n")
    assert " ".join(" ".join(lines).split()) == " ".join(STEP.split())  # every word, in order
    for line in lines:
        assert len(line) <= width or " " not in line.strip()  # only a word too long overflows
        assert not line.lstrip().startswith((":", ";", "»"))  # marks stay with their word
    if len(lines) > 1:
        assert lines[0].startswith("  3 — ")
        assert all(line.startswith("      ") for line in lines[1:])  # under the text


@given(
    st.lists(st.text(alphabet="abcdé:;«» -", min_size=1, max_size=15), max_size=40),
    st.integers(10, 150),
)
def test_wrapping_keeps_every_word(words: list[str], width: int) -> None:
    text = " ".join(words)
    wrapped = wrap(text, width)
    assert wrapped.split() == text.split()


def test_said_at_the_terminal_width(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    QuestionaryPrompter().say("Grille :\n" + STEP)
    err = capsys.readouterr().err
    assert " ".join(err.split()) == " ".join(("Grille :\n" + STEP).split())
    assert all(len(line) <= 50 or " " not in line.strip() for line in err.splitlines())


# -- typer's and click's own texts ------------------------------------------------------

NBSP = "\u00a0"


def _flat(text: str) -> str:
    """Output as one line of words (rich wraps and boxes it)."""
    return " ".join(text.replace("│", " ").replace(NBSP, " ").split())


def test_framework_errors_in_french(runner: CliRunner) -> None:
    result = runner.invoke(app, ["nonexist"])
    assert result.exit_code == 2
    out = _flat(result.output)
    assert "Utilisation : aptic-qualif [OPTIONS] COMMANDE [ARGUMENTS]..." in out
    assert "Pour de l'aide : aptic-qualif -h" in out
    assert "Erreur" in out and "commande inconnue : « nonexist »." in out
    for english in ("Usage", "Try ", "No such command", "Error", "for help"):
        assert english not in out
    out = _flat(runner.invoke(app, ["revew"]).output)
    # click suggests every close command (« review », « serve »…): the sentence, not the list
    assert "commande inconnue : « revew ». Vouliez-vous dire « review »" in out
    result = runner.invoke(app, ["assess"])
    assert result.exit_code == 2
    assert "argument manquant : « FICHIER_OU_DOSSIER... »." in _flat(result.output)
    out = _flat(runner.invoke(app, ["assess", "x.yaml", "--fail-on", "bogus"]).output)
    assert "valeur invalide pour « --fail-on » : « bogus » ne fait pas partie" in out
    out = _flat(runner.invoke(app, ["--bogus"]).output)
    assert "option inconnue : --bogus" in out


def test_framework_help_in_french(runner: CliRunner) -> None:
    result = runner.invoke(app, ["review", "--help"])
    assert result.exit_code == 0
    out = _flat(result.output)
    assert "Utilisation : aptic-qualif review [OPTIONS]" in out
    assert "Affiche cette aide et s'arrête." in out
    assert "[par défaut : reviews]" in out and "[obligatoire]" in out
    assert "Commandes" in _flat(runner.invoke(app, ["--help"]).output)
    for english in ("Usage:", "Show this message", "[default:", "[required]"):
        assert english not in out


def test_framework_texts_in_english_with_lang_en(runner: CliRunner) -> None:
    out = _flat(runner.invoke(app, ["--lang", "en", "nonexist"]).output)
    assert "Usage: aptic-qualif [OPTIONS] COMMAND [ARGS]..." in out
    assert "No such command 'nonexist'." in out and "Try 'aptic-qualif -h' for help." in out
    out = _flat(runner.invoke(app, ["--lang", "en", "assess"]).output)
    assert "Missing argument 'FILE_OR_FOLDER...'." in out
    out = _flat(runner.invoke(app, ["--lang", "en", "review", "--help"]).output)
    assert "Show this message and exit." in out and "[default: reviews]" in out
    # And back to French: nothing stays in the language of the previous run.
    out = _flat(runner.invoke(app, ["--lang", "fr", "nonexist"]).output)
    assert "commande inconnue" in out


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Missing option '--reviewer'.", "option manquante : « --reviewer »."),
        ("Missing command.", "commande manquante."),
        ("No such option: --x (Possible options: --a, --b)", "options possibles : --a, --b"),
        ("Got unexpected extra argument(s) (a b)", "argument(s) en trop : a b"),
        ("Option '--root' requires an argument.", "l'option « --root » demande une valeur."),
        ("Option '--x' requires 2 arguments.", "l'option « --x » demande 2 valeurs."),
        ("Option '--force' does not take a value.", "l'option « --force » ne prend pas de valeur."),
        ("Invalid value for '--root': file 'x' does not exist.", "le fichier « x » n'existe pas."),
        (
            "Invalid value: path 'x' is a directory.",
            "valeur invalide : le chemin « x » est un dossier.",
        ),
        (
            "Invalid value for '-o': dir 'y' is not writable.",
            "le dossier « y » ne peut pas être écrit.",
        ),
        ("Value 'x' is not a valid int.", "la valeur « x » n'est pas un int valide."),
        (
            "Invalid value for '--jobs' / '-j': Input should be greater than or equal to 0",
            "valeur invalide pour « --jobs » / « -j » : la valeur doit être supérieure ou égale "
            "à 0",
        ),
        ("Input should be less than or equal to 100", "la valeur doit être inférieure ou égale"),
        ("Input should be greater than 1", "la valeur doit être supérieure à 1"),
        ("Input should be less than 5", "la valeur doit être inférieure à 5"),
        (
            "Input should be a valid integer, unable to parse string as an integer",
            "la valeur doit être un nombre entier",
        ),
        (
            "Input should be a valid number, unable to parse string as a number",
            "la valeur doit être un nombre",
        ),
    ],
)
def test_every_template_of_click_and_typer(english: str, french: str) -> None:
    assert french in translate_error(english).replace(NBSP, " ")


def test_an_unknown_error_text_is_left_as_it_is() -> None:
    assert translate_error("Something new.") == "Something new."
    set_language("en")
    assert translate_error("Missing command.") == "Missing command."


@pytest.mark.parametrize("width", [80, 100, 140])
def test_the_assessment_table_names_every_venue_at_any_width(width: int) -> None:
    """At 80 columns (what ``make demo`` prints) the names had no room left; they are
    whole at every width, the themes counted when the terminal is narrow."""
    from rich.console import Console

    from aptic_qualif.context import load_context
    from aptic_qualif.scoring import render
    from aptic_qualif.scoring.assess import assess_files
    from tests.conftest import REPO

    context = load_context(REPO, need_policy=True)
    files = sorted((REPO / "examples" / "applications").glob("*.yaml"))
    assessments = assess_files(files, context).assessments
    console = Console(width=width, record=True, color_system=None)
    console.print(render.render_table([render.table_row(a) for a in assessments], width=width))
    table = console.export_text()
    for assessment in assessments:  # the start of each name, on its row of the table
        assert assessment.venue[:16] in table, (assessment.venue, table)
    console.print(render.render_details(assessments, themes=width < render.NARROW))
    for line in console.export_text().splitlines():
        assert len(line) <= width


@pytest.mark.parametrize(
    ("lang", "expected"), [("fr", ("<chemin…>", "<texte>")), ("en", ("<path…>", "<text>"))]
)
def test_help_names_types_in_the_language_in_use(
    runner: CliRunner, lang: str, expected: tuple[str, str]
) -> None:
    """typer showed <str>, <bool>, <list[Path]> in the French help."""
    shown = ""
    for command in (["apply", "validate", "--help"], ["review", "--help"]):
        result = runner.invoke(app, ["--lang", lang, *command], env={"COLUMNS": "120"})
        assert result.exit_code == 0, result.output
        shown += result.output
    for english in ("<str>", "<bool>", "<list[Path]>", "<Path>", "<int>"):
        assert english not in shown
    for word in expected:
        assert word in shown, shown


def _command_paths() -> list[list[str]]:
    from typer._click.core import Context
    from typer.main import get_command

    paths: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "list_commands"):
            ctx = Context(command)  # type: ignore[arg-type]
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])

    walk(get_command(app), [])
    return paths


ENGLISH_NAMES = re.compile(
    r"<(str|bool|int|float|Path|path|list\[\w+\])>|<\w+ range>|FILE_OR|FOLDER|\bFILE\b|YYYY"
    r"|\bpaths\b"
    r"|\bdirectory\b|\bAPPLICATION\b|\[(folder|old|new|path)\]"
)


def test_no_english_name_of_a_value_in_any_french_help(runner: CliRunner) -> None:
    """French help showed <str>, <bool>, {FILE_OR_DIR...}, YYYY-MM-DD and argument names."""
    for path in _command_paths():
        result = runner.invoke(app, ["--lang", "fr", *path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        found = ENGLISH_NAMES.search(result.output)
        assert found is None, (path, found.group(), result.output)
    shown = runner.invoke(app, ["--lang", "fr", "export", "lieux", "--help"]).output
    assert "AAAA-MM-JJ" in shown
    shown = runner.invoke(app, ["--lang", "fr", "assess", "--help"], env={"COLUMNS": "200"})
    assert "{FICHIER_OU_DOSSIER}..." in shown.output
    assert "...}..." not in shown.output
    english = runner.invoke(app, ["--lang", "en", "assess", "--help"], env={"COLUMNS": "200"})
    assert "{FILE_OR_FOLDER}..." in english.output


def test_the_template_says_its_conditions_in_french(runner: CliRunner) -> None:
    """The skeleton's comments said « seulement si inn-presenter equals True »."""
    french = runner.invoke(app, ["--lang", "fr", "apply", "template"]).stdout
    lines = [line for line in french.splitlines() if "seulement si" in line]
    assert lines, french
    for line in lines:
        for english in (" equals ", " contains ", "True", "False", "greater_than", " exists"):
            assert english not in line, line
    assert "# seulement si la réponse à inn-presenter est « oui »" in french.replace("\u00a0", " ")
    assert "seulement si la réponse à itinerance est « itinerant »" in french.replace("\u00a0", " ")
    english = runner.invoke(app, ["--lang", "en", "apply", "template"]).stdout
    assert "# only if the answer to inn-presenter is “yes”" in english


def test_serve_says_in_french_that_its_port_is_taken(runner: CliRunner, tmp_path: Path) -> None:
    """uvicorn's English « address already in use » came after « Ouvrez cette adresse… »."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(
            app,
            ["--lang", "fr", "serve", "--port", str(port), "--applications", str(tmp_path)],
        )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"erreur : le port {port} est déjà utilisé par un autre programme sur 127.0.0.1" in said
    assert "--port" in said
    assert "Ouvrez cette adresse" not in said
    assert "address already in use" not in said.lower() and "Errno" not in said


def test_listen_problem_is_none_for_a_free_port() -> None:
    from aptic_qualif.web.serving import listen_problem

    with socket_free_port() as port:
        assert listen_problem("127.0.0.1", port) is None
    assert listen_problem("192.0.2.1", 8000) is not None  # TEST-NET-1: not this machine


@contextlib.contextmanager
def socket_free_port() -> Iterator[int]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    yield port
