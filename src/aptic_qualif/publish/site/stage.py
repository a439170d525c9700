"""Staging: the MkDocs project of the site, in both languages, in a temporary folder."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _

if TYPE_CHECKING:
    from aptic_qualif.context import Context
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.network.coverage import By
    from aptic_qualif.publish.network import NetworkSource
    from aptic_qualif.usages.report import UsageSecrecy
from aptic_qualif.publish.site.markup import _include_markdown
from aptic_qualif.publish.site.pages import (
    VERSIONED_DOWNLOADS,
    _coverage_values,
    _former_page,
    _generated_pages,
    _has_nav,
    _in_language,
    _navigation,
    _ordered_services,
    _Renderer,
    _shown_applications,
    example_downloads,
    site_address,
    w3id_rules,
    write_downloads,
)
from aptic_qualif.publish.site.paths import (
    CHARTER_PAGE,
    CONFIG_FILE,
    DOCS_DIR,
    DOWNLOADS,
    DOWNLOADS_DIR,
    ENGLISH_DOCS,
    ENGLISH_NAV,
    ENGLISH_SUFFIX,
    W3ID_RULES,
    concept_data,
    former_service_page,
    site_source,
)

MAX_SITE_FILE = 32 * 1024 * 1024
"""The largest file of the hand-written site that the build copies (bytes)."""
MAX_SITE_BYTES = 256 * 1024 * 1024
"""All the files of the hand-written site together (bytes)."""


def read_site_files(source: Path) -> dict[str, bytes]:
    """Every file of the hand-written site ``source`` (:func:`site_files`), or
    :class:`CommandError` with every problem at once."""
    from aptic_qualif.project import display_path

    files, report = site_files(source)
    if not report.ok:
        raise CommandError(
            _("the hand-written site ({path}) is refused:\n{problems}").format(
                path=display_path(source), problems=report.render_text()
            )
        )
    return files


def site_files(source: Path) -> tuple[dict[str, bytes], Report]:
    """Every file of the hand-written site ``source``, by path relative to it.

    Only regular files are read, each bounded while it is read
    (:func:`aptic_qualif.reading.read_regular`), so nothing outside the site reaches the
    build: a symbolic link (to ``~/.netrc``, ``/proc/self/environ``…), a pipe, a device or
    an unreadable folder is refused with a located error (``SITE004``), all of them at once,
    and nothing is built."""
    from aptic_qualif.diagnostics import Diagnostic, Report, Span
    from aptic_qualif.project import display_path
    from aptic_qualif.reading import read_regular, unlisted_folder, walk

    report = Report()
    files: dict[str, bytes] = {}
    total = 0
    entries, unlisted = walk(source)
    for folder, exc in sorted(unlisted.items()):
        report.add(unlisted_folder(exc, display_path(folder)))
    for path in entries:
        shown = display_path(path)
        if path.is_symlink():
            report.add(
                Diagnostic.error(
                    "SITE004",
                    Span(shown, 0, 0),
                    _("symbolic link refused in the site: the build copies regular files only"),
                    _("replace the link by the file itself, if it belongs to the site"),
                )
            )
            continue
        raw, refused = read_regular(path, shown, limit=MAX_SITE_FILE)
        if raw is None:
            assert refused is not None
            if refused.code in ("IO002", "IO003", "YAML007"):
                refused = dataclasses.replace(refused, code="SITE004")
            report.add(refused)
            continue
        total += len(raw)
        if total > MAX_SITE_BYTES:
            report.add(
                Diagnostic.error(
                    "SITE004",
                    Span(shown, 0, 0),
                    _("the site's files exceed {limit} MiB together").format(
                        limit=MAX_SITE_BYTES // (1024 * 1024)
                    ),
                )
            )
            break
        files[path.relative_to(source).as_posix()] = raw
    return files, report


def _french_only(markdown: str, page_title: str | None = None) -> str:
    """A French page placed in the English site: a note under its title says so; the English
    search does not index it (its French words answered English queries: « Journal des
    modifications », « Ajouté »); with ``page_title`` (English), the navigation and the browser's
    tab name it in English."""
    title = _("Only in French")
    text = _("This page has no English version yet: it is shown in French.")
    note = f'!!! note "{title}"\n\n    {text}\n'
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            body = "\n".join([*lines[: index + 1], "", note, *lines[index + 1 :]])
            break
    else:
        body = note + "\n" + markdown
    if body.startswith("---\n"):
        return body
    meta = ["---", "search:", "  exclude: true"]
    if page_title is not None:
        meta.append("title: " + json.dumps(page_title, ensure_ascii=False))  # a YAML string
    return "\n".join([*meta, "---", "", body])


def stage_site(
    context: Context,
    staging: Path,
    source: Path | None = None,
    network: NetworkSource | None = None,
    report: Report | None = None,
    *,
    by: By = "departement",
    hand_written: dict[str, bytes] | None = None,
    site_url: str | None = None,
    usages: Path | None = None,
    usage_secrecy: UsageSecrecy | None = None,
) -> Path:
    """Write the MkDocs project of the site into ``staging``; returns its ``mkdocs.yml``.

    ``hand_written`` are the hand-written site's files, when the caller has read them already
    (:func:`read_site_files`). ``site_url`` is the address the site is published at, when
    it is not the ``site_url`` of its configuration (:func:`site_address`).

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
    if hand_written is None:
        hand_written = read_site_files(source)
    for name, raw in hand_written.items():
        if name.endswith(ENGLISH_SUFFIX):
            continue
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(raw)
    staging.mkdir(parents=True, exist_ok=True)
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
        translated = hand_written.get(f"{DOCS_DIR}/{page.removesuffix('.md')}{ENGLISH_SUFFIX}")
        if not (english / page).is_file():
            continue
        if translated is not None:
            (english / page).write_bytes(translated)
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
    address = site_address(context.root, site_url)
    version = context.catalogue.version
    shared[f"{DOWNLOADS_DIR}/{W3ID_RULES}"] = w3id_rules(
        context.catalogue.scheme.base_iri, address, version
    )
    with tempfile.TemporaryDirectory(prefix="aptic-qualif-downloads-") as tmp:
        for name in write_downloads(context, Path(tmp)):
            shared[f"{DOWNLOADS_DIR}/{name}"] = (Path(tmp) / name).read_text(encoding="utf-8")
    for extension in ("jsonld", "ttl"):  # the release's own files: its version IRI's target
        shared[f"{VERSIONED_DOWNLOADS.format(version=version)}/referentiel.{extension}"] = shared[
            f"{DOWNLOADS_DIR}/referentiel.{extension}"
        ]

    usage_report = None
    if usages is not None:
        usage_report = _usage_report(
            context, usages, view if by == "departement" else None, usage_secrecy
        )
        from aptic_qualif.usages.pages import usage_downloads

        with _in_language("fr"):
            for name, text in usage_downloads(usage_report).items():
                shared[f"{DOWNLOADS_DIR}/{name}"] = text

    root = context.root
    from aptic_qualif.publish import departements

    for lang, folder in (("fr", docs), ("en", english)):
        with _in_language(lang):
            renderer = _Renderer(context, extra_pages, lang, address)
            coverage_values = _coverage_values(context, view, shown)
            for page, text in _generated_pages(context, renderer, coverage_values):
                write(folder, page, text)
            for page, text in departements.render_pages(renderer.render, view, coverage_values):
                write(folder, page, text)
            if usage_report is not None:
                from aptic_qualif.usages.pages import usage_pages

                for page, text in usage_pages(usage_report, _departement_names()).items():
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
                included = _include_markdown(origin, page, within=root)
                if included is None:
                    included = renderer.render(
                        "missing.md.j2", page, origin=origin.name, title=title
                    )
                elif lang != "fr":
                    included = _french_only(included, title)
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
    hidden_pages = []
    if departements.departement_pages(view):
        hidden_pages.append(departements.NOT_IN_NAV.split("\n", 1)[1])
    if usage_report is not None:
        hidden_pages.append("  /usages/\n")
    if hidden_pages and not re.search(r"^not_in_nav\s*:", text, re.M):
        text = text.rstrip("\n") + "\nnot_in_nav: |\n" + "".join(hidden_pages)
        config.write_text(text, "utf-8")
    if not _has_nav(text):
        extra = [p for p in extra_pages if not p.startswith(f"{DOWNLOADS_DIR}/")]
        with _in_language("fr"):
            nav = _navigation(context, extra, "fr", usages=usage_report is not None)
            config.write_text(text.rstrip("\n") + "\n" + nav, "utf-8")
        with _in_language("en"):
            nav = _navigation(context, extra, "en", usages=usage_report is not None)
            (staging / ENGLISH_NAV).write_text(nav, "utf-8")
    return config


def _usage_report(
    context: Context, store: Path, view: Any, secrecy: UsageSecrecy | None = None
) -> Any:
    """The observatory's report of ``store``, the offer taken from the site's coverage."""
    from aptic_qualif.usages.report import Offer, UsageSecrecy, build_report

    secrecy = secrecy or UsageSecrecy()
    offer = None
    if view is not None:
        offer = {
            t.territory: Offer(t.venues, t.population, frozenset(t.services))
            for t in view.coverage.territories
        }
    return build_report(
        store,
        context.catalogue,
        offer=offer,
        threshold=secrecy.threshold,
        safety_range=secrecy.safety_range,
    )


def _departement_names() -> dict[str, str]:
    from aptic_qualif.network.coverage import departement_label, every_departement

    return {code: f"{code} {departement_label(code)}".strip() for code in every_departement()}
