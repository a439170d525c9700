"""A venue's application: its identity and its answers, checked against the questionnaire.

An application is a YAML file::

    questionnaire: qualification-lieux-mediation@1.0.0
    lieu:            # the identity items, keyed by item id
      nom: Médiathèque …
      siret: "21010053300012"
    reponses:        # the theme items, keyed by item id
      apt-services-proposes: [creer-une-adresse-electronique, …]

Every command that reads an application goes through :func:`validate_application`, so
the same errors, located in the application file, come out everywhere.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from aptic_qualif.coherence import check_coherence
from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.hours import check_opening_hours
from aptic_qualif.i18n import _
from aptic_qualif.network.national import HOURS_COLUMN, column_problem
from aptic_qualif.places import INSEE_CODE
from aptic_qualif.project import display_path
from aptic_qualif.questionnaire.conditions import describe_condition, enabled_items, is_answered
from aptic_qualif.questionnaire.derive import derivable as derived_answers
from aptic_qualif.questionnaire.derive import not_asked
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import RECURRING_TYPES, TEXT_TYPES, Item, answer_key
from aptic_qualif.questionnaire.retired import retired_in
from aptic_qualif.reading import present, walk
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.schema import LaxDate, StrictModel, validate_document, version_tuple
from aptic_qualif.text import check_text, is_http_iri, text_problem
from aptic_qualif.yamlio import Document, in_range, load_yaml_bytes

IDENTITY_KEY = "lieu"
ANSWERS_KEY = "reponses"

_SIRET = re.compile(r"[0-9]{14}")
"""ASCII digits only: ``\\d`` would also take full-width or Arabic-Indic digits."""
# Digits are ASCII digits ([0-9]): in a Python pattern \d also matches full-width "０" or
# Arabic-Indic "٠", which no register or national file accepts.
_POSTCODE = re.compile(r"(?:0[1-9]|[1-8][0-9]|9[0-5])[0-9]{3}|97[1-8][0-9]{2}|98[0-9][0-9]{2}")
_PHONE = re.compile(r"(?:\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)[0-9]{6,9}")
VENUE_ID_PATTERN = r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._:@+-]{0,199}$"
"""A venue's identifier in the national open data (its ``id`` column), as an application
keeps it (``identifiant``). The national schema sets no pattern: each producer makes its
own ids (``structure-1``, a UUID, a code of its tool). What they use is allowed: at most
200 ASCII letters, digits and ``- _ . : @ +``, starting with a letter or a digit, never
``..``. Nothing else: no whitespace, no ``|`` (the separator of the national CSV), no
``/`` or ``\\``, no control character, so that an id is harmless wherever it is shown or
written (a terminal, a page, a CSV cell, a path)."""
_VENUE_ID = re.compile(VENUE_ID_PATTERN.removeprefix("^").removesuffix("$"))
_VENUE_ID_START = re.compile(r"[A-Za-z0-9]")
_VENUE_ID_CHAR = re.compile(r"[A-Za-z0-9._:@+-]")
MAX_VENUE_ID = 200


def venue_id_problem(text: str) -> tuple[str, str, str] | None:
    """Why ``text`` cannot be a venue's ``identifiant``, as (code, message, hint), or
    ``None`` when it can (:data:`VENUE_ID_PATTERN`). A control or bidi character is
    ``TXT001``, as in every other text (:func:`~aptic_qualif.text.text_problem`); any other
    departure from the pattern is ``SCH003``. The same check for ``apply validate`` (and
    every command that reads an application) and for ``import lieux``."""
    unsafe = text_problem(text)
    if unsafe is not None:
        return "TXT001", *unsafe
    if _VENUE_ID.fullmatch(text):
        return None
    if not text:
        reason = _("it is empty")
    elif len(text) > MAX_VENUE_ID:
        reason = _("it has {n} characters").format(n=len(text))
    elif not _VENUE_ID_START.match(text):
        reason = _("it starts with '{char}'").format(char=text[0])
    elif ".." in text:
        reason = _("it holds '..'")
    else:
        index = next(i for i, char in enumerate(text) if not _VENUE_ID_CHAR.match(char))
        reason = _("it holds '{char}' at character {position}").format(
            char=text[index], position=index + 1
        )
    shown = text if len(text) <= 60 else text[:59] + "…"
    return (
        "SCH003",
        _("'{value}' cannot be a venue's identifiant: {reason}").format(value=shown, reason=reason),
        _(
            "an identifiant has at most {n} characters: letters (a-z, A-Z), digits and "
            "- _ . : @ +, starting with a letter or a digit, never '..'"
        ).format(n=MAX_VENUE_ID),
    )


def venue_id_key(text: str) -> str:
    """The key under which two national ids are the same venue's: case and surrounding
    whitespace ignored (``same``, ``Same`` and ``same `` are one id)."""
    return text.strip().casefold()


def _venue_id(value: str) -> str:
    found = venue_id_problem(value)
    if found is not None:
        code, message, hint = found
        raise PydanticCustomError(
            "diagnostic", "refused value", {"code": code, "message": message, "hint": hint}
        )
    return value


VenueId = Annotated[str, AfterValidator(_venue_id)]
"""An ``identifiant``: refused, located, with :func:`venue_id_problem`'s code and message."""

MAX_SOURCE = 100


def _source(value: str) -> str:
    unsafe = text_problem(value)
    if unsafe is not None:
        code, (message, hint) = "TXT001", unsafe
    elif not value.strip() or len(value) > MAX_SOURCE or "|" in value:
        code = "SCH003"
        message = _("'{value}' cannot be the source of a venue's record").format(
            value=value if len(value) <= 60 else value[:59] + "…"
        )
        hint = _(
            "a source is the name of the producer of the record: at most {n} characters, "
            "without '|'"
        ).format(n=MAX_SOURCE)
    else:
        return value.strip()
    raise PydanticCustomError(
        "diagnostic", "refused value", {"code": code, "message": message, "hint": hint}
    )


RecordSource = Annotated[str, AfterValidator(_source)]
"""A ``source``: the producer of the national record an application was imported from."""

_REFERENCE = re.compile(r"(?P<id>[a-z0-9-]+)@(?P<version>[0-9]+\.[0-9]+\.[0-9]+)")


HISTORY_DATE_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
"""When a change of status happened: a day, or a day and a time (ISO 8601)."""


class StatusChange(StrictModel):
    """One change of an application's status, as ``historique`` records it: submitted
    (``soumise``), put back to draft to change it (``rouverte``), submitted again after
    that (``resoumise``), the venue's closure reported by the venue (``fermee``: the
    charter's commitment to tell the network; reopening the application undoes it)."""

    evenement: Literal["soumise", "rouverte", "resoumise", "fermee"]
    date: str = Field(pattern=HISTORY_DATE_PATTERN)


class SetAside(StrictModel):
    """An answer kept aside: the answer as it was (``reponse``), and its evidence."""

    reponse: Any = None
    preuves: list[str] = Field(default_factory=list)


class Application(StrictModel):
    """The shape of an application file (answers are checked against the questionnaire)."""

    questionnaire: str
    date: LaxDate | None = None
    """The day the venue submitted (or last completed) its application: the questionnaire's
    time windows (« au cours des douze derniers mois ») and the qualification's validity
    count from it."""
    statut: Literal["brouillon", "soumise"] | None = None
    """``brouillon`` while the venue is still writing it (in ``serve``), ``soumise`` once it
    submits it; a file without a status (written by hand or by ``apply fill``) is submitted
    when it is given and dated (an undated file, such as an ``import lieux`` skeleton, is a
    draft: see :func:`aptic_qualif.editing.status_of`)."""
    historique: list[StatusChange] = Field(default_factory=list)
    """Every change of status made in ``serve``, oldest first, with its date: the file
    only grows (nothing is ever removed from it)."""

    @property
    def closure(self) -> StatusChange | None:
        """The venue's closure, when it is the last change recorded: a closed venue is not
        qualified (the policy's ``venue_closed`` knock-out) until the application is
        reopened and submitted again."""
        last = self.historique[-1] if self.historique else None
        return last if last is not None and last.evenement == "fermee" else None

    identifiant: VenueId | None = None
    """The venue's identifier in the national open data (the ``id`` column): kept from the
    record an application was imported from (``import lieux``) and used by ``export lieux``,
    so that publishing again updates the same venue instead of adding one. Without it, the
    export makes one from the file name."""
    source: RecordSource | None = None
    """The ``source`` of the national record the application was imported from
    (``import lieux``): the exports keep it, so that the venue stays its producer's.
    Without it, the exports give the network's own source (the policy's ``network``)."""
    lieu: dict[str, Any] = Field(default_factory=dict)
    reponses: dict[str, Any] = Field(default_factory=dict)
    preuves: dict[str, list[str]] = Field(default_factory=dict)
    """Evidence per item (only items that declare an ``evidence``): web links (http, https)
    or the names of documents sent with the application."""
    mises_de_cote: dict[str, SetAside] = Field(default_factory=dict)
    """The answers of questions that stopped applying while the venue was writing (a box
    unticked), kept aside by item id so that ticking the box again brings them back; dropped
    when the application is submitted (:func:`aptic_qualif.editing.prune`). Never scored."""


@dataclass
class CheckedApplication:
    """An application read and checked: its answers normalised, its enabled items known."""

    path: Path
    doc: Document
    application: Application
    answers: dict[str, Any] = field(default_factory=dict)
    """Every valid answer, identity and themes together, keyed by item id."""
    enabled: set[str] = field(default_factory=set)
    derived: set[str] = field(default_factory=set)
    """Items whose answer was derived from another answer (:mod:`~aptic_qualif.questionnaire.
    derive`), not written in the file."""
    derivable: set[str] = field(default_factory=set)
    """Derived items whose source applies: a form does not ask them (an answer written in
    the file is still read and checked)."""
    report: Report = field(default_factory=Report)
    invalid: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """Errors of each item whose answer is invalid, misplaced or should not be there."""
    missing: list[str] = field(default_factory=list)
    """Required items that apply and are not answered, in questionnaire order."""
    sha256: str = ""
    """Digest of the file's bytes."""
    evidence: dict[str, list[str]] = field(default_factory=dict)
    """The valid evidence given per item (``preuves``)."""

    @property
    def asked(self) -> set[str]:
        """The items a form asks: those that apply, less those whose answer follows from
        another answer."""
        return self.enabled - self.derivable

    @property
    def date(self) -> date | None:
        """The application's date, if it has one."""
        return self.application.date

    @property
    def id(self) -> str:
        """The application's identifier: its file name without extension."""
        return self.path.stem

    @property
    def venue_id(self) -> str | None:
        """The venue's identifier in the national open data, when the application records
        one (``identifiant``)."""
        return self.application.identifiant

    @property
    def record_source(self) -> str | None:
        """The producer of the national record the application was imported from, if any
        (``source``)."""
        return self.application.source

    @property
    def venue_name(self) -> str:
        return str(self.answers.get("nom") or self.id)


def email_is_valid(text: str) -> bool:
    """Whether ``text`` is an email address as email-validator reads it: the library behind
    pydantic's ``EmailStr``, which data·inclusion's models use (``a..b@x.fr`` passes a
    simple pattern, then data·inclusion refuses every record that carries it). Syntax only:
    no DNS query."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def siret_is_valid(siret: str) -> bool:
    """Whether ``siret`` is 14 ASCII digits with a valid SIREN key (its first 9 digits) and
    a valid SIRET key, La Poste's establishments excepted (python-stdnum)."""
    return siret_problem(siret) is None


def siret_problem(siret: str) -> str | None:
    """What is wrong with ``siret`` (already without spaces), or ``None`` when it is valid:
    ``"format"`` (not 14 ASCII digits), ``"siren"`` (the SIREN's check digit) or ``"siret"``
    (the SIRET's check digit, or La Poste's rule for its establishments)."""
    if not _SIRET.fullmatch(siret):
        return "format"
    if stdnum_siret.is_valid(siret):
        return None
    if not stdnum_siren.is_valid(siret[:9]):
        return "siren"
    return "siret"


def departement_of_insee(code: str) -> str:
    """The département of an INSEE commune code: ``2A``/``2B`` for Corsica, 3 digits overseas."""
    return code[:3] if code.startswith("97") or code.startswith("98") else code[:2]


ApplicationFiles = dict[Path, Path | None]
"""Application files, in order, each with the folder it was found in (``None`` for a file
named by the user): see :func:`application_files`."""


def load_application(
    path: Path, *, within: Path | None = None
) -> tuple[Document | None, Application | None, list[Diagnostic]]:
    """Read the application at ``path``; with ``within`` (the folder of a batch it was
    found in), a path that leads outside that folder is refused."""
    _raw, doc, application, diagnostics = _load_application(path, within=within)
    return doc, application, diagnostics


def _load_application(
    path: Path, *, within: Path | None = None
) -> tuple[bytes | None, Document | None, Application | None, list[Diagnostic]]:
    """:func:`load_application`, with the bytes read (for their digest)."""
    raw, doc, diagnostics = load_yaml_bytes(path, display_path(path), within=within)
    if doc is None or diagnostics:
        return raw, doc, None, diagnostics
    application, diagnostics = validate_document(Application, doc)
    return raw, doc, application, diagnostics


def validate_application(
    path: Path,
    questionnaire: LoadedQuestionnaire,
    catalogue: Catalogue | None,
    *,
    within: Path | None = None,
) -> tuple[CheckedApplication | None, Report]:
    """Read ``path`` and check it against ``questionnaire`` and ``catalogue``."""
    report = Report()
    raw, doc, application, diagnostics = _load_application(path, within=within)
    report.extend(diagnostics)
    if doc is None or application is None or raw is None:
        return None, report
    checked = check_application(path, doc, application, questionnaire, catalogue)
    report.extend(checked.report.diagnostics)
    checked.report = report
    checked.sha256 = hashlib.sha256(raw).hexdigest()  # the bytes read, not read again
    return checked, report


def check_application(
    path: Path,
    doc: Document,
    application: Application,
    questionnaire: LoadedQuestionnaire,
    catalogue: Catalogue | None,
) -> CheckedApplication:
    checked = CheckedApplication(path, doc, application)
    report = checked.report
    report.extend(_check_reference(doc, application.questionnaire, questionnaire))

    by_id = questionnaire.by_id
    raw: dict[str, tuple[tuple[str, str], Any]] = {}
    for section, values, identity in (
        (IDENTITY_KEY, application.lieu, True),
        (ANSWERS_KEY, application.reponses, False),
    ):
        for key, value in values.items():
            located = by_id.get(key)
            where = (section, key)
            if located is None:
                close = difflib.get_close_matches(key, list(by_id), n=1)
                retired = retired_in(key)
                hint = _("did you mean '{name}'?").format(name=close[0]) if close else None
                if retired is not None:
                    hint = _(
                        "the question was retired in version {version} ({why}): remove the "
                        "answer (apply migrate does it for an application of an earlier version)"
                    ).format(version=retired[0], why=_(retired[1]))
                report.add(
                    Diagnostic.error(
                        "APP003",
                        doc.key_span(where),
                        _("'{id}' is not an item of the questionnaire {ref}").format(
                            id=key, ref=questionnaire.reference
                        ),
                        hint,
                    )
                )
                continue
            if located.is_identity != identity:
                right = IDENTITY_KEY if located.is_identity else ANSWERS_KEY
                report.add(
                    Diagnostic.error(
                        "APP012",
                        doc.key_span(where),
                        _("'{id}' belongs in the section '{section}'").format(
                            id=key, section=right
                        ),
                    )
                )
                continue
            raw[key] = (where, value)

    answers: dict[str, Any] = {}
    for key, (where, value) in raw.items():
        if not is_answered(value):
            continue
        located = by_id[key]
        normalised, problems = _check_value(
            located.item, value, doc, where, catalogue, multiline=located.multiline
        )
        report.extend(problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            checked.invalid[key] = errors
        else:
            answers[key] = normalised

    items = [located.item for located in questionnaire.items]
    derivable = derived_answers(items, answers)
    for key, value in derivable.items():
        # An answer written in the file is kept (and checked); an invalid one is not replaced.
        if key not in raw or not is_answered(raw[key][1]):
            answers[key] = value
            checked.derived.add(key)
    enabled = enabled_items(items, answers)
    for key in checked.derived - enabled:
        answers.pop(key, None)
    checked.derived &= enabled
    # A written answer that is invalid, or that differs from what follows, stays asked.
    checked.derivable = not_asked(items, enabled, answers) - set(checked.invalid)
    for located in questionnaire.items:
        key = located.id
        if key not in enabled:
            if key in raw and is_answered(raw[key][1]):
                problem = Diagnostic.error(
                    "APP006",
                    doc.key_span(raw[key][0]),
                    _("'{id}' is answered but does not apply: {why}").format(
                        id=key, why=describe_conditions(located, questionnaire)
                    ),
                    _("remove this answer"),
                )
                checked.invalid.setdefault(key, []).append(problem)
                report.add(problem)
            answers.pop(key, None)
        elif (
            located.item.required
            and located.item.derive is None
            and key not in answers
            and not (key in raw and is_answered(raw[key][1]))
        ):
            section = IDENTITY_KEY if located.is_identity else ANSWERS_KEY
            checked.missing.append(key)
            report.add(
                Diagnostic.error(
                    "APP005",
                    doc.key_span((section, key)) if key in raw else doc.span((section,)),
                    _("required answer missing: '{id}' ({label})").format(
                        id=key, label=located.item.label.fr
                    ),
                )
            )
    report.extend(_check_places(doc, answers))
    report.extend(
        check_coherence(
            answers,
            lambda key: doc.span((IDENTITY_KEY if by_id[key].is_identity else ANSWERS_KEY, key)),
        )
    )
    if application.date is None:
        report.add(
            Diagnostic.error(
                "APP014",
                doc.span(()),
                _("the application has no date"),
                _("add a line 'date: YYYY-MM-DD' (the day you complete it)"),
            )
        )
    checked.evidence = _check_evidence(doc, application, questionnaire, enabled, report)
    checked.answers = answers
    checked.enabled = enabled
    return checked


MAX_EVIDENCE = 20
MAX_EVIDENCE_LENGTH = 500
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _check_evidence(
    doc: Document,
    application: Application,
    questionnaire: LoadedQuestionnaire,
    enabled: set[str],
    report: Report,
) -> dict[str, list[str]]:
    """Valid evidence per item; every problem reported (APP015) and the entry left out.

    Evidence is accepted only for items that say what evidence they expect, and only for
    items that apply; a link must be http or https (never ``javascript:`` or ``data:``)."""
    valid: dict[str, list[str]] = {}
    for key, entries in application.preuves.items():
        where = ("preuves", key)
        located = questionnaire.by_id.get(key)
        if located is None or located.item.evidence is None:
            accepting = sorted(i.id for i in questionnaire.items if i.item.evidence is not None)
            close = difflib.get_close_matches(key, accepting, n=1)
            report.add(
                Diagnostic.error(
                    "APP015",
                    doc.key_span(where),
                    _("'{id}' does not take evidence").format(id=key),
                    _("did you mean '{name}'?").format(name=close[0]) if close else None,
                )
            )
            continue
        if key not in enabled:
            report.add(
                Diagnostic.error(
                    "APP015",
                    doc.key_span(where),
                    _("evidence for '{id}', which does not apply").format(id=key),
                    _("remove this evidence"),
                )
            )
            continue
        kept: list[str] = []
        if len(entries) > MAX_EVIDENCE:
            report.add(
                Diagnostic.error(
                    "APP015",
                    doc.span(where),
                    _("at most {n} pieces of evidence per question").format(n=MAX_EVIDENCE),
                )
            )
        for index, entry in enumerate(entries[:MAX_EVIDENCE]):
            text = entry.strip()
            unsafe = check_text(text, doc.span((*where, index)))
            if unsafe is not None:
                report.add(unsafe)
                continue
            problem = None
            if not text:
                problem = _("empty evidence")
            elif len(text) > MAX_EVIDENCE_LENGTH:
                problem = _("evidence longer than {n} characters").format(n=MAX_EVIDENCE_LENGTH)
            elif _SCHEME.match(text) and not is_http_iri(text):
                problem = _("only http and https links are accepted as evidence")
            if problem is not None:
                report.add(
                    Diagnostic.error(
                        "APP015",
                        doc.span((*where, index)),
                        problem,
                        _(
                            "give a web link (https://…) or the name of a document sent with the "
                            "application"
                        ),
                    )
                )
                continue
            kept.append(text)
        if kept:
            valid[key] = kept
    return valid


def describe_conditions(located: LocatedItem, questionnaire: LoadedQuestionnaire) -> str:
    rule = located.item.enable_when
    if rule is None:
        return ""
    parts = [describe_condition(c) for c in rule.conditions]
    joiner = _(" and ") if rule.behavior == "all" else _(" or ")
    return _("it applies only when {conditions}").format(conditions=joiner.join(parts))


def _check_reference(
    doc: Document, reference: str, questionnaire: LoadedQuestionnaire
) -> Iterator[Diagnostic]:
    span = doc.span(("questionnaire",))
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        yield Diagnostic.error(
            "APP001",
            span,
            _("'{ref}' does not name a questionnaire as id@version").format(ref=reference),
            _("write questionnaire: {ref}").format(ref=questionnaire.reference),
        )
        return
    if match["id"] != questionnaire.questionnaire.id:
        yield Diagnostic.error(
            "APP001",
            span,
            _("this application answers the questionnaire '{id}', not '{expected}'").format(
                id=match["id"], expected=questionnaire.questionnaire.id
            ),
        )
        return
    theirs, ours = (
        version_tuple(match["version"]),
        version_tuple(questionnaire.questionnaire.version),
    )
    if theirs != ours:
        make = Diagnostic.error if theirs[0] != ours[0] or theirs > ours else Diagnostic.warning
        yield make(
            "APP002",
            span,
            _(
                "this application was written for version {theirs} of the questionnaire; the "
                "current version is {ours}"
            ).format(theirs=match["version"], ours=questionnaire.questionnaire.version),
            _("check the answers against the changelog, then write questionnaire: {ref}").format(
                ref=questionnaire.reference
            ),
        )


_valid: dict[int, tuple[Item, dict[tuple[object, ...], Any]]] = {}
"""By item (its id, with the item kept so that the id is never another's): each valid answer
to it, normalised."""
_VALID_MOST = 10_000


def _check_value(
    item: Item,
    value: Any,
    doc: Document,
    where: tuple[str, str],
    catalogue: Catalogue | None,
    *,
    multiline: bool = False,
) -> tuple[Any, list[Diagnostic]]:
    """The normalised answer and the problems with it: its type, then, for an answer that
    fills a column of the national schema of venues, that column's constraints, so that
    the export never has to drop a value the venue was told was fine.

    A valid answer to a yes-no, choice or number item is checked once per item and value
    (it depends on nothing else): a batch's venues give the same few answers."""
    if item.type not in RECURRING_TYPES:
        return _check_value_once(item, value, doc, where, catalogue, multiline=multiline)
    key = (*answer_key(value), multiline)
    kept = _valid.get(id(item))
    if kept is None or kept[0] is not item:
        if len(_valid) >= _VALID_MOST:
            _valid.clear()
        kept = _valid[id(item)] = (item, {})
    try:
        normalised = kept[1][key]
    except KeyError:
        normalised, problems = _check_value_once(
            item, value, doc, where, catalogue, multiline=multiline
        )
        if not problems and len(kept[1]) < _VALID_MOST:
            kept[1][key] = tuple(normalised) if isinstance(normalised, list) else normalised
        return normalised, problems
    except TypeError:  # an answer of the wrong shape (a mapping…): checked each time
        return _check_value_once(item, value, doc, where, catalogue, multiline=multiline)
    return (list(normalised) if isinstance(normalised, tuple) else normalised), []


def _check_value_once(
    item: Item,
    value: Any,
    doc: Document,
    where: tuple[str, str],
    catalogue: Catalogue | None,
    *,
    multiline: bool = False,
) -> tuple[Any, list[Diagnostic]]:
    too_long = answer_size_problem(item, value, multiline=multiline)
    if too_long is not None:
        return None, [Diagnostic.error("APP022", doc.span(where), too_long)]
    normalised, problems = _check_type(item, value, doc, where, catalogue, multiline=multiline)
    if item.export is None or normalised is None or any(p.severity == "error" for p in problems):
        return normalised, problems
    if item.type in TEXT_TYPES and isinstance(normalised, str):
        span = doc.span(where)
        found = column_problem(item.export, normalised)
        if found is not None:
            code = "APP020" if item.export == HOURS_COLUMN else "APP021"
            return None, [*problems, Diagnostic.error(code, span, found[0], found[1])]
        if item.export == HOURS_COLUMN:
            hours = check_opening_hours(normalised)
            if hours.warning is not None:
                problems = [
                    *problems,
                    Diagnostic.warning("APP020", span, hours.warning, hours.hint),
                ]
    return normalised, problems


MAX_LONG_ANSWER = 10_000
"""Characters of a long answer: a text of several lines (:attr:`LocatedItem.multiline`), the
accounts of practice that reviewers rate, which ask for ten lines or so."""
MAX_SHORT_ANSWER = 2_000
"""Characters of any other answer given as text: a name, an address, a web link, the INSEE
codes of the communes a travelling venue serves (about 280 of them), a number."""
MAX_CHOICE_LENGTH = 100
"""Characters of one chosen value (the values of options and services are short ids)."""
MAX_CHOICES = 200
"""Entries of a list of services (the référentiel has about sixty); a list of options holds
at most as many entries as the question has options."""


def answer_limit(item: Item, *, multiline: bool = False) -> int:
    """The most characters an answer to ``item`` given as text may hold."""
    return MAX_LONG_ANSWER if multiline else MAX_SHORT_ANSWER


def answer_size_problem(item: Item, value: Any, *, multiline: bool = False) -> str | None:
    """Why ``value`` is too big to be an answer to ``item`` (``APP022``), or ``None``.

    The limits keep every application far under the reader's limit (:data:`MAX_BYTES`):
    with every answer of the questionnaire at its limit, in characters of four bytes, and
    every piece of evidence at its own limit, a file stays under 1.5 MiB. ``serve`` does not
    write an answer over its limit, so that a venue can always open its application."""
    if isinstance(value, str):
        limit = answer_limit(item, multiline=multiline)
        length = len(value.strip())
        if length > limit:
            return _("this answer has {length} characters; at most {limit} are accepted").format(
                length=length, limit=limit
            )
    elif isinstance(value, list):
        most = len(item.options) if item.options else MAX_CHOICES
        if len(value) > most:
            return _("{count} choices given; this question has {most}").format(
                count=len(value), most=most
            )
        if any(len(str(entry)) > MAX_CHOICE_LENGTH for entry in value):
            return _(
                "a choice longer than {limit} characters is no choice of this question"
            ).format(limit=MAX_CHOICE_LENGTH)
    return None


def evidence_size_problem(entries: list[str]) -> str | None:
    """Why the evidence given for one question is more than an application keeps
    (:data:`MAX_EVIDENCE` pieces of :data:`MAX_EVIDENCE_LENGTH` characters at most, as
    ``APP015`` says), or ``None``."""
    if len(entries) > MAX_EVIDENCE:
        return _("at most {n} pieces of evidence per question").format(n=MAX_EVIDENCE)
    if any(len(entry.strip()) > MAX_EVIDENCE_LENGTH for entry in entries):
        return _("evidence longer than {n} characters").format(n=MAX_EVIDENCE_LENGTH)
    return None


def _check_type(
    item: Item,
    value: Any,
    doc: Document,
    where: tuple[str, str],
    catalogue: Catalogue | None,
    *,
    multiline: bool = False,
) -> tuple[Any, list[Diagnostic]]:
    """The normalised answer and the problems with its type or format; a text may hold line
    breaks only when ``multiline`` (see :attr:`LocatedItem.multiline`)."""
    # the answer's position, looked up only for a problem
    kind = item.type

    def bad(code: str, message: str, hint: str | None = None) -> tuple[Any, list[Diagnostic]]:
        return None, [Diagnostic.error(code, doc.span(where), message, hint)]

    if (
        kind in {"siret", "postcode", "insee_code"}
        and isinstance(value, int)
        and not isinstance(value, bool)
    ):
        value = str(value)  # 75056 written without quotes is read right
    if kind == "boolean":
        if not isinstance(value, bool):
            hint = _("write true or false") if isinstance(value, str) else None
            return None, [
                Diagnostic.error(
                    "APP004",
                    doc.span(where),
                    _("expected true or false, got '{value}'").format(value=value),
                    hint,
                    form_hint=_("answer yes or no"),
                )
            ]
        return value, []
    if kind in {"integer", "decimal"}:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if kind == "decimal":
            ok = ok or isinstance(value, float)
        if not ok:
            expected = _("a whole number") if kind == "integer" else _("a number")
            return bad(
                "APP004",
                _("expected {expected}, got '{value}'").format(expected=expected, value=value),
            )
        if not in_range(value):
            return bad(
                "APP004",
                _("{value} is not a finite number within ±10^15").format(value=value),
            )
        if (item.min is not None and value < item.min) or (
            item.max is not None and value > item.max
        ):
            return bad(
                "APP004",
                _("{value} is outside the allowed range [{min}, {max}]").format(
                    value=value, min=_bound(item.min), max=_bound(item.max)
                ),
            )
        return value, []
    if kind in {"single_choice", "multiple_choice", "services"}:
        return _check_choices(item, value, doc, where, catalogue)
    if not isinstance(value, str):
        return bad(
            "APP004",
            _("expected a text, got '{value}'").format(value=value),
            _("put the value in quotes to keep it as text"),
        )
    unsafe = check_text(value, doc.span(where), multiline=multiline)
    if unsafe is not None:
        return None, [unsafe]
    text = value.strip()
    if kind == "siret":
        compact = text.replace(" ", "")
        problem = siret_problem(compact)
        if problem == "format":
            if compact.isdigit() and len(compact) == 14:
                return bad(
                    "APP008",
                    _("SIRET '{value}' contains characters other than the digits 0 to 9").format(
                        value=value
                    ),
                    _("type it again with the ordinary digits 0 to 9"),
                )
            return bad("APP008", _("a SIRET has 14 digits: '{value}'").format(value=value))
        if problem == "siren":
            return bad(
                "APP008",
                _(
                    "SIRET '{value}' is not valid: the check digit of its SIREN (its first 9 "
                    "digits, {siren}) is wrong"
                ).format(value=value, siren=compact[:9]),
                _("copy it again from the SIRENE directory (annuaire-entreprises)"),
            )
        if problem == "siret":
            return bad(
                "APP008",
                _("SIRET '{value}' is not valid (its check digit is wrong)").format(value=value),
                _("copy it again from the SIRENE directory (annuaire-entreprises)"),
            )
        return compact, []
    if kind == "postcode":
        if not _POSTCODE.fullmatch(text):
            leading_zero = len(text) == 4 and _POSTCODE.fullmatch("0" + text)
            return None, [
                Diagnostic.error(
                    "APP009",
                    doc.span(where),
                    _("'{value}' is not a French postcode (5 digits)").format(value=value),
                    _('the leading zero is missing: write "0{value}", in quotes').format(value=text)
                    if leading_zero
                    else _('write the postcode in quotes, for example "01000"'),
                    form_hint=_("the leading zero is missing: type 0{value}").format(value=text)
                    if leading_zero
                    else _("5 digits, for example 01000"),
                )
            ]
        return text, []
    if kind == "insee_code":
        if not INSEE_CODE.fullmatch(text.upper()):
            return bad(
                "APP010",
                _("'{value}' is not an INSEE commune code").format(value=value),
                _(
                    "5 characters: 2 for the département (2A/2B in Corsica, 971–976 "
                    'overseas) then the commune, for example "2A004"'
                ),
            )
        return text.upper(), []
    if kind == "email" and not email_is_valid(text):
        return bad(
            "APP011",
            _("'{value}' is not an email address").format(value=value),
            _(
                "write it as name@domain.fr: no space, no dot at the start or end of the name, "
                "never two dots in a row"
            ),
        )
    if kind == "url" and not is_http_iri(text):
        return bad(
            "APP011", _("'{value}' is not a web address (http or https)").format(value=value)
        )
    if kind == "phone":
        compact = re.sub(r"[\s.\-()]", "", text)
        if re.fullmatch(r"0[1-9][0-9]{8}", compact):
            compact = "+33" + compact[1:]
        if not _PHONE.fullmatch(compact):
            return bad(
                "APP011",
                _("'{value}' is not a French telephone number").format(value=value),
                _('for example "01 23 45 67 89" or "+33123456789"'),
            )
        return compact, []
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), []
        except ValueError:
            return bad("APP011", _("'{value}' is not a date YYYY-MM-DD").format(value=value))
    return text, []


def _bound(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_choices(
    item: Item,
    value: Any,
    doc: Document,
    where: tuple[str, str],
    catalogue: Catalogue | None,
) -> tuple[Any, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    if item.type == "single_choice":
        values = [o.value for o in item.options or ()]
        if value not in values:
            problems.append(_unknown_choice(doc.span(where), value, values))
            return None, problems
        return value, []
    if not isinstance(value, list):
        return None, [
            Diagnostic.error(
                "APP004",
                doc.span(where),
                _("expected a list, got '{value}'").format(value=value),
                _("write one value per line, each after '- '"),
            )
        ]
    chosen: list[str] = []
    values = [o.value for o in item.options or ()]
    for index, entry in enumerate(value):
        # the entry's position, looked up only for a problem
        span = functools.partial(doc.span, (*where, index))
        if entry in chosen:
            problems.append(
                Diagnostic.error("APP004", span(), _("'{value}' appears twice").format(value=entry))
            )
            continue
        if item.type == "multiple_choice":
            if entry not in values:
                problems.append(_unknown_choice(span(), entry, values))
                continue
        elif catalogue is not None:
            found = _check_service(item, entry, span, catalogue)
            problems.extend(found)
            if any(p.severity == "error" for p in found):
                continue
        chosen.append(entry)
    exclusive = exclusive_conflict(item, chosen)
    if exclusive is not None:
        problems.append(
            Diagnostic.error(
                "APP004",
                doc.span(where),
                _("'{value}' excludes every other choice").format(value=exclusive),
                _("keep '{value}' alone, or remove it").format(value=exclusive),
            )
        )
        return None, problems
    return chosen, problems


def exclusive_conflict(item: Item, chosen: list[Any]) -> str | None:
    """The exclusive option ("none of these") chosen along with others, if any."""
    if len(chosen) < 2:
        return None
    for option in item.options or ():
        if option.exclusive and option.value in chosen:
            return option.value
    return None


def _unknown_choice(span: Any, value: Any, values: Iterable[str]) -> Diagnostic:
    values = list(values)
    close = difflib.get_close_matches(str(value), values, n=1)
    return Diagnostic.error(
        "APP004",
        span,
        _("'{value}' is not one of the choices: {values}").format(
            value=value, values=", ".join(values)
        ),
        _("did you mean '{name}'?").format(name=close[0]) if close else None,
    )


def _check_service(
    item: Item, entry: Any, span: Callable[[], Span], catalogue: Catalogue
) -> list[Diagnostic]:
    """The problems with ``entry``, a service declared for ``item``; ``span`` gives the
    entry's position (asked only for a problem)."""
    services = catalogue.services
    service = services.get(entry) if isinstance(entry, str) else None
    if service is None:
        close = difflib.get_close_matches(str(entry), list(services), n=1)
        return [
            Diagnostic.error(
                "APP007",
                span(),
                _("'{id}' is not a service of the référentiel {version}").format(
                    id=entry, version=catalogue.version
                ),
                _("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
        ]
    if item.levels is not None and service.level not in item.levels:
        return [
            Diagnostic.error(
                "APP007",
                span(),
                _("'{id}' is a service of level '{level}', not asked here").format(
                    id=entry, level=service.level
                ),
            )
        ]
    if not service.active:
        return [
            Diagnostic.warning(
                "APP007",
                span(),
                _("'{id}' is deprecated since {version}").format(
                    id=entry, version=service.deprecated_in or "?"
                ),
                _("declare '{id}' instead").format(id=service.replaced_by),
            )
        ]
    return []


def _check_places(doc: Document, answers: dict[str, Any]) -> Iterator[Diagnostic]:
    """INSEE code, postcode and commune name against the commune reference
    (:mod:`aptic_qualif.places`)."""
    from aptic_qualif.places import check_places

    return check_places(doc, answers)


def application_files(paths: Iterable[Path]) -> tuple[ApplicationFiles, list[Path]]:
    """The application files named by ``paths`` (folders are searched for ``*.yaml``), each
    with the folder it was found in (``None`` when named itself), and the paths that do not
    exist.

    Nothing named ``*.yaml`` is left out: a pipe, a device or a broken link is returned, so
    that reading it reports it; reading a file found in a folder (``within`` it, see
    :func:`validate_application`) refuses a path that leads outside it."""
    found: ApplicationFiles = {}
    missing: list[Path] = []
    for path in paths:
        if path.is_dir():
            files, unlisted = walk(path)
            # a folder that cannot be listed is read like a file: reading it reports it
            inside = sorted([*(p for p in files if p.name.endswith(".yaml")), *unlisted])
            for file in inside:
                found.setdefault(file, path)
        elif present(path):
            found.setdefault(path, None)
        else:
            missing.append(path)
    return found, missing


def check_answer(
    item: Item,
    value: Any,
    catalogue: Catalogue | None,
    *,
    hints: bool = False,
    multiline: bool = False,
) -> tuple[Any, list[str]]:
    """Check one answer outside any file (as it is typed): the normalised value and the
    error messages (empty when the answer is valid), each with its hint if ``hints``. A
    text answer is one line unless ``multiline`` (:attr:`LocatedItem.multiline`)."""
    normalised, problems = _check_value(
        item, value, Document("", value), ("", ""), catalogue, multiline=multiline
    )
    return normalised, [
        _("{problem} ({hint})").format(problem=p.message, hint=p.hint_in_a_form)
        if hints and p.hint_in_a_form
        else p.message
        for p in problems
        if p.severity == "error"
    ]
