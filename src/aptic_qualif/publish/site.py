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
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import N_, _, language, localized, ngettext, set_language, use_language
from aptic_qualif.project import display_path
from aptic_qualif.sanitize import html_content, markdown_code
from aptic_qualif.sanitize import markdown_text as md_escape

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.network.coverage import By
    from aptic_qualif.publish.network import NetworkSource, NetworkView
    from aptic_qualif.questionnaire.model import Item
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
TEMPLATES = Path(__file__).parent / "templates" / "site"

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
)
"""The files the downloads page describes, in its order, each with its kind. The last two
come from the project's example applications, when it has some (see :func:`example_downloads`)."""


# -- escaping ------------------------------------------------------------------------


class Md(str):
    """Markdown built here from escaped parts: printed by the templates as it is."""

    __slots__ = ()


def number(value: float) -> str:
    """A number in the language in use: ``1,5`` and ``3\u202f847`` in French (a narrow
    no-break space between thousands), ``1.5`` and ``3,847`` in English; ``12``."""
    value = float(value)
    text = f"{int(value):,}" if value.is_integer() else f"{value:,}"
    if language() == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def decimal(value: float, places: int = 2) -> str:
    """A number with ``places`` decimals in the language in use: ``0,75``, ``0.75``."""
    text = f"{float(value):.{places}f}"
    return text.replace(".", ",") if language() == "fr" else text


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def long_date(value: date) -> str:
    """A date in words, in the language in use: ``1er décembre 2026``, ``1 December 2026``."""
    day = str(value.day)
    if language() == "fr" and value.day == 1:
        day += "er"
    return f"{day} {_(MONTHS[value.month - 1])} {value.year}"


def _finalize(value: object) -> str:
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("print booleans through words in the template, not as values")
    if isinstance(value, int | float):
        return md_escape(number(value))
    return md_escape(value)


def code(value: object) -> Md:
    """``value`` as an inline code span (Markdown escapes the HTML inside code)."""
    return Md(markdown_code(value))


def anchor(value: object) -> Md:
    """An HTML id made of safe characters only (item identifiers are slugs already)."""
    return Md(_segment(str(value)))


def external_link(text: object, url: str) -> Md:
    """A link to an http(s) address (validated by the schemas), its text escaped."""
    if not re.fullmatch(r"https?://[^\s]+", url):
        return Md(md_escape(text))
    safe = quote(url, safe=":/?#[]@!$&'*+,;=%~")
    return Md(f"[{md_escape(text)}](<{safe}>)")


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


class _Renderer:
    """Renders the templates of one staging folder, in the language ``lang``.

    Rendering must happen while ``lang`` is the language in use (:func:`_in_language`):
    the templates' texts are English message ids translated by :func:`translate` and
    :func:`translate_plural` (``_`` and ``ngettext`` in the templates), bilingual values go
    through the ``text`` and ``texts`` filters."""

    def __init__(self, context: Context, pages: Sequence[str] = (), lang: str = "fr") -> None:
        import jinja2

        from aptic_qualif.referentiel.browse import format_duration
        from aptic_qualif.scoring.engine import Scorer
        from aptic_qualif.scoring.render import decision_label
        from aptic_qualif.vocabularies import COOP_THEMATIQUES, CRCN, MODALITIES, MODALITIES_EN

        self.context = context
        self.lang = lang
        catalogue, questionnaire = context.catalogue, context.questionnaire
        self.item_pages = {
            located.id: IDENTITY_PAGE if located.is_identity else theme_page(located.theme)
            for located in questionnaire.items
        }
        self.items = {located.id: located.item for located in questionnaire.items}
        self.maxima: dict[str, tuple[float, float]] = {}
        knockouts: dict[str, list[Any]] = {}
        if context.policy is not None:
            for knockout in context.policy.knockouts:
                if knockout.item is not None:
                    knockouts.setdefault(knockout.item, []).append(knockout)
            scorer = Scorer(catalogue, questionnaire, context.policy)
            for compiled in scorer.items.values():
                for entry in compiled:
                    self.maxima[entry.item.id] = (entry.max, entry.weight)

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=False,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        modalities = MODALITIES_EN if lang == "en" else MODALITIES
        env.filters.update(
            code=code,
            anchor=anchor,
            duration=format_duration,
            decision=decision_label,
            text=self.text,
            texts=self.texts,
            long_date=long_date,
            number=number,
            decimal=decimal,
            # a block captured with {% set x %}…{% endset %} is rendered output, escaped already
            md=Md,
            modality=lambda value: modalities.get(value, value),
        )

        @jinja2.pass_context
        def link(ctx: Any, text: object, target: str, fragment: str | None = None) -> Md:
            return self.link(str(ctx["page"]), text, target, fragment)

        @jinja2.pass_context
        def service_link(ctx: Any, service_id: str, notation: bool = True) -> Md:
            return self.service_link(str(ctx["page"]), service_id, notation=notation)

        @jinja2.pass_context
        def item_link(ctx: Any, item_id: str) -> Md:
            return self.item_link(str(ctx["page"]), item_id)

        env.globals.update(
            _=translate,
            ngettext=translate_plural,
            lang=lang,
            link=link,
            code=code,
            downloads=DOWNLOADS,
            pages=pages,
            external_link=external_link,
            service_link=service_link,
            item_link=item_link,
            option_label=self.option_label,
            service_page=service_page,
            concept_data=concept_data,
            VOCAB_PAGE=VOCAB_PAGE,
            ALPHABETICAL_PAGE=ALPHABETICAL_PAGE,
            W3ID_RULES=W3ID_RULES,
            DOWNLOADS_DIR=DOWNLOADS_DIR,
            level_page=level_page,
            theme_page=theme_page,
            catalogue=catalogue,
            scheme=catalogue.scheme,
            levels=list(catalogue.levels.values()),
            questionnaire=questionnaire,
            policy=context.policy,
            items=self.items,
            maxima=self.maxima,
            knockouts=knockouts,
            CRCN=CRCN,
            COOP_THEMATIQUES=COOP_THEMATIQUES,
            MODALITIES=modalities,
            IDENTITY_PAGE=IDENTITY_PAGE,
            POLICY_PAGE=POLICY_PAGE,
            CHARTER_PAGE=CHARTER_PAGE,
        )
        self.env = env

    # -- helpers the templates call (they return Markdown built from escaped parts) ----

    def text(self, value: object) -> str:
        """The text of a bilingual value (``fr``/``en``) in the page's language, in French
        when it has no translation; ``""`` for ``None``. Printed escaped, like any value."""
        return localized(value, self.lang)

    def texts(self, value: object) -> list[str]:
        """A bilingual list (``fr``/``en`` lists) in the page's language, the French one when
        the translation is empty."""
        return list(getattr(value, self.lang, None) or getattr(value, "fr", None) or [])

    @staticmethod
    def link(page: str, text: object, target: str, fragment: str | None = None) -> Md:
        """A link from ``page`` to ``target`` (a page or a file of docs/), text escaped."""
        href = quote(relative(page, target))
        if fragment:
            href += "#" + anchor(fragment)
        return Md(f"[{md_escape(text)}]({href})")

    def service_link(self, page: str, service_id: str, *, notation: bool = True) -> Md:
        service = self.context.catalogue.services.get(service_id)
        if service is None:
            return code(service_id)
        text = localized(service.pref_label, self.lang)
        if notation:
            text = f"{service.notation} — {text}"
        return self.link(page, text, service_page(service))

    def item_link(self, page: str, item_id: str) -> Md:
        item = self.items.get(item_id)
        if item is None:
            return code(item_id)
        return self.link(page, localized(item.label, self.lang), self.item_pages[item_id], item_id)

    def option_label(self, item: Item, value: object) -> str:
        for option in item.options or ():
            if option.value == value:
                return localized(option.label, self.lang)
        return str(value)

    def render(self, template: str, page: str, **values: Any) -> str:
        text = self.env.get_template(template).render(page=page, **values)
        # One blank line at most between blocks, one newline at the end: stable sources.
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip("\n") + "\n"


def translate(message: str, /, **values: object) -> Md:
    """``message`` (an English message id, Markdown written by the project and its
    translators) in the language in use, its ``{name}`` fields filled with ``values``,
    each escaped like any printed value (:class:`Md` values are kept as they are)."""
    return Md(_(message).format(**{name: _finalize(v) for name, v in values.items()}))


def translate_plural(singular: str, several: str, n: float, /, **values: object) -> Md:
    """Like :func:`translate` for a message that depends on the count ``n`` (also given to
    the message as ``{n}``). French agreement: « 1,5 point », « 2 points »; English:
    "1 point", "1.5 points"."""
    if float(n).is_integer():
        count = int(n)
    else:  # « 1,5 point » in French (singular below 2), "1.5 points" in English
        count = 1 if language() == "fr" and abs(float(n)) < 2 else 2
    values = {"n": n, **values}
    return Md(
        ngettext(singular, several, count).format(
            **{name: _finalize(v) for name, v in values.items()}
        )
    )


# -- included Markdown files (changelogs, CONTRIBUTING) ----------------------------------

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>]+>")


def _neutralize_text(text: str) -> str:
    """Raw HTML in a Markdown line outside code becomes text (autolinks are kept)."""
    out: list[str] = []
    position = 0
    for match in _AUTOLINK.finditer(text):
        out.append(text[position : match.start()].replace("<", "&lt;"))
        out.append(match.group(0))
        position = match.end()
    out.append(text[position:].replace("<", "&lt;"))
    return "".join(out)


def neutralize_html(markdown: str) -> str:
    """Markdown written by contributors (changelogs, CONTRIBUTING) without its raw HTML.

    Code blocks and code spans are left alone (Markdown escapes them itself)."""
    lines: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            lines.append(line)
            continue
        if match:
            fence = match.group(1)
            lines.append(line)
            continue
        parts: list[str] = []
        position = 0
        for span in _CODE_SPAN.finditer(line):
            parts.append(_neutralize_text(line[position : span.start()]))
            parts.append(span.group(0))
            position = span.end()
        parts.append(_neutralize_text(line[position:]))
        lines.append("".join(parts))
    return "\n".join(lines) + "\n"


LINK_MAP = {
    "referentiel/CHANGELOG.md": "journal/referentiel.md",
    "questionnaire/CHANGELOG.md": "journal/questionnaire.md",
    "questionnaire/charte.md": CHARTER_PAGE,
    "charte.md": CHARTER_PAGE,
    "CONTRIBUTING.md": "contribuer.md",
}
"""Repository files that included Markdown links to, and their page on the site."""


def _rewrite_links(markdown: str, page: str) -> str:
    def replace(match: re.Match[str]) -> str:
        target, _sep, fragment = match.group(2).partition("#")
        mapped = LINK_MAP.get(target.removeprefix("./").removeprefix("../"))
        if mapped is None:
            return match.group(0)
        href = relative(page, mapped) + ("#" + fragment if fragment else "")
        return f"{match.group(1)}({href})"

    return re.sub(r"(\]\s?)\(([^()\s]+)\)", replace, markdown)


def _include_markdown(source: Path, page: str) -> str | None:
    if not source.is_file():
        return None
    text = source.read_text(encoding="utf-8").replace("\r\n", "\n")
    return _rewrite_links(neutralize_html(text), page)


# -- downloads -------------------------------------------------------------------------


def write_downloads(context: Context, folder: Path) -> list[str]:
    """Fill ``folder`` with the published files; the names written, in page order.

    The files come from :mod:`aptic_qualif.publish.exports`; should that module be
    missing (a partial checkout), the JSON Schema of an application alone is written."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from aptic_qualif.publish.exports import write_all
    except ImportError:
        from aptic_qualif.questionnaire.jsonschema import render_schema

        (folder / "application.schema.json").write_text(
            render_schema(context.questionnaire, context.catalogue), encoding="utf-8"
        )
    else:
        write_all(context, folder, force=True)
    return [name for name, _kind in DOWNLOADS if (folder / name).is_file()]


# -- staging ---------------------------------------------------------------------------


def _ordered_services(context: Context) -> list[Service]:
    catalogue = context.catalogue
    order = {level: index for index, level in enumerate(catalogue.levels)}
    return sorted(
        catalogue.services.values(), key=lambda s: (order.get(s.level, 99), s.notation, s.id)
    )


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


def _yaml_string(text: str) -> str:
    """A YAML scalar (JSON strings are YAML) holding ``text`` as HTML-escaped text.

    MkDocs prints navigation titles as HTML, so data must be escaped for HTML first."""
    import html

    return json.dumps(html.escape(text, quote=False), ensure_ascii=False)


def _navigation(context: Context, extra_pages: Sequence[str], lang: str) -> str:
    """The ``nav`` of the site as YAML, in ``lang`` (the language in use): sections in a
    fixed order, generated pages inside."""
    catalogue, questionnaire = context.catalogue, context.questionnaire
    home, guide, catalogue_title = _("Home"), _("Using the catalogue"), _("Catalogue")
    questionnaire_title, coverage = _("Questionnaire"), _("Territorial coverage")
    contributing, changelog = _("Contributing"), _("Changelog")
    downloads, codes = _("Downloads"), _("Error codes")
    t = _yaml_string
    lines = ["", "# Generated by aptic-qualif publish site", "nav:", f"  - {t(home)}: index.md"]
    if GUIDE_PAGE in extra_pages:
        lines.append(f"  - {t(guide)}: {GUIDE_PAGE}")
    lines += [f"  - {t(catalogue_title)}:", "      - referentiel/index.md"]
    lines += [f"      - {ALPHABETICAL_PAGE}", f"      - {VOCAB_PAGE}"]
    services = _ordered_services(context)
    for level in catalogue.levels.values():
        lines.append(f"      - {t(localized(level.pref_label, lang))}:")
        lines.append(f"          - {level_page(level.id)}")
        lines += [f"          - {service_page(s)}" for s in services if s.level == level.id]
    lines += [f"  - {t(questionnaire_title)}:", "      - questionnaire/index.md"]
    lines.append(f"      - {IDENTITY_PAGE}")
    lines += [f"      - {theme_page(theme)}" for theme in questionnaire.themes]
    if context.policy is not None:
        lines.append(f"      - {POLICY_PAGE}")
    lines.append(f"      - {CHARTER_PAGE}")
    lines.append(f"  - {t(coverage)}:")
    lines += [f"      - {COVERAGE_PAGE}", f"      - {VENUES_PAGE}"]
    lines.append(f"  - {t(contributing)}: contribuer.md")
    lines += [
        f"  - {t(changelog)}:",
        f"      - {t(catalogue_title)}: journal/referentiel.md",
        f"      - {t(questionnaire_title)}: journal/questionnaire.md",
        f"  - {t(downloads)}: {DOWNLOADS_DIR}/index.md",
        f"  - {t(codes)}: codes-erreur.md",
    ]
    lines += [f"  - {json.dumps(page)}" for page in extra_pages if page != GUIDE_PAGE]
    return "\n".join(lines) + "\n"


def _has_nav(config_text: str) -> bool:
    return re.search(r"^nav\s*:", config_text, re.MULTILINE) is not None


def _generated_pages(
    context: Context, renderer: _Renderer, coverage_values: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    """(path under docs/, Markdown) of every generated page, in a fixed order."""
    catalogue, questionnaire = context.catalogue, context.questionnaire
    services = _ordered_services(context)
    replaces: dict[str, list[Service]] = {}
    for service in services:
        if service.replaced_by:
            replaces.setdefault(service.replaced_by, []).append(service)
    counts = {
        "active": sum(1 for s in services if s.active),
        "deprecated": sum(1 for s in services if not s.active),
    }
    theme_items = {theme: questionnaire.theme_items(theme) for theme in questionnaire.themes}

    from aptic_qualif.publish.skos import VOCABULARY, vocab_namespace

    yield "index.md", renderer.render("index.md.j2", "index.md", counts=counts)
    yield (
        "referentiel/index.md",
        renderer.render(
            "referentiel.md.j2",
            "referentiel/index.md",
            services=services,
            counts=counts,
            vocabulary=VOCABULARY,
        ),
    )
    for level in catalogue.levels.values():
        page = level_page(level.id)
        in_level = [s for s in services if s.level == level.id]
        yield page, renderer.render("level.md.j2", page, level=level, services=in_level)
    for service in services:
        page = service_page(service)
        yield (
            page,
            renderer.render(
                "service.md.j2",
                page,
                service=service,
                level=catalogue.levels[service.level],
                iri=catalogue.scheme.base_iri + service.id,
                replacement=catalogue.services.get(service.replaced_by or ""),
                replaces=replaces.get(service.id, []),
            ),
        )
    yield (
        ALPHABETICAL_PAGE,
        renderer.render(
            ALPHABETICAL_PAGE + ".j2",
            ALPHABETICAL_PAGE,
            entries=_alphabetical(services, renderer.lang),
        ),
    )
    yield (
        VOCAB_PAGE,
        renderer.render(
            "vocab.md.j2",
            VOCAB_PAGE,
            properties=VOCABULARY,
            namespace=vocab_namespace(catalogue.scheme.base_iri),
            # printed as is inside a code fence, where Markdown is never interpreted
            rules=Md(w3id_rules(catalogue.scheme.base_iri, _site_url(context)).replace("`", "%60")),
        ),
    )
    yield (
        "questionnaire/index.md",
        renderer.render("questionnaire.md.j2", "questionnaire/index.md", theme_items=theme_items),
    )
    yield (
        IDENTITY_PAGE,
        renderer.render("identity.md.j2", IDENTITY_PAGE, located_items=questionnaire.identity),
    )
    for theme_id, located in theme_items.items():
        page = theme_page(theme_id)
        yield (
            page,
            renderer.render(
                "theme.md.j2",
                page,
                theme_id=theme_id,
                theme=questionnaire.themes[theme_id],
                located_items=located,
            ),
        )
    if context.policy is not None:
        yield POLICY_PAGE, renderer.render("policy.md.j2", POLICY_PAGE)
    yield (
        COVERAGE_PAGE,
        renderer.render("coverage.md.j2", COVERAGE_PAGE, **coverage_values),
    )
    yield (
        VENUES_PAGE,
        renderer.render("venues.md.j2", VENUES_PAGE, **coverage_values),
    )
    yield "codes-erreur.md", renderer.render("codes.md.j2", "codes-erreur.md", codes=_codes())


def _alphabetical(
    services: Sequence[Service], lang: str = "fr"
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every label of the services in ``lang``, preferred and alternative (the French ones
    when a service has none in ``lang``), grouped by initial letter and sorted with accents
    and case ignored, then as written."""
    entries: list[dict[str, Any]] = []
    for service in services:
        label = localized(service.pref_label, lang)
        entries.append({"label": label, "service": service, "alt": False})
        alternatives = getattr(service.alt_labels, lang, None) or service.alt_labels.fr
        for label in alternatives:
            entries.append({"label": label, "service": service, "alt": True})
    entries.sort(key=lambda e: (fold(e["label"]).casefold(), e["label"], e["service"].id))
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        initial = fold(entry["label"][:1]).upper()
        groups.setdefault(initial if initial.isalpha() else "#", []).append(entry)
    return list(groups.items())


def _site_url(context: Context) -> str:
    """The address of the published site (``site_url`` of ``mkdocs.yml``), or ``SITE_URL/``
    when the configuration does not say it."""
    config = site_source(context.root) / CONFIG_FILE
    match = re.search(
        r"^site_url:[ \t]*[\"']?(https?://[^\"'\s#]+)", config.read_text("utf-8"), re.MULTILINE
    )
    url = match.group(1) if match else "SITE_URL"
    return url.rstrip("/") + "/"


def w3id_rules(base_iri: str, site_url: str) -> str:
    """Apache rewrite rules that make every IRI of the scheme resolve (for w3id.org, whose
    redirects are ``.htaccess`` files, one folder per project).

    ``base_iri`` is ``https://w3id.org/{project}/{path}``: the file goes in the ``{project}``
    folder and matches ``{path}``. An IRI asked for with ``Accept: application/ld+json``
    or ``text/turtle`` is sent (303) to the concept's own JSON-LD or Turtle; any other
    request to its page, in English when the browser's first language is English. The
    scheme itself and the ``vocab`` properties are described by the whole scheme's files."""
    from urllib.parse import urlsplit

    segments = urlsplit(base_iri).path.strip("/").split("/")
    project, path = segments[0], "/".join(segments[1:])
    prefix = re.escape(f"{path}/") if path else ""
    site = site_url
    concepts = f"{site}{CONCEPTS_DIR}/"
    whole = f"{site}{DOWNLOADS_DIR}/referentiel"
    lines = [
        f"# Redirects of {base_iri} to the site of the référentiel, {site}",
        f"# (w3id.org: the file .htaccess of the folder {project}/).",
        "# Generated by aptic-qualif publish site: every concept IRI leads to its page,",
        "# or to its own JSON-LD or Turtle when the request asks for it (Accept header).",
        "RewriteEngine on",
        "",
    ]
    for accept, extension in (("application/ld\\+json", "jsonld"), ("text/turtle", "ttl")):
        lines += [
            f"RewriteCond %{{HTTP_ACCEPT}} {accept}",
            f"RewriteRule ^{prefix}(vocab)?$ {whole}.{extension} [R=303,L]",
            f"RewriteCond %{{HTTP_ACCEPT}} {accept}",
            f"RewriteRule ^{prefix}([a-z0-9-]+)$ {concepts}$1.{extension} [R=303,L]",
        ]
    english = f"{site}en/{CONCEPTS_DIR}/"
    lines += [
        "# A reader whose browser prefers English gets the English page (in en/).",
        "RewriteCond %{HTTP:Accept-Language} ^en",
        f"RewriteRule ^{prefix}([a-z0-9-]+)$ {english}$1/ [R=303,L]",
        "RewriteCond %{HTTP:Accept-Language} ^en",
        f"RewriteRule ^{prefix}$ {english} [R=303,L]",
        f"RewriteRule ^{prefix}([a-z0-9-]+)$ {concepts}$1/ [R=303,L]",
        f"RewriteRule ^{prefix}$ {concepts} [R=303,L]",
        "",
    ]
    return "\n".join(lines)


def _former_page(service: Service) -> str:
    """A page at a service's former address that sends the reader to its page."""
    import html

    target = html.escape(f"../../{_segment(service.id)}/")
    title = html.escape(f"{service.notation} — {service.pref_label.fr}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        f'<link rel="canonical" href="{target}">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        '<meta name="robots" content="noindex">\n</head>\n<body>\n'
        f'<p>Cette page a changé d\'adresse : <a href="{target}">{title}</a>.</p>\n'
        "</body>\n</html>\n"
    )


def example_downloads(context: Context, view: NetworkView | None) -> dict[str, str]:
    """The downloads made from the project's files rather than from the référentiel: the
    blank application (``apply template``), and, when the site shows applications (the
    network's, or the project's examples) and a policy, their export to the national schema
    of venues (``export lieux``) and their coverage per département (``coverage --format
    csv``)."""
    from aptic_qualif.questionnaire.template import render_template

    files = {"candidature-modele.yaml": render_template(context.questionnaire, context.catalogue)}
    if view is None:
        return files
    from aptic_qualif.network import lieux
    from aptic_qualif.network.coverage import render_csv

    files["lieux.csv"] = lieux.render_csv(view.lieux.rows)
    files["couverture-departements.csv"] = render_csv(view.coverage)
    return files


def _shown_applications(
    context: Context, network: NetworkSource | None, by: By = "departement"
) -> tuple[NetworkView | None, dict[str, Any]]:
    """The applications the site shows: the network's own (``network``), else the
    project's fictional examples; read once (:func:`~aptic_qualif.publish.network.read_network`),
    counted by commune too with ``by="commune"``."""
    from aptic_qualif.application import application_files
    from aptic_qualif.publish.network import read_network, source_files

    if network is not None:
        files = source_files(network)
        view = read_network(context, files, network.reviews, by=by)
        # only the folders' names: the site does not depend on where it was built from
        applications = network.applications.absolute().name
        reviews = network.reviews.absolute().name if network.reviews is not None else None
        return view, {"examples": False, "applications": applications, "reviews": reviews}
    applications = f"{EXAMPLES_DIR}/applications"
    reviews_folder = f"{EXAMPLES_DIR}/reviews"
    values: dict[str, Any] = {"examples": True, "applications": applications, "reviews": None}
    files, _missing = application_files([context.root / applications])
    if not files or context.policy is None:
        return None, values
    reviews_dir = context.root / reviews_folder
    has_reviews = reviews_dir.is_dir()
    view = read_network(context, files, reviews_dir if has_reviews else None, by=by)
    values["reviews"] = reviews_folder if has_reviews else None
    return view, values


def _coverage_values(
    context: Context, view: NetworkView | None, values: dict[str, Any]
) -> dict[str, Any]:
    """What the coverage and venue pages print: the coverage, its chart, its map, names."""
    from aptic_qualif.network.choropleth import render_map
    from aptic_qualif.network.coverage import chart_series
    from aptic_qualif.network.svg import render_chart
    from aptic_qualif.publish.departements import departement_pages

    values = {**values, "coverage": None, "venues": [], "departement_pages": {}}
    if view is None:
        return values
    coverage = view.coverage
    reviews = values["reviews"]
    command = f"aptic-qualif coverage {values['applications']}" + (
        f" --reviews {reviews}" if reviews else ""
    )
    # the levels' names in the page's language (the coverage was computed in the command's)
    coverage = coverage.model_copy(
        update={
            "levels": [
                level.model_copy(
                    update={"label": localized(context.catalogue.levels[level.id].pref_label)}
                )
                if level.id in context.catalogue.levels
                else level
                for level in coverage.levels
            ]
        }
    )
    present = [t for t in coverage.territories if t.venues]
    series, groups = chart_series(coverage.model_copy(update={"territories": present}), _("Venues"))
    chart = render_chart(
        series,
        groups,
        title=_("Qualified venues by département and by level"),
        description=_(
            "Bar chart: for each département where a qualified venue is present, the number "
            "of qualified venues, then the number of those offering at least one service of "
            "each level."
        ),
        empty_label=_("No qualified venue"),
    )
    names = {t.territory: f"{t.territory} {t.label}".strip() for t in coverage.territories}
    map_svg = render_map(
        [t.territory for t in coverage.territories],
        {t.territory: t.venues for t in coverage.territories},
        {t.territory: t.label for t in coverage.territories},
        title=_("Map of qualified venues by département"),
        description=_(
            "Choropleth map: each département is coloured by its number of qualified venues, "
            "from pale orange (no venue) to dark blue (the most venues). Overseas départements "
            "and collectivities are drawn as squares. The table that follows gives the same "
            "numbers."
        ),
        tooltip=lambda name, value: ngettext(
            "{name}: {n} qualified venue", "{name}: {n} qualified venues", value
        ).format(name=name, n=value),
        legend_title=_("Qualified venues"),
    )
    active = [s for s in coverage.services if s.active]
    notation = {s.id: s.notation for s in context.catalogue.services.values()}
    values.update(
        coverage=coverage,
        command=command,
        chart=Md(chart.strip("\n")),
        map=Md(map_svg.strip("\n")),
        names=names,
        level_labels={level.id: level.label for level in coverage.levels},
        active_services=len(active),
        missing_services={
            t.territory: [notation[s.service] for s in active if s.service not in t.services]
            for t in coverage.territories
        },
        venues=view.venues,
        departement_pages=departement_pages(view),
    )
    return values


def _codes() -> list[tuple[str, list[dict[str, str]]]]:
    """The diagnostic codes by family (``REF``, ``QST``…), descriptions translated."""
    from aptic_qualif.codes import CODES

    families: dict[str, list[dict[str, str]]] = {}
    for c in CODES.values():
        family = re.sub(r"\d+$", "", c.code)
        families.setdefault(family, []).append(
            {"code": c.code, "name": c.name, "description": _(c.description)}
        )
    return list(families.items())


@contextmanager
def _in_language(lang: str) -> Iterator[None]:
    """Render in ``lang`` whatever the language of the command (the process's language is
    set, not only the context's: MkDocs' own code runs in threads it starts)."""
    previous = language()
    set_language(lang)
    try:
        with use_language(lang):
            yield
    finally:
        set_language(previous)


ENGLISH_DOCS = "docs-en"
"""The folder of the staging area holding the English site's pages (built into ``en/``)."""
ENGLISH_CONFIG = "mkdocs.en.yml"
"""Beside ``mkdocs.yml``: what the English site changes (its name, the theme's texts…),
merged into ``mkdocs.yml`` the way MkDocs merges an ``INHERIT``ed file."""
ENGLISH_SUFFIX = ".en.md"
"""A hand-written page's English version: ``utiliser.en.md`` beside ``utiliser.md``."""
SITE_LANGUAGES = ("fr", "en")
"""The site's languages: French at the top of the site, English in ``en/``."""


def _french_only(markdown: str) -> str:
    """A French page placed in the English site: a note under its title says so."""
    title = _("Only in French")
    text = _("This page has no English version yet: it is shown in French.")
    note = f'!!! note "{title}"\n\n    {text}\n'
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join([*lines[: index + 1], "", note, *lines[index + 1 :]])
    return note + "\n" + markdown


def stage_site(
    context: Context,
    staging: Path,
    source: Path | None = None,
    network: NetworkSource | None = None,
    report: Report | None = None,
    *,
    by: By = "departement",
) -> Path:
    """Write the MkDocs project of the site into ``staging``; returns its ``mkdocs.yml``.

    The site is bilingual: ``docs/`` holds the French pages, ``docs-en/`` the same pages in
    English (a hand-written page ``x.md`` takes its English text from ``x.en.md`` beside
    it, else is shown in French with a note), both rendered from the same sources.

    ``source`` is the hand-written site (default: :func:`site_source`). The coverage and
    venue pages show the applications of ``network``, else the project's fictional
    examples (and say so); problems met reading them are added to ``report``. With
    ``by="commune"``, each département also gets the page of its communes
    (:mod:`aptic_qualif.publish.departements`). Same project, same bytes: nothing here
    depends on the time, the machine or the order of files."""
    source = source if source is not None else site_source(context.root)
    shutil.copytree(
        source, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*" + ENGLISH_SUFFIX)
    )
    docs = staging / DOCS_DIR
    docs.mkdir(exist_ok=True)
    extra_pages = sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if p.relative_to(docs).as_posix() != "index.md"
    )
    english = staging / ENGLISH_DOCS
    if english.exists():
        raise CommandError(
            _("the hand-written site may not hold a folder named {name}").format(name=ENGLISH_DOCS)
        )
    shutil.copytree(docs, english)
    for page in [*extra_pages, "index.md"]:
        translated = source / DOCS_DIR / (page.removesuffix(".md") + ENGLISH_SUFFIX)
        if not (english / page).is_file():
            continue
        if translated.is_file():
            shutil.copyfile(translated, english / page)
        else:
            with _in_language("en"):
                french = (english / page).read_text(encoding="utf-8")
                (english / page).write_text(_french_only(french), encoding="utf-8")

    def write(folder: Path, page: str, text: str) -> None:
        path = folder / page
        if path.exists():
            raise CommandError(
                _("the hand-written page {path} has the name of a generated page").format(
                    path=source / DOCS_DIR / page
                )
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))

    view, shown = _shown_applications(context, network, by)
    if view is not None and report is not None:
        report.extend(view.report.diagnostics)
    shared: dict[str, str] = {}
    """The files that are the same in both languages (data, downloads), by page."""
    from aptic_qualif.publish.skos import concept_documents

    for identifier, jsonld, turtle in concept_documents(context.catalogue):
        shared[concept_data(identifier, "jsonld")] = jsonld
        shared[concept_data(identifier, "ttl")] = turtle
    for name, text in example_downloads(context, view).items():
        shared[f"{DOWNLOADS_DIR}/{name}"] = text
    shared[f"{DOWNLOADS_DIR}/{W3ID_RULES}"] = w3id_rules(
        context.catalogue.scheme.base_iri, _site_url(context)
    )
    with tempfile.TemporaryDirectory(prefix="aptic-qualif-downloads-") as tmp:
        for name in write_downloads(context, Path(tmp)):
            shared[f"{DOWNLOADS_DIR}/{name}"] = (Path(tmp) / name).read_text(encoding="utf-8")

    root = context.root
    from aptic_qualif.publish import departements

    for lang, folder in (("fr", docs), ("en", english)):
        with _in_language(lang):
            renderer = _Renderer(context, extra_pages, lang)
            coverage_values = _coverage_values(context, view, shown)
            for page, text in _generated_pages(context, renderer, coverage_values):
                write(folder, page, text)
            for page, text in departements.render_pages(renderer.render, view, coverage_values):
                write(folder, page, text)
            for page, origin, title in (
                ("journal/referentiel.md", root / "referentiel" / "CHANGELOG.md", _("Catalogue")),
                (
                    "journal/questionnaire.md",
                    root / "questionnaire" / "CHANGELOG.md",
                    _("Questionnaire"),
                ),
                (
                    CHARTER_PAGE,
                    root / "questionnaire" / "charte.md",
                    _("Charter of qualified venues"),
                ),
                ("contribuer.md", root / "CONTRIBUTING.md", _("Contributing")),
            ):
                included = _include_markdown(origin, page)
                if included is None:
                    included = renderer.render(
                        "missing.md.j2", page, origin=origin.name, title=title
                    )
                elif lang != "fr":
                    included = _french_only(included)
                write(folder, page, included)
            for page, text in sorted(shared.items()):
                write(folder, page, text)
            if lang == "fr":
                for service in _ordered_services(context):
                    write(folder, former_service_page(service), _former_page(service))
            files = [name for name, _kind in DOWNLOADS if f"{DOWNLOADS_DIR}/{name}" in shared]
            write(
                folder,
                f"{DOWNLOADS_DIR}/index.md",
                renderer.render("downloads.md.j2", f"{DOWNLOADS_DIR}/index.md", files=files),
            )

    config = staging / CONFIG_FILE
    text = config.read_text(encoding="utf-8")
    if departements.departement_pages(view) and not re.search(r"^not_in_nav\s*:", text, re.M):
        text = text.rstrip("\n") + "\n" + departements.NOT_IN_NAV
        config.write_text(text, "utf-8")
    if not _has_nav(text):
        extra = [p for p in extra_pages if not p.startswith(f"{DOWNLOADS_DIR}/")]
        with _in_language("fr"):
            config.write_text(text.rstrip("\n") + "\n" + _navigation(context, extra, "fr"), "utf-8")
        with _in_language("en"):
            (staging / ENGLISH_NAV).write_text(_navigation(context, extra, "en"), "utf-8")
    return config


ENGLISH_NAV = "nav.en.yml"
"""In the staging area: the English site's navigation, when ``mkdocs.yml`` has none."""


# -- mkdocs ----------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


YAML_TAG = "tag:yaml.org,2002:"
CONFIG_TAGS = frozenset(
    YAML_TAG + name
    for name in (
        "python/object/apply:pymdownx.slugs.slugify",
        "python/name:pymdownx.slugs.slugify",
        "python/name:material.extensions.emoji.twemoji",
        "python/name:material.extensions.emoji.to_svg",
        "python/name:pymdownx.superfences.fence_code_format",
    )
)
"""The only tags ``mkdocs.yml`` may hold: the functions mkdocs-material's documentation
configures by name (heading slugs, emoji, custom fences). MkDocs reads the file with
PyYAML's unsafe loader, where any other Python tag runs code and ``!ENV`` copies the
environment into the pages."""
CONFIG_CODE_KEYS = ("INHERIT", "hooks")
"""Top-level keys of ``mkdocs.yml`` that make MkDocs read another configuration with its
unsafe loader, or run Python files."""


def check_config(config: Path, display: str | None = None) -> None:
    """Read ``config`` (a ``mkdocs.yml``) with the project's safe reader before MkDocs does:
    a tag other than :data:`CONFIG_TAGS`, or a key of :data:`CONFIG_CODE_KEYS`, stops the
    build with located errors (``file:line:col: error[CODE]``), so nothing in the file runs."""
    from aptic_qualif.diagnostics import Diagnostic, Report
    from aptic_qualif.yamlio import load_yaml

    name = display if display is not None else display_path(config)
    doc, diagnostics = load_yaml(config, name, allowed_tags=CONFIG_TAGS)
    report = Report(list(diagnostics))
    if doc is not None and isinstance(doc.data, dict):
        for key in CONFIG_CODE_KEYS:
            if key in doc.data:
                report.add(
                    Diagnostic.error(
                        "SITE001",
                        doc.key_span((key,)),
                        _(
                            "'{key}' refused in the site configuration: it would run code or read "
                            "another configuration unchecked"
                        ).format(key=key),
                        _("remove '{key}' from {file}").format(key=key, file=CONFIG_FILE),
                    )
                )
    if not report.ok:
        message = _("the site configuration {path} is refused:\n{problems}").format(
            path=name, problems=report.render_text()
        )
        if any(d.code == "YAML004" for d in report.diagnostics):
            allowed = ", ".join(f"!!{tag.removeprefix(YAML_TAG)}" for tag in sorted(CONFIG_TAGS))
            message += "\n" + _(
                "MkDocs would run the Python tags of this file or read the environment "
                "(!ENV); only these tags are accepted: {tags}"
            ).format(tags=allowed)
        raise CommandError(message)


def _sanitising_plugin() -> Any:
    """A MkDocs plugin that passes the HTML rendered from each page's Markdown through
    :func:`aptic_qualif.sanitize.html_content`, after every other plugin (the theme's own
    HTML, with its scripts, is outside ``page.content``)."""
    from mkdocs.config.base import Config
    from mkdocs.plugins import BasePlugin, event_priority

    class NoOptions(Config):  # type: ignore[no-untyped-call]  # (mkdocs is not typed there)
        pass

    class SanitisePages(BasePlugin[NoOptions]):  # type: ignore[no-untyped-call]
        @event_priority(-100)
        def on_page_content(self, html: str, /, **_kwargs: Any) -> str:
            return html_content(html)

    return SanitisePages()


def _merge(base: Any, override: Any) -> Any:
    """``override`` merged into ``base`` like MkDocs merges an ``INHERIT``ed configuration
    (mappings merged key by key, anything else replaced), except that the lists of
    ``plugins`` and ``markdown_extensions`` merge their entries by name, so that
    ``- search: {lang: en}`` changes one setting of the search and keeps the others."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if key in ("plugins", "markdown_extensions") and key in merged:
                merged[key] = _merge_named(merged[key], value)
            else:
                merged[key] = _merge(merged.get(key), value) if key in merged else value
        return merged
    return override


def _merge_named(base: Any, override: Any) -> Any:
    def entries(value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return dict(value)
        out: dict[str, Any] = {}
        for entry in value or ():
            if isinstance(entry, dict):
                out.update(entry)
            else:
                out[str(entry)] = {}
        return out

    if not isinstance(base, list | dict) or not isinstance(override, list | dict):
        return override
    merged = entries(base)
    for name, config in entries(override).items():
        merged[name] = _merge(merged.get(name) or {}, config or {})
    return [{name: config} if config else name for name, config in merged.items()]


def _alternate(lang: str) -> list[dict[str, str]]:
    """The theme's language selector (``extra.alternate``): where each language's site is
    from the top of the site in ``lang``. The project's ``partials/alternate.html`` adds
    the path of the page, so that the selector leads to the same page."""
    top = "../" if lang == "en" else ""
    return [
        {"name": "Français", "link": top, "lang": "fr"},
        {"name": "English", "link": top + "en/", "lang": "en"},
    ]


def _language_options(config: Path, lang: str, display: str | None) -> dict[str, Any]:
    """What the site in ``lang`` changes in ``config``: the language selector, and for
    English its pages (``docs-en``), its navigation and ``mkdocs.en.yml``, checked like
    ``mkdocs.yml`` then merged into it (:func:`_merge`)."""
    from mkdocs.utils.yaml import yaml_load

    with config.open("rb") as file:
        base = yaml_load(file)  # checked by check_config: nothing in it runs
    options: dict[str, Any] = {}
    if lang == "en":
        overrides: dict[str, Any] = {}
        nav = config.parent / ENGLISH_NAV
        if nav.is_file():
            overrides.update(yaml_load(nav.read_text(encoding="utf-8")))
        english = config.parent / ENGLISH_CONFIG
        if english.is_file():
            shown = (
                posixpath.join(posixpath.dirname(display), ENGLISH_CONFIG)
                if display is not None
                else display_path(english)
            )
            check_config(english, shown)
            with english.open("rb") as file:
                overrides.update(yaml_load(file))
        merged = _merge(base, overrides)
        options = {key: merged[key] for key in overrides}
        theme = merged.get("theme") or {}
        theme = {"name": theme} if isinstance(theme, str) else dict(theme)
        if "language" not in (overrides.get("theme") or {}):
            theme["language"] = "en"
        options["theme"] = theme
        options["docs_dir"] = str(config.parent / ENGLISH_DOCS)
        base = merged
    extra = dict(base.get("extra") or {})
    extra["alternate"] = _alternate(lang)
    options["extra"] = extra
    return options


def run_mkdocs(
    config: Path, site_dir: Path, *, display: str | None = None, language: str | None = None
) -> None:
    """``mkdocs build --strict``: any warning (broken link, missing page) fails the build.

    ``config`` is first checked by :func:`check_config` (named ``display`` in errors), and
    the content of every page is sanitised by :func:`_sanitising_plugin`. With
    ``language``, one language of a site staged by :func:`stage_site` is built, with the
    selector of languages (:func:`_language_options`).

    MkDocs reads a relative ``site_dir`` from the folder of ``config``, not from the
    current folder: ``site_dir`` is made absolute before it is handed over."""
    check_config(config, display)
    site_dir = site_dir.absolute()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # no end-of-life banner in our output
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        options = _language_options(config, language, display) if language else {}
        cfg = load_config(str(config), strict=True, site_dir=str(site_dir), **options)
        cfg.plugins["aptic-qualif-sanitise"] = _sanitising_plugin()
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except MkDocsException as error:
        problems = "\n".join([*collect.messages, str(error)])
        raise CommandError(
            _("mkdocs build --strict failed:\n{problems}").format(problems=problems)
        ) from error
    finally:
        logger.removeHandler(collect)


# -- search ----------------------------------------------------------------------------

SEARCH_INDEX = "search/search_index.json"
FOLDED_FIELD = "folded"
"""The field of the search index holding each section's words without their accents."""
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """``text`` without its accents and ligatures: ``Hameçonnage`` → ``Hameconnage``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_search_index(site_dir: Path) -> None:
    """Make the search of the built site ignore accents.

    mkdocs-material's search (lunr.js) compares words as they are written, so
    « hameconnage » would not find « hameçonnage ». Each section of the index gets a
    field ``folded`` listing, once each, the words of its title and text that change
    when folded, folded; the index's configuration declares the field, which the search
    worker then indexes like the others (it is never displayed). A site without search
    is left alone."""
    path = site_dir / SEARCH_INDEX
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    fields = index.get("config", {}).get("fields")
    if not isinstance(fields, dict):
        return
    fields.setdefault(FOLDED_FIELD, {"boost": 1.0})
    for doc in index.get("docs", ()):
        text = _TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")
        words: dict[str, None] = {}
        for word in _WORD.findall(text):
            folded = fold(word)
            if folded != word:
                words.setdefault(folded.lower())
        if words:
            doc[FOLDED_FIELD] = " ".join(words)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# -- output ----------------------------------------------------------------------------


def _is_site(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _check_output(output: Path, root: Path, source: Path, force: bool) -> None:
    resolved = output.resolve()
    for protected in (root.resolve(), source.resolve()):
        if resolved == protected or protected.is_relative_to(resolved):
            raise CommandError(
                _("refusing to write the site into {path}: choose an output folder").format(
                    path=display_path(output)
                )
            )
    if output.exists() and not output.is_dir():
        raise CommandError(_("{path} exists and is not a folder").format(path=display_path(output)))
    if output.is_dir() and any(output.iterdir()) and not _is_site(output) and not force:
        raise CommandError(
            _("{path} is not empty and holds no site built before; use --force").format(
                path=display_path(output)
            )
        )
    if _is_site(output) and not force:
        unknown = _not_built(output)
        if unknown:
            shown = ", ".join(unknown[:_SHOWN])
            if len(unknown) > _SHOWN:
                shown += ", …"
            raise CommandError(
                _(
                    "{path} holds files that no build wrote ({files}); a rebuild would delete "
                    "them: move them elsewhere, or use --force"
                ).format(path=display_path(output), files=shown)
            )


_SHOWN = 10
"""How many unknown files the refusal names."""


def _manifest(folder: Path) -> str:
    """The marker's text: its first line, then every file the build wrote (relative, sorted)."""
    files = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if not path.is_dir() and path.name != MARKER
    )
    return "".join(f"{line}\n" for line in [_MARKER_LINE, *files])


def _not_built(output: Path) -> list[str]:
    """What ``output`` holds that the build recorded in its marker did not write: a file
    not in the list, or a whole folder holding none of them (named once, with a ``/``). A
    marker from before the list names nothing as built."""
    lines = (output / MARKER).read_text(encoding="utf-8", errors="replace").splitlines()
    built = set(lines[1:])
    folders = {parent.as_posix() for name in built for parent in Path(name).parents}
    unknown: list[str] = []

    def walk(folder: Path) -> None:
        for entry in sorted(folder.iterdir()):
            name = entry.relative_to(output).as_posix()
            if entry.is_dir() and not entry.is_symlink():
                if name in folders:
                    walk(entry)
                else:
                    unknown.append(f"{name}/")
            elif name not in built and name != MARKER:
                unknown.append(name)

    walk(output)
    return unknown


def _install(built: Path, output: Path) -> None:
    """Put the built site at ``output``: a previous site is replaced, other files kept."""
    if not output.exists():
        built.rename(output)
        return
    if _is_site(output) or not any(output.iterdir()):
        old = output.with_name(f".{output.name}.old")
        if old.exists():
            shutil.rmtree(old)
        output.rename(old)
        built.rename(output)
        shutil.rmtree(old)
        return
    # --force into a folder that is not a site: files are written over, nothing is removed;
    # no marker, so the next build asks for --force again.
    (built / MARKER).unlink()
    shutil.copytree(built, output, dirs_exist_ok=True)
    shutil.rmtree(built)


def build_site(
    root: Path,
    output: Path,
    *,
    force: bool = False,
    network: NetworkSource | None = None,
    report: Report | None = None,
    by: By = "departement",
) -> Path:
    """Build the site of the project ``root`` into ``output``; returns ``output``.

    The pages are generated into a temporary staging folder, then ``mkdocs build
    --strict`` writes the site next to ``output`` and it is moved into place, so a
    failed build leaves the previous site untouched. ``output`` must be absent, empty or
    a site built before holding nothing the build did not write, unless ``force`` (files
    are then written over; nothing else in a folder that is not a site is removed).

    A relative ``output`` is taken from the current folder, like every path here: it is
    made absolute first, before a temporary folder or MkDocs could read it from elsewhere
    (on Python 3.11, ``mkdtemp`` returns a relative path for a relative ``dir``).

    With ``network``, the coverage and venue pages and their downloads are built from the
    network's own applications and reviews (scored with its ``policy`` when given); without
    it, from the project's fictional examples, which the pages say. Unreadable applications
    and review problems are added to ``report`` (the build goes on without them). With
    ``by="commune"``, each département gets the page of its communes."""
    from aptic_qualif.context import load_context

    output = output.absolute()
    context = load_context(
        root, policy=network.policy if network is not None else None, need_policy=True
    )
    source = site_source(context.root)
    _check_output(output, context.root, source, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aptic-qualif-site-") as tmp:
        config = stage_site(context, Path(tmp) / "source", source, network, report, by=by)
        built = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
        built.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
        try:
            display = display_path(source / CONFIG_FILE)
            # French first: MkDocs empties the folder it builds into, here only en/.
            run_mkdocs(config, built, display=display, language="fr")
            run_mkdocs(config, built / "en", display=display, language="en")
            fold_search_index(built)
            fold_search_index(built / "en")
            (built / MARKER).write_text(_manifest(built), encoding="utf-8")
            _install(built, output)
        finally:
            if built.exists():
                shutil.rmtree(built)
    return output


__all__ = [
    "Md",
    "build_site",
    "check_config",
    "code",
    "concept_data",
    "fold",
    "fold_search_index",
    "md_escape",
    "neutralize_html",
    "number",
    "run_mkdocs",
    "site_source",
    "stage_site",
    "w3id_rules",
    "write_downloads",
]
