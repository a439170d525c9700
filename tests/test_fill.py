"""``apply fill``: the interactive flow, its autosave, an interruption and the resume."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.questionnaire.fill import HELP, SKIP, Interrupted, QuestionaryPrompter, fill

DOWN = "\x1b[B"
ENTER = "\r"
CTRL_C = "\x03"


class Scripted:
    """A prompter that answers from a script and records what it was asked."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.said: list[str] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.answers:
            raise AssertionError(f"unexpected question: {message}")
        answer = self.answers.pop(0)
        if answer is Interrupted:
            raise Interrupted
        return answer

    def select(self, message: str, choices: Sequence[tuple[str, Any]]) -> Any:
        answer = self._next(message)
        assert answer in [value for _title, value in choices], (message, answer)
        return answer

    def checkbox(
        self,
        message: str,
        choices: Sequence[tuple[str, Any]],
        validate: Callable[[list[Any]], str | None],
    ) -> list[Any]:
        answer = self._next(message)
        assert validate(answer) is None
        return list(answer)

    def text(self, message: str, validate: Callable[[str], str | None]) -> str:
        answer = self._next(message)
        while validate(answer) is not None:  # a wrong answer is refused as it is typed
            self.said.append(f"refused: {answer}")
            answer = self._next(message)
        return str(answer)

    def say(self, message: str) -> None:
        self.said.append(message)


IDENTITY = [
    "Espace numérique",
    "21010053300012",
    "1 place de la Mairie",
    "01000",
    "Bourg-en-Bresse",
    "01053",
    "",  # courriel
    "",  # horaires
    "",  # presentation_resume
    "fixe",
]


@pytest.fixture
def context(mini: Path) -> Context:
    return load_context(mini)


def test_a_whole_session(context: Context, mini: Path) -> None:
    path = mini / "nouvelle.yaml"
    prompter = Scripted(
        [
            *IDENTITY,
            "deux",
            "2",  # refused, then accepted
            "fibre",
            ["comprendre-internet"],
            HELP,
            True,  # help on demand, then yes
            "sans-objet",
            ["seniors"],
            False,  # pub-aller-vers: the detail is then not asked
            "12,5",
            "",
            "",
        ]
    )
    progress = fill(path, context.questionnaire, context.catalogue, prompter)
    assert progress.finished and prompter.answers == []
    assert "La charte du réseau." in prompter.said
    assert "refused: deux" in prompter.said
    assert not any("Comment allez-vous" in question for question in prompter.asked)
    assert any(said.startswith("[2/3] Aptitudes — question 1/5") for said in prompter.said)
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert report.diagnostics == [], report.render_text()
    assert checked is not None
    assert checked.answers["pub-personnes-par-mois"] == 12.5
    assert checked.answers["code_postal"] == "01000"
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


def test_fill_refuses_hours_the_national_schema_would_refuse(context: Context, mini: Path) -> None:
    """Opening hours are checked as they are typed, with the hint and its example."""
    path = mini / "nouvelle.yaml"
    identity = [*IDENTITY]
    identity[7] = "lundi 9h-12h"
    identity.insert(8, "Mo-Fr 09:00-12:00")
    prompter = Scripted([*identity, "3", Interrupted])
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, prompter)
    assert "refused: lundi 9h-12h" in prompter.said
    saved = path.read_text(encoding="utf-8")
    assert "Mo-Fr 09:00-12:00" in saved and "lundi" not in saved


def test_interrupt_and_resume(context: Context, mini: Path) -> None:
    path = mini / "nouvelle.yaml"
    first = Scripted([*IDENTITY, "3", Interrupted])
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, first)
    saved = path.read_text(encoding="utf-8")
    assert "apt-mediateurs: 3" in saved and "apt-connexion" not in saved
    # The next run starts at the question that was being answered.
    second = Scripted(["fibre", ["comprendre-internet"], True, SKIP, [], SKIP, "", "", ""])
    fill(path, context.questionnaire, context.catalogue, second)
    assert second.asked[0].startswith("Connexion internet")
    _checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert report.ok, report.render_text()


def test_never_overwrites_another_file(context: Context, mini: Path) -> None:
    path = mini / "notes.yaml"
    path.write_text("courses: [pain, lait]\n", encoding="utf-8")
    with pytest.raises(CommandError):
        fill(path, context.questionnaire, context.catalogue, Scripted([]))
    assert path.read_text(encoding="utf-8") == "courses: [pain, lait]\n"


@pytest.fixture
def keys() -> Iterator[Any]:
    with create_pipe_input() as pipe:
        yield pipe


def test_end_to_end_with_arrow_keys(context: Context, mini: Path, keys: Any) -> None:
    """Real questionary prompts, fed keystrokes through a pipe, with an interruption."""
    path = mini / "clavier.yaml"
    prompter = QuestionaryPrompter(input=keys, output=DummyOutput())
    typed = [f"{text}{ENTER}" for text in IDENTITY[:9]]
    keys.send_text("".join(typed))
    keys.send_text(DOWN + ENTER)  # itinerance: the second choice
    keys.send_text("4" + ENTER)  # apt-mediateurs
    keys.send_text(CTRL_C)  # stop at apt-connexion
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, prompter)
    saved = path.read_text(encoding="utf-8")
    assert "itinerance: itinerant" in saved and "apt-mediateurs: 4" in saved

    keys.send_text(DOWN + ENTER)  # apt-connexion: fibre
    keys.send_text(" " + DOWN + " " + ENTER)  # apt-services: the first two services
    keys.send_text(ENTER)  # apt-charte: yes
    keys.send_text(ENTER)  # apt-accessibilite: yes
    keys.send_text(DOWN + DOWN + " " + ENTER)  # pub-publics: familles
    keys.send_text(DOWN + DOWN + ENTER)  # pub-aller-vers: leave unanswered
    keys.send_text(ENTER * 3)  # three optional texts left empty
    fill(path, context.questionnaire, context.catalogue, prompter)
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert report.ok, report.render_text()
    assert checked is not None
    assert checked.answers["apt-connexion"] == "fibre"
    # The cursor skips the level separator: the second service is the first of maîtriser.
    assert checked.answers["apt-services"] == [
        "comprendre-internet",
        "creer-une-adresse-electronique",
    ]
    assert checked.answers["pub-publics"] == ["familles"]
    assert "pub-aller-vers" not in checked.answers


def test_refuses_without_a_terminal(mini: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["apply", "fill", "x.yaml"], input="")
    assert result.exit_code == 2
    assert "apply template" in result.output
    assert not (mini / "x.yaml").exists()
