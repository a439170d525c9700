"""``aptic-qualif serve`` (the web front) and ``aptic-qualif links`` (its secret links)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aptic_qualif.cli.common import echo, fail, handle_errors, state
from aptic_qualif.i18n import N_, _, ngettext
from aptic_qualif.project import display_path

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})

ApplicationsOption = Annotated[
    Path,
    typer.Option("--applications", help=_("Folder of the applications (one YAML file each).")),
]
ReviewsDirOption = Annotated[
    Path,
    typer.Option("--reviews", help=_("Folder of the reviews (<application>/<reviewer>.yaml).")),
]
BaseUrlOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--base-url",
        help=_(
            "The address people reach the server at, for the links (by default, the one "
            "serve was last started at)."
        ),
    ),
]

ADDRESS_SOURCES = {
    "base-url": N_("Server address: {address} (given with --base-url)."),
    "port": N_("Server address: {address} (this machine, given with --port)."),
    "serve": N_(
        "Server address: {address} (where serve was last started in this project); give "
        "--base-url or --port if people reach it elsewhere."
    ),
    "default": N_(
        "Server address: {address} (serve's default: it was never started in this project); "
        "give --base-url or --port if it listens elsewhere."
    ),
}
"""What ``links create`` says of the address its link starts with, by its source."""

links_app = typer.Typer(
    help=_(
        "The secret links to the web front (aptic-qualif serve --host): one per application "
        "for its venue, one per reviewer, one for the coordinator."
    ),
    no_args_is_help=True,
)


def serve_command(
    applications: ApplicationsOption = Path("applications"),
    reviews: ReviewsDirOption = Path("reviews"),
    imported: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.11
        typer.Option(
            "--imported", help=_("Folder of venues imported with import lieux, to start from.")
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help=_(
                "Address to listen on: 127.0.0.1 (this machine only, the default); another "
                "address serves the network, through secret links only."
            ),
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=_("Port to listen on."))] = 8000,
    lang: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--lang", help=_("Force the language of the pages (fr or en).")),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help=_("Number of server processes."))
    ] = 1,
    public_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--public-url",
            help=_(
                "The address people use behind a proxy (https://qualif.example.org): forms "
                "must come from there."
            ),
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help=_(
                "Addresses of the trusted proxies, comma-separated: their X-Forwarded-* "
                "headers are believed, no one else's."
            ),
        ),
    ] = "127.0.0.1",
    limit_concurrency: Annotated[
        int,
        typer.Option(
            "--limit-concurrency",
            min=10,
            help=_("Connections served at once by each process (503 beyond)."),
        ),
    ] = 500,
    venue_sees: Annotated[
        str,
        typer.Option(
            "--venue-sees",
            help=_(
                "What a venue sees of the reviews of its application: decision (the decision "
                "and its points), commentaires (the default: also the reviewers' comments, "
                "without their names or scores) or tout (everything, names and scores)."
            ),
        ),
    ] = "commentaires",
) -> None:
    """Start the web front over the project's files."""
    from aptic_qualif.access import LinkStore, digest, record_address, server_secret
    from aptic_qualif.context import load_context
    from aptic_qualif.review.visibility import VENUE_VIEWS
    from aptic_qualif.web.serving import Hosting, listen_problem, run

    if lang is not None and lang not in {"fr", "en"}:
        fail(_("--lang takes fr or en"))
    if venue_sees not in VENUE_VIEWS:
        fail(_("--venue-sees takes decision, commentaires or tout"))
    for folder in (applications, reviews, imported):
        if folder is not None and folder.exists() and not folder.is_dir():
            fail(_("{path} is not a folder").format(path=display_path(folder)))
    from aptic_qualif.access import ADDRESS

    if public_url is not None and not ADDRESS.fullmatch(public_url):
        fail(_("--public-url takes an address such as https://qualif.example.org"))
    problem = listen_problem(host, port)
    if problem is not None:
        fail(problem)
    context = load_context(state().root, need_policy=True)
    from aptic_qualif.fsio import clean_temporary_files

    # What an interrupted write left (the server stopped during a save) goes now.
    removed = clean_temporary_files([applications, reviews])
    if removed:
        echo(
            ngettext(
                "Removed {count} temporary file left by an interrupted save.",
                "Removed {count} temporary files left by interrupted saves.",
                len(removed),
            ).format(count=len(removed))
        )
    store = LinkStore(context.root)
    store.links()  # a links file that cannot be read stops here, not at every page
    server_secret(context.root)  # made once, before the workers: they all sign with it
    token = store.session_link() if host in LOOPBACK else None
    shown_host = "[::1]" if host == "::1" else ("127.0.0.1" if host == "0.0.0.0" else host)
    record_address(context.root, public_url or f"http://{shown_host}:{port}")
    hosting = Hosting(
        root=str(context.root),
        applications=str(applications.absolute()),
        reviews=str(reviews.absolute()),
        imported=str(imported.absolute()) if imported is not None else None,
        lang=lang,
        public_url=public_url.rstrip("/") if public_url else None,
        session_digest=digest(token) if token is not None else None,
        venue_view=venue_sees,
    )
    if token is not None:
        shown = "[::1]" if host == "::1" else host
        echo(_("Open this address in your browser (it is valid while the server runs):"))
        echo(f"  http://{shown}:{port}/t/{token}/")
    else:
        echo(
            _(
                "Serving the network at {host}:{port}: each person uses their own secret link "
                "(aptic-qualif links create). Put an HTTPS proxy in front of it."
            ).format(host=host, port=port)
        )
    echo(_("Stop the server with Ctrl-C."))
    try:
        run(
            hosting,
            host=host,
            port=port,
            workers=workers,
            forwarded_allow_ips=forwarded_allow_ips,
            limit_concurrency=limit_concurrency,
        )
    except SystemExit as exc:  # uvicorn exits 1 when it cannot listen (port taken…)
        if exc.code not in (0, None):
            fail(
                _("the server could not start on {host}:{port} (is the port already used?)").format(
                    host=host, port=port
                )
            )
        raise


@links_app.command("create", help=_("Make a secret link and print it (it is shown only once)."))
@handle_errors
def links_create(
    venue: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--venue", help=_("For the venue of this application (its id).")),
    ] = None,
    reviewer: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--reviewer", help=_("For this reviewer (their id, e.g. claire-martin).")),
    ] = None,
    coordinator: Annotated[
        bool, typer.Option("--coordinator", help=_("For the network's coordinator."))
    ] = False,
    applications: ApplicationsOption = Path("applications"),
    imported: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--imported",
            help=_(
                "With --venue: the folder written by import lieux; a venue without an "
                "application starts from its imported file (same id), pre-filled."
            ),
        ),
    ] = None,
    base_url: BaseUrlOption = None,
    port: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help=_(
                "The port serve listens on, on this machine (as serve --port): the link "
                "starts with http://127.0.0.1:PORT."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    from aptic_qualif.access import Kind, LinkStore, create_link, link_address
    from aptic_qualif.context import load_context

    chosen = [v for v in (venue, reviewer, coordinator or None) if v is not None]
    if len(chosen) != 1:
        fail(_("give exactly one of --venue, --reviewer or --coordinator"))
    root = load_context(state().root, need_policy=True)
    address, source = link_address(root.root, base_url=base_url, port=port)
    kind: Kind = "coordination"
    if venue is not None:
        kind = "lieu"
    elif reviewer is not None:
        kind = "relecteur"
    made = create_link(
        LinkStore(root.root),
        kind,
        venue if venue is not None else reviewer,
        applications=applications,
        questionnaire=root.questionnaire,
        imported=imported,
    )
    if made.application is not None and made.imported is not None:
        echo(
            _("New application, pre-filled from the imported venue {origin}: {path}").format(
                origin=display_path(made.imported), path=display_path(made.application)
            )
        )
    elif made.application is not None:
        echo(_("New blank application: {path}").format(path=display_path(made.application)))
        if venue is not None and imported is None:
            echo(
                _(
                    "To start from a venue imported with import lieux, give --imported with "
                    "its folder."
                ),
                err=True,
            )
    elif imported is not None:
        echo(
            _("{path} exists already: the link opens it; nothing was taken from {folder}.").format(
                path=display_path(applications / f"{venue}.yaml"), folder=display_path(imported)
            ),
            err=True,
        )
    link, token = made.link, made.token
    echo(_(ADDRESS_SOURCES[source]).format(address=address), err=True)
    echo(
        _("Link {id} ({kind}{subject}), to give to that person only:").format(
            id=link.id, kind=link.kind, subject=f" {link.subject}" if link.subject else ""
        )
    )
    typer.echo(f"{address}/t/{token}/")


@links_app.command("list", help=_("List the links (never their secret)."))
@handle_errors
def links_list() -> None:
    from aptic_qualif.access import LinkStore
    from aptic_qualif.project import project_root
    from aptic_qualif.sanitize import terminal

    links = LinkStore(project_root(state().root)).links()
    if not links:
        echo(_("No link."))
        return
    for link in links:
        echo(
            terminal(
                f"{link.id}  {link.kind:<12} {link.subject or '-':<30} {link.created}",
                single_line=True,
            )
        )


@links_app.command("revoke", help=_("Revoke a link: it stops working at once."))
@handle_errors
def links_revoke(
    link_id: Annotated[
        str, typer.Argument(metavar="ID", help=_("The link's id (see links list)."))
    ],
) -> None:
    from aptic_qualif.access import LinkStore
    from aptic_qualif.project import project_root

    link = LinkStore(project_root(state().root)).revoke(link_id)
    echo(
        _("Revoked: {id} ({kind} {subject}).").format(
            id=link.id, kind=link.kind, subject=link.subject or ""
        )
    )
