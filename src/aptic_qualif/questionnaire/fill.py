"""``apply fill``: the interactive self-assessment, saved after every answer.

The flow is a plain function over a :class:`Prompter`, so that it is tested without a
terminal; :class:`QuestionaryPrompter` asks the questions with arrow-key menus.

Nothing is lost: after each answer the whole application is written atomically; an
interruption (Ctrl-C, a crash) loses at most the question being answered, and the next
run resumes at the first question not yet asked. A question left unanswered is stored
as ``null`` so that it is not asked again.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from aptic_qualif.application import (
    ANSWERS_KEY,
    IDENTITY_KEY,
    load_application,
)
from aptic_qualif.editing import prune
from aptic_qualif.errors import CommandError
from aptic_qualif.formats import number
from aptic_qualif.fsio import atomic_write
from aptic_qualif.i18n import _, localized, ngettext
from aptic_qualif.questionnaire.answers import convert_choices, convert_text, long_answer
from aptic_qualif.questionnaire.conditions import is_answered
from aptic_qualif.questionnaire.derive import asked
from aptic_qualif.questionnaire.load import IDENTITY, LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import Group, Item
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.sanitize import terminal
from aptic_qualif.yamlio import dump_yaml


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

    def select(self, message: str, choices: Sequence[Choice], *, default: Any = None) -> Any:
        """One choice; ``default``: the value the cursor starts on."""
        ...

    def checkbox(
        self,
        message: str,
        choices: Sequence[Choice],
        validate: Callable[[list[Any]], str | None],
        *,
        default: Sequence[Any] = (),
    ) -> list[Any]:
        """Several choices; ``default``: the values ticked to start with."""
        ...

    def text(
        self,
        message: str,
        validate: Callable[[str], str | None],
        *,
        multiline: bool = False,
        default: str = "",
    ) -> str:
        """A typed answer; ``multiline``: a long answer, Enter starts a new line;
        ``default``: the text to start from (to change an answer)."""
        ...

    def say(self, message: str) -> None: ...


@dataclass
class Progress:
    asked: int = 0
    finished: bool = False
    changed: int = 0
    """Answers changed from the recap."""


DONE = "\0done"
"""Choice value meaning "my answers are right" (leaves the recap)."""

BACK = "\0back"
"""Choice value meaning "back to the previous menu"."""


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
    recap: bool = True,
) -> Progress:
    """Ask every enabled question not yet asked, saving after each answer; then (with
    ``recap``) show the answers, theme by theme, where any of them can be changed."""
    data = start_or_resume(path, loaded, force=force, today=today)
    progress = Progress()
    if not path.exists() or force:
        atomic_write(path, _dump(loaded, data), force=True)
    _ask_remaining(path, loaded, catalogue, prompter, data, progress, lang)
    progress.finished = True
    if recap:
        _recap(path, loaded, catalogue, prompter, data, progress, lang)
    return progress


def _given(data: dict[str, Any]) -> dict[str, Any]:
    """Every answer given (not ``null``), keyed by item id."""
    return {
        key: value
        for part in (data[IDENTITY_KEY], data[ANSWERS_KEY])
        for key, value in part.items()
        if is_answered(value)
    }


def _theme_title(loaded: LoadedQuestionnaire, theme: str, lang: str) -> str:
    if theme == IDENTITY:
        return _("Venue identity")
    return localized(loaded.themes[theme].title, lang)


def _ask_remaining(
    path: Path,
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue,
    prompter: Prompter,
    data: dict[str, Any],
    progress: Progress,
    lang: str,
) -> None:
    """Ask each enabled question not yet asked, in order, saving after each answer."""
    items = [located.item for located in loaded.items]
    themes = [IDENTITY, *loaded.themes]
    for located in loaded.items:
        section = data[_section(located)]
        if located.id in section:
            continue
        if located.id not in asked(items, _given(data)):
            continue
        theme_items = [i for i in loaded.items if i.theme == located.theme]
        position = theme_items.index(located) + 1
        prompter.say(
            _("[{number}/{total}] {theme} — question {position}/{count}").format(
                number=themes.index(located.theme) + 1,
                total=len(themes),
                theme=_theme_title(loaded, located.theme, lang),
                position=position,
                count=len(theme_items),
            )
        )
        group = loaded.group_of.get(located.id)
        first_of_group = group is not None and not any(i in section for i in group.items)
        if first_of_group and group is not None and not _open_group(group, prompter, lang):
            # Left aside: its questions count as asked, unanswered (the recap can still
            # change them), so that a resumed run does not offer them again.
            for item_id in group.items:
                section.setdefault(item_id, None)
            atomic_write(path, _dump(loaded, data), force=True)
            continue
        proposals = place_proposals(located.id, data[IDENTITY_KEY])
        section[located.id] = (
            ask_proposed(located.item, proposals, catalogue, prompter, lang)
            if proposals
            else ask(
                located.item,
                catalogue,
                prompter,
                lang,
                long=long_answer(located),
                multiline=located.multiline,
            )
        )
        progress.asked += 1
        atomic_write(path, _dump(loaded, data), force=True)


def _open_group(group: Group, prompter: Prompter, lang: str) -> bool:
    """Whether the person opens a group of optional questions (``groups``), its help on
    demand."""
    choices: list[Choice] = [(_("Yes, answer them"), True), (_("No, leave them aside"), False)]
    if group.help is not None:
        choices.append((_("(show the help)"), HELP))
    while True:
        value = prompter.select(terminal(localized(group.label, lang)), choices, default=False)
        if value == HELP and group.help is not None:
            prompter.say(terminal(localized(group.help, lang)))
            continue
        return bool(value)


def shown_answer(item: Item, value: Any, catalogue: Catalogue, lang: str) -> str:
    """An answer as a person reads it: option labels, « yes » or « no », services by
    notation, « (no answer) »."""
    if not is_answered(value):
        return _("(no answer)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return number(value)
    labels = {option.value: localized(option.label, lang) for option in item.options or ()}
    if item.type == "services":
        services = catalogue.services
        labels = {
            key: f"{service.notation} {localized(service.pref_label, lang)}"
            for key, service in services.items()
        }
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(v, str(v)) for v in values)


def _theme_entry(
    loaded: LoadedQuestionnaire,
    theme: str,
    found: list[LocatedItem],
    data: dict[str, Any],
    lang: str,
) -> str:
    """A theme in the recap: its title, how many of its questions are answered."""
    answered = sum(1 for located in found if is_answered(data[_section(located)][located.id]))
    return ngettext(
        "{theme} ({n} of {total} question answered)",
        "{theme} ({n} of {total} questions answered)",
        len(found),
    ).format(theme=_theme_title(loaded, theme, lang), n=answered, total=len(found))


def _recap(
    path: Path,
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue,
    prompter: Prompter,
    data: dict[str, Any],
    progress: Progress,
    lang: str,
) -> None:
    """Every answer, theme by theme, where any can be changed; until « finish »."""
    from aptic_qualif.review.fingerprint import shorten

    while True:
        enabled = asked([located.item for located in loaded.items], _given(data))
        by_theme: dict[str, list[LocatedItem]] = {}
        for located in loaded.items:
            if located.id in enabled and located.id in data[_section(located)]:
                by_theme.setdefault(located.theme, []).append(located)
        prompter.say(_("All your answers are saved. Read them again, and change any of them:"))
        theme = prompter.select(
            _("Your answers: choose a theme to read or change, or finish"),
            [
                (_("Finish: my answers are right"), DONE),
                *[
                    (
                        _theme_entry(loaded, theme_id, found, data, lang),
                        theme_id,
                    )
                    for theme_id, found in by_theme.items()
                ],
            ],
        )
        if theme == DONE:
            return
        for located in by_theme[theme]:
            value = data[_section(located)][located.id]
            prompter.say(
                f"{localized(located.item.label, lang)}\n  "
                + shown_answer(located.item, value, catalogue, lang).replace("\n", "\n  ")
            )
        chosen = prompter.select(
            _("Which answer do you want to change?"),
            [
                *[
                    (
                        f"{shorten(localized(located.item.label, lang), 50)} — "
                        + shorten(
                            shown_answer(
                                located.item, data[_section(located)][located.id], catalogue, lang
                            ),
                            30,
                        ),
                        located.id,
                    )
                    for located in by_theme[theme]
                ],
                (_("(back to the themes)"), BACK),
            ],
        )
        if chosen == BACK:
            continue
        located = loaded.by_id[chosen]
        section = data[_section(located)]
        section[chosen] = ask(
            located.item,
            catalogue,
            prompter,
            lang,
            long=long_answer(located),
            current=section[chosen],
        )
        progress.changed += 1
        removed = prune(data, loaded)
        atomic_write(path, _dump(loaded, data), force=True)
        if removed:
            prompter.say(
                _(
                    "These questions no longer apply; their answers are put aside (they come "
                    "back if the question applies again): {labels}"
                ).format(labels="; ".join(shorten(localized(r.item.label, lang)) for r in removed))
            )
        # A changed answer may make other questions apply: they are asked now.
        _ask_remaining(path, loaded, catalogue, prompter, data, progress, lang)


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


def ask(
    item: Item,
    catalogue: Catalogue,
    prompter: Prompter,
    lang: str,
    *,
    long: bool = False,
    multiline: bool = False,
    current: Any = None,
) -> Any:
    """Ask one question until a valid answer (or a skip, ``None``) is given. ``long``: a
    text typed on several lines; ``multiline``: a text answer may hold line breaks (a
    pasted text); ``current``: the answer given before, to start from."""
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
            value = prompter.select(
                message,
                [*choices, *extra],
                default=current if current in [v for _t, v in choices] else None,
            )
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
            return convert_choices(item, [str(v) for v in values], catalogue)[1]

        chosen = prompter.checkbox(
            message,
            choices,
            validate_list,
            default=list(current) if isinstance(current, list) else (),
        )
        return chosen or None

    if long:
        hint = _("leave it empty to skip it, ? for help") if not item.required else _("? for help")
    else:
        hint = (
            _("Enter to leave it unanswered, ? for help") if not item.required else _("? for help")
        )
    start = "" if current is None else str(current)

    def validate_text(typed: str) -> str | None:
        if typed.strip() == "?":
            return None
        return convert_text(item, typed, multiline=multiline)[1]

    while True:
        typed = prompter.text(f"{message} ({hint})", validate_text, multiline=long, default=start)
        if typed.strip() == "?":
            prompter.say(help_text or _("No help for this question."))
            continue
        return convert_text(item, typed, multiline=multiline)[0]


_HANGING = re.compile(r"\s*(?:\d+ — |- |• |→ )?")
"""The start of a line that its continuation lines are indented under: the indent and a
list mark (a rubric step « 3 — », a dash, a bullet, an arrow)."""

_GLUE = "\ue000"
"""Stands for a space that must not break a line while a text is wrapped."""
_GLUED = re.compile(r" (?=[:;?!»])|(?<=«) ")
"""The spaces of French typography that keep a mark with its word (« mot » : suite)."""


def wrap(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` columns, never cut: every word is kept, a word longer
    than a line (a web address) stands alone on its line; a list item's continuation lines
    are indented under its text; « : », « ; », « ? », « ! » and « » » stay with their word.
    Lines already short enough are left as they are."""
    lines: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        mark = _HANGING.match(line)
        indent = " " * (len(mark.group(0)) if mark else 0)
        if len(indent) > width // 2:
            indent = ""
        glued = _GLUED.sub(_GLUE, line)
        wrapped = textwrap.wrap(
            glued,
            width=width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(part.replace(_GLUE, " ") for part in wrapped)
    return "\n".join(lines)


class QuestionaryPrompter:
    """Arrow-key menus in the terminal (questionary); ``input``/``output`` for tests.

    The terminal sink of ``apply fill`` and ``review``: every message and every choice
    (labels, answers, evidence, a venue's name) passes :func:`aptic_qualif.sanitize.terminal`
    here, whoever built it. The keys to use are said in the language in use (questionary's
    own hints are English), and long texts are wrapped at the terminal's width, never cut."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self.input = input
        self.output = output

    @staticmethod
    def _width() -> int:
        import shutil

        return max(20, shutil.get_terminal_size().columns - 1)

    def _message(self, message: str) -> str:
        """A question as shown: safe, and wrapped (questionary cuts a long line)."""
        return wrap(terminal(message), self._width() - 2)

    def _instruction(self, instruction: str) -> str:
        """The keys to use, on a line of their own below the question."""
        return "\n" + wrap(instruction, self._width())

    def _run(self, question: Any) -> Any:
        try:
            return question.unsafe_ask()
        except KeyboardInterrupt:
            raise Interrupted from None

    def select(self, message: str, choices: Sequence[Choice], *, default: Any = None) -> Any:
        import questionary

        entries = [
            questionary.Choice(terminal(title, single_line=True), value=value)
            for title, value in choices
        ]
        start = next((entry for entry in entries if entry.value == default), None)
        return self._run(
            questionary.select(
                self._message(message),
                choices=entries,
                default=start if default is not None else None,
                instruction=self._instruction(_("(arrow keys to move, Enter to choose)")),
                input=self.input,
                output=self.output,
            )
        )

    def checkbox(
        self,
        message: str,
        choices: Sequence[Choice],
        validate: Callable[[list[Any]], str | None],
        *,
        default: Sequence[Any] = (),
    ) -> list[Any]:
        import questionary

        entries = [
            questionary.Separator(terminal(f"── {title} ──", single_line=True))
            if value is None
            else questionary.Choice(
                terminal(title, single_line=True), value=value, checked=value in default
            )
            for title, value in choices
        ]
        question = questionary.checkbox(
            self._message(message),
            choices=entries,
            validate=lambda values: validate(values) or True,
            instruction=self._instruction(
                _(
                    "(arrow keys to move, Space to tick or untick, a to tick all, i to invert, "
                    "Enter to confirm)"
                )
            ),
            input=self.input,
            output=self.output,
        )
        # questionary ends with « done (N selections) », in English: the prompt is erased
        # once answered and the answer said here instead.
        question.application.erase_when_done = True
        result = list(self._run(question) or [])
        titles = [title for title, value in choices if value is not None and value in result]
        self.say(
            "? "
            + _("{question} {answer}").format(
                question=message,
                answer=", ".join(titles) if titles else _("(nothing ticked)"),
            )
        )
        return result

    def text(
        self,
        message: str,
        validate: Callable[[str], str | None],
        *,
        multiline: bool = False,
        default: str = "",
    ) -> str:
        import questionary

        instruction = (
            self._instruction(_("(Enter for a new line; Esc then Enter, or Alt+Enter, to confirm)"))
            + "\n>"
            if multiline
            else None
        )
        return str(
            self._run(
                questionary.text(
                    self._message(message),
                    validate=lambda typed: validate(typed) or True,
                    multiline=multiline,
                    instruction=instruction,
                    default=default,
                    input=self.input,
                    output=self.output,
                )
            )
        )

    def say(self, message: str) -> None:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        console.print(
            wrap(terminal(message), console.width), markup=False, emoji=False, soft_wrap=True
        )
