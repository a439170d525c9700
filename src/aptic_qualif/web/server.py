"""What every page of ``serve`` shares: its settings, one request as a page sees it (:class:`Call`),
and :class:`ServerBase`, the access layer the pages of each role stand on (the links' grants,
the files read and checked, the templates)."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from aptic_qualif import __version__, editing
from aptic_qualif.access import Grant, LinkStore, servable
from aptic_qualif.application import (
    MAX_EVIDENCE,
    MAX_EVIDENCE_LENGTH,
    CheckedApplication,
    answer_limit,
    application_files,
)
from aptic_qualif.context import Context
from aptic_qualif.formats import duration, number, of_name, percent
from aptic_qualif.i18n import _, language, localized, ngettext
from aptic_qualif.network.national import MAX_LENGTHS
from aptic_qualif.questionnaire.answers import long_answer
from aptic_qualif.questionnaire.fill import place_proposals
from aptic_qualif.questionnaire.load import IDENTITY, LocatedItem
from aptic_qualif.review.copies import describe as describe_copy
from aptic_qualif.review.load import load_reviews_of
from aptic_qualif.review.model import Review
from aptic_qualif.review.visibility import (
    DEFAULT_VENUE_VIEW,
    VenueView,
    Viewer,
)
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment, CopyMatch
from aptic_qualif.scoring.render import decision_label
from aptic_qualif.web.problems import Problem, problems

HERE = Path(__file__).parent
T = TypeVar("T")
MAX_BODY = 1024 * 1024
"""The largest request body accepted: a section with every answer at its limit
(:data:`~aptic_qualif.application.MAX_LONG_ANSWER`) is smaller, and an answer somewhat over
its limit still reaches the page, which says so beside the question."""
PAGE_SIZE = 50
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
"""The HTML report is the standalone page of ``assess --format html``: its styles are inline,
and it runs no script at all."""


@dataclass
class Settings:
    """Where ``serve`` finds and writes its files, and how it speaks."""

    root: Path
    applications: Path
    reviews: Path
    imported: Path | None = None
    """A folder of applications made by ``import lieux``, offered as starting points."""
    lang: str | None = None
    """Force a language; by default the browser's (French unless it prefers English)."""
    page_size: int = PAGE_SIZE
    public_url: str | None = None
    """The address people reach the server at, behind a proxy (``https://qualif.example.org``):
    a form must come from there. Without it, from the address the request was sent to (with
    the scheme the trusted proxy says, :mod:`aptic_qualif.web.serving`)."""
    venue_view: VenueView = DEFAULT_VENUE_VIEW
    """What a venue sees of the reviews of its application (``serve --venue-sees``; see
    :mod:`aptic_qualif.review.visibility`)."""


@dataclass
class Call:
    """One request, as a page handler sees it."""

    grant: Grant
    token: str
    base: str
    form: FormData | None
    query: Mapping[str, str]
    params: Mapping[str, str]
    csrf: str
    autosave: bool = False
    origin: str = ""
    """Where people reach the server (``https://qualif.example.org``): for the links shown."""


@dataclass
class ServerBase:
    """The access layer every page stands on: the settings, the project, the links' store,
    the form key; the files of applications and reviews read and checked; the templates."""

    settings: Settings
    context: Context
    store: LinkStore
    secret: bytes
    env: Environment = field(init=False)
    scorer: Scorer = field(init=False)
    copy_index: CopyIndex = field(init=False)

    def __post_init__(self) -> None:
        assert self.context.policy is not None
        self.scorer = Scorer(
            self.context.catalogue, self.context.questionnaire, self.context.policy, form_hints=True
        )
        self.copy_index = CopyIndex()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            _=_,
            ngettext=ngettext,
            localized=localized,
            language=language,
            decision_label=decision_label,
            percent=percent,
            number=number,
            of_name=of_name,
            version=__version__,
            IDENTITY=IDENTITY,
            moment=moment,
            describe_copy=describe_copy,
            main_menu=main_menu,
        )

    # --- helpers ------------------------------------------------------------------------

    def csrf_for(self, token: str) -> str:
        return hmac.new(self.secret, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()

    def render(self, template: str, call: Call | None, code: int = 200, **values: Any) -> Response:
        page = self.env.get_template(template).render(
            call=call, base=call.base if call else "", csrf=call.csrf if call else "", **values
        )
        return HTMLResponse(page, status_code=code)

    def unreadable(self, call: Call) -> Response:
        """An application file the validator cannot read at all (422)."""
        return self.render(
            "error.html",
            call,
            422,
            message=_("This application cannot be read: run aptic-qualif apply validate on it."),
        )

    def whole(
        self,
        checked: CheckedApplication,
        errors: Mapping[str, list[str]],
        warnings: Mapping[str, list[str]] | None = None,
    ) -> list[dict[str, Any]]:
        """Every section with the questions that apply, as the pages show the whole
        application (the recapitulation, a reviewer's reading)."""
        titles = self.section_titles()
        return [
            {
                "id": section,
                "title": titles[section],
                "fields": [
                    self.field(i, checked, errors, warnings)
                    for i in editing.shown_items(checked, section, self.questionnaire)
                ],
            }
            for section in editing.sections(self.questionnaire)
        ]

    def not_found(self, call: Call | None = None) -> Response:
        return self.render(
            "error.html",
            call,
            404,
            message=_("This page does not exist, or your link does not open it."),
        )

    @property
    def questionnaire(self) -> Any:
        return self.context.questionnaire

    def effort(self) -> tuple[str, str]:
        """How long filling in the questionnaire takes, from a small fixed venue's questions
        to every question (questionnaire.effort's estimate), rounded to ten minutes."""
        from aptic_qualif.questionnaire.effort import EVERY_QUESTION, SMALL_FIXED, profile_effort

        def rounded(minutes: int) -> str:
            return duration(max(10, round(minutes / 10) * 10))

        low = profile_effort(self.questionnaire, SMALL_FIXED).total.minutes
        high = profile_effort(self.questionnaire, EVERY_QUESTION).total.minutes
        return rounded(low), rounded(high)

    def application_path(self, app_id: str) -> Path | None:
        """The file of application ``app_id``, when the id is a plain name and the file is a
        regular file of the applications folder (never a path trick)."""
        if not servable(app_id):
            return None
        path = self.settings.applications / f"{app_id}.yaml"
        if path.is_symlink() or not path.is_file():
            return None
        return path

    def check(self, path: Path) -> CheckedApplication | None:
        checked, _report = editing.check(path, self.questionnaire, self.context.catalogue)
        return checked

    def check_problems(self, path: Path) -> tuple[CheckedApplication | None, list[Problem]]:
        """The application read back and the diagnostics of ``apply validate`` on it, each
        at its question (:mod:`aptic_qualif.web.problems`)."""
        checked, report = editing.check(path, self.questionnaire, self.context.catalogue)
        if checked is None:
            return None, []
        return checked, problems(checked, report, self.questionnaire)

    def reviews_of(self, app_id: str) -> list[Review]:
        reviews, _report = load_reviews_of(self.settings.reviews, app_id, self.questionnaire)
        return reviews

    def assess(self, checked: CheckedApplication) -> Assessment:
        return self.scorer.assess(
            checked, self.reviews_of(checked.id), copies=self.copies_of(checked.id)
        )

    def copies_of(self, app_id: str) -> list[CopyMatch]:
        """The written answers of ``app_id`` near-identical to another application's of the
        folder (:mod:`aptic_qualif.review.copies`), found over the whole folder once and
        found again only when an application file changes."""
        return self.copy_index.matches(self).get(app_id, [])

    def copies_changed(self, ids: set[str]) -> None:
        """The matches of applications ``ids`` changed (another application did): what a
        page keeps of them is to read again."""

    def application_ids(self) -> list[str]:
        files, _missing = application_files([self.settings.applications])
        return sorted(p.stem for p in files if p.suffix == ".yaml" and not p.is_symlink())

    # --- pages --------------------------------------------------------------------------

    def _own(self, call: Call) -> tuple[str, Path] | Response:
        app_id = call.params["app"]
        path = self.application_path(app_id)
        if path is None or not call.grant.may_edit(app_id):
            return self.not_found(call)
        return app_id, path

    def _own_checked(self, call: Call) -> tuple[str, CheckedApplication] | Response:
        """The venue's own application, read and validated (or the page that says why not)."""
        found = self._own(call)
        if isinstance(found, Response):
            return found
        app_id, path = found
        checked = self.check(path)
        return (app_id, checked) if checked is not None else self.unreadable(call)

    def section_titles(self) -> dict[str, str]:
        titles = {IDENTITY: _("Venue identity")}
        for theme_id, theme in self.questionnaire.themes.items():
            titles[theme_id] = localized(theme.title)
        return titles

    def labels(self) -> dict[str, str]:
        """The label of every question, by id (the error summaries name the questions)."""
        return {located.id: localized(located.item.label) for located in self.questionnaire.items}

    def field(
        self,
        located: LocatedItem,
        checked: CheckedApplication,
        errors: Mapping[str, list[str]],
        warnings: Mapping[str, list[str]] | None = None,
        *,
        sent: Mapping[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        """What the page needs to show one question (``sent``: as the form sent it, rather
        than as the file holds it)."""
        item = located.item
        raw = {**checked.application.lieu, **checked.application.reponses}.get(item.id)
        given = "\n".join(checked.application.preuves.get(item.id, []))
        if sent is not None:
            typed = sent.get(item.id, [])
            raw = typed if item.type in {"multiple_choice", "services"} else (typed or [""])[-1]
            given = "\n".join(sent.get(f"preuves:{item.id}", []))
        options: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        if item.type == "boolean":
            options = [{"value": "true", "label": _("Yes")}, {"value": "false", "label": _("No")}]
        elif item.options:
            options = [{"value": o.value, "label": localized(o.label)} for o in item.options]
        elif item.type == "services":
            catalogue = self.context.catalogue
            for level_id, level in catalogue.levels.items():
                if item.levels is not None and level_id not in item.levels:
                    continue
                services = sorted(
                    catalogue.by_level(level_id, include_deprecated=False), key=lambda s: s.notation
                )
                groups.append(
                    {
                        "label": localized(level.pref_label),
                        "options": [
                            {
                                "value": s.id,
                                "label": f"{s.notation} — {localized(s.pref_label)}",
                                "notation": s.notation,
                                "definition": localized(s.definition),
                            }
                            for s in services
                        ],
                    }
                )
        chosen: set[str] = set()
        if isinstance(raw, list):
            chosen = {str(v) for v in raw}
        elif isinstance(raw, bool):
            chosen = {"true" if raw else "false"}
        elif raw is not None:
            chosen = {str(raw)}
        if raw is None or isinstance(raw, list | bool):
            text = ""
        elif isinstance(raw, float) and language() == "fr":
            text = str(raw).replace(".", ",")
        else:
            text = str(raw)
        return {
            "id": item.id,
            "item": item,
            "label": localized(item.label),
            "help": localized(item.help) if item.help is not None else "",
            "unit": localized(item.unit) if item.unit is not None else "",
            "shown": item.id in checked.asked,
            "errors": errors.get(item.id, []),
            "warnings": (warnings or {}).get(item.id, []),
            "limit": answer_limit(item, multiline=located.multiline),
            "options": options,
            "groups": groups,
            "chosen": chosen,
            "text": text,
            # The commune and its INSEE code as the commune reference proposes them from the
            # postcode saved (a datalist: the venue may still type anything).
            "proposals": place_proposals(item.id, checked.application.lieu),
            "long": long_answer(located),
            # the national map's limit on this text (the summary: 280), counted as one types
            "counted": MAX_LENGTHS.get(item.export) if item.export else None,
            "evidence": localized(item.evidence) if item.evidence is not None else "",
            "given": given,
            "evidence_limit": MAX_EVIDENCE * (MAX_EVIDENCE_LENGTH + 1),
            "rubric": [
                {"score": step.score, "description": localized(step.description)}
                for step in item.rubric or ()
            ],
        }

    def viewer(self, call: Call) -> Viewer:
        """Who is asking, as the rules of blind review know them
        (:mod:`aptic_qualif.review.visibility`): the person at the keyboard of a local
        server coordinates."""
        if call.grant.kind == "relecteur":
            return Viewer("relecteur", call.grant.subject)
        if call.grant.kind == "lieu":
            return Viewer("lieu")
        return Viewer("coordination")

    # --- reviewers -------------------------------------------------------------------

    # --- the coordinator: applications read-only, links, assignments ----------------------

    def assignments(self) -> dict[str, list[str]]:
        from aptic_qualif.review.assignments import load_assignments

        return load_assignments(self.settings.reviews)


def main_menu(call: Call) -> list[tuple[str, str]]:
    """The header's menu for the person of ``call``'s link: (address, words) of each entry.
    The pages of the web front and the report it serves show the same."""
    grant, base = call.grant, call.base
    menu: list[tuple[str, str]] = []
    if grant.coordinates:
        menu.append((f"{base}/", _("Applications")))
    if grant.kind == "lieu":
        menu.append((f"{base}/candidatures/{grant.subject}/", _("My application")))
    if grant.kind == "relecteur":
        menu.append((f"{base}/relectures/{grant.subject}/", _("My reviews")))
    if grant.coordinates:
        menu.append((f"{base}/synthese", _("Review summary")))
        menu.append((f"{base}/liens", _("Secret links")))
    return menu


def moment(text: str | None) -> str:
    """A date, or a date and time, of ``historique`` as people read it (French: day first)."""
    if not text:
        return "—"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    day = value.strftime("%d/%m/%Y") if language() == "fr" else value.strftime("%Y-%m-%d")
    return f"{day} {value.strftime('%H:%M')}" if "T" in text else day


def _paginate(ids: Sequence[T], asked: str | None, size: int) -> tuple[int, int, Sequence[T]]:
    pages = max(1, math.ceil(len(ids) / size))
    try:
        page = min(max(1, int(asked or "1")), pages)
    except ValueError:
        page = 1
    return page, pages, ids[(page - 1) * size : page * size]


class CopyIndex:
    """The written answers near-identical between applications of the folder, kept while
    no application file changes (their names, dates and sizes); each file's written answers
    are kept too, so that a change reads only the files that changed. The files are looked
    at again at most every :attr:`FRESH` seconds: a dashboard assesses every application
    at once, and should not look at every file for each."""

    FRESH = 1.0

    def __init__(self) -> None:
        self._checked = -math.inf
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int, int, int], ...] | None = None
        self._answers: dict[str, tuple[tuple[int, int, int], list[Any]]] = {}
        self._matches: dict[str, list[CopyMatch]] = {}

    def matches(self, server: ServerBase) -> dict[str, list[CopyMatch]]:
        from aptic_qualif.review.copies import find_copies, written_answers

        if time.monotonic() - self._checked < self.FRESH:
            return self._matches
        folder = server.settings.applications
        seen: list[tuple[str, int, int, int]] = []
        for app_id in server.application_ids():
            try:
                info = (folder / f"{app_id}.yaml").stat()
            except OSError:
                continue
            seen.append((app_id, info.st_ino, info.st_mtime_ns, info.st_size))
        stamp = tuple(seen)
        with self._lock:
            self._checked = time.monotonic()
            if stamp == self._stamp:
                return self._matches
            answers: list[Any] = []
            kept: dict[str, tuple[tuple[int, int, int], list[Any]]] = {}
            for app_id, *file_stamp in stamp:
                key = (file_stamp[0], file_stamp[1], file_stamp[2])
                found = self._answers.get(app_id)
                if found is None or found[0] != key:
                    path = server.application_path(app_id)
                    checked = server.check(path) if path is not None else None
                    found = (key, written_answers(checked, server.questionnaire) if checked else [])
                kept[app_id] = found
                answers.extend(found[1])
            matches = find_copies(answers)
            changed = {
                app_id
                for app_id in set(matches) | set(self._matches)
                if matches.get(app_id) != self._matches.get(app_id)
            }
            self._answers, self._matches, self._stamp = kept, matches, stamp
        if changed:
            server.copies_changed(changed)
        return matches
