"""``apply fill``: the interactive self-assessment, saved after every answer.

The flow is a plain function over a :class:`Prompter`, so that it is tested without a
terminal; :class:`QuestionaryPrompter` asks the questions with arrow-key menus.

Nothing is lost: after each answer the whole application is written atomically; an
interruption (Ctrl-C, a crash) loses at most the question being answered, and the next
run resumes at the first question not yet asked. A question left unanswered is stored
as ``null`` so that it is not asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    check_answer,
    exclusive_conflict,
    load_application,
)
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _, localized
from aptic_qualif.questionnaire.conditions import enabled_items, is_answered
from aptic_qualif.questionnaire.load import IDENTITY, LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.sanitize import terminal
from aptic_qualif.yamlio import atomic_write, dump_yaml


class Interrupted(Exception):
    """The person stopped the questionnaire (Ctrl-C); what was answered is saved."""


SKIP = "\0skip"
"""Choice value meaning "leave this optional question unanswered"."""

HELP = "\0help"
"""Choice value meaning "show the help text of this question"."""

Choice = tuple[str, Any]
"""A menu entry: its title and its value. A value of ``None`` makes a separator line."""


class Prompter(Protocol):
    """How questions are asked. Each method raises :class:`Interrupted` on Ctrl-C."""

    def select(self, message: str, choices: Sequence[Choice]) -> Any: ...

    def checkbox(
        self, message: str, choices: Sequence[Choice], validate: Callable[[list[Any]], str | None]
    ) -> list[Any]: ...

    def text(self, message: str, validate: Callable[[str], str | None]) -> str: ...

    def say(self, message: str) -> None: ...


@dataclass
class Progress:
    asked: int = 0
    finished: bool = False


def _section(located: LocatedItem) -> str:
    return IDENTITY_KEY if located.is_identity else ANSWERS_KEY


def _header(loaded: LoadedQuestionnaire) -> str:
    url = loaded.questionnaire.schema_url
    lines = [f"# yaml-language-server: $schema={url}"] if url else []
    lines.append("# " + _("Written by aptic-qualif apply fill; run it again to resume."))
    return "\n".join(lines) + "\n"


def _dump(loaded: LoadedQuestionnaire, data: dict[str, Any]) -> str:
    body = dump_yaml(data)
    return _header(loaded) + body


def start_or_resume(
    path: Path, loaded: LoadedQuestionnaire, *, force: bool = False, today: date | None = None
) -> dict[str, Any]:
    """The application data to continue: read from ``path`` when it is an application in
    progress for this questionnaire, new otherwise. Another file is never overwritten
    without ``force``."""
    fresh: dict[str, Any] = {
        "questionnaire": loaded.reference,
        "date": (today or date.today()).isoformat(),
        IDENTITY_KEY: {},
        ANSWERS_KEY: {},
    }
    if not path.exists():
        return fresh
    doc, application, _problems = load_application(path)
    is_ours = (
        application is not None
        and application.questionnaire.split("@")[0] == loaded.questionnaire.id
    )
    if not is_ours or doc is None:
        if force:
            return fresh
        raise CommandError(
            _(
                "{path} exists and is not an application in progress; choose another file or "
                "add --force to replace it"
            ).format(path=path)
        )
    assert application is not None
    # The date is the day the application was last worked on; evidence is kept as it was.
    resumed: dict[str, Any] = {
        "questionnaire": loaded.reference,
        "date": (today or date.today()).isoformat(),
        IDENTITY_KEY: dict(application.lieu),
        ANSWERS_KEY: dict(application.reponses),
    }
    if application.preuves:
        resumed["preuves"] = {key: list(value) for key, value in application.preuves.items()}
    return resumed


def fill(
    path: Path,
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue,
    prompter: Prompter,
    *,
    lang: str = "fr",
    force: bool = False,
    today: date | None = None,
) -> Progress:
    """Ask every enabled question not yet asked, saving after each answer."""
    data = start_or_resume(path, loaded, force=force, today=today)
    progress = Progress()
    items = [located.item for located in loaded.items]
    themes = [IDENTITY, *loaded.themes]
    if not path.exists() or force:
        atomic_write(path, _dump(loaded, data), force=True)
    for located in loaded.items:
        section = data[_section(located)]
        if located.id in section:
            continue
        answers = {
            key: value
            for part in (data[IDENTITY_KEY], data[ANSWERS_KEY])
            for key, value in part.items()
            if is_answered(value)
        }
        if located.id not in enabled_items(items, answers):
            continue
        theme_items = [i for i in loaded.items if i.theme == located.theme]
        position = theme_items.index(located) + 1
        title = (
            _("Venue identity")
            if located.is_identity
            else localized(loaded.themes[located.theme].title, lang)
        )
        prompter.say(
            _("[{number}/{total}] {theme} — question {position}/{count}").format(
                number=themes.index(located.theme) + 1,
                total=len(themes),
                theme=title,
                position=position,
                count=len(theme_items),
            )
        )
        proposals = place_proposals(located.id, data[IDENTITY_KEY])
        section[located.id] = (
            ask_proposed(located.item, proposals, catalogue, prompter, lang)
            if proposals
            else ask(located.item, catalogue, prompter, lang)
        )
        progress.asked += 1
        atomic_write(path, _dump(loaded, data), force=True)
    progress.finished = True
    return progress


OTHER = "\0other"
"""Choice value meaning "none of the proposals: type the answer"."""


def place_proposals(item_id: str, identity: dict[str, Any]) -> list[Choice]:
    """What the commune reference proposes for the commune (the communes of the postcode)
    and for its INSEE code (the code of the commune chosen); empty for any other item."""
    from aptic_qualif.communes import communes, names_match
    from aptic_qualif.places import INSEE, NAME, POSTCODE, commune_proposals

    if item_id not in {NAME, INSEE}:
        return []
    candidates = commune_proposals(identity.get(POSTCODE))
    if item_id == NAME:
        return [(f"{c.name} ({c.insee})", c.name) for c in candidates]
    name = identity.get(NAME)
    if isinstance(name, str) and name.strip():
        candidates = [c for c in candidates if names_match(name, c, communes())]
    return [(f"{c.insee} — {c.name}", c.insee) for c in candidates]


def ask_proposed(
    item: Item, proposals: Sequence[Choice], catalogue: Catalogue, prompter: Prompter, lang: str
) -> Any:
    """Offer ``proposals`` first; « another answer » asks the question as usual."""
    value = prompter.select(
        _message(item, lang), [*proposals, (_("(another answer: type it)"), OTHER)]
    )
    return ask(item, catalogue, prompter, lang) if value == OTHER else value


def _message(item: Item, lang: str) -> str:
    mark = " *" if item.required else ""
    return f"{localized(item.label, lang)}{mark}"


def ask(item: Item, catalogue: Catalogue, prompter: Prompter, lang: str) -> Any:
    """Ask one question until a valid answer (or a skip, ``None``) is given."""
    message = _message(item, lang)
    help_text = localized(item.help, lang) if item.help is not None else ""
    extra: list[Choice] = []
    if not item.required:
        extra.append((_("(leave unanswered)"), SKIP))
    if help_text:
        extra.append((_("(show the help)"), HELP))

    if item.type in {"single_choice", "boolean"}:
        if item.type == "boolean":
            choices: list[Choice] = [(_("Yes"), True), (_("No"), False)]
        else:
            choices = [(localized(o.label, lang), o.value) for o in item.options or ()]
        while True:
            value = prompter.select(message, [*choices, *extra])
            if value == HELP:
                prompter.say(help_text)
                continue
            return None if value == SKIP else value

    if item.type in {"multiple_choice", "services"}:
        if item.type == "services":
            choices = []
            for level_id, level in catalogue.levels.items():
                if item.levels is not None and level_id not in item.levels:
                    continue
                choices.append((localized(level.pref_label, lang), None))
                for service in sorted(
                    catalogue.by_level(level_id, include_deprecated=False),
                    key=lambda s: s.notation,
                ):
                    choices.append(
                        (f"{service.notation} {localized(service.pref_label, lang)}", service.id)
                    )
        else:
            choices = [(localized(o.label, lang), o.value) for o in item.options or ()]
        if help_text:
            prompter.say(help_text)

        def validate_list(values: list[Any]) -> str | None:
            if item.required and not values:
                return _("choose at least one answer")
            exclusive = exclusive_conflict(item, values)
            if exclusive is not None:
                return _("'{value}' excludes every other choice").format(value=exclusive)
            return None

        chosen = prompter.checkbox(message, choices, validate_list)
        return chosen or None

    hint = _("Enter to leave it unanswered, ? for help") if not item.required else _("? for help")

    def convert(typed: str) -> tuple[Any, str | None]:
        typed = typed.strip()
        if not typed:
            return None, (_("an answer is required") if item.required else None)
        value: Any = typed
        if item.type == "integer":
            try:
                value = int(typed)
            except ValueError:
                return None, _("type a whole number")
        elif item.type == "decimal":
            try:
                value = float(typed.replace(",", "."))
            except ValueError:
                return None, _("type a number")
        elif item.type == "date" and typed.lower() in {"aujourd'hui", "today"}:
            value = date.today().isoformat()
        normalised, problems = check_answer(item, value, catalogue)
        return normalised, (problems[0] if problems else None)

    def validate_text(typed: str) -> str | None:
        if typed.strip() == "?":
            return None
        return convert(typed)[1]

    while True:
        typed = prompter.text(f"{message} ({hint})", validate_text)
        if typed.strip() == "?":
            prompter.say(help_text or _("No help for this question."))
            continue
        return convert(typed)[0]


class QuestionaryPrompter:
    """Arrow-key menus in the terminal (questionary); ``input``/``output`` for tests.

    The terminal sink of ``apply fill`` and ``review``: every message and every choice
    (labels, answers, evidence, a venue's name) passes :func:`aptic_qualif.sanitize.terminal`
    here, whoever built it."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self.input = input
        self.output = output

    def _run(self, question: Any) -> Any:
        try:
            return question.unsafe_ask()
        except KeyboardInterrupt:
            raise Interrupted from None

    def select(self, message: str, choices: Sequence[Choice]) -> Any:
        import questionary

        return self._run(
            questionary.select(
                terminal(message),
                choices=[
                    questionary.Choice(terminal(title, single_line=True), value=value)
                    for title, value in choices
                ],
                input=self.input,
                output=self.output,
            )
        )

    def checkbox(
        self, message: str, choices: Sequence[Choice], validate: Callable[[list[Any]], str | None]
    ) -> list[Any]:
        import questionary

        entries = [
            questionary.Separator(terminal(f"── {title} ──", single_line=True))
            if value is None
            else questionary.Choice(terminal(title, single_line=True), value=value)
            for title, value in choices
        ]
        result = self._run(
            questionary.checkbox(
                terminal(message),
                choices=entries,
                validate=lambda values: validate(values) or True,
                input=self.input,
                output=self.output,
            )
        )
        return list(result or [])

    def text(self, message: str, validate: Callable[[str], str | None]) -> str:
        import questionary

        return str(
            self._run(
                questionary.text(
                    terminal(message),
                    validate=lambda typed: validate(typed) or True,
                    input=self.input,
                    output=self.output,
                )
            )
        )

    def say(self, message: str) -> None:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(terminal(message), markup=False, emoji=False)
