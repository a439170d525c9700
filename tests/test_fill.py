"""``apply fill``: the interactive flow, its autosave, an interruption and the resume."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from aptic_qualif import editing
from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.questionnaire.fill import (
    BACK,
    DONE,
    HELP,
    SKIP,
    Interrupted,
    QuestionaryPrompter,
    fill,
)

DOWN = "\x1b[B"
ENTER = "\r"
CTRL_C = "\x03"


class Scripted:
    """A prompter that answers from a script and records what it was asked."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.said: list[str] = []
        self.multiline: list[str] = []
        """The questions asked for a long answer (several lines)."""
        self.defaults: list[Any] = []
        """The answer each question started from (to change an answer)."""
        self.choices: list[list[tuple[str, Any]]] = []
        """The entries of each menu."""

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        if not self.answers:
            raise AssertionError(f"unexpected question: {message}")
        answer = self.answers.pop(0)
        if answer is Interrupted:
            raise Interrupted
        return answer

    def select(
        self, message: str, choices: Sequence[tuple[str, Any]], *, default: Any = None
    ) -> Any:
        self.defaults.append(default)
        self.choices.append(list(choices))
        answer = self._next(message)
        assert answer in [value for _title, value in choices], (message, answer)
        return answer

    def checkbox(
        self,
        message: str,
        choices: Sequence[tuple[str, Any]],
        validate: Callable[[list[Any]], str | None],
        *,
        default: Sequence[Any] = (),
    ) -> list[Any]:
        self.defaults.append(list(default))
        answer = self._next(message)
        assert validate(answer) is None
        return list(answer)

    def text(
        self,
        message: str,
        validate: Callable[[str], str | None],
        *,
        multiline: bool = False,
        default: str = "",
    ) -> str:
        self.defaults.append(default)
        if multiline:
            self.multiline.append(message)
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
            DONE,  # the recap: my answers are right
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
    second = Scripted(["fibre", ["comprendre-internet"], True, SKIP, [], SKIP, "", "", "", DONE])
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
    keys.send_text(ENTER)  # the recap: finish
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


def _whole(path: Path, context: Context, *, aller_vers: bool = False) -> None:
    """A complete application in ``path``, finished without a change."""
    answers: list[Any] = [*IDENTITY, "2", "fibre", ["comprendre-internet"], True, "sans-objet"]
    answers += [["seniors"], aller_vers]
    if aller_vers:
        answers.append("Des permanences au marché.")
    answers += ["12", "", "", DONE]
    prompter = Scripted(answers)
    fill(path, context.questionnaire, context.catalogue, prompter)
    assert prompter.answers == []


def test_the_recap_changes_any_answer(context: Context, mini: Path) -> None:
    path = mini / "nouvelle.yaml"
    _whole(path, context)
    # Run again on a complete application: straight to the recap. Say yes to « aller
    # vers »: the question it enables is asked at once, as a long answer.
    prompter = Scripted(
        ["publics", "pub-aller-vers", True, "Au marché,\nle mardi.", "aptitudes", BACK, DONE]
    )
    progress = fill(path, context.questionnaire, context.catalogue, prompter)
    assert prompter.answers == [] and progress.changed == 1 and progress.asked == 1
    assert prompter.defaults[2] is False  # the question starts from the answer given
    assert prompter.multiline == [prompter.asked[3]]
    themes = [title for title, _value in prompter.choices[0]]
    assert themes[0] == "Terminer : mes réponses sont justes"
    assert "Publics (réponses : 3 sur 5)" in themes
    assert ("Allez-vous vers les publics ? — non", "pub-aller-vers") in prompter.choices[1]
    assert ("Personnes accompagnées par mois — 12", "pub-personnes-par-mois") in prompter.choices[1]
    assert any("Seniors" in said for said in prompter.said)  # the answers are shown
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert report.ok, report.render_text()
    assert checked is not None
    assert checked.answers["pub-aller-vers-detail"] == "Au marché,\nle mardi."
    # Back to « no »: the detail no longer applies and its answer is removed, so that the
    # application stays valid.
    prompter = Scripted(["publics", "pub-aller-vers", False, DONE])
    fill(path, context.questionnaire, context.catalogue, prompter)
    assert any("ne s'appliquent plus" in said for said in prompter.said)
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert report.ok, report.render_text()
    assert checked is not None and "pub-aller-vers-detail" not in checked.answers


def test_a_text_answer_is_changed_from_what_it_was(context: Context, mini: Path) -> None:
    path = mini / "nouvelle.yaml"
    _whole(path, context, aller_vers=True)
    prompter = Scripted(["publics", "pub-aller-vers-detail", "Au marché, chaque mardi.", DONE])
    fill(path, context.questionnaire, context.catalogue, prompter)
    assert "Des permanences au marché." in prompter.defaults
    assert "chaque mardi" in path.read_text(encoding="utf-8")


def test_long_answers_only_where_a_theme_asks_for_text(context: Context, mini: Path) -> None:
    path = mini / "nouvelle.yaml"
    prompter = Scripted([])
    prompter.answers = [*IDENTITY, "2", "fibre", ["comprendre-internet"], True, "sans-objet"]
    prompter.answers += [["seniors"], True, "Une ligne.\nUne autre.", "12", "", "", DONE]
    fill(path, context.questionnaire, context.catalogue, prompter)
    (long,) = prompter.multiline
    assert long.startswith("Comment allez-vous vers les publics")
    assert "laissez vide pour passer" in long or "? pour l'aide" in long
    assert "pub-aller-vers-detail: |-" in path.read_text(encoding="utf-8")


def _prompt_output() -> tuple[Any, Any]:
    import io

    from prompt_toolkit.output.plain_text import PlainTextOutput

    buffer = io.StringIO()
    return buffer, PlainTextOutput(buffer)


def test_the_keys_are_said_in_french(keys: Any, capsys: pytest.CaptureFixture[str]) -> None:
    buffer, output = _prompt_output()
    prompter = QuestionaryPrompter(input=keys, output=output)
    keys.send_text(DOWN + ENTER)
    assert prompter.select("Connexion ?", [("Fibre", "fibre"), ("ADSL", "adsl")]) == "adsl"
    keys.send_text(" " + DOWN + " " + ENTER)
    chosen = prompter.checkbox(
        "Publics ?", [("Seniors", "seniors"), ("Jeunes", "jeunes")], lambda _values: None
    )
    assert chosen == ["seniors", "jeunes"]
    keys.send_text("Une ligne." + ENTER + "Une autre." + "\x1b" + ENTER)
    typed = prompter.text("Décrivez", lambda _typed: None, multiline=True)
    assert typed == "Une ligne.\nUne autre."
    shown = buffer.getvalue()
    assert "flèches pour se déplacer, Entrée pour choisir" in shown
    assert "Espace pour cocher ou décocher" in shown
    assert "Échap puis Entrée" in shown
    for english in ("Use arrow keys", "to select", "selections", "Finish with"):
        assert english not in shown
    assert "? Publics ? Seniors, Jeunes" in capsys.readouterr().err


def test_a_text_starts_from_the_answer_given(keys: Any) -> None:
    _buffer, output = _prompt_output()
    prompter = QuestionaryPrompter(input=keys, output=output)
    keys.send_text(" et le jeudi" + ENTER)
    assert prompter.text("Quand ?", lambda _t: None, default="Le mardi") == "Le mardi et le jeudi"
    keys.send_text(ENTER)
    picked = prompter.select("Oui ?", [("Oui", True), ("Non", False)], default=False)
    assert picked is False
    keys.send_text(ENTER)
    ticked = prompter.checkbox("Qui ?", [("A", "a"), ("B", "b")], lambda _v: None, default=["b"])
    assert ticked == ["b"]


def _with_group(mini: Path) -> Context:
    """The mini questionnaire with its e-mail and opening hours as a group of optional
    questions (``groups``)."""
    path = mini / "questionnaire" / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    group = (
        "groups:\n  - id: details\n    label: {fr: Compléter la fiche, en: Complete the record}\n"
        "    help: {fr: Rien n'y change la décision., en: Nothing there changes the decision.}\n"
        "    items: [courriel, horaires]\n"
    )
    path.write_text(text.replace("identity:\n", group + "identity:\n", 1), encoding="utf-8")
    return load_context(mini)


def test_a_group_left_aside_is_one_question(mini: Path) -> None:
    """The optional questions of a group are offered with one question; left aside, they
    are not asked, and a resumed run does not offer them again."""
    context = _with_group(mini)
    path = mini / "nouvelle.yaml"
    identity = [answer for index, answer in enumerate(IDENTITY) if index not in (6, 7)]
    identity.insert(6, HELP)
    identity.insert(7, False)  # the group: its help, then « leave them aside »
    first = Scripted([*identity, Interrupted])
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, first)
    assert "Compléter la fiche" in first.asked
    assert "Rien n'y change la décision." in first.said
    assert not any(question.startswith(("Courriel", "Horaires")) for question in first.asked)
    saved = editing.read_data(path)
    assert saved["lieu"]["courriel"] is None and saved["lieu"]["horaires"] is None
    second = Scripted(["3", Interrupted])
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, second)
    assert "Compléter la fiche" not in second.asked


def test_a_group_opened_asks_its_questions(mini: Path) -> None:
    context = _with_group(mini)
    path = mini / "nouvelle.yaml"
    identity = [answer for index, answer in enumerate(IDENTITY) if index not in (6, 7)]
    identity[6:6] = [True, "contact@lieu.example.org", "Mo-Fr 09:00-12:00"]
    prompter = Scripted([*identity, Interrupted])
    with pytest.raises(Interrupted):
        fill(path, context.questionnaire, context.catalogue, prompter)
    assert editing.read_data(path)["lieu"]["courriel"] == "contact@lieu.example.org"
