"""The venue's pages: its application section by section, the recapitulation, the report,
submitting and reopening."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from aptic_qualif import editing
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _, localized
from aptic_qualif.review.visibility import (
    copies_seen,
    redact,
    reviews_to_assess,
    visibility,
)
from aptic_qualif.web.problems import Problem, at_questions, merged
from aptic_qualif.web.server import REPORT_CSP, Call, ServerBase, main_menu


class VenuePages(ServerBase):
    """What a venue's link opens (and the session's own, on this machine)."""

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
            effort=self.effort(),
            closure=checked.application.closure,
        )

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
                    "shown": sorted(checked.asked),
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
        card = (
            {
                i.id: i
                for i in editing.identity_card(
                    checked, self.questionnaire, {*errors, *warnings, *refused}
                )
            }
            if section == order[0] and editing.status_of(checked) != "soumise"
            else {}
        )
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
            items=self.grouped(
                [
                    self.field(
                        i, checked, errors, warnings, sent=fields if i.id in refused else None
                    )
                    for i in self.questionnaire.theme_items(section)
                    if i.id not in card
                ]
            ),
            # An imported identity: the answers that stand, as one card to check.
            card=[self.field(i, checked, errors, warnings) for i in card.values()],
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

    def grouped(self, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The fields of a section, those of a group of optional questions (``groups``) put
        together where the first of them stands: one line the venue opens, open already when
        one of them is answered or has something to correct."""
        entries: list[dict[str, Any]] = []
        opened: dict[str, dict[str, Any]] = {}
        for f in fields:
            group = self.questionnaire.group_of.get(f["id"])
            if group is None:
                entries.append(f)
                continue
            if group.id not in opened:
                opened[group.id] = {
                    "group": group.id,
                    "label": localized(group.label),
                    "help": localized(group.help) if group.help is not None else "",
                    "fields": [],
                    "open": False,
                }
                entries.append(opened[group.id])
            entry = opened[group.id]
            entry["fields"].append(f)
            if f["text"] or f["chosen"] or f["errors"] or f["warnings"]:
                entry["open"] = True
        return entries

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
            assessment=copies_seen(
                self.assess(checked),
                visibility(self.viewer(call), (), self.settings.venue_view),
            ),
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
        assessment = self.scorer.assess(
            checked, reviews_to_assess(reviews, seen), copies=self.copies_of(app_id)
        )
        if viewer.role == "relecteur":
            back = (f"{call.base}/relectures/{call.grant.subject}/", _("Back to my reviews"))
        elif call.grant.may_edit(app_id):
            back = (f"{call.base}/candidatures/{app_id}/", _("Back to the application"))
        else:
            back = (f"{call.base}/candidatures/{app_id}/lecture", _("Back to the application"))
        page = render_html(
            [redact(assessment, seen)], back=back, home=f"{call.base}/", menu=main_menu(call)
        )
        response = HTMLResponse(page)
        response.headers["Content-Security-Policy"] = REPORT_CSP
        return response

    def set_status(self, call: Call) -> Response:
        """Submit the application, or reopen a submitted one to change it. Reopening is asked
        for on a page of its own (GET) that says what follows — the reviewers are told, the
        application must be submitted again — and done by its form (POST)."""
        found = self._own(call)
        if isinstance(found, Response):
            return found
        app_id, path = found
        wanted = call.params["action"]
        if wanted not in {"soumettre", "rouvrir", "fermer"}:
            return self.not_found(call)
        checked = self.check(path)
        if checked is None:
            return self.unreadable(call)
        status = editing.status_of(checked)
        if call.form is None:
            if wanted == "soumettre" or status != "soumise":
                return RedirectResponse(f"{call.base}/candidatures/{app_id}/", 303)
            if wanted == "fermer":
                if checked.application.closure is not None:
                    return RedirectResponse(f"{call.base}/candidatures/{app_id}/", 303)
                return self.render("close.html", call, app_id=app_id, checked=checked)
            return self.render("reopen.html", call, app_id=app_id, checked=checked)
        if wanted == "fermer":
            try:
                editing.close(path)
            except CommandError as exc:
                return self.render("error.html", call, 409, message=str(exc))
            return RedirectResponse(f"{call.base}/candidatures/{app_id}/", 303)
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
