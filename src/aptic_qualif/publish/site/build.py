"""Building: MkDocs on the staged project, the sanitiser, and the whole build."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.sanitize import html_content

if TYPE_CHECKING:
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.network.coverage import By
    from aptic_qualif.publish.network import NetworkSource
from aptic_qualif.publish.site.config import _language_options, check_config
from aptic_qualif.publish.site.output import _check_output, _install, _manifest
from aptic_qualif.publish.site.paths import CONFIG_FILE, MARKER, site_source
from aptic_qualif.publish.site.search import fold_search_index
from aptic_qualif.publish.site.stage import stage_site

# -- mkdocs ----------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


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
