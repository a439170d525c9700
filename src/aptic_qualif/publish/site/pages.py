"""The generated pages: the templates' renderer, the navigation, the downloads, the
coverage and venue pages' values, the w3id rules."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aptic_qualif.i18n import _, language, localized, ngettext, set_language, use_language
from aptic_qualif.sanitize import markdown_text as md_escape

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.network.coverage import By
    from aptic_qualif.publish.network import NetworkSource, NetworkView
    from aptic_qualif.questionnaire.model import Item
    from aptic_qualif.referentiel.model import Service
from aptic_qualif.formats import day as long_date
from aptic_qualif.publish.site.markup import (
    Md,
    _finalize,
    anchor,
    code,
    decimal,
    external_link,
    number,
    translate,
    translate_plural,
)
from aptic_qualif.publish.site.paths import (
    ALPHABETICAL_PAGE,
    CHARTER_PAGE,
    CONCEPTS_DIR,
    CONFIG_FILE,
    COVERAGE_PAGE,
    DOWNLOADS,
    DOWNLOADS_DIR,
    EXAMPLES_DIR,
    GUIDE_PAGE,
    IDENTITY_PAGE,
    POLICY_PAGE,
    TEMPLATES,
    VENUES_PAGE,
    VOCAB_PAGE,
    W3ID_RULES,
    _segment,
    concept_data,
    level_page,
    relative,
    service_page,
    site_source,
    theme_page,
)
from aptic_qualif.publish.site.search import fold


class _Renderer:
    """Renders the templates of one staging folder, in the language ``lang``.

    Rendering must happen while ``lang`` is the language in use (:func:`_in_language`):
    the templates' texts are English message ids translated by :func:`translate` and
    :func:`translate_plural` (``_`` and ``ngettext`` in the templates), bilingual values go
    through the ``text`` and ``texts`` filters."""

    def __init__(
        self,
        context: Context,
        pages: Sequence[str] = (),
        lang: str = "fr",
        site_url: str | None = None,
    ) -> None:
        import jinja2

        from aptic_qualif.referentiel.browse import format_duration
        from aptic_qualif.scoring.engine import Scorer
        from aptic_qualif.scoring.render import decision_label
        from aptic_qualif.vocabularies import COOP_THEMATIQUES, CRCN, MODALITIES, MODALITIES_EN

        self.context = context
        self.lang = lang
        self.site_url = site_url if site_url is not None else site_address(context.root)
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


def _yaml_string(text: str) -> str:
    """A YAML scalar (JSON strings are YAML) holding ``text``. MkDocs prints navigation
    titles as HTML: the configuration's titles, these included, are escaped when the
    configuration is prepared (:func:`aptic_qualif.publish.site.config.prepare`)."""
    return json.dumps(text, ensure_ascii=False)


def _navigation(
    context: Context, extra_pages: Sequence[str], lang: str, *, usages: bool = False
) -> str:
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
    if usages:
        lines.append(f"  - {t(_('Usages'))}: usages/index.md")
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
    from aptic_qualif.questionnaire.effort import model_json, questionnaire_effort, section_title
    from aptic_qualif.questionnaire.load import IDENTITY

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
            rules=Md(
                w3id_rules(catalogue.scheme.base_iri, renderer.site_url, catalogue.version).replace(
                    "`", "%60"
                )
            ),
        ),
    )
    yield (
        "questionnaire/index.md",
        renderer.render(
            "questionnaire.md.j2",
            "questionnaire/index.md",
            theme_items=theme_items,
            efforts=questionnaire_effort(questionnaire),
            effort_model=model_json(),
            section_title=section_title,
            identity_section=IDENTITY,
        ),
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


MAX_CONFIG_BYTES = 1024 * 1024


def site_address(root: Path, configured: str | None = None) -> str:
    """The address of the published site, ending in ``/``: ``configured`` (``publish site
    --site-url``) when given, else the ``site_url`` of ``mkdocs.yml``, else ``SITE_URL/``."""
    from aptic_qualif.reading import read_regular

    if configured is None:
        config = site_source(root) / CONFIG_FILE
        raw, _refused = read_regular(config, str(config), limit=MAX_CONFIG_BYTES)  # checked later
        match = re.search(
            r"^site_url:[ \t]*[\"']?(https?://[^\"'\s#]+)",
            (raw or b"").decode("utf-8", errors="replace"),
            re.MULTILINE,
        )
        configured = match.group(1) if match else "SITE_URL"
    return configured.rstrip("/") + "/"


VERSIONED_DOWNLOADS = DOWNLOADS_DIR + "/{version}"
"""Where the site keeps the whole scheme of its release, the target of its version IRI."""

_ACCEPTED = {
    "QJ": r"application/ld\+json",
    "QT": r"text/turtle",
    "QH": r"text/html",
}
"""The media types the rules weigh, each under the variable that holds its quality."""

_GREATER = "|".join(
    rf"^([0-9]*){d}[0-9]*#\{i + 1}[0-{d - 1}]" for i, d in enumerate(range(9, 0, -1))
)
"""Matches ``A#B`` when ``A`` > ``B``, both four digits: the first digit where they differ is
greater in ``A`` (``\\1`` … ``\\9``: the same digits before it)."""


def _quality_rules() -> list[str]:
    """Rules that set ``QJ``, ``QT`` and ``QH`` to the quality (``q``, RFC 9110) that the
    ``Accept`` header gives JSON-LD, Turtle and HTML, as four digits (``1000`` for 1,
    ``0500`` for 0.5, ``0000`` when absent or refused): mod_rewrite compares texts only, so
    the qualities are written to compare as texts. HTML without ``text/html`` takes the
    quality of ``*/*`` (or ``text/*``)."""
    lines = ["RewriteRule ^ - [E=QJ:0000,E=QT:0000,E=QH:0000]"]
    wildcard = r"(?:\*/\*|text/\*)"
    below_one = r"0(?:\.([0-9]?)([0-9]?)([0-9]?)[0-9]*)?\s*(?:[,;]|$)"
    for variable, media in _ACCEPTED.items():
        kinds = [media, wildcard] if variable == "QH" else [media]
        for kind in reversed(kinds):  # the type itself last: it wins over the wildcard
            params = r"(?:\s*;\s*(?!q=)[^,;]*)*"
            lines += [
                rf"RewriteCond %{{HTTP_ACCEPT}} (?:^|,)\s*{kind}{params}\s*(?:[,;]|$)",
                f"RewriteRule ^ - [E={variable}:1000]",
                rf"RewriteCond %{{HTTP_ACCEPT}} (?:^|,)\s*{kind}{params}\s*;\s*q={below_one}",
                f"RewriteRule ^ - [E={variable}:0%1%2%3000]",
            ]
        lines += [
            rf"RewriteCond %{{ENV:{variable}}} ^([0-9]{{4}})",
            f"RewriteRule ^ - [E={variable}:%1]",
        ]
    return lines


_LANGUAGE_TAGS = {"QE": "[eE][nN]", "QF": "[fF][rR]"}
"""The languages the rules weigh (any case, RFC 4647), each under the variable that holds
its quality."""


def _language_rules() -> list[str]:
    """Rules that set ``QE`` and ``QF`` to the quality the ``Accept-Language`` header gives
    English and French, as :func:`aptic_qualif.i18n.language_quality` reads it (four digits,
    as in :func:`_quality_rules`): that of the first entry naming the language (``en``,
    ``en-GB``), else that of ``*``."""
    lines = ["RewriteRule ^ - [E=QE:0000,E=QF:0000]"]
    below_one = r"0(?:\.([0-9]?)([0-9]?)([0-9]?)[0-9]*)?\s*(?:,|$)"
    for variable, tag in _LANGUAGE_TAGS.items():
        for kind in (r"\*", rf"{tag}(?:-[a-zA-Z0-9]+)*"):  # the language itself last: it wins
            # The first entry that is ``kind``: every entry before it is something else.
            first = rf"^(?:(?!\s*{kind}\s*(?:[,;]|$))[^,]*,)*\s*{kind}\s*"
            lines += [
                rf"RewriteCond %{{HTTP:Accept-Language}} {first}(?:[,;]|$)",
                f"RewriteRule ^ - [E={variable}:1000]",
                rf"RewriteCond %{{HTTP:Accept-Language}} {first};\s*q={below_one}",
                f"RewriteRule ^ - [E={variable}:0%1%2%3000]",
            ]
        lines += [
            rf"RewriteCond %{{ENV:{variable}}} ^([0-9]{{4}})",
            f"RewriteRule ^ - [E={variable}:%1]",
        ]
    return lines


def w3id_rules(base_iri: str, site_url: str, version: str | None = None) -> str:
    """Apache rewrite rules that make every IRI of the scheme resolve (for w3id.org, whose
    redirects are ``.htaccess`` files, one folder per project).

    ``base_iri`` is ``https://w3id.org/{project}/{path}``: the file goes in the ``{project}``
    folder and matches ``{path}``. An IRI is sent (303) to its JSON-LD, its Turtle or its
    page, whichever the ``Accept`` header prefers by its quality values (a tie goes to
    JSON-LD, then Turtle; a type with ``q=0`` is refused; nothing acceptable: the page), the
    page in English when the ``Accept-Language`` header weighs English above French (as
    :func:`aptic_qualif.i18n.preferred_language` decides for ``serve``). The scheme itself and the
    ``vocab`` properties are described by the whole scheme's files; a version IRI
    (``{base}1.2.0/``) by that release's files, kept by the site in
    ``telechargements/1.2.0/``, or, as a page, by the catalogue's changelog."""
    from urllib.parse import urlsplit

    segments = urlsplit(base_iri).path.strip("/").split("/")
    project, path = segments[0], "/".join(segments[1:])
    prefix = re.escape(f"{path}/") if path else ""
    site = site_url
    concepts = f"{site}{CONCEPTS_DIR}/"
    whole = f"{site}{DOWNLOADS_DIR}/referentiel"
    versioned = f"{site}{VERSIONED_DOWNLOADS.format(version='$1')}/referentiel"
    release = r"([0-9]+\.[0-9]+\.[0-9]+)/?"
    lines = [
        f"# Redirects of {base_iri} to the site of the référentiel, {site}",
        f"# (w3id.org: the file .htaccess of the folder {project}/).",
        "# Generated by aptic-qualif publish site: every concept IRI leads to its page,",
        "# or to its own JSON-LD or Turtle when the request prefers it (Accept header and",
        "# its q values: QJ, QT and QH hold the quality of JSON-LD, Turtle and HTML).",
        *([f"# The release in force: {version}."] if version else []),
        "RewriteEngine on",
        "",
        *_quality_rules(),
        "",
        "# QE and QF: the quality of English and French in the Accept-Language header.",
        *_language_rules(),
        "",
    ]
    wanted = {
        "jsonld": [f"%{{ENV:QH}}#%{{ENV:QJ}} !{_GREATER}", f"%{{ENV:QT}}#%{{ENV:QJ}} !{_GREATER}"],
        "ttl": [f"%{{ENV:QH}}#%{{ENV:QT}} !{_GREATER}"],
    }
    for extension, conditions in wanted.items():
        variable = "QJ" if extension == "jsonld" else "QT"
        condition = [f"RewriteCond %{{ENV:{variable}}} !^0000$"] + [
            f"RewriteCond {c}" for c in conditions
        ]
        lines += [
            *condition,
            f"RewriteRule ^{prefix}(vocab)?$ {whole}.{extension} [R=303,L]",
            *condition,
            f"RewriteRule ^{prefix}{release}$ {versioned}.{extension} [R=303,L]",
            *condition,
            f"RewriteRule ^{prefix}([a-z0-9-]+)/?$ {concepts}$1.{extension} [R=303,L]",
        ]
    english = f"{site}en/"
    lines += [
        "# A reader whose browser weighs English above French gets the English page (in en/).",
        f"RewriteCond %{{ENV:QE}}#%{{ENV:QF}} {_GREATER}",
        f"RewriteRule ^{prefix}{release}$ {english}journal/referentiel/ [R=303,L]",
        f"RewriteCond %{{ENV:QE}}#%{{ENV:QF}} {_GREATER}",
        f"RewriteRule ^{prefix}([a-z0-9-]+)/?$ {english}{CONCEPTS_DIR}/$1/ [R=303,L]",
        f"RewriteCond %{{ENV:QE}}#%{{ENV:QF}} {_GREATER}",
        f"RewriteRule ^{prefix}$ {english}{CONCEPTS_DIR}/ [R=303,L]",
        f"RewriteRule ^{prefix}{release}$ {site}journal/referentiel/ [R=303,L]",
        f"RewriteRule ^{prefix}([a-z0-9-]+)/?$ {concepts}$1/ [R=303,L]",
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
