"""The reviewers' pages: their queue (what is assigned to them first) and the review of one
application, blind until their own is finished."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse, RedirectResponse, Response

from aptic_qualif import editing
from aptic_qualif.access import servable
from aptic_qualif.application import (
    CheckedApplication,
)
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.review.model import Review
from aptic_qualif.review.visibility import (
    Viewer,
    Visibility,
    other_reviews,
    visibility,
)
from aptic_qualif.web.server import Call, ServerBase, _paginate


class ReviewerPages(ServerBase):
    """What a reviewer's link opens."""

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
            if checked.application.closure is not None:
                continue  # the venue has closed: nothing is left to review
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
                    # Answers unlikely together (cross-checks): to ask the venue about.
                    "warnings": len(checked.report.warnings),
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
                review = self._record_copies(review, form)
                if not review.conflict_of_interest:
                    review = drafts.record_claims(
                        review,
                        checked,
                        self.questionnaire,
                        [key.split(":", 1)[1] for key in form if key.startswith("non-etaye:")],
                    )
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
        from aptic_qualif.web.problems import MISSING
        from aptic_qualif.web.problems import problems as located

        # What apply validate says of the application (its warnings above all: answers that
        # contradict each other or are unlikely together), for the reviewer to ask about.
        to_check = [
            p for p in located(checked, checked.report, self.questionnaire) if p.code != MISSING
        ]

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
            to_check=to_check,
            labels=self.labels(),
            lacking=lacking.messages(self.questionnaire) if lacking else [],
            problems=problems,
            stale=(
                changes(review, current, self.questionnaire)
                if review is not None and not review.draft and not review.conflict_of_interest
                else []
            ),
            recommendations=[(key, _(label)) for key, label in RECOMMENDATIONS.items()],
            seen=seen,
            copies=self._copies(checked, review),
            claims=self._claims(checked, review),
            others=self._others(everyone, reviewer, seen, checked),
            recommendation=posted.get(
                "recommandation", review.recommendation or "" if review is not None else ""
            ),
            overall=posted.get("commentaire", review.comment or "" if review is not None else ""),
        )

    def _copies(self, checked: CheckedApplication, review: Review | None) -> list[dict[str, Any]]:
        """The written answers of ``checked`` near-identical to another application's, as
        the review page shows them to compare: the other application named by its id only
        (blind review), both answers side by side, and whether the reviewer examined it."""
        from aptic_qualif.i18n import localized
        from aptic_qualif.review.copies import describe

        by_id = self.questionnaire.by_id

        def label(item: str) -> str:
            return localized(by_id[item].item.label) if item in by_id else item

        examined = set(review.copies_examined) if review is not None else set()
        shown = []
        for match in self.copies_of(checked.id):
            other_path = self.application_path(match.other)
            other = self.check(other_path) if other_path is not None else None
            match = match.model_copy(
                update={
                    "label": label(match.item),
                    "other_label": label(match.other_item),
                    "other_venue": "",
                    "examined": match.other in examined,
                }
            )
            shown.append(
                {
                    "match": match,
                    "text": describe(match),
                    "flagged": not match.same_organisation,
                    "this": str(checked.answers.get(match.item) or ""),
                    "that": str(other.answers.get(match.other_item) or "") if other else "",
                }
            )
        return shown

    def _claims(self, checked: CheckedApplication, review: Review | None) -> list[dict[str, Any]]:
        """The declared answers the reviewer may mark unsupported by their evidence, with the
        answer and the evidence as the venue gave them."""
        from aptic_qualif.i18n import language, localized
        from aptic_qualif.questionnaire.fill import shown_answer
        from aptic_qualif.review.draft import claims_to_mark

        marked = set(review.unsupported) if review is not None else set()
        shown = []
        for item in claims_to_mark(checked, self.questionnaire):
            located = self.questionnaire.by_id[item]
            shown.append(
                {
                    "id": item,
                    "label": localized(located.item.label),
                    "asked": localized(located.item.evidence) if located.item.evidence else "",
                    "answer": shown_answer(
                        located.item,
                        checked.answers.get(item),
                        self.context.catalogue,
                        language(),
                    ),
                    "evidence": list(checked.evidence.get(item, ())),
                    "marked": item in marked,
                }
            )
        return shown

    def _record_copies(self, review: Review, form: Mapping[str, str]) -> Review:
        """Record which possible copies the reviewer says they examined (``copie:<id>``
        ticked): the other applications of the matches still found."""
        from aptic_qualif.review.copies import flagged
        from aptic_qualif.review.draft import record_copies

        others = {match.other for match in flagged(self.copies_of(review.application))}
        return record_copies(review, others, (o for o in others if form.get(f"copie:{o}")))

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
