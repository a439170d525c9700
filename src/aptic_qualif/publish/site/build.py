"""Building: MkDocs on the staged project, the sanitiser, and the whole build."""

from __future__ import annotations

import logging
import os
import posixpath
import re
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
    from aptic_qualif.usages.report import UsageSecrecy
from aptic_qualif.publish.site.config import site_config
from aptic_qualif.publish.site.output import _check_output, _install, _manifest
from aptic_qualif.publish.site.paths import CONFIG_FILE, DOCS_DIR, MARKER, site_source
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
    """A MkDocs plugin that keeps the pages and the theme in their lane, after every other
    plugin:

    * the HTML rendered from each page's Markdown goes through
      :func:`aptic_qualif.sanitize.html_content` (the theme's own HTML, with its scripts, is
      outside ``page.content``);
    * the texts of a page's front matter (``title``, ``description``…), which the theme
      prints as HTML, are escaped;
    * the theme's templates (mkdocs-material's and the site's ``overrides/``) are rendered
      in a sandbox (:func:`_sandboxed`): a template can print, never run code."""
    from mkdocs.config.base import Config
    from mkdocs.plugins import BasePlugin, event_priority

    class NoOptions(Config):  # type: ignore[no-untyped-call]  # (mkdocs is not typed there)
        pass

    class SanitisePages(BasePlugin[NoOptions]):  # type: ignore[no-untyped-call]
        @event_priority(-100)
        def on_page_markdown(self, markdown: str, /, *, page: Any, **_kwargs: Any) -> str:
            page.meta = _escaped(page.meta)
            return markdown

        @event_priority(-100)
        def on_page_content(self, html: str, /, **_kwargs: Any) -> str:
            return html_content(html)

        @event_priority(-100)
        def on_env(self, env: Any, /, *, config: Any, **_kwargs: Any) -> Any:
            return _sandboxed(env, config)

    return SanitisePages()


def _escaped(value: Any) -> Any:
    """Front matter as the theme may print it: every text HTML-escaped (kept as
    :class:`markupsafe.Markup`, so that the theme's ``| e`` does not escape it twice)."""
    import html

    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value))
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def _sandboxed(env: Any, config: Any) -> Any:
    """The theme's Jinja environment, rebuilt as a sandbox (same loader, filters, tests,
    globals and translations).

    Jinja's sandbox refuses the attributes that lead to Python's internals (``__globals__``,
    ``__class__``…). MkDocs hands the templates live objects too (the configuration, its
    theme and plugins), whose methods could build an unsandboxed environment
    (``config.theme.get_env()``): here a template may only call the methods of plain data
    (texts, lists, mappings), Jinja's own helpers and the theme's macros; it may not reach a
    module, a class, an environment, a template or a loader. What is refused stops the build
    with a ``SecurityError`` naming the template."""
    import inspect
    import types

    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup
    from mkdocs import localization

    data_types = (str, bytes, int, float, bool, list, tuple, dict, set, frozenset, range)
    helpers = ("jinja2.runtime", "jinja2.utils", "jinja2.sandbox", "markupsafe")
    classes = (range, dict, list, jinja2.utils.Namespace, jinja2.utils.Cycler, jinja2.utils.Joiner)
    closed = (
        jinja2.Environment,
        jinja2.Template,
        jinja2.BaseLoader,
        types.ModuleType,
        types.CodeType,
        types.FrameType,
    )

    def helper(owner: object) -> bool:
        module = type(owner).__module__
        return type(owner) in data_types or isinstance(owner, Markup) or module in helpers

    class ThemeSandbox(SandboxedEnvironment):
        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(value, closed) or (isinstance(value, type) and value not in classes):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def is_safe_callable(self, obj: Any) -> bool:
            if not super().is_safe_callable(obj):
                return False
            if inspect.ismethod(obj) or isinstance(obj, types.BuiltinMethodType):
                owner = obj.__self__
                return helper(owner) or (
                    isinstance(owner, types.ModuleType) and owner.__name__ == "builtins"
                )
            if isinstance(obj, type):
                return obj in classes
            return not isinstance(obj, closed)

    sandbox = ThemeSandbox(loader=env.loader, auto_reload=False)
    sandbox.filters.update(env.filters)
    sandbox.tests.update(env.tests)
    sandbox.globals.update(env.globals)
    sandbox.policies.update(env.policies)
    localization.install_translations(sandbox, config.theme.locale, config.theme.dirs)
    return sandbox


_READING_PAGE = re.compile(r"Error reading page '([^']+)'")


def _snippet_problem(
    error: Exception, messages: list[str], display: str | None, config: Path
) -> str:
    """A snippet that is not among the site's pages, located on the page that asked for it."""
    from aptic_qualif.diagnostics import Diagnostic, Span

    page = next(
        (
            m.group(1)
            for m in map(re.compile(r"Error reading page '([^']+)'").search, messages)
            if m
        ),
        "",
    )
    folder = posixpath.dirname(display) if display is not None else display_path(config.parent)
    path = re.search(r"Snippet at path '([^']*)'", str(error))
    return Diagnostic.error(
        "SITE005",
        Span(posixpath.join(folder, DOCS_DIR, page) if page else folder, 0, 0),
        _("the snippet {path} is not among the site's pages: nothing is included").format(
            path=path.group(1) if path else "?"
        ),
        _("pymdownx.snippets only includes files of the site's pages ({docs}/)").format(
            docs=DOCS_DIR
        ),
    ).render()


def _sandbox_problem(error: Exception, config: Path, display: str | None) -> str:
    """A template refused by the sandbox, located at its line in the site's ``overrides/``
    (or in the theme, named as such)."""
    from aptic_qualif.diagnostics import Diagnostic, Span

    staging = config.parent.resolve()
    folder = posixpath.dirname(display) if display is not None else display_path(config.parent)
    span = Span(folder, 0, 0)
    traceback = error.__traceback__
    while traceback is not None:  # Jinja rewrites the frames to the templates' lines
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".j2")):
            path = Path(filename).resolve()
            shown = (
                posixpath.join(folder, path.relative_to(staging).as_posix())
                if path.is_relative_to(staging)
                else filename
            )
            span = Span(shown, traceback.tb_lineno, 0)
        traceback = traceback.tb_next
    reason = str(error)
    if len(reason) > 120:
        reason = reason[:117] + "…"
    return Diagnostic.error(
        "SITE006",
        span,
        _(
            "the template does something its sandbox refuses ({reason}): a template of the "
            "site may print values, never run code"
        ).format(reason=reason),
        _("changes under overrides/ are code: they need a maintainer's review"),
    ).render()


def run_mkdocs(
    config: Path,
    site_dir: Path,
    *,
    display: str | None = None,
    language: str | None = None,
    site_url: str | None = None,
) -> None:
    """``mkdocs build --strict``: any warning (broken link, missing page) fails the build.

    MkDocs never reads ``config`` itself: the configuration is read and checked by
    :func:`~aptic_qualif.publish.site.config.site_config` (named ``display`` in errors) and
    handed over as data; the content of every page is sanitised and the theme sandboxed by
    :func:`_sanitising_plugin`. With ``language``, one language of a site staged by
    :func:`stage_site` is built, with the selector of languages.

    ``site_dir`` is made absolute before it is handed over; ``site_url`` replaces the
    configuration's (see :func:`~aptic_qualif.publish.site.config.site_config`)."""
    data = site_config(config, language, display, site_url)
    site_dir = site_dir.absolute()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # no end-of-life banner in our output
    from jinja2.exceptions import SecurityError
    from mkdocs.commands.build import build
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import MkDocsException
    from pymdownx.snippets import SnippetMissingError  # type: ignore[import-untyped]

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        cfg = MkDocsConfig(config_file_path=str(config))
        cfg.load_dict(data)
        cfg.load_dict({"strict": True, "site_dir": str(site_dir)})
        errors, warnings = cfg.validate()
        refused = [f"{name}: {error}" for name, error in [*errors, *warnings]]
        if refused:
            raise CommandError(
                _("the site configuration {path} is refused by MkDocs:\n{problems}").format(
                    path=display or display_path(config), problems="\n".join(refused)
                )
            )
        cfg.plugins["aptic-qualif-sanitise"] = _sanitising_plugin()
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.on_shutdown()
    except SnippetMissingError as error:
        raise CommandError(_snippet_problem(error, collect.messages, display, config)) from error
    except SecurityError as error:
        raise CommandError(_sandbox_problem(error, config, display)) from error
    except MkDocsException as error:
        problems = "\n".join([*collect.messages, str(error)])
        raise CommandError(
            _("mkdocs build --strict failed:\n{problems}").format(problems=problems)
        ) from error
    finally:
        logger.removeHandler(collect)


def check_site(source: Path) -> dict[str, bytes]:
    """The hand-written site ``source`` checked as a whole before anything is built: its
    files (:func:`~aptic_qualif.publish.site.stage.site_files`) and its configurations
    (:func:`~aptic_qualif.publish.site.config.config_problems`), every problem reported at
    once (:class:`CommandError`). Returns its files, read once, for the staging."""
    from aptic_qualif.diagnostics import Report
    from aptic_qualif.publish.site.config import config_problems, tags_hint
    from aptic_qualif.publish.site.paths import ENGLISH_CONFIG
    from aptic_qualif.publish.site.stage import site_files

    files, report = site_files(source)
    for name in (CONFIG_FILE, ENGLISH_CONFIG):
        config = source / name
        if config.is_file() and not config.is_symlink():
            report.extend(config_problems(config).diagnostics)
    if not report.ok:
        raise CommandError(
            _("the hand-written site ({path}) is refused:\n{problems}").format(
                path=display_path(source), problems=Report(report.sorted()).render_text()
            )
            + tags_hint(report)
        )
    return files


def build_site(
    root: Path,
    output: Path,
    *,
    force: bool = False,
    network: NetworkSource | None = None,
    report: Report | None = None,
    by: By = "departement",
    site_url: str | None = None,
    usages: Path | None = None,
    usage_secrecy: UsageSecrecy | None = None,
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
    ``by="commune"``, each département gets the page of its communes. ``site_url`` is the
    address the site is published at (``publish site --site-url``), when it is not the
    ``site_url`` of ``site/mkdocs.yml``: the sitemap and the w3id rules carry it.
    With ``usages`` (a store of the usage observatory), the observatory's pages and open-data
    aggregates, under ``usage_secrecy`` (the threshold and safety range; the library's
    defaults when None)."""
    from aptic_qualif.context import load_context

    output = output.absolute()
    context = load_context(
        root, policy=network.policy if network is not None else None, need_policy=True
    )
    source = site_source(context.root)
    hand_written = check_site(source)
    _check_output(output, context.root, source, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aptic-qualif-site-") as tmp:
        config = stage_site(
            context,
            Path(tmp) / "source",
            source,
            network,
            report,
            by=by,
            hand_written=hand_written,
            site_url=site_url,
            usages=usages,
            usage_secrecy=usage_secrecy,
        )
        built = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
        built.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
        try:
            display = display_path(source / CONFIG_FILE)
            # French first: MkDocs empties the folder it builds into, here only en/.
            run_mkdocs(config, built, display=display, language="fr", site_url=site_url)
            run_mkdocs(config, built / "en", display=display, language="en", site_url=site_url)
            fold_search_index(built)
            fold_search_index(built / "en")
            (built / MARKER).write_text(_manifest(built), encoding="utf-8")
            _install(built, output)
        finally:
            if built.exists():
                shutil.rmtree(built)
    return output
