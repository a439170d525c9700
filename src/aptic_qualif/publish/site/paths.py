"""Where things are: the site's folders and files, and the path of each generated page."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _

if TYPE_CHECKING:
    from aptic_qualif.referentiel.model import Service


SITE_DIR = "site"
"""The folder of a project (or of the aptic-qualif checkout) holding ``mkdocs.yml``."""
CONFIG_FILE = "mkdocs.yml"
DOCS_DIR = "docs"
DOWNLOADS_DIR = "telechargements"
MARKER = ".aptic-qualif-site"
"""Written at the top of a built site, so that a rebuild may replace it without ``--force``:
its first line, then every file the build wrote. A rebuild without ``--force`` refuses to
delete anything else (a ``.git``, a ``CNAME``…)."""
_MARKER_LINE = "aptic-qualif publish site"
TEMPLATES = Path(__file__).parents[1] / "templates" / "site"

DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("referentiel.jsonld", "jsonld"),
    ("context.jsonld", "context"),
    ("referentiel.ttl", "turtle"),
    ("questionnaire.json", "questionnaire"),
    ("application.schema.json", "schema"),
    ("services.csv", "csv"),
    ("candidature-modele.yaml", "template"),
    ("lieux.csv", "lieux"),
    ("couverture-departements.csv", "coverage"),
    ("usages-agregats.csv", "usages"),
    ("usages-agregats.schema.json", "usages-schema"),
)
"""The files the downloads page describes, in its order, each with its kind. The last two
come from the project's example applications, when it has some (see :func:`example_downloads`)."""


# -- the pages -----------------------------------------------------------------------


def _segment(name: str) -> str:
    """A file name made of safe characters (identifiers are validated slugs anyway)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name) or "-"


CONCEPTS_DIR = "referentiel"
"""The folder of the site that answers the scheme's ``base_iri``: the concept ``{base_iri}{id}``
has its page at ``referentiel/{id}/`` and its own data at ``referentiel/{id}.jsonld`` and
``referentiel/{id}.ttl``, so one prefix rule dereferences every IRI."""


def service_page(service: Service) -> str:
    return f"{CONCEPTS_DIR}/{_segment(service.id)}.md"


def concept_data(identifier: str, extension: str) -> str:
    """The file (under docs/) of one concept's own description: ``jsonld`` or ``ttl``."""
    return f"{CONCEPTS_DIR}/{_segment(identifier)}.{extension}"


def former_service_page(service: Service) -> str:
    """Where a service's page was before it moved to the path of its IRI (kept as a redirect)."""
    return f"{CONCEPTS_DIR}/{_segment(service.level)}/{_segment(service.id)}/index.html"


def level_page(level: str) -> str:
    return f"referentiel/{_segment(level)}/index.md"


def theme_page(theme: str) -> str:
    return f"questionnaire/{_segment(theme)}.md"


GUIDE_PAGE = "utiliser.md"
"""The hand-written guide, placed after the home page in the navigation when present."""
IDENTITY_PAGE = "questionnaire/identite.md"
POLICY_PAGE = "questionnaire/politique.md"
CHARTER_PAGE = "questionnaire/charte.md"
COVERAGE_PAGE = "couverture.md"
VENUES_PAGE = "lieux-qualifies.md"
VOCAB_PAGE = f"{CONCEPTS_DIR}/vocab.md"
"""The page of the project's own properties: ``{base_iri}vocab#name`` is its ``#name``."""
ALPHABETICAL_PAGE = "index-alphabetique.md"
W3ID_RULES = "w3id.htaccess"
"""The redirect rules for w3id.org (an Apache ``.htaccess``), written in the downloads."""
EXAMPLES_DIR = "examples"
"""The project's example applications (``applications/``) and reviews (``reviews/``)."""


def relative(page: str, target: str) -> str:
    """The link from the Markdown file ``page`` to ``target`` (both relative to docs/)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def site_source(root: Path) -> Path:
    """The hand-written site: ``<root>/site`` if the project has one, else the checkout's."""
    candidates = [root / SITE_DIR]
    import aptic_qualif

    package = Path(aptic_qualif.__file__).resolve().parent
    candidates.append(package.parents[1] / SITE_DIR)
    for candidate in candidates:
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise CommandError(
        _("no site configuration: {path} not found").format(path=root / SITE_DIR / CONFIG_FILE)
    )


ENGLISH_DOCS = "docs-en"
"""The folder of the staging area holding the English site's pages (built into ``en/``)."""
ENGLISH_CONFIG = "mkdocs.en.yml"
"""Beside ``mkdocs.yml``: what the English site changes (its name, the theme's texts…),
merged into ``mkdocs.yml`` the way MkDocs merges an ``INHERIT``ed file."""
ENGLISH_SUFFIX = ".en.md"
"""A hand-written page's English version: ``utiliser.en.md`` beside ``utiliser.md``."""
SITE_LANGUAGES = ("fr", "en")
"""The site's languages: French at the top of the site, English in ``en/``."""


ENGLISH_NAV = "nav.en.yml"
"""In the staging area: the English site's navigation, when ``mkdocs.yml`` has none."""
