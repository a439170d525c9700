"""The documentation site: pages generated from the YAML, then ``mkdocs build --strict``.

:func:`build_site` assembles a staging folder from three sources, then runs MkDocs with
the mkdocs-material theme:

* the hand-written part of the site: ``mkdocs.yml``, Markdown pages, stylesheets and
  overrides, from ``<root>/site/`` when the project has one, else from the ``site/``
  folder of the aptic-qualif checkout this package runs from (a network's fork can thus
  restyle its site without touching the code);
* pages generated from the référentiel, the questionnaire, the policy, the changelogs,
  ``CONTRIBUTING.md`` and the table of diagnostic codes, rendered from the Jinja2
  templates of ``templates/site/``;
* the downloads (JSON-LD, Turtle, JSON Schema, CSV) in ``telechargements/``.

Text from the YAML is data, never markup. The templates write Markdown with Jinja2's
autoescape off, but every value they print goes through :func:`md_escape` (the
environment's ``finalize``, :func:`aptic_qualif.sanitize.markdown_text`): Markdown
punctuation is backslash-escaped and ``<``, ``>``, ``&`` become HTML entities, so a label
can neither open a tag nor a link, nor run a template. Only values built here from
escaped parts (:class:`Md`) are printed as is. The HTML MkDocs renders from every page
(generated or written by hand) is then sanitised with
:func:`aptic_qualif.sanitize.html_content` before the theme wraps it.

The staging sources are deterministic: the same project gives byte-identical Markdown.

The package is split by stage: :mod:`.paths` (where things are), :mod:`.markup`
(escaping and translated texts), :mod:`.pages` (the generated pages), :mod:`.stage` (the
MkDocs project in a temporary folder), :mod:`.config` (the configuration, checked before
MkDocs reads it), :mod:`.build` (MkDocs, the sanitiser, the whole build), :mod:`.search`
(the search index) and :mod:`.output` (where the site may be written).
"""

from __future__ import annotations

from aptic_qualif.formats import day as long_date
from aptic_qualif.publish.site.build import build_site, run_mkdocs
from aptic_qualif.publish.site.config import CONFIG_CODE_KEYS, CONFIG_TAGS, YAML_TAG, check_config
from aptic_qualif.publish.site.markup import (
    LINK_MAP,
    Md,
    anchor,
    code,
    decimal,
    external_link,
    neutralize_html,
    number,
    translate,
    translate_plural,
)
from aptic_qualif.publish.site.pages import (
    example_downloads,
    site_address,
    w3id_rules,
    write_downloads,
)
from aptic_qualif.publish.site.paths import (
    ALPHABETICAL_PAGE,
    CHARTER_PAGE,
    CONCEPTS_DIR,
    CONFIG_FILE,
    COVERAGE_PAGE,
    DOCS_DIR,
    DOWNLOADS,
    DOWNLOADS_DIR,
    ENGLISH_CONFIG,
    ENGLISH_DOCS,
    ENGLISH_NAV,
    ENGLISH_SUFFIX,
    EXAMPLES_DIR,
    GUIDE_PAGE,
    IDENTITY_PAGE,
    MARKER,
    POLICY_PAGE,
    SITE_DIR,
    SITE_LANGUAGES,
    TEMPLATES,
    VENUES_PAGE,
    VOCAB_PAGE,
    W3ID_RULES,
    concept_data,
    former_service_page,
    level_page,
    relative,
    service_page,
    site_source,
    theme_page,
)
from aptic_qualif.publish.site.search import FOLDED_FIELD, SEARCH_INDEX, fold, fold_search_index
from aptic_qualif.publish.site.stage import stage_site
from aptic_qualif.sanitize import markdown_text as md_escape

__all__ = [
    "ALPHABETICAL_PAGE",
    "CHARTER_PAGE",
    "CONCEPTS_DIR",
    "CONFIG_CODE_KEYS",
    "CONFIG_FILE",
    "CONFIG_TAGS",
    "COVERAGE_PAGE",
    "DOCS_DIR",
    "DOWNLOADS",
    "DOWNLOADS_DIR",
    "ENGLISH_CONFIG",
    "ENGLISH_DOCS",
    "ENGLISH_NAV",
    "ENGLISH_SUFFIX",
    "EXAMPLES_DIR",
    "FOLDED_FIELD",
    "GUIDE_PAGE",
    "IDENTITY_PAGE",
    "LINK_MAP",
    "MARKER",
    "POLICY_PAGE",
    "SEARCH_INDEX",
    "SITE_DIR",
    "SITE_LANGUAGES",
    "TEMPLATES",
    "VENUES_PAGE",
    "VOCAB_PAGE",
    "W3ID_RULES",
    "YAML_TAG",
    "Md",
    "anchor",
    "build_site",
    "check_config",
    "code",
    "concept_data",
    "decimal",
    "example_downloads",
    "external_link",
    "fold",
    "fold_search_index",
    "former_service_page",
    "level_page",
    "long_date",
    "md_escape",
    "neutralize_html",
    "number",
    "relative",
    "run_mkdocs",
    "service_page",
    "site_address",
    "site_source",
    "stage_site",
    "theme_page",
    "translate",
    "translate_plural",
    "w3id_rules",
    "write_downloads",
]
