"""Running ``serve`` for a network: several processes, behind a proxy, bounded in time.

A département hub runs ``serve`` for hundreds of venues behind nginx or Caddy. What that
takes, beyond the application itself (:mod:`aptic_qualif.web.app`):

* **Several processes** (``--workers``): uvicorn starts them from :func:`app_factory`, which
  reads the settings that the parent process wrote into the environment
  (:data:`ENVIRONMENT`). The parent makes the project's form key first, so that every process
  signs forms with the same key.
* **A proxy on another host** (``--forwarded-allow-ips``): the ``X-Forwarded-Proto`` and
  ``X-Forwarded-For`` headers are believed from those addresses only (uvicorn's proxy
  headers), and the address people use (``--public-url``) is what a form's ``Origin`` must be.
* **Slow clients cannot starve it**: a request's head must arrive within
  :data:`HEAD_TIMEOUT` seconds (:class:`HeadTimeoutProtocol`; uvicorn alone waits forever for
  a half-sent head, and about a thousand of them used every file descriptor), its body within
  :data:`~aptic_qualif.web.http.BODY_TIMEOUT` seconds between two reads
  (:class:`aptic_qualif.web.http.BodyLimit`);
  at most ``--limit-concurrency`` connections are served at once (503 beyond), and the soft
  limit of open files is raised to the hard limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from aptic_qualif.i18n import _

ENVIRONMENT = "APTIC_QUALIF_SERVE"
"""The environment variable through which the parent hands the settings to its workers."""
HEAD_TIMEOUT = 10.0
"""Seconds for a request's line and headers to arrive, once the first byte of it has."""
CONCURRENCY = 500
"""Connections served at once by one process, by default."""


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a deadline for each request's head: a connection
    that opens, or starts a request, and does not finish its headers within
    :data:`HEAD_TIMEOUT` seconds is closed (the slowloris attack)."""

    head_timeout = HEAD_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._arm_head_deadline()

    def _arm_head_deadline(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # a new request begins (or goes on)
            self._arm_head_deadline()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # its head is complete
            self._disarm_head_deadline()

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)


@dataclass(frozen=True)
class Hosting:
    """How ``serve`` is run (the command's options), handed to every worker."""

    root: str
    applications: str
    reviews: str
    imported: str | None = None
    lang: str | None = None
    public_url: str | None = None
    session_digest: str | None = None
    """The digest of the session's own link (on 127.0.0.1), valid in every worker."""
    venue_view: str = "commentaires"
    """What a venue sees of the reviews (``serve --venue-sees``)."""

    def to_environment(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_environment(cls) -> Hosting:
        return cls(**json.loads(os.environ[ENVIRONMENT]))


def build_app(hosting: Hosting) -> Any:
    """The application of one process, from ``hosting``."""
    from aptic_qualif.access import Grant, LinkStore
    from aptic_qualif.context import load_context
    from aptic_qualif.web.app import create_app
    from aptic_qualif.web.server import Settings

    root = Path(hosting.root)
    context = load_context(root, need_policy=True)
    store = LinkStore(root)
    if hosting.session_digest is not None:
        store.session[hosting.session_digest] = Grant("local", None, "local")
    settings = Settings(
        root=root,
        applications=Path(hosting.applications),
        reviews=Path(hosting.reviews),
        imported=Path(hosting.imported) if hosting.imported else None,
        lang=hosting.lang,
        public_url=hosting.public_url,
        venue_view=hosting.venue_view,  # type: ignore[arg-type]  # checked by serve
    )
    return create_app(settings, context, store=store, warm=True)


def app_factory() -> Any:
    """uvicorn's factory in each worker process: the settings come from the environment."""
    return build_app(Hosting.from_environment())


def raise_open_files_limit() -> None:
    """The soft limit of open files raised to the hard limit (each connection is one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        # if refused, kept as it is: the concurrency limit still bounds the connections
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host``:``port`` (in the language in use), or
    ``None`` when it can. Asked before the server starts, so that a port already taken is
    said in words, before any address is printed, instead of by uvicorn's English log."""
    import errno
    import socket

    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        return _("the address {host} is not one of this machine").format(host=host)
    family, kind, protocol, _name, address = found[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return _(
                    "port {port} is already used by another program on {host}: stop it, or "
                    "choose another port with --port"
                ).format(port=port, host=host)
            if error.errno == errno.EACCES:
                return _(
                    "this user may not listen on port {port} (ports below 1024 are reserved): "
                    "choose another port with --port"
                ).format(port=port)
            if error.errno == errno.EADDRNOTAVAIL:
                return _("the address {host} is not one of this machine").format(host=host)
            return _("could not listen on {host}:{port} ({reason})").format(
                host=host, port=port, reason=error.strerror or error
            )
    return None


def run(
    hosting: Hosting,
    *,
    host: str,
    port: int,
    workers: int = 1,
    forwarded_allow_ips: str = "127.0.0.1",
    limit_concurrency: int = CONCURRENCY,
) -> None:
    """Serve ``hosting`` with uvicorn, in ``workers`` processes."""
    import uvicorn

    raise_open_files_limit()
    os.environ[ENVIRONMENT] = hosting.to_environment()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
        "proxy_headers": True,
        "forwarded_allow_ips": forwarded_allow_ips,
        "http": HeadTimeoutProtocol,
        "limit_concurrency": limit_concurrency,
        "timeout_keep_alive": 5,
    }
    if workers > 1:
        uvicorn.run(
            "aptic_qualif.web.serving:app_factory", factory=True, workers=workers, **options
        )
    else:
        uvicorn.run(build_app(hosting), **options)
