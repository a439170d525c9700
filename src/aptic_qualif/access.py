"""Secret links to the web front (``serve``): who may see and change what.

A network that hosts ``serve`` for its venues gives each person a link holding a long random
token (a capability URL): one per application for its venue, one per reviewer, one for the
coordinator. Only a digest of each token is kept, in ``.aptic-qualif/links.yaml`` at the root
of the project — a folder git ignores (it holds a ``.gitignore`` of its own), so that the links
never enter the repository. A link is shown once, when it is made; it can be revoked.

Run on one's own machine (the default, bound to 127.0.0.1), ``serve`` makes a link of kind
``local`` for the session only, never written: the person at the keyboard may do everything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import atomic_write
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.project import display_path
from aptic_qualif.reading import read_regular
from aptic_qualif.schema import StrictModel, validate_document
from aptic_qualif.yamlio import dump_yaml, load_yaml

if TYPE_CHECKING:
    from aptic_qualif.questionnaire.load import LoadedQuestionnaire

STATE_DIR = ".aptic-qualif"
LINKS_FILE = "links.yaml"
SECRET_FILE = "secret"
TOKEN_BYTES = 32
"""256 random bits per token."""

Kind = Literal["lieu", "relecteur", "coordination", "local"]
KINDS: tuple[Kind, ...] = ("lieu", "relecteur", "coordination")
"""The kinds of link that can be made (``local`` is the session's own)."""


class Link(StrictModel):
    id: str = Field(pattern=r"^[0-9a-f]{8}$")
    """A short public name of the link, to list and revoke it (not the secret)."""
    kind: Kind
    subject: str | None = None
    """The application id (``lieu``) or the reviewer's name (``relecteur``)."""
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    """sha256 of the token."""
    created: str


class LinksFile(StrictModel):
    links: list[Link] = Field(default_factory=list)


@dataclass(frozen=True)
class Grant:
    """What a valid token gives access to."""

    kind: Kind
    subject: str | None = None
    link: str = ""

    def may_edit(self, application: str) -> bool:
        """May change (and read) this application as its venue."""
        return self.kind == "local" or (self.kind == "lieu" and self.subject == application)

    def may_review_as(self, reviewer: str) -> bool:
        return self.kind == "local" or (self.kind == "relecteur" and self.subject == reviewer)

    def may_read_all(self) -> bool:
        """May read every application, report and review (coordinator, reviewers)."""
        return self.kind in {"local", "coordination", "relecteur"}

    @property
    def coordinates(self) -> bool:
        return self.kind in {"local", "coordination"}


SERVABLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
SERVABLE_LENGTH = 120


def servable(subject: str) -> bool:
    """An id the web front can serve (an application or a reviewer, in its addresses):
    1 to 120 ASCII letters, digits, hyphens and underscores."""
    return 0 < len(subject) <= SERVABLE_LENGTH and set(subject) <= SERVABLE_CHARS


def check_servable(subject: str) -> str:
    """``subject`` when :func:`servable`, else :class:`CommandError` saying what to use."""
    if not servable(subject):
        raise CommandError(
            _(
                "'{id}' cannot be served by the web front: an id is 1 to {n} letters without "
                "accents, digits, hyphens and underscores (e.g. mediatheque-les-tilleuls)"
            ).format(id=subject, n=SERVABLE_LENGTH)
        )
    return subject


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def state_dir(root: Path) -> Path:
    """The project's folder of local state, created with a ``.gitignore`` that keeps it out of
    git."""
    folder = root / STATE_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, "# Liens secrets et clés du serveur : jamais dans git.\n*\n")
    return folder


class LinkStore:
    """The links of a project, read again whenever the file changes (a revoked link stops
    working at once, even in a running server)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_DIR / LINKS_FILE
        self._stamp: tuple[int, int] | None = None
        self._links: list[Link] = []
        self.session: dict[str, Grant] = {}
        """Links of this process only (``local``), by digest."""

    def _read(self) -> list[Link]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._links = None, []
            return self._links
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            doc, problems = load_yaml(self.path, display_path(self.path))
            if doc is None or problems:
                raise CommandError(
                    _("{path} is unreadable: {problem}").format(
                        path=display_path(self.path),
                        problem=problems[0].message if problems else "",
                    )
                )
            loaded, problems = validate_document(LinksFile, doc)
            if loaded is None:
                raise CommandError(
                    _("{path} is unreadable: {problem}").format(
                        path=display_path(self.path),
                        problem=problems[0].message if problems else "",
                    )
                )
            self._links, self._stamp = loaded.links, stamp
        return self._links

    def links(self) -> list[Link]:
        return list(self._read())

    def _write(self, links: list[Link]) -> None:
        state_dir(self.root)
        data: dict[str, Any] = {"links": [link.model_dump(exclude_none=True) for link in links]}
        atomic_write(self.path, dump_yaml(data), force=True)
        self._stamp = None

    def create(self, kind: Kind, subject: str | None = None) -> tuple[Link, str]:
        """A new link; returns it with its token (shown once, never stored)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        links = self._read()
        taken = {link.id for link in links}
        link_id = secrets.token_hex(4)
        while link_id in taken:
            link_id = secrets.token_hex(4)
        link = Link(
            id=link_id,
            kind=kind,
            subject=subject,
            digest=digest(token),
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
        self._write([*links, link])
        return link, token

    def revoke(self, link_id: str) -> Link:
        links = self._read()
        kept = [link for link in links if link.id != link_id]
        if len(kept) == len(links):
            raise CommandError(_("no link '{id}'").format(id=link_id))
        self._write(kept)
        return next(link for link in links if link.id == link_id)

    def session_link(self) -> str:
        """A ``local`` link for this process only: its token."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.session[digest(token)] = Grant("local", None, "local")
        return token

    def grant(self, token: str) -> Grant | None:
        """What ``token`` gives access to, or ``None``."""
        if not token or len(token) > 100:
            return None
        wanted = digest(token)
        if wanted in self.session:
            return self.session[wanted]
        for link in self._read():
            if hmac.compare_digest(link.digest, wanted):
                return Grant(link.kind, link.subject, link.id)
        return None


ADDRESS_FILE = "adresse"
"""In the project's state folder: the address ``serve`` was last started at, that
``links create`` prints its links with."""
DEFAULT_ADDRESS = "http://127.0.0.1:8000"


def record_address(root: Path, address: str) -> None:
    """Remember the address people reach ``serve`` at (its public address, or its own)."""
    atomic_write(state_dir(root) / ADDRESS_FILE, address.rstrip("/") + "\n", force=True)


def served_address(root: Path) -> str:
    """The address ``serve`` was last started at (:func:`record_address`), or the default
    one of ``serve`` on this machine."""
    path = root / STATE_DIR / ADDRESS_FILE
    raw, _refused = read_regular(path, str(path), limit=2048) if path.is_file() else (None, None)
    text = raw.decode("utf-8", errors="replace").strip() if raw else ""
    return text if text.startswith(("http://", "https://")) else DEFAULT_ADDRESS


ADDRESS = re.compile(r"https?://[^/\s]+/?")
"""An address a server is reached at: a scheme and a host, with a port or not, no path."""

AddressSource = Literal["base-url", "port", "serve", "default"]
"""Where :func:`link_address` took its address from."""


def link_address(
    root: Path, *, base_url: str | None = None, port: int | None = None
) -> tuple[str, AddressSource]:
    """The address a new link is printed with, and where it comes from: ``base_url`` as
    given; this machine on ``port`` (as ``serve --port`` listens); else the address
    ``serve`` was last started at in this project (:func:`record_address`); else the
    default one of ``serve`` (port 8000)."""
    if base_url is not None and port is not None:
        raise CommandError(_("give --base-url or --port, not both"))
    if base_url is not None:
        if not ADDRESS.fullmatch(base_url):
            raise CommandError(_("--base-url takes an address such as https://qualif.example.org"))
        return base_url.rstrip("/"), "base-url"
    if port is not None:
        return f"http://127.0.0.1:{port}", "port"
    recorded = (root / STATE_DIR / ADDRESS_FILE).is_file()
    return served_address(root), "serve" if recorded else "default"


@dataclass(frozen=True)
class NewLink:
    """A link just made: its token is shown once, then forgotten."""

    link: Link
    token: str
    application: Path | None = None
    """The application made for a venue that had none: blank, or from an imported venue."""
    imported: Path | None = None
    """The venue imported with ``import lieux`` that :attr:`application` started from."""


def imported_venues(folder: Path) -> list[str]:
    """The venues ``import lieux`` wrote into ``folder`` that an application can start from
    (their ids, sorted)."""
    from aptic_qualif.application import application_files

    files, _missing = application_files([folder])
    return sorted(p.stem for p in files if p.suffix == ".yaml" and servable(p.stem))


def read_imported(folder: Path, venue: str) -> dict[str, Any]:
    """The application of the imported venue ``venue`` in ``folder`` (written by ``import
    lieux``), as data to start a new application from; :class:`CommandError` when the folder
    has no such venue, naming the closest ones."""
    from difflib import get_close_matches

    from aptic_qualif import editing

    origin = folder / f"{venue}.yaml"
    if not servable(venue) or origin.is_symlink() or not origin.is_file():
        known = imported_venues(folder) if folder.is_dir() else []
        close = get_close_matches(venue, known, n=3, cutoff=0.6)
        raise CommandError(
            _("{folder} holds no imported venue '{venue}'").format(
                folder=display_path(folder), venue=venue
            )
            + (
                "; " + _("did you mean {names}?").format(names=", ".join(close))
                if close
                else "; "
                + ngettext(
                    "it holds {n} imported venue (ls {folder})",
                    "it holds {n} imported venues (ls {folder})",
                    len(known),
                ).format(n=len(known), folder=display_path(folder))
            )
        )
    return editing.read_data(origin)


def create_venue_link(
    store: LinkStore,
    applications: Path,
    questionnaire: LoadedQuestionnaire,
    venue: str,
    *,
    imported: Path | None = None,
) -> NewLink:
    """A link for the venue of application ``venue`` (an id the web front can serve); its
    application is made first when the folder has none (``links create --venue`` and the
    coordinator's page both do this): pre-filled from the venue of the same id in
    ``imported`` (a folder written by ``import lieux``) when given, else blank. An existing
    application is never replaced."""
    from aptic_qualif import editing

    check_servable(venue)
    path = applications / f"{venue}.yaml"
    made = origin = None
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise CommandError(
            _("{path} is not a regular file: the web front cannot serve it").format(
                path=display_path(path)
            )
        )
    if not path.exists():
        start = read_imported(imported, venue) if imported is not None else None
        applications.mkdir(parents=True, exist_ok=True)
        editing.create(path, questionnaire, start=start)
        made = path
        origin = imported / f"{venue}.yaml" if imported is not None else None
    link, token = store.create("lieu", venue)
    return NewLink(link, token, made, origin)


def create_link(
    store: LinkStore,
    kind: Kind,
    subject: str | None,
    *,
    applications: Path,
    questionnaire: LoadedQuestionnaire,
    imported: Path | None = None,
) -> NewLink:
    """A new link of ``kind`` (``lieu``, ``relecteur`` or ``coordination``), with the same
    checks from the command line and from the browser: an id the web front can serve, a
    venue's application made if needed (from the venue of that id in ``imported`` when
    given), no subject for the coordinator."""
    if imported is not None and kind != "lieu":
        raise CommandError(_("--imported goes with --venue only"))
    if kind == "lieu":
        return create_venue_link(
            store, applications, questionnaire, subject or "", imported=imported
        )
    if kind == "relecteur":
        link, token = store.create("relecteur", check_servable(subject or ""))
        return NewLink(link, token)
    if kind == "coordination":
        link, token = store.create("coordination")
        return NewLink(link, token)
    raise CommandError(_("unknown kind of link: {kind}").format(kind=kind))


def server_secret(root: Path) -> bytes:
    """The key that signs form tokens (CSRF), made once per project and kept out of git."""
    path = state_dir(root) / SECRET_FILE
    if path.exists() or path.is_symlink():
        raw, refused = read_regular(path, display_path(path), limit=200)
        if raw is None:
            raise CommandError(refused.message if refused is not None else str(path))
        try:
            return bytes.fromhex(raw.decode("ascii").strip())
        except ValueError:
            pass  # unreadable: a new key (forms already shown must be sent again)
    value = secrets.token_hex(32)
    atomic_write(path, value + "\n", force=True)
    path.chmod(0o600)  # a key: readable by its owner only, whatever the umask
    return bytes.fromhex(value)
