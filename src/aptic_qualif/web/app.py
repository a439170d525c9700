"""The Starlette application of ``aptic-qualif serve``.

Every page lives under ``/t/<token>/``: the token of a secret link (:mod:`aptic_qualif.access`)
says who is asking — a venue for its own application, a reviewer, the coordinator, or the
person at the keyboard (``local``). An unknown token, or a page the token does not open,
answers 404 and tells nothing of what exists.

Security: forms carry a token signed with the project's key and tied to the link (CSRF), a
cross-site ``Origin`` is refused, request bodies are bounded, and every response has a strict
Content-Security-Policy (scripts and styles from the server only, no inline script), a
referrer for this site only (the link is a secret no other site may see; ``no-referrer``
would make browsers send ``Origin: null`` with every form) and no caching.

Pages work without JavaScript; ``static/form.js`` only saves as the person types and updates
the questions shown and the messages, from what the server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aptic_qualif import __version__, editing
from aptic_qualif.access import Grant, LinkStore, servable, server_secret
from aptic_qualif.application import (
    MAX_EVIDENCE,
    MAX_EVIDENCE_LENGTH,
    CheckedApplication,
    answer_limit,
    application_files,
)
from aptic_qualif.context import Context
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import LANGUAGES, _, language, localized, ngettext, use_language
from aptic_qualif.questionnaire.answers import long_answer
from aptic_qualif.questionnaire.fill import place_proposals
from aptic_qualif.questionnaire.load import IDENTITY, LocatedItem
from aptic_qualif.review.load import load_reviews_of
from aptic_qualif.review.model import Review
from aptic_qualif.review.visibility import (
    DEFAULT_VENUE_VIEW,
    VenueView,
    Viewer,
    Visibility,
    other_reviews,
    redact,
    reviews_to_assess,
    visibility,
)
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.html import percent
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.render import decision_label
from aptic_qualif.web.overview import (
    BUDGET,
    Filters,
    Overview,
    Row,
    count,
    departement_of,
    select,
)
from aptic_qualif.web.problems import Problem, at_questions, merged, problems
from aptic_qualif.web.serving import BODY_TIMEOUT

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
class Server:
    settings: Settings
    context: Context
    store: LinkStore
    secret: bytes
    env: Environment = field(init=False)
    scorer: Scorer = field(init=False)

    def __post_init__(self) -> None:
        assert self.context.policy is not None
        self.scorer = Scorer(
            self.context.catalogue, self.context.questionnaire, self.context.policy, form_hints=True
        )
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
            version=__version__,
            IDENTITY=IDENTITY,
            moment=moment,
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
        return self.scorer.assess(checked, self.reviews_of(checked.id))

    def application_ids(self) -> list[str]:
        files, _missing = application_files([self.settings.applications])
        return sorted(p.stem for p in files if p.suffix == ".yaml" and not p.is_symlink())

    # --- pages --------------------------------------------------------------------------

    def home(self, call: Call) -> Response:
        grant = call.grant
        if grant.kind == "lieu" and grant.subject:
            return RedirectResponse(f"{call.base}/candidatures/{grant.subject}/", 303)
        if grant.kind == "relecteur" and grant.subject:
            return RedirectResponse(f"{call.base}/relectures/{grant.subject}/", 303)
        return self.dashboard(call)

    def dashboard(self, call: Call) -> Response:
        """Every application of the network: counts over all of them, filters, a page."""
        if not call.grant.coordinates:
            return self.not_found(call)
        ids = self.application_ids()
        filters = Filters.parse(call.query)
        # Unfiltered, the page's rows are known before reading: read them whatever the time.
        required = (
            ()
            if filters.active
            else _paginate(ids, call.query.get("page"), self.settings.page_size)[2]
        )
        rows = self.overview.rows(
            ids,
            self.settings.applications,
            self.settings.reviews,
            required=required,
            budget=BUDGET,
        )
        problem = ""
        try:
            assignments = self.assignments()
        except CommandError as exc:
            assignments, problem = {}, str(exc)
        kept = select(rows, filters, assignments)
        page, pages, shown = _paginate(kept, call.query.get("page"), self.settings.page_size)
        from aptic_qualif.network.coverage import departement_label

        counts = count(rows)
        return self.render(
            "dashboard.html",
            call,
            rows=shown,
            page=page,
            pages=pages,
            total=len(ids),
            selected=len(kept),
            counts=counts,
            filters=filters,
            query=urlencode(filters.query()),
            departements=[(code, departement_label(code)) for code in counts.departements],
            reviewers=self.known_reviewers(rows, assignments),
            assignments=assignments,
            imported=self.imported_ids(),
            problem=problem,
        )

    def imported_ids(self) -> list[str]:
        """The venues of ``serve --imported``, to start an application from."""
        if self.settings.imported is None:
            return []
        files, _missing = application_files([self.settings.imported])
        return sorted(p.stem for p in files if p.suffix == ".yaml" and servable(p.stem))

    def create_application(self, call: Call) -> Response:
        if not call.grant.coordinates:
            return self.not_found(call)
        from aptic_qualif.network.importer import slug

        assert call.form is not None
        name = str(call.form.get("nom", "")).strip()
        source = str(call.form.get("depuis", "")).strip()
        start: dict[str, Any] | None = None
        if source:
            if self.settings.imported is None or not servable(source):
                return self.not_found(call)
            origin = self.settings.imported / f"{source}.yaml"
            if origin.is_symlink() or not origin.is_file():
                return self.not_found(call)
            start = editing.read_data(origin)
            start.setdefault("lieu", {})
            name = name or str(start["lieu"].get("nom", source))
            start["lieu"]["nom"] = name
        if not name:
            return self.render("error.html", call, 400, message=_("Give the venue's name."))
        app_id = slug(name) or "candidature"
        candidate, number = app_id, 1
        while (self.settings.applications / f"{candidate}.yaml").exists():
            number += 1
            candidate = f"{app_id}-{number}"
        self.settings.applications.mkdir(parents=True, exist_ok=True)
        editing.create(
            self.settings.applications / f"{candidate}.yaml",
            self.questionnaire,
            start=start,
            identity={"nom": name},
        )
        if call.grant.may_edit(candidate):
            return RedirectResponse(f"{call.base}/candidatures/{candidate}/", 303)
        return RedirectResponse(f"{call.base}/candidatures/{candidate}/lecture", 303)

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

    def application(self, call: Call) -> Response:
        found = self._own_checked(call)
        if isinstance(found, Response):
            return found
        app_id, checked = found
        _checked, found_problems = self.check_problems(checked.path)
        return self.render(
            "application.html",
            call,
            app_id=app_id,
            checked=checked,
            status=editing.status_of(checked),
            progress=editing.progress(
                checked, self.questionnaire, errors=at_questions(found_problems, missing=False)
            ),
            titles=self.section_titles(),
            history=editing.history(checked),
        )

    def section_titles(self) -> dict[str, str]:
        titles = {IDENTITY: _("Venue identity")}
        for theme_id, theme in self.questionnaire.themes.items():
            titles[theme_id] = localized(theme.title)
        return titles

    def section(self, call: Call) -> Response:
        found = self._own(call)
        if isinstance(found, Response):
            return found
        app_id, path = found
        section = call.params["section"]
        order = editing.sections(self.questionnaire)
        if section not in order:
            return self.not_found(call)
        saved_note = ""
        saved: editing.Saved | None = None
        refused: dict[str, list[str]] = {}
        fields: dict[str, list[str]] = {}
        if call.form is not None:
            closed = self._refuse_if_submitted(call, path)
            if closed is not None:
                return closed
            fields = {
                key: [v for v in call.form.getlist(key) if isinstance(v, str)]
                for key in call.form.keys()  # noqa: SIM118 - a multi-dict
            }
            version = call.form.get("_version")
            try:
                # The answer says « saved » only once the write has returned: an error of
                # the system is an error page (see create_app), never a success.
                saved = editing.save_section(
                    path,
                    self.questionnaire,
                    self.context.catalogue,
                    section,
                    fields,
                    version=version if isinstance(version, str) else None,
                )
            except CommandError as exc:
                return self.render("error.html", call, 409, message=str(exc))
            refused = saved.refused
            if not saved.conflicts:
                saved_note = _("Saved at {time}.").format(time=datetime.now().strftime("%H:%M:%S"))
        conflicts = [c.message for c in saved.conflicts] if saved is not None else []
        checked, found_problems = self.check_problems(path)
        if checked is None:
            return self.unreadable(call)
        # While a section is being written, a required question not answered yet is not an
        # error (its label says it is required); the recapitulation lists what is missing.
        # An answer refused for its size was not written: its message comes from the save.
        errors = merged(refused, at_questions(found_problems, missing=False))
        warnings = at_questions(found_problems, severity="warning")
        if call.autosave:
            reload = _("Reload the page to see what is saved, then change it again if needed.")
            return JSONResponse(
                {
                    "saved": saved_note,
                    "conflict": " ".join([*conflicts, reload]) if conflicts else "",
                    "conflicts": [
                        {"field": c.field, "saved": c.saved, "typed": c.typed, "message": c.message}
                        for c in (saved.conflicts if saved is not None else [])
                    ],
                    "version": saved.version if saved is not None else "",
                    "shown": sorted(checked.enabled),
                    "errors": errors,
                    "warnings": warnings,
                },
                status_code=409 if conflicts else 200,
            )
        if call.form is not None and not conflicts and not refused:
            move = str(call.form.get("aller", ""))
            index = order.index(section)
            if move == "suivant":
                target = order[index + 1] if index + 1 < len(order) else "recapitulatif"
                return RedirectResponse(f"{call.base}/candidatures/{app_id}/{target}", 303)
            if move == "precedent" and index > 0:
                return RedirectResponse(
                    f"{call.base}/candidatures/{app_id}/{order[index - 1]}", 303
                )
        index = order.index(section)
        shown = {i.id for i in editing.shown_items(checked, section, self.questionnaire)}
        summary = [
            *(
                Problem("error", "APP022", text, key, section)
                for key, texts in refused.items()
                for text in texts
            ),
            *(
                p
                for p in found_problems
                if p.severity == "error" and p.item in shown and p.code != "APP005"
            ),
        ]
        return self.render(
            "section.html",
            call,
            app_id=app_id,
            checked=checked,
            section=section,
            # After a save without JavaScript, the errors of the section at the top of the
            # page, each linked to its question.
            summary=summary if call.form is not None else [],
            labels=self.labels(),
            title=self.section_titles()[section],
            description=(
                localized(self.questionnaire.themes[section].description)
                if section in self.questionnaire.themes
                else ""
            ),
            # An answer refused for its size is shown as it was sent, to be shortened.
            items=[
                self.field(i, checked, errors, warnings, sent=fields if i.id in refused else None)
                for i in self.questionnaire.theme_items(section)
            ],
            previous=order[index - 1] if index > 0 else None,
            following=order[index + 1] if index + 1 < len(order) else None,
            position=index + 1,
            count=len(order),
            saved=saved_note,
            conflicts=conflicts,
            form_version=editing.section_version(
                editing.plain(checked.application), self.questionnaire, section
            ),
            status=editing.status_of(checked),
            code=409 if conflicts else 200,
        )

    def _refuse_if_submitted(self, call: Call, path: Path) -> Response | None:
        """A change posted to a submitted application is refused (409), whatever sent it:
        the venue reopens it first (:meth:`set_status`)."""
        checked = self.check(path)
        if checked is None:
            return None
        try:
            editing.require_draft(checked)
        except CommandError as exc:
            if call.autosave:
                return JSONResponse({"error": str(exc)}, status_code=409)
            return self.render("error.html", call, 409, message=str(exc))
        return None

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
                            {"value": s.id, "label": f"{s.notation} — {localized(s.pref_label)}"}
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
            "shown": item.id in checked.enabled,
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
            "evidence": localized(item.evidence) if item.evidence is not None else "",
            "given": given,
            "evidence_limit": MAX_EVIDENCE * (MAX_EVIDENCE_LENGTH + 1),
            "rubric": [
                {"score": step.score, "description": localized(step.description)}
                for step in item.rubric or ()
            ],
        }

    def recap(self, call: Call) -> Response:
        found = self._own_checked(call)
        if isinstance(found, Response):
            return found
        app_id, checked = found
        _checked, found_problems = self.check_problems(checked.path)
        errors = at_questions(found_problems)
        sections = self.whole(checked, errors, at_questions(found_problems, severity="warning"))
        progress = editing.progress(
            checked, self.questionnaire, errors=at_questions(found_problems, missing=False)
        )
        summary = [p for p in found_problems if p.severity == "error"]
        return self.render(
            "recap.html",
            call,
            app_id=app_id,
            checked=checked,
            sections=sections,
            assessment=self.assess(checked),
            # Submitting is open only when apply validate finds no error at all.
            ready=not summary,
            summary=summary,
            labels=self.labels(),
            refused=call.query.get("refusee") == "1",
            progress=progress,
            titles=self.section_titles(),
            status=editing.status_of(checked),
        )

    def report(self, call: Call) -> Response:
        app_id = call.params["app"]
        path = self.application_path(app_id)
        if path is None or not (call.grant.may_edit(app_id) or call.grant.may_read_all()):
            return self.not_found(call)
        checked = self.check(path)
        if checked is None:
            return self.not_found(call)
        viewer = self.viewer(call)
        if viewer.role == "relecteur" and editing.status_of(checked) != "soumise":
            return self.not_found(call)  # reviewers read what is submitted, not drafts
        from aptic_qualif.scoring.html import render_html

        reviews = self.reviews_of(app_id)
        seen = visibility(viewer, reviews, self.settings.venue_view)
        assessment = self.scorer.assess(checked, reviews_to_assess(reviews, seen))
        response = HTMLResponse(render_html([redact(assessment, seen)]))
        response.headers["Content-Security-Policy"] = REPORT_CSP
        return response

    def viewer(self, call: Call) -> Viewer:
        """Who is asking, as the rules of blind review know them
        (:mod:`aptic_qualif.review.visibility`): the person at the keyboard of a local
        server coordinates."""
        if call.grant.kind == "relecteur":
            return Viewer("relecteur", call.grant.subject)
        if call.grant.kind == "lieu":
            return Viewer("lieu")
        return Viewer("coordination")

    def set_status(self, call: Call) -> Response:
        """Submit the application, or reopen a submitted one to change it. Reopening is asked
        for on a page of its own (GET) that says what follows — the reviewers are told, the
        application must be submitted again — and done by its form (POST)."""
        found = self._own(call)
        if isinstance(found, Response):
            return found
        app_id, path = found
        wanted = call.params["action"]
        if wanted not in {"soumettre", "rouvrir"}:
            return self.not_found(call)
        checked = self.check(path)
        if checked is None:
            return self.unreadable(call)
        status = editing.status_of(checked)
        if call.form is None:
            if wanted != "rouvrir" or status != "soumise":
                return RedirectResponse(f"{call.base}/candidatures/{app_id}/", 303)
            return self.render("reopen.html", call, app_id=app_id, checked=checked)
        if wanted == "soumettre":
            # Refused while apply validate finds any error (the page hides the button too).
            checked, found_problems = self.check_problems(path)
            if checked is None or any(p.severity == "error" for p in found_problems):
                return RedirectResponse(
                    f"{call.base}/candidatures/{app_id}/recapitulatif?refusee=1#erreurs", 303
                )
            editing.set_status(path, "soumise")
        else:
            editing.set_status(path, "brouillon")
        return RedirectResponse(f"{call.base}/candidatures/{app_id}/", 303)

    # --- reviewers -------------------------------------------------------------------

    def reviewer_from_form(self, call: Call) -> Response:
        """The local home's « review as » form: to that reviewer's queue."""
        reviewer = call.query.get("relecteur", "").strip()
        if call.grant.kind != "local" or not servable(reviewer):
            return self.not_found(call)
        return RedirectResponse(f"{call.base}/relectures/{reviewer}/", 303)

    def _reviewer(self, call: Call) -> str | None:
        reviewer = call.params["reviewer"]
        if not servable(reviewer) or not call.grant.may_review_as(reviewer):
            return None
        return reviewer

    def queue(self, call: Call) -> Response:
        """A reviewer's applications: to do, in progress, done, to review again."""
        reviewer = self._reviewer(call)
        if reviewer is None:
            return self.not_found(call)
        from aptic_qualif.review.draft import DraftError, load_review
        from aptic_qualif.review.fingerprint import changes, fingerprint

        ids = self.assigned_first(reviewer, self.application_ids())
        page, pages, shown = _paginate(ids, call.query.get("page"), self.settings.page_size)
        rows: list[dict[str, Any]] = []
        for app_id in shown:
            path = self.application_path(app_id)
            checked = self.check(path) if path is not None else None
            if checked is None or editing.status_of(checked) != "soumise":
                continue
            try:
                review = load_review(self.settings.reviews, app_id, reviewer)
            except DraftError:
                rows.append({"id": app_id, "venue": checked.venue_name, "state": "illisible"})
                continue
            changed: list[str] = []
            if review is None:
                state = "a-faire"
            elif review.draft:
                state = "en-cours"
            elif review.conflict_of_interest:
                state = "conflit"
            else:
                current = fingerprint(checked, self.questionnaire)
                changed = changes(review, current, self.questionnaire)
                state = "a-revoir" if changed else "terminee"
            rows.append(
                {
                    "id": app_id,
                    "venue": checked.venue_name,
                    "state": state,
                    "changed": changed,
                    "resubmitted": editing.resubmitted(checked),
                }
            )
        return self.render(
            "queue.html",
            call,
            reviewer=reviewer,
            rows=rows,
            page=page,
            pages=pages,
            assigned=self.assigned_set(reviewer),
        )

    def review(self, call: Call) -> Response:
        """One application to review: conflict of interest first, then each rated answer
        with its evidence and its whole rubric, a score and a comment each, the overall
        recommendation and comment; saved as a draft as the reviewer goes."""
        reviewer = self._reviewer(call)
        app_id = call.params["app"]
        path = self.application_path(app_id)
        if reviewer is None or path is None:
            return self.not_found(call)
        from aptic_qualif.review import draft as drafts
        from aptic_qualif.review.fingerprint import changes, fingerprint, rated_items

        checked = self.check(path)
        if checked is None or editing.status_of(checked) != "soumise":
            return self.not_found(call)
        review = drafts.load_review(self.settings.reviews, app_id, reviewer)
        problems: list[str] = []
        posted: dict[str, str] = {}
        if call.form is not None:
            step = "terminer" if call.form.get("terminer") else str(call.form.get("etape", ""))
            form = {k: str(v) for k, v in call.form.items() if isinstance(v, str)}
            posted = form
            if step == "conflit":
                conflict = form.get("conflit") == "oui"
                details = form.get("lien", "")
                if review is None:
                    review = drafts.start_draft(
                        checked, self.questionnaire, reviewer, conflict=conflict, details=details
                    )
                else:
                    review = drafts.record_conflict(drafts.reopen(review), conflict, details)
                drafts.save_review(review, self.settings.reviews)
            elif step == "rouvrir" and review is not None:
                review = drafts.reopen(review)
                drafts.save_review(review, self.settings.reviews, force=True)
            elif step in {"enregistrer", "terminer"} and review is not None and review.draft:
                review, problems = self._record(review, checked, form)
                drafts.save_review(review, self.settings.reviews)
                if step == "terminer" and not problems:
                    try:
                        review = drafts.finish(review, checked, self.questionnaire)
                    except drafts.DraftIncomplete as exc:
                        problems = exc.missing.messages(self.questionnaire)
                    else:
                        drafts.save_review(review, self.settings.reviews, force=True)
            if call.autosave:
                saved = _("Draft saved at {time}.").format(time=datetime.now().strftime("%H:%M:%S"))
                return JSONResponse({"saved": saved, "shown": None, "errors": {}})
            if not problems:
                return RedirectResponse(f"{call.base}/relectures/{reviewer}/{app_id}", 303)
        current = fingerprint(checked, self.questionnaire)
        lacking = (
            drafts.missing(review, checked, self.questionnaire)
            if review is not None and review.draft
            else None
        )
        errors = editing.errors_by_item(checked, missing=False)
        items = []
        for item_id in rated_items(checked, self.questionnaire):
            located = self.questionnaire.by_id[item_id]
            given = review.scores.get(item_id) if review is not None else None
            score = posted.get(f"note:{item_id}", str(given.score) if given else "")
            comment = posted.get(f"commentaire:{item_id}", (given.comment or "") if given else "")
            items.append(
                {
                    **self.field(located, checked, errors),
                    "score": score,
                    "comment": comment,
                    "changed": bool(lacking and item_id in lacking.changed),
                    "links": [
                        entry
                        for entry in checked.evidence.get(item_id, [])
                        if entry.startswith(("https://", "http://"))
                    ],
                }
            )
        sections = self.whole(checked, errors)
        from aptic_qualif.review.workflow import RECOMMENDATIONS

        everyone = self.reviews_of(app_id)
        seen = visibility(Viewer("relecteur", reviewer), everyone, self.settings.venue_view)

        return self.render(
            "review.html",
            call,
            reviewer=reviewer,
            app_id=app_id,
            checked=checked,
            review=review,
            resubmitted=editing.resubmitted(checked),
            items=items,
            sections=sections,
            lacking=lacking.messages(self.questionnaire) if lacking else [],
            problems=problems,
            stale=(
                changes(review, current, self.questionnaire)
                if review is not None and not review.draft and not review.conflict_of_interest
                else []
            ),
            recommendations=[(key, _(label)) for key, label in RECOMMENDATIONS.items()],
            seen=seen,
            others=self._others(everyone, reviewer, seen, checked),
            recommendation=posted.get(
                "recommandation", review.recommendation or "" if review is not None else ""
            ),
            overall=posted.get("commentaire", review.comment or "" if review is not None else ""),
        )

    def _others(
        self,
        reviews: Sequence[Review],
        reviewer: str,
        seen: Visibility,
        checked: CheckedApplication,
    ) -> list[dict[str, Any]]:
        """The other reviewers' finished reviews, as the review page shows them to
        ``reviewer`` — only what :func:`~aptic_qualif.review.visibility.visibility` allows."""
        from aptic_qualif.review.fingerprint import short_label
        from aptic_qualif.review.workflow import RECOMMENDATIONS

        shown = []
        for other in other_reviews(reviews, Viewer("relecteur", reviewer), seen):
            shown.append(
                {
                    "reviewer": other.reviewer,
                    "recommendation": (
                        _(RECOMMENDATIONS[other.recommendation]) if other.recommendation else "—"
                    ),
                    "comment": other.comment or "",
                    "scores": [
                        {
                            "label": short_label(item, self.questionnaire),
                            "score": given.score,
                            "comment": given.comment or "",
                        }
                        for item, given in other.scores.items()
                    ],
                }
            )
        return shown

    def _record(
        self, review: Review, checked: CheckedApplication, form: Mapping[str, str]
    ) -> tuple[Review, list[str]]:
        """Record what the review form sent: details of a conflict, or the scores, their
        comments, the recommendation and the overall comment. A comment without a score is
        not lost: the page shows it again, asking for the score."""
        from aptic_qualif.review import draft as drafts
        from aptic_qualif.review.fingerprint import rated_items, short_label

        if review.conflict_of_interest:
            return drafts.record_conflict(review, True, form.get("lien", "")), []
        problems = []
        for item_id in rated_items(checked, self.questionnaire):
            typed = form.get(f"note:{item_id}", "")
            comment = form.get(f"commentaire:{item_id}", "")
            if typed.isdigit() and len(typed) == 1:
                try:
                    review = drafts.record_score(
                        review, checked, self.questionnaire, item_id, int(typed), comment
                    )
                except drafts.DraftError as exc:
                    problems.append(str(exc))
            elif comment.strip() and item_id not in review.scores:
                problems.append(
                    _("choose a score for '{label}' to save your comment on it").format(
                        label=short_label(item_id, self.questionnaire)
                    )
                )
        recommendation = form.get("recommandation") or None
        if recommendation not in {None, "qualifier", "a-completer", "ne-pas-qualifier"}:
            recommendation = None
        review = drafts.record_overall(
            review,
            recommendation,  # type: ignore[arg-type]
            form.get("commentaire", ""),
        )
        return review, problems

    def summary(self, call: Call) -> Response:
        """Every application's reviews, aggregated: the coordinator's view of agreement."""
        if not call.grant.coordinates:
            return self.not_found(call)
        from aptic_qualif.review.fingerprint import fingerprint
        from aptic_qualif.review.load import load_reviews
        from aptic_qualif.review.workflow import summarize

        reviews, _report = load_reviews(self.settings.reviews, self.questionnaire)
        current = {}
        for app_id in sorted({r.application for r in reviews}):
            path = self.application_path(app_id)
            checked = self.check(path) if path is not None else None
            if checked is not None:
                current[app_id] = fingerprint(checked, self.questionnaire)
        result = summarize(reviews, self.questionnaire, self.context.policy, current)
        return self.render("summary.html", call, summary=result)

    # --- the coordinator: applications read-only, links, assignments ----------------------

    @cached_property
    def overview(self) -> Overview:
        return Overview(self.overview_row)

    def warm_overview(self) -> None:
        """Read and assess every application once, so that the coordinator's first page is
        quick (run in the background when ``serve`` starts; a failure only leaves the rows
        to be read by the page itself)."""
        with contextlib.suppress(Exception):  # a background warm-up never stops the server
            self.overview.rows(
                self.application_ids(), self.settings.applications, self.settings.reviews
            )

    def overview_row(self, app_id: str) -> Row:
        """One application as the dashboard shows and filters it."""
        path = self.application_path(app_id)
        checked = self.check(path) if path is not None else None
        if checked is None:
            return Row(app_id, broken=True)
        reviews = self.reviews_of(app_id)
        assessment = self.scorer.assess(checked, reviews)
        return Row(
            id=app_id,
            venue=checked.venue_name,
            status=editing.status_of(checked),
            decision=assessment.decision,
            departement=departement_of(checked.answers),
            reviews=assessment.reviews,
            reviewers=frozenset(r.reviewer for r in reviews),
            conflicted=frozenset(r.reviewer for r in reviews if r.conflict_of_interest),
            changed=editing.last_change(checked),
            history=tuple(editing.history(checked)),
            withdrawn=tuple(
                (review.reviewer, trace)
                for review in reviews
                for trace in review.withdrawn_conflicts
            ),
        )

    def assignments(self) -> dict[str, list[str]]:
        from aptic_qualif.review.assignments import load_assignments

        return load_assignments(self.settings.reviews)

    def known_reviewers(
        self, rows: Sequence[Row] = (), assignments: Mapping[str, Sequence[str]] = {}
    ) -> list[str]:
        """The reviewers the coordinator may choose from: those with a link, a review file
        or an assignment."""
        names = {link.subject for link in self.store.links() if link.kind == "relecteur"}
        for row in rows:
            names.update(row.reviewers)
        for reviewers in assignments.values():
            names.update(reviewers)
        return sorted(n for n in names if n and servable(n))

    def consult(self, call: Call) -> Response:
        """An application as the coordinator reads it: its decision, its reviews and their
        assignment, every answer (read-only), the report and the venue's link."""
        if not call.grant.coordinates:
            return self.not_found(call)
        app_id = call.params["app"]
        path = self.application_path(app_id)
        if path is None:
            return self.not_found(call)
        checked = self.check(path)
        if checked is None:
            return self.unreadable(call)
        reviews = self.reviews_of(app_id)
        assessment = self.scorer.assess(checked, reviews)
        assignments = self.assignments()
        assigned = assignments.get(app_id, [])
        reviewers = self.known_reviewers((), assignments)
        for review in reviews:
            if servable(review.reviewer) and review.reviewer not in reviewers:
                reviewers.append(review.reviewer)
        return self.render(
            "consult.html",
            call,
            app_id=app_id,
            checked=checked,
            status=editing.status_of(checked),
            assessment=assessment,
            sections=self.whole(checked, editing.errors_by_item(checked)),
            progress=editing.progress(checked, self.questionnaire),
            titles=self.section_titles(),
            assigned=assigned,
            reviewers=sorted(reviewers),
            conflicted={r.reviewer for r in reviews if r.conflict_of_interest},
            venue_links=[
                link
                for link in self.store.links()
                if link.kind == "lieu" and link.subject == app_id
            ],
            editable=call.grant.may_edit(app_id),
        )

    def assign(self, call: Call) -> Response:
        """The coordinator sets who reviews an application (never someone who declared a
        conflict of interest with the venue)."""
        if not call.grant.coordinates:
            return self.not_found(call)
        app_id = call.params["app"]
        if self.application_path(app_id) is None:
            return self.not_found(call)
        from aptic_qualif.review.assignments import save_assignments

        assert call.form is not None
        chosen = [str(v).strip() for v in call.form.getlist("relecteur") if isinstance(v, str)]
        other = str(call.form.get("autre", "")).strip()
        if other:
            chosen.append(other)
        conflicted = {r.reviewer for r in self.reviews_of(app_id) if r.conflict_of_interest}
        for reviewer in chosen:
            if not servable(reviewer):
                return self.render(
                    "error.html",
                    call,
                    400,
                    message=_(
                        "'{id}' is not a reviewer id: 1 to 120 letters without accents, "
                        "digits, hyphens and underscores (e.g. claire-martin)"
                    ).format(id=reviewer),
                )
            if reviewer in conflicted:
                return self.render(
                    "error.html",
                    call,
                    409,
                    message=_(
                        "{reviewer} declared a conflict of interest with this venue: choose "
                        "another reviewer."
                    ).format(reviewer=reviewer),
                )
        assignments = self.assignments()
        assignments[app_id] = chosen
        save_assignments(self.settings.reviews, assignments)
        return RedirectResponse(f"{call.base}/candidatures/{app_id}/lecture#affectation", 303)

    def assignment_plan(self, call: Call) -> Response:
        """Propose two reviewers for each submitted application, balanced across the
        reviewers; those who already review an application keep it (GET shows the proposal,
        POST keeps it)."""
        if not call.grant.coordinates:
            return self.not_found(call)
        from aptic_qualif.review.assignments import load_counts, propose, save_assignments

        rows = self.overview.rows(
            self.application_ids(),
            self.settings.applications,
            self.settings.reviews,
            budget=BUDGET,
        )
        assignments = self.assignments()
        pool = self.known_reviewers(rows, assignments)
        conflicts = {(row.id, reviewer) for row in rows for reviewer in row.conflicted}
        submitted = [row.id for row in rows if row.status == "soumise"]
        # Whoever already reviews an application not assigned yet counts as assigned to it.
        started = {
            row.id: sorted(row.reviewers - row.conflicted)
            for row in rows
            if row.id not in assignments and row.reviewers - row.conflicted
        }
        proposal = propose(submitted, pool, {**started, **assignments}, conflicts)
        if call.form is not None:
            save_assignments(self.settings.reviews, proposal)
            return RedirectResponse(f"{call.base}/affectations?enregistre=1", 303)
        venues = {row.id: row.venue for row in rows}
        changed = [
            {
                "id": app_id,
                "venue": venues.get(app_id, app_id),
                "before": assignments.get(app_id, []),
                "after": proposal[app_id],
            }
            for app_id in sorted(proposal)
            if proposal[app_id] != assignments.get(app_id, [])
        ]
        counts = load_counts(assignments)
        after = load_counts(proposal)
        return self.render(
            "assignments.html",
            call,
            reviewers=[(r, counts.get(r, 0), after.get(r, 0)) for r in pool],
            changed=changed,
            submitted=len(submitted),
            pending=sum(1 for row in rows if row.pending),
            saved=call.query.get("enregistre") == "1",
        )

    def assigned_set(self, reviewer: str) -> set[str]:
        """The applications assigned to ``reviewer`` (none when the file of assignments
        cannot be read: the queue still lists everything)."""
        from aptic_qualif.review.assignments import assigned_to

        try:
            return assigned_to(self.assignments(), reviewer)
        except CommandError:
            return set()

    def assigned_first(self, reviewer: str, ids: Sequence[str]) -> list[str]:
        """A reviewer's applications, those assigned to them first."""
        mine = self.assigned_set(reviewer)
        return [i for i in ids if i in mine] + [i for i in ids if i not in mine]

    def links_page(self, call: Call) -> Response:
        """The secret links: made (shown once, on this answer only), listed, revoked."""
        if not call.grant.coordinates:
            return self.not_found(call)
        made = None
        problem = ""
        code = 200
        kind = subject = ""
        if call.form is not None:
            from aptic_qualif.access import KINDS, create_link

            kind = str(call.form.get("type", ""))
            subject = str(call.form.get("sujet", "")).strip()
            if kind not in KINDS:
                problem, code = _("Choose the kind of link."), 400
            else:
                try:
                    made = create_link(
                        self.store,
                        kind,
                        subject if kind != "coordination" else None,
                        applications=self.settings.applications,
                        questionnaire=self.questionnaire,
                    )
                except CommandError as exc:
                    problem, code = str(exc), 400
        revoked = call.query.get("revoque", "")
        return self.render(
            "links.html",
            call,
            code,
            links=sorted(self.store.links(), key=lambda link: (link.kind, link.subject or "")),
            made=made,
            url=f"{call.origin}/t/{made.token}/" if made is not None else "",
            problem=problem,
            kind=kind if made is None else "",
            subject=subject if made is None else "",
            revoked=revoked if servable(revoked) else "",
            applications=self.application_ids(),
            reviewers=self.known_reviewers(),
        )

    def revoke_link(self, call: Call) -> Response:
        if not call.grant.coordinates:
            return self.not_found(call)
        link_id = call.params["link"]
        if link_id == call.grant.link:
            return self.render(
                "error.html",
                call,
                409,
                message=_(
                    "This is the link you are using: revoke it from another coordinator "
                    "link, or with aptic-qualif links revoke."
                ),
            )
        self.store.revoke(link_id)
        return RedirectResponse(f"{call.base}/liens?revoque={link_id}", 303)


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


def expected_origin(request: Request, settings: Settings) -> str:
    """Where a form must come from: the public address when ``serve`` has one, else the
    address the request was sent to (its scheme as the trusted proxy says)."""
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{request.url.scheme}://{request.url.netloc}"


def negotiate(header: str) -> str:
    """The language the browser prefers among French and English (French by default)."""
    best, best_q = "fr", 0.0
    for part in header.split(","):
        tag, _sep, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


class BodyLimit:
    """Read each request's body before the application sees it: at most ``limit`` bytes
    (413 beyond, whether the length was announced or the body is chunked), each part within
    ``timeout`` seconds of the previous one (408 beyond: a client that trickles its body
    cannot hold a connection). The application then gets the whole body at once."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _refuse(send, 413)
                return
        chunks: list[bytes] = []
        seen = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except TimeoutError:
                await _refuse(send, 408)
                return
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await _refuse(send, 413)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message | None = {
            "type": "http.request",
            "body": b"".join(chunks),
            "more_body": False,
        }

        async def replay() -> Message:
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            return await receive()

        await self.app(scope, replay, send)


_REFUSALS = {
    413: "413 — la requête est trop grande / request too large\n",
    408: "408 — la requête arrive trop lentement / request too slow\n",
}


async def _refuse(send: Send, status: int) -> None:
    body = _REFUSALS[status].encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *_SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Every response: a Content-Security-Policy (unless the page set its own), no sniffing,
    no referrer outside this site (links are secrets), no framing, no caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {h for h, _v in _SECURITY_HEADERS}
                ]
                if not any(k.lower() == b"content-security-policy" for k, _v in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = [*headers, *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


Handler = Callable[[Server, Call], Response]


def create_app(
    settings: Settings, context: Context, *, store: LinkStore | None = None, warm: bool = False
) -> Starlette:
    """The web application over the project at ``settings.root`` (``warm``: assess every
    application in the background at once, for the coordinator's dashboard)."""
    if context.policy is None:
        raise CommandError(_("no scoring policy: questionnaire/policy.yaml not found"))
    server = Server(
        settings, context, store or LinkStore(settings.root), server_secret(settings.root)
    )

    def page(handler: Handler, *, post: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            lang = settings.lang or negotiate(request.headers.get("accept-language", ""))
            token = request.path_params["token"]
            try:
                grant = server.store.grant(token)
            except CommandError as exc:  # the links file cannot be read: say so, once
                with use_language(lang):
                    return server.render("error.html", None, 503, message=str(exc))
            form: FormData | None = None
            csrf = server.csrf_for(token)
            if grant is None:
                with use_language(lang):
                    return server.not_found()
            if request.method == "POST":
                origin = request.headers.get("origin")
                if origin is not None and origin != expected_origin(request, settings):
                    with use_language(lang):
                        return server.render(
                            "error.html",
                            None,
                            403,
                            message=_("This form was sent from another site: it is refused."),
                        )
                form = await request.form(max_files=0, max_fields=2000, max_part_size=MAX_BODY)
                if not hmac.compare_digest(str(form.get("_csrf", "")), csrf):
                    with use_language(lang):
                        return server.render(
                            "error.html",
                            None,
                            403,
                            message=_("This form has expired: reload the page and send it again."),
                        )
            call = Call(
                grant=grant,
                token=token,
                base=f"/t/{token}",
                form=form,
                query=request.query_params,
                params=request.path_params,
                csrf=csrf,
                autosave=request.headers.get("x-autosave") == "1",
                origin=expected_origin(request, settings),
            )

            def run() -> Response:
                with use_language(lang):
                    try:
                        return handler(server, call)
                    except CommandError as exc:
                        return server.render("error.html", call, 409, message=str(exc))
                    except OSError as exc:
                        from aptic_qualif.fsio import os_error_message

                        return server.render("error.html", call, 500, message=os_error_message(exc))

            return await run_in_threadpool(run)

        return endpoint

    async def healthz(request: Request) -> Response:
        """For the proxy's and the supervisor's checks: the project and its links are
        readable (503 otherwise). It says nothing else."""

        def check() -> Response:
            try:
                server.store.links()
                ok = settings.applications.is_dir() or not settings.applications.exists()
            except (CommandError, OSError):
                ok = False
            return JSONResponse({"status": "ok" if ok else "error"}, 200 if ok else 503)

        return await run_in_threadpool(check)

    async def root(request: Request) -> Response:
        lang = settings.lang or negotiate(request.headers.get("accept-language", ""))
        with use_language(lang):
            return server.render("welcome.html", None)

    routes = [
        Route("/", root),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/t/{token}/", page(Server.home)),
        Route("/t/{token}/candidatures", page(Server.create_application), methods=["POST"]),
        Route("/t/{token}/candidatures/{app}/", page(Server.application)),
        Route("/t/{token}/candidatures/{app}/recapitulatif", page(Server.recap)),
        Route("/t/{token}/candidatures/{app}/rapport", page(Server.report)),
        Route("/t/{token}/candidatures/{app}/lecture", page(Server.consult)),
        Route("/t/{token}/candidatures/{app}/affectation", page(Server.assign), methods=["POST"]),
        Route(
            "/t/{token}/candidatures/{app}/statut/{action}",
            page(Server.set_status),
            methods=["GET", "POST"],
        ),
        Route(
            "/t/{token}/candidatures/{app}/{section}", page(Server.section), methods=["GET", "POST"]
        ),
        Route("/t/{token}/relectures", page(Server.reviewer_from_form)),
        Route("/t/{token}/relectures/{reviewer}/", page(Server.queue)),
        Route(
            "/t/{token}/relectures/{reviewer}/{app}", page(Server.review), methods=["GET", "POST"]
        ),
        Route("/t/{token}/synthese", page(Server.summary)),
        Route("/t/{token}/liens", page(Server.links_page), methods=["GET", "POST"]),
        Route("/t/{token}/liens/{link}/revoquer", page(Server.revoke_link), methods=["POST"]),
        Route("/t/{token}/affectations", page(Server.assignment_plan), methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.server = server
    if warm:
        import threading

        threading.Thread(target=server.warm_overview, name="overview", daemon=True).start()
    return SecurityHeaders(BodyLimit(app, MAX_BODY))  # type: ignore[return-value]
