"""How long the questionnaire is: questions, written answers and an estimated time to answer.

The figures are computed from the questionnaire itself, per section (the venue identity,
then each theme) and in total, for a few named venue profiles (:data:`PROFILES`): the
conditions (``enable_when``) hide questions, so a small fixed venue is asked fewer than
the most a venue can be asked.

The time is an estimate from a deliberately simple model, stated here so that it can be
discussed and changed in one place:

- every question shown is **read**: its label, its help and the labels of its options, at
  :data:`READING_WORDS_PER_MINUTE`;
- a closed question is then **answered** in a fixed time by type
  (:data:`ANSWER_SECONDS`), plus :data:`SECONDS_PER_OPTION` for each option of a multiple
  choice, whose options are weighed one by one;
- a **written answer** (an item scored on a rubric by reviewers, or a text of several
  lines) is composed at :data:`WRITING_WORDS_PER_MINUTE`, for the length its help text asks
  for (:func:`asked_words`: « une dizaine de lignes », « 280 caractères »…), else
  :data:`DEFAULT_ESSAY_WORDS` (:data:`DEFAULT_LONG_TEXT_WORDS` for a text no reviewer
  scores);
- an identity field that an import from the national venue data pre-fills (an identity
  item with an ``export`` key, see ``import lieux``) is only checked
  (:data:`PREFILLED_SECONDS`), for a profile whose identity is imported; those fields are
  shown together as one card to check (``aptic_qualif.editing.identity_card``), so they
  count as one question.

The texts read and the lengths asked for are taken in French, the language venues answer
in, so that the figures are the same whatever the language they are shown in. The model
leaves out looking for documents to attach as evidence, going back over answers, and
discussing them within the team: it is a floor for one person who knows the venue.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aptic_qualif.i18n import N_, _, language, localized
from aptic_qualif.questionnaire.derive import asked
from aptic_qualif.questionnaire.load import IDENTITY, LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import Group

# -- the model --------------------------------------------------------------------------

READING_WORDS_PER_MINUTE = 200
"""Reading speed of the person answering. Adults read non-fiction silently at about 240
words a minute on average (Brysbaert, 2019, « How many words do we read per minute? », a
review of 190 studies, figures for English); rounded down for French, whose words are
longer, and for instructions read carefully in order to answer them."""

WRITING_WORDS_PER_MINUTE = 10
"""Composing speed of a novice writer at the keyboard, thinking included. Copy-typing
averages about 50 words a minute among 168,000 volunteers (Dhakal et al., 2018,
« Observations on typing from 136 million keystrokes »), and markedly less for people who
type with two fingers; composing one's own text (finding what to say, recalling an example,
rereading) is much slower than copying. Ten words a minute is an assumption, not a
measurement: a ten-line answer (120 words) takes twelve minutes."""

WORDS_PER_LINE = 12
"""Words in a line of text, for a length asked in lines (« une dizaine de lignes »): a line
of about 75 characters, at :data:`CHARACTERS_PER_WORD`."""

CHARACTERS_PER_WORD = 6
"""Characters per word, the following space included, for a length asked in characters
(French words average about five letters)."""

DEFAULT_ESSAY_WORDS = 100
"""Length of a reviewed answer whose help asks for none: about eight lines. The reviewed
answers of the example applications (``examples/applications``) average 50 to 100 words."""

DEFAULT_LONG_TEXT_WORDS = 25
"""Length of a text of several lines that no reviewer scores, when its help asks for none
(a list of names, a short note): about two lines."""

ANSWER_SECONDS: Mapping[str, float] = {
    "boolean": 5,
    "single_choice": 5,
    "multiple_choice": 5,
    "integer": 20,
    "decimal": 20,
    "text": 30,
    "date": 15,
    "url": 30,
    "email": 20,
    "phone": 20,
    "postcode": 10,
    "siret": 60,
    "insee_code": 60,
    "services": 180,
}
"""Seconds to answer a closed question once read, by type. A click for yes or no or one
option; a figure the venue knows or counts (hours, staff, computers); a short text typed;
a number looked up in a directory (SIRET, INSEE code); the services offered, picked in the
référentiel's catalogue (three minutes)."""

SECONDS_PER_OPTION = 2
"""Seconds more per option of a multiple choice: each option is weighed and perhaps
ticked, where a single choice only needs its options read."""

PREFILLED_SECONDS = 5
"""Seconds to check an identity field that an import pre-filled, once read."""


# -- the profiles -----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A kind of venue: the answers it gives to the questions that show or hide others."""

    id: str
    name: str
    """Short name, an English message id (translated when shown)."""
    description: str
    """What the profile assumes, an English message id."""
    answers: Mapping[str, Any] | None
    """Answers to the gating questions, keyed by item id; ``None``: every question is shown,
    whatever its condition."""
    prefilled: bool = False
    """Whether the venue's identity was imported from the national venue data."""
    open_groups: bool = False
    """Whether the venue opens the groups of optional questions (``groups``); else each
    group it leaves aside is one line read and passed."""


SMALL_FIXED_ANSWERS: Mapping[str, Any] = {
    "frais_a_charge": "gratuit",
    "modalites_acces": ["se-presenter", "telephoner"],
    "itinerance": "fixe",
    "apt-heures-mediation": 20,
    "apt-benevoles-reguliers": 2,
    "apt-connexion": "fibre",
    "apt-postes-publics": 4,
    "apt-services-proposes": [
        "premiers-pas-sur-ordinateur",
        "creer-une-adresse-electronique",
        "faire-ses-demarches-administratives-en-ligne",
    ],
    "pub-prescripteurs": ["ccas-cias", "france-travail"],
    "ter-type-territoire": "quartier-prioritaire",
    "ter-permanences-exterieures": False,
    "inn-presenter": False,
    "cs-handicap": ["aucune"],
    "cs-faire-pour-autrui": "la-personne-fait",
}
"""A small association welcoming the public in one place, as the example applications of
associations describe it (``association-insertion-tremplin``, ``association-les-cles-du-
plateau``): free support, reached by walking in or phoning (no online booking), some
twenty hours of mediation a week on a few computers, help with online
procedures, two volunteers, people referred by social services; no travelling, no outreach
sessions, no equipment for a disability, never a procedure done for someone, and the bonus
theme of innovation left aside (it only ever raises a score). A question whose condition
names no answer here is shown only if its condition holds without one."""

SMALL_FIXED = Profile(
    "petit-lieu-fixe",
    N_("Small fixed venue"),
    N_(
        "a small association in one place, with two volunteers, no travelling or outreach "
        "sessions, that never does a procedure for someone and leaves aside the bonus theme "
        "of innovation and the optional details of its published record, its identity typed "
        "in"
    ),
    SMALL_FIXED_ANSWERS,
)
SMALL_FIXED_IMPORTED = Profile(
    "petit-lieu-fixe-importe",
    N_("Small fixed venue, identity imported"),
    N_(
        "the same venue, its identity pre-filled from the national venue data (import "
        "lieux) and only checked, on one card"
    ),
    SMALL_FIXED_ANSWERS,
    prefilled=True,
)
EVERY_QUESTION = Profile(
    "toutes-les-questions",
    N_("Every question"),
    N_("every condition met and the identity typed in, the most a venue can be asked"),
    None,
    open_groups=True,
)

PROFILES: tuple[Profile, ...] = (SMALL_FIXED, SMALL_FIXED_IMPORTED, EVERY_QUESTION)
"""The profiles shown by ``questionnaire validate`` and on the site, fewest questions first."""


# -- one item ---------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_APPROXIMATE = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30}
_LENGTH = re.compile(
    r"(?P<n>\d[\d\u202f\u00a0 ]*)(?:\s*(?:à|-|–)\s*(?P<m>\d[\d\u202f\u00a0 ]*))?\s*"
    r"(?P<unit>caractères|signes|mots|lignes)"
    r"|(?P<about>dizaine|douzaine|quinzaine|vingtaine|trentaine)\s+de\s+(?P<unit2>mots|lignes)"
    r"|(?P<few>quelques)\s+(?P<unit3>mots|lignes)",
    re.IGNORECASE,
)
_FEW = 5
"""« Quelques lignes », « quelques mots »: five."""


def _french(value: object) -> str:
    return localized(value, "fr") if value is not None else ""


def words(text: str) -> int:
    """Words in ``text``: runs of letters and digits (« l'accueil » counts two)."""
    return len(_WORD.findall(text))


def read_words(located: LocatedItem) -> int:
    """Words read to answer an item: its label, its help, its options' labels (French)."""
    item = located.item
    texts = [_french(item.label), _french(item.help)]
    texts += [_french(option.label) for option in item.options or ()]
    return sum(words(text) for text in texts)


def asked_words(located: LocatedItem) -> int | None:
    """The length in words that an item's label or help asks for (French), or ``None``.

    Understood: « 280 caractères », « 5 à 10 lignes » (the upper bound), « 150 mots »,
    « une dizaine de lignes », « quelques lignes »."""
    text = f"{_french(located.item.label)} {_french(located.item.help)}"
    match = _LENGTH.search(text)
    if match is None:
        return None
    if match["few"]:
        count, unit = _FEW, match["unit3"]
    elif match["about"]:
        count, unit = _APPROXIMATE[match["about"].lower()], match["unit2"]
    else:
        bound = match["m"] or match["n"]
        count, unit = int(re.sub(r"\D", "", bound)), match["unit"]
    unit = unit.lower()
    if unit == "lignes":
        return count * WORDS_PER_LINE
    if unit in {"caractères", "signes"}:
        return math.ceil(count / CHARACTERS_PER_WORD)
    return count


def is_written(located: LocatedItem) -> bool:
    """Whether the answer is written: an item scored on a rubric, or a text of several
    lines (:attr:`LocatedItem.multiline`)."""
    return located.item.scoring == "rubric" or (located.item.type == "text" and located.multiline)


def is_prefilled(located: LocatedItem) -> bool:
    """Whether an import from the national venue data fills the item (``import lieux``)."""
    return located.is_identity and located.item.export is not None


def written_words(located: LocatedItem) -> int:
    """The length in words of a written answer: as asked, else the default."""
    asked = asked_words(located)
    if asked is not None:
        return asked
    return DEFAULT_ESSAY_WORDS if located.item.scoring == "rubric" else DEFAULT_LONG_TEXT_WORDS


def item_seconds(located: LocatedItem, *, prefilled: bool = False) -> float:
    """Estimated seconds to read and answer one item (see the module's model).

    ``prefilled``: the venue's identity was imported, so an identity field the import fills
    is only checked."""
    item = located.item
    seconds = read_words(located) * 60 / READING_WORDS_PER_MINUTE
    if prefilled and is_prefilled(located):
        return seconds + PREFILLED_SECONDS
    if is_written(located):
        return seconds + written_words(located) * 60 / WRITING_WORDS_PER_MINUTE
    seconds += ANSWER_SECONDS.get(item.type, ANSWER_SECONDS["text"])
    if item.type == "multiple_choice":
        seconds += SECONDS_PER_OPTION * len(item.options or ())
    return seconds


# -- sections and profiles --------------------------------------------------------------


def minutes(seconds: float) -> int:
    """Whole minutes, rounded half up."""
    return math.floor(seconds / 60 + 0.5)


@dataclass(frozen=True)
class SectionEffort:
    """The questions of one section shown to a profile."""

    section: str
    """:data:`~aptic_qualif.questionnaire.load.IDENTITY`, a theme id, or :data:`TOTAL`."""
    questions: int = 0
    written: int = 0
    """Questions answered in writing (:func:`is_written`)."""
    required: int = 0
    seconds: float = 0.0

    @property
    def minutes(self) -> int:
        return minutes(self.seconds)

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "questions": self.questions,
            "written": self.written,
            "required": self.required,
            "seconds": round(self.seconds),
            "minutes": self.minutes,
        }


TOTAL = "total"


@dataclass(frozen=True)
class ProfileEffort:
    """The whole questionnaire, as one profile sees it."""

    profile: Profile
    sections: list[SectionEffort]
    total: SectionEffort
    shown: list[str] = field(default_factory=list)
    """Ids of the questions shown (asked, or on the card of an imported identity), in
    questionnaire order; not those of the groups the profile leaves aside."""

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile.id,
            "name": _(self.profile.name),
            "description": _(self.profile.description),
            "answers": dict(self.profile.answers) if self.profile.answers is not None else None,
            "identity_imported": self.profile.prefilled,
            "sections": [section.to_json() for section in self.sections],
            "total": self.total.to_json(),
        }


def shown_items(loaded: LoadedQuestionnaire, profile: Profile) -> list[LocatedItem]:
    """The items shown to ``profile``, in questionnaire order."""
    if profile.answers is None:
        # Every condition met; a derived item is never asked while its source is.
        return [located for located in loaded.items if located.item.derive is None]
    enabled = asked((located.item for located in loaded.items), profile.answers)
    return [located for located in loaded.items if located.id in enabled]


def group_seconds(group: Group) -> float:
    """Estimated seconds to read the line of a group of optional questions and pass it."""
    text = f"{_french(group.label)} {_french(group.help)}"
    return words(text) * 60 / READING_WORDS_PER_MINUTE + ANSWER_SECONDS["boolean"]


def _seen(
    loaded: LoadedQuestionnaire, items: Iterable[LocatedItem], profile: Profile
) -> tuple[list[LocatedItem], list[LocatedItem], list[Group]]:
    """Of the items shown to ``profile``: those asked one by one, those on the card of an
    imported identity (:func:`aptic_qualif.editing.identity_card`: one question, each
    field checked), and the groups of optional questions it leaves aside (one line each)."""
    card: list[LocatedItem] = []
    asked_items: list[LocatedItem] = []
    groups: dict[str, Group] = {}
    for located in items:
        group = loaded.group_of.get(located.id)
        if profile.prefilled and is_prefilled(located):
            card.append(located)
        elif group is not None and not profile.open_groups:
            groups.setdefault(group.id, group)
        else:
            asked_items.append(located)
    return asked_items, card, list(groups.values())


def _section(
    loaded: LoadedQuestionnaire, name: str, items: Iterable[LocatedItem], profile: Profile
) -> SectionEffort:
    asked_items, card, groups = _seen(loaded, items, profile)
    read = [*asked_items, *card]
    return SectionEffort(
        name,
        questions=len(asked_items) + (1 if card else 0) + len(groups),
        written=sum(1 for located in read if is_written(located)),
        required=sum(1 for located in asked_items if located.item.required)
        + (1 if any(located.item.required for located in card) else 0),
        seconds=sum(item_seconds(located, prefilled=profile.prefilled) for located in read)
        + sum(group_seconds(group) for group in groups),
    )


def profile_effort(loaded: LoadedQuestionnaire, profile: Profile) -> ProfileEffort:
    """The questions ``profile`` is shown, per section (identity, then the themes in order)
    and in total, with the estimated time to answer them."""
    shown = shown_items(loaded, profile)
    names = [IDENTITY, *loaded.themes]
    sections = [
        _section(loaded, name, (located for located in shown if located.theme == name), profile)
        for name in names
    ]
    total = _section(loaded, TOTAL, shown, profile)
    asked_items, card, _groups = _seen(loaded, shown, profile)
    seen = {located.id for located in (*asked_items, *card)}
    return ProfileEffort(profile, sections, total, [i.id for i in shown if i.id in seen])


def questionnaire_effort(
    loaded: LoadedQuestionnaire, profiles: Sequence[Profile] = PROFILES
) -> list[ProfileEffort]:
    """:func:`profile_effort` for each of ``profiles``."""
    return [profile_effort(loaded, profile) for profile in profiles]


def model_json() -> dict[str, Any]:
    """The model's constants, published beside the figures they give."""
    return {
        "reading_words_per_minute": READING_WORDS_PER_MINUTE,
        "writing_words_per_minute": WRITING_WORDS_PER_MINUTE,
        "words_per_line": WORDS_PER_LINE,
        "characters_per_word": CHARACTERS_PER_WORD,
        "default_essay_words": DEFAULT_ESSAY_WORDS,
        "default_long_text_words": DEFAULT_LONG_TEXT_WORDS,
        "answer_seconds": dict(sorted(ANSWER_SECONDS.items())),
        "seconds_per_option": SECONDS_PER_OPTION,
        "prefilled_seconds": PREFILLED_SECONDS,
    }


def effort_json(efforts: Sequence[ProfileEffort]) -> dict[str, Any]:
    """The figures of every profile and the model's constants, for ``--format json``."""
    return {"model": model_json(), "profiles": [effort.to_json() for effort in efforts]}


# -- rendering --------------------------------------------------------------------------


def section_title(loaded: LoadedQuestionnaire, section: str) -> str:
    """A section's title in the language in use."""
    if section == IDENTITY:
        return _("Venue identity")
    if section == TOTAL:
        return _("Total")
    theme = loaded.themes.get(section)
    return localized(theme.title, language()) if theme is not None else section


def _cell(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters (an ellipsis marks the cut)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(loaded: LoadedQuestionnaire, efforts: Sequence[ProfileEffort]) -> str:
    """The figures as plain text tables, one per profile, at most 80 columns wide."""
    headers = [_("Questions"), _("Written"), _("Required"), _("Minutes")]
    widths = [max(len(header), 4) for header in headers]
    label_width = 78 - sum(width + 2 for width in widths)
    lines = [_("Length of the questionnaire and estimated time to answer, per kind of venue:")]
    for effort in efforts:
        lines.append("")
        heading = f"{_(effort.profile.name)} — {_(effort.profile.description)}"
        # never a line that opens on the French colon or semicolon
        heading = re.sub(r" ([:;!?»—])", "\u00a0\\1", heading)
        lines += [line.replace("\u00a0", " ") for line in textwrap.wrap(heading, 78)]
        lines.append(
            " " * label_width + "".join(f"  {h:>{w}}" for h, w in zip(headers, widths, strict=True))
        )
        for row in [*effort.sections, effort.total]:
            values = [row.questions, row.written, row.required, row.minutes]
            title = _cell(section_title(loaded, row.section), label_width)
            lines.append(
                f"{title:<{label_width}}"
                + "".join(f"  {v:>{w}}" for v, w in zip(values, widths, strict=True))
            )
    return "\n".join(lines)
