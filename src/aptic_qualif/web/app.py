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

The pages of each role live in a module of their own — :mod:`~aptic_qualif.web.venue`,
:mod:`~aptic_qualif.web.reviewer`, :mod:`~aptic_qualif.web.coordinator` — over one access
layer (:class:`~aptic_qualif.web.server.ServerBase`: the grants, the files read and checked,
the templates); :mod:`~aptic_qualif.web.http` wraps every request. This module puts them
together and names the routes.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aptic_qualif.access import LinkStore, server_secret
from aptic_qualif.context import Context
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _, use_language
from aptic_qualif.web.coordinator import CoordinatorPages
from aptic_qualif.web.http import BodyLimit, SecurityHeaders, expected_origin, negotiate
from aptic_qualif.web.reviewer import ReviewerPages
from aptic_qualif.web.server import CSP, HERE, MAX_BODY, Call, Settings
from aptic_qualif.web.venue import VenuePages


class Server(VenuePages, ReviewerPages, CoordinatorPages):
    """The pages of every role over one access layer (:class:`ServerBase`)."""


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


__all__ = ["CSP", "MAX_BODY", "BodyLimit", "Server", "Settings", "create_app"]
