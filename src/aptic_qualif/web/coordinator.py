"""The coordinator's pages: the whole network (counts, filters, pages), each application
read-only, new applications, the secret links and the reviewers' assignments."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from aptic_qualif import editing
from aptic_qualif.access import imported_venues, read_imported, servable
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.scoring.engine import unconfirmed_copies
from aptic_qualif.web.overview import (
    BUDGET,
    Filters,
    Overview,
    Row,
    count,
    departement_of,
    select,
)
from aptic_qualif.web.server import Call, ServerBase, _paginate


class CoordinatorPages(ServerBase):
    """What the coordinator's link opens (and the session's own, on this machine)."""

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
        return imported_venues(self.settings.imported)

    def create_application(self, call: Call) -> Response:
        if not call.grant.coordinates:
            return self.not_found(call)
        from aptic_qualif.network.importer import slug

        assert call.form is not None
        name = str(call.form.get("nom", "")).strip()
        source = str(call.form.get("depuis", "")).strip()
        start: dict[str, Any] | None = None
        if source:
            if self.settings.imported is None:
                return self.not_found(call)
            try:
                start = read_imported(self.settings.imported, source)
            except CommandError:
                return self.not_found(call)
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
        assessment = self.scorer.assess(checked, reviews, copies=self.copies_of(app_id))
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
            copies=tuple(sorted({m.other for m in unconfirmed_copies(assessment.copies)})),
        )

    def copies_changed(self, ids: set[str]) -> None:
        """Another application changed what ``ids`` match: their rows are read again."""
        self.overview.forget(ids)

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
        assessment = self.scorer.assess(checked, reviews, copies=self.copies_of(app_id))
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
