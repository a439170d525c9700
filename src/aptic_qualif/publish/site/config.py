"""The site's configuration, checked like data before MkDocs sees it.

``site/mkdocs.yml`` (and ``mkdocs.en.yml``) come from pull requests, and a preview of the
site is built in CI, where tokens live. MkDocs would read them with PyYAML's unsafe loader,
load any installed plugin or Markdown extension by name, let an extension include any file
of the machine (``pymdownx.snippets``) and print the configuration's texts into every page
as raw HTML. So the configuration is never handed to MkDocs as a file:

* it is read with the project's safe reader (:func:`aptic_qualif.yamlio.load_yaml`), where
  only the few Python tags of :data:`CONFIG_TAGS` are accepted, and only at the options
  that take a function; they are then built here from a fixed table, never imported by name;
* every key, plugin, Markdown extension and option is checked against an allow-list
  (:data:`TOP_LEVEL`, :data:`PLUGINS`, :data:`EXTENSIONS`): what the shipped site uses,
  and the well-known extensions of mkdocs-material's documentation with their harmless
  options. Paths stay inside the site, links use http, https or mailto, no script or
  tracker comes from elsewhere;
* every text the theme prints as HTML (site name, description, author, copyright, names of
  the palette's toggles and of the repository) is escaped, the copyright sanitised like
  page content (:func:`prepare`).

Every problem is reported at once, located in the file (``SITE001`` code or another
configuration, ``SITE002`` not on the allow-list, ``SITE003`` an unsafe value).
"""

from __future__ import annotations

import html
import importlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.publish.site.paths import (
    CONFIG_FILE,
    DOCS_DIR,
    ENGLISH_CONFIG,
    ENGLISH_DOCS,
    ENGLISH_NAV,
)
from aptic_qualif.yamlio import Document, PathKey

YAML_TAG = "tag:yaml.org,2002:"
_SLUGIFY = "python/object/apply:pymdownx.slugs.slugify"
_FUNCTIONS: dict[str, tuple[str, str]] = {
    "python/name:pymdownx.slugs.slugify": ("pymdownx.slugs", "slugify"),
    "python/name:material.extensions.emoji.twemoji": ("material.extensions.emoji", "twemoji"),
    "python/name:material.extensions.emoji.to_svg": ("material.extensions.emoji", "to_svg"),
    "python/name:pymdownx.superfences.fence_code_format": (
        "pymdownx.superfences",
        "fence_code_format",
    ),
}
CONFIG_TAGS = frozenset(YAML_TAG + name for name in (_SLUGIFY, *_FUNCTIONS))
"""The only tags ``mkdocs.yml`` may hold: the functions mkdocs-material's documentation
configures by name (heading slugs, emoji, custom fences). Any other Python tag would run
code in MkDocs' loader, and ``!ENV`` would copy the environment into the pages."""
CONFIG_CODE_KEYS = ("INHERIT", "hooks")
"""Top-level keys of ``mkdocs.yml`` that make MkDocs read another configuration with its
unsafe loader, or run Python files."""

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HIDDEN = re.compile(
    r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
_ICON = re.compile(r"[a-z0-9-]+(?:/[a-z0-9-]+)+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")

Check = Callable[["_Checker", Any, PathKey], None]


@dataclass
class _Checker:
    doc: Document
    report: Report
    used_tags: set[PathKey]

    def refuse(self, code: str, path: PathKey, message: str, hint: str | None = None) -> None:
        span = self.doc.key_span(path) if path and path in self.doc.key_positions else None
        self.report.add(Diagnostic.error(code, span or self.doc.span(path), message, hint))

    def unsafe(self, path: PathKey, message: str, hint: str | None = None) -> None:
        self.refuse("SITE003", path, message, hint)

    def wrong_type(self, path: PathKey, expected: str) -> None:
        self.unsafe(
            path,
            _("'{key}' must be {expected}").format(key=_dotted(path), expected=expected),
        )


def _dotted(path: PathKey) -> str:
    return ".".join(str(part) for part in path) or "/"


# -- value checks ---------------------------------------------------------------------------


def text(checker: _Checker, value: Any, path: PathKey) -> None:
    if not isinstance(value, str):
        checker.wrong_type(path, _("a text"))


def boolean(checker: _Checker, value: Any, path: PathKey) -> None:
    if not isinstance(value, bool):
        checker.wrong_type(path, _("true or false"))


def whole(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        checker.wrong_type(path, _("a whole number"))


def text_or_boolean(checker: _Checker, value: Any, path: PathKey) -> None:
    if not isinstance(value, str | bool):
        checker.wrong_type(path, _("a text, or true or false"))


def word(checker: _Checker, value: Any, path: PathKey) -> None:
    """A name made of letters, digits, spaces, ``_`` and ``-`` (a colour, a feature)."""
    if not isinstance(value, str) or not _WORD.fullmatch(value):
        checker.wrong_type(path, _("a name of letters, digits and hyphens"))


def words(checker: _Checker, value: Any, path: PathKey) -> None:
    each(word)(checker, value, path)


def language_code(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, list):
        each(language_code)(checker, value, path)
    elif not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        checker.wrong_type(path, _("a language code such as fr or en"))


def icon(checker: _Checker, value: Any, path: PathKey) -> None:
    if not isinstance(value, str) or not _ICON.fullmatch(value):
        checker.wrong_type(path, _("an icon of the theme, such as material/web"))


def icons(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            icons(checker, item, (*path, key))
    else:
        icon(checker, value, path)


def choice(*allowed: object) -> Check:
    def check(checker: _Checker, value: Any, path: PathKey) -> None:
        if value not in allowed:
            checker.wrong_type(path, " | ".join(str(a) for a in allowed))

    return check


def each(check: Check) -> Check:
    def check_list(checker: _Checker, value: Any, path: PathKey) -> None:
        if not isinstance(value, list):
            checker.wrong_type(path, _("a list"))
            return
        for index, item in enumerate(value):
            check(checker, item, (*path, index))

    return check_list


def mapping(rules: dict[str, Check]) -> Check:
    """A mapping whose keys are those of ``rules``, each value checked by its rule."""

    def check(checker: _Checker, value: Any, path: PathKey) -> None:
        if not isinstance(value, dict):
            checker.wrong_type(path, _("a mapping"))
            return
        for key, item in value.items():
            rule = rules.get(key)
            if rule is None:
                checker.refuse(
                    "SITE002",
                    (*path, key),
                    _("'{key}' is not an accepted option of the site configuration").format(
                        key=_dotted((*path, key))
                    ),
                    _("accepted here: {keys}").format(keys=", ".join(sorted(rules)) or "—"),
                )
            else:
                rule(checker, item, (*path, key))

    return check


def plain(checker: _Checker, value: Any, path: PathKey) -> None:
    """Any plain data: texts, numbers, booleans, lists and mappings of them."""
    if isinstance(value, dict):
        for key, item in value.items():
            plain(checker, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            plain(checker, item, (*path, index))


def link(checker: _Checker, value: Any, path: PathKey) -> None:
    """A link: an http, https or mailto address, or a path relative to the page."""
    if not isinstance(value, str):
        checker.wrong_type(path, _("a link"))
        return
    if _HIDDEN.search(value):
        # browsers drop tabs and line breaks from addresses: "java\tscript:" is javascript:
        checker.unsafe(
            path,
            _("the link of '{key}' holds spaces or control characters").format(key=_dotted(path)),
        )
        return
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        checker.unsafe(
            path,
            _("the link of '{key}' uses the scheme {scheme}:, refused on the site").format(
                key=_dotted(path), scheme=scheme.group(1)
            ),
            _("use an http, https or mailto address"),
        )
    elif not scheme and value.startswith("//"):
        checker.unsafe(path, _("'{key}' is not a valid link").format(key=_dotted(path)))


def web_address(checker: _Checker, value: Any, path: PathKey) -> None:
    """An absolute http or https address."""
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s<>\"']+", value):
        checker.unsafe(
            path,
            _("'{key}' must be an http or https address").format(key=_dotted(path)),
        )


def local_file(checker: _Checker, value: Any, path: PathKey) -> None:
    """A file of the site's pages: a relative path that stays inside them."""
    if not isinstance(value, str):
        checker.wrong_type(path, _("a path"))
        return
    if not _inside(value):
        checker.unsafe(
            path,
            _(
                "'{key}' must name a file inside the site's pages ({docs}/): {value} is refused"
            ).format(key=_dotted(path), docs=DOCS_DIR, value=value),
            _("put the file in site/{docs}/ and give its path from there").format(docs=DOCS_DIR),
        )


def _inside(value: str) -> bool:
    if not value or _SCHEME.match(value) or value.startswith(("/", "\\", "~")) or "\\" in value:
        return False
    normal = posixpath.normpath(value)
    return normal != ".." and not normal.startswith("../") and "\0" not in value


def site_folder(name: str) -> Check:
    def check(checker: _Checker, value: Any, path: PathKey) -> None:
        if value != name:
            checker.unsafe(
                path,
                _("'{key}' must be {name}: the build stages that folder only").format(
                    key=_dotted(path), name=name
                ),
            )

    return check


def function(*names: str) -> Check:
    """An option that takes one of the known functions (a tag of :data:`CONFIG_TAGS`)."""

    def check(checker: _Checker, value: Any, path: PathKey) -> None:
        tag = checker.doc.tags.get(path, "").removeprefix(YAML_TAG)
        if tag not in names:
            checker.unsafe(
                path,
                _("'{key}' takes one of these functions: {names}").format(
                    key=_dotted(path), names=", ".join(f"!!{n}" for n in names)
                ),
            )
            return
        checker.used_tags.add(path)
        if tag == _SLUGIFY:
            options = {"case": choice("lower", "upper", "lower-ascii"), "normalize": text}
            options["percent_encode"] = boolean
            mapping({"kwds": mapping(options)})(checker, value, path)

    return check


def _extra_script(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, dict):
        mapping({"path": local_file, "type": choice("module"), "async": boolean, "defer": boolean})(
            checker, value, path
        )
    else:
        local_file(checker, value, path)


def nav_entries(checker: _Checker, value: Any, path: PathKey) -> None:
    """The navigation: pages of the site, sections, and links with a safe scheme."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            nav_entries(checker, item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            text(checker, key, (*path, key))
            nav_entries(checker, item, (*path, key))
    elif isinstance(value, str):
        if _SCHEME.match(value) or value.startswith("//") or _HIDDEN.search(value):
            link(checker, value, path)
        elif not _inside(value):
            local_file(checker, value, path)
    else:
        checker.wrong_type(path, _("a page, a link or a section"))


# -- the allow-lists ----------------------------------------------------------------------

_SLUG_FUNCTIONS = (_SLUGIFY, "python/name:pymdownx.slugs.slugify")

PLUGINS: dict[str, dict[str, Check]] = {
    "search": {
        "lang": language_code,
        "separator": text,
        "pipeline": each(choice("stemmer", "stopWordFilter", "trimmer")),
    },
    "offline": {"enabled": boolean},
    "tags": {"enabled": boolean},
}
"""The plugins a site may use, with their accepted options (``material/`` names too). The
others are refused: a plugin is Python code, and some read more configurations with
MkDocs' unsafe loader (``material/projects``) or fetch from the network."""

EXTENSIONS: dict[str, dict[str, Check]] = {
    "abbr": {},
    "admonition": {},
    "attr_list": {},
    "def_list": {},
    "footnotes": {},
    "md_in_html": {},
    "sane_lists": {},
    "tables": {},
    "toc": {
        "permalink": text_or_boolean,
        "permalink_title": text,
        "slugify": function(*_SLUG_FUNCTIONS),
        "toc_depth": plain,
        "title": text,
        "baselevel": whole,
    },
    "pymdownx.betterem": {},
    "pymdownx.caret": {},
    "pymdownx.critic": {},
    "pymdownx.details": {},
    "pymdownx.emoji": {
        "emoji_index": function("python/name:material.extensions.emoji.twemoji"),
        "emoji_generator": function("python/name:material.extensions.emoji.to_svg"),
    },
    "pymdownx.escapeall": {"hardbreak": boolean, "nbsp": boolean},
    "pymdownx.highlight": {
        "use_pygments": boolean,
        "linenums": boolean,
        "anchor_linenums": boolean,
        "line_spans": text,
        "pygments_lang_class": boolean,
        "auto_title": boolean,
    },
    "pymdownx.inlinehilite": {},
    "pymdownx.keys": {},
    "pymdownx.mark": {},
    "pymdownx.smartsymbols": {},
    "pymdownx.snippets": {
        "base_path": plain,  # checked by _snippets
        "check_paths": choice(True),
        "restrict_base_path": choice(True),
        "url_download": choice(False),
    },
    "pymdownx.superfences": {
        "custom_fences": each(
            mapping(
                {
                    "name": word,
                    "class": word,
                    "format": function("python/name:pymdownx.superfences.fence_code_format"),
                }
            )
        )
    },
    "pymdownx.tabbed": {"alternate_style": boolean, "slugify": function(*_SLUG_FUNCTIONS)},
    "pymdownx.tasklist": {"custom_checkbox": boolean, "clickable_checkbox": boolean},
    "pymdownx.tilde": {},
}
"""The Markdown extensions a site may use, with their accepted options. An extension is
Python code imported by name; ``pymdownx.snippets`` includes files, so only from inside the
site's pages (``base_path`` under ``docs/``, paths checked, nothing downloaded)."""

_PALETTE = mapping(
    {
        "media": text,
        "scheme": word,
        "primary": word,
        "accent": word,
        "toggle": mapping({"icon": icon, "name": text}),
    }
)


def _font(checker: _Checker, value: Any, path: PathKey) -> None:
    if value is not False:  # false: the system's fonts, nothing fetched
        mapping({"text": word, "code": word})(checker, value, path)


def _palette(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, list):
        each(_PALETTE)(checker, value, path)
    else:
        _PALETTE(checker, value, path)


def _theme(checker: _Checker, value: Any, path: PathKey) -> None:
    if isinstance(value, str):
        choice("material")(checker, value, path)
    else:
        mapping(THEME)(checker, value, path)


THEME: dict[str, Check] = {
    "name": choice("material"),
    "custom_dir": site_folder("overrides"),
    "language": language_code,
    "font": _font,
    "icon": icons,
    "logo": local_file,
    "favicon": local_file,
    "features": words,
    "palette": _palette,
}

EXTRA: dict[str, Check] = {
    "generator": boolean,
    "homepage": link,
    "social": each(mapping({"icon": icon, "link": link, "name": text})),
    "status": plain,
    "tags": plain,
}
"""``extra``: what mkdocs-material's templates read. No ``analytics`` nor ``consent``: the
site loads nothing from elsewhere; ``alternate`` (the language selector) is the build's."""


def _plugins(checker: _Checker, value: Any, path: PathKey) -> None:
    _named_list(
        checker,
        value,
        path,
        PLUGINS,
        _("the plugin '{name}' is not accepted on the site"),
        prefix="material/",
    )


def _extensions(checker: _Checker, value: Any, path: PathKey) -> None:
    _named_list(
        checker,
        value,
        path,
        EXTENSIONS,
        _("the Markdown extension '{name}' is not accepted on the site"),
    )
    for name, options, where in _entries(value, path):
        if name == "pymdownx.snippets" and isinstance(options, dict):
            _snippets(checker, options, where)


def _entries(value: Any, path: PathKey) -> list[tuple[str, Any, PathKey]]:
    """``(name, options, path of the options)`` of a list of plugins or extensions."""
    found: list[tuple[str, Any, PathKey]] = []
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value or ()))
    for key, entry in items:
        if isinstance(value, dict):
            found.append((str(key), entry, (*path, key)))
        elif isinstance(entry, str):
            found.append((entry, None, (*path, key)))
        elif isinstance(entry, dict) and len(entry) == 1:
            name, options = next(iter(entry.items()))
            found.append((str(name), options, (*path, key, name)))
        else:
            found.append(("", entry, (*path, key)))
    return found


def _named_list(
    checker: _Checker,
    value: Any,
    path: PathKey,
    allowed: dict[str, dict[str, Check]],
    refusal: str,
    prefix: str = "",
) -> None:
    if not isinstance(value, list | dict):
        checker.wrong_type(path, _("a list"))
        return
    for name, options, where in _entries(value, path):
        rules = allowed.get(name.removeprefix(prefix))
        if not name:
            checker.wrong_type(where, _("a name, or a name and its options"))
        elif rules is None:
            checker.refuse(
                "SITE002",
                where,
                refusal.format(name=name),
                _("accepted: {names}").format(names=", ".join(sorted(allowed))),
            )
        elif options is not None:
            mapping(rules)(checker, options, where)


def _snippets(checker: _Checker, options: dict[str, Any], path: PathKey) -> None:
    bases = options.get("base_path", [DOCS_DIR])
    bases = [bases] if isinstance(bases, str) else bases
    if not isinstance(bases, list) or not all(
        isinstance(b, str) and _inside(b) and (b == DOCS_DIR or b.startswith(DOCS_DIR + "/"))
        for b in bases
    ):
        checker.unsafe(
            (*path, "base_path"),
            _("pymdownx.snippets may only include files from the site's pages ({docs}/)").format(
                docs=DOCS_DIR
            ),
            _("give base_path as {docs} or a folder inside it").format(docs=DOCS_DIR),
        )
    if options.get("auto_append"):
        checker.unsafe((*path, "auto_append"), _("auto_append is refused"))


def _code_key(checker: _Checker, value: Any, path: PathKey) -> None:
    key = path[-1]
    checker.refuse(
        "SITE001",
        path,
        _(
            "'{key}' refused in the site configuration: it would run code or read another "
            "configuration unchecked"
        ).format(key=key),
        _("remove '{key}' from {file}").format(key=key, file=CONFIG_FILE),
    )


TOP_LEVEL: dict[str, Check] = {
    "site_name": text,
    "site_description": text,
    "site_author": text,
    "site_url": web_address,
    "copyright": text,
    "repo_url": web_address,
    "repo_name": text,
    "edit_uri": link,
    "docs_dir": site_folder(DOCS_DIR),
    "use_directory_urls": boolean,
    "strict": boolean,
    "theme": _theme,
    "extra": mapping(EXTRA),
    "extra_css": each(local_file),
    "extra_javascript": each(_extra_script),
    "plugins": _plugins,
    "markdown_extensions": _extensions,
    "validation": plain,
    "nav": nav_entries,
    "not_in_nav": text,
    "exclude_docs": text,
    "draft_docs": text,
    **dict.fromkeys(CONFIG_CODE_KEYS, _code_key),
}
"""The keys of ``mkdocs.yml`` a site may set. Not ``site_dir`` (the build chooses),
``extra_templates`` or ``watch``; not ``INHERIT`` nor ``hooks`` (``SITE001``)."""


# -- reading --------------------------------------------------------------------------------


def _load_checked(config: Path, name: str) -> tuple[Document | None, Report]:
    """``config`` read with the safe reader and checked against the allow-lists."""
    from aptic_qualif.yamlio import load_yaml

    doc, diagnostics = load_yaml(config, name, allowed_tags=CONFIG_TAGS)
    report = Report(list(diagnostics))
    if doc is not None and report.ok:
        if isinstance(doc.data, dict):
            checker = _Checker(doc, report, set())
            mapping(TOP_LEVEL)(checker, doc.data, ())
            for path in sorted(set(doc.tags) - checker.used_tags, key=str):
                checker.unsafe(
                    path,
                    _("a function may only be given to the option of an extension that takes one"),
                )
        elif doc.data is not None:
            report.add(
                Diagnostic.error("SITE003", doc.span(()), _("the configuration is not a mapping"))
            )
    return doc, report


def config_problems(config: Path, display: str | None = None) -> Report:
    """Every problem of ``config`` (a ``mkdocs.yml``), located: what :func:`read_config`
    refuses, for a check of the whole site at once."""
    return _load_checked(config, display if display is not None else display_path(config))[1]


def tags_hint(report: Report) -> str:
    """The tags accepted, said once when a report refuses a tag of a site configuration."""
    if not any(d.code == "YAML004" for d in report.diagnostics):
        return ""
    allowed = ", ".join(f"!!{tag.removeprefix(YAML_TAG)}" for tag in sorted(CONFIG_TAGS))
    return "\n" + _(
        "MkDocs would run the Python tags of this file or read the environment "
        "(!ENV); only these tags are accepted: {tags}"
    ).format(tags=allowed)


def read_config(config: Path, display: str | None = None) -> dict[str, Any]:
    """``config`` (a ``mkdocs.yml``) read with the safe reader and checked against the
    allow-lists; its known functions built from :data:`CONFIG_TAGS`. Any problem stops the
    build with every located error at once (:class:`~aptic_qualif.errors.CommandError`)."""
    name = display if display is not None else display_path(config)
    doc, report = _load_checked(config, name)
    if not report.ok:
        message = _("the site configuration {path} is refused:\n{problems}").format(
            path=name, problems=report.render_text()
        )
        raise CommandError(message + tags_hint(report))
    assert doc is not None
    data = doc.data if isinstance(doc.data, dict) else {}
    built: dict[str, Any] = _construct(data, doc.tags)
    return built


def check_config(config: Path, display: str | None = None) -> None:
    """Check ``config`` like :func:`read_config`, for a configuration read elsewhere."""
    read_config(config, display)


def _construct(value: Any, tags: dict[PathKey, str], path: PathKey = ()) -> Any:
    """``value`` with each tagged value (checked) replaced by the function it names."""
    tag = tags.get(path, "").removeprefix(YAML_TAG)
    if tag == _SLUGIFY:
        from pymdownx.slugs import slugify  # type: ignore[import-untyped]

        kwds = value.get("kwds", {}) if isinstance(value, dict) else {}
        return slugify(**kwds)
    if tag in _FUNCTIONS:
        module, attribute = _FUNCTIONS[tag]
        return getattr(importlib.import_module(module), attribute)
    if isinstance(value, dict):
        return {k: _construct(v, tags, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_construct(v, tags, (*path, i)) for i, v in enumerate(value)]
    return value


# -- what MkDocs is given ---------------------------------------------------------------------


_ESCAPED_TEXTS = ("site_name", "site_description", "site_author", "repo_name")


def prepare(data: dict[str, Any], docs: Path) -> dict[str, Any]:
    """The checked configuration as MkDocs gets it: the texts the theme prints as HTML
    escaped (as :class:`markupsafe.Markup`, so that the theme's own ``| e`` leaves them as
    they are), the copyright sanitised like page content, the snippets' folders made
    absolute inside ``docs`` (the staged pages of the language being built)."""
    from markupsafe import Markup

    from aptic_qualif.sanitize import html_content

    out = dict(data)
    for key in _ESCAPED_TEXTS:
        if isinstance(out.get(key), str):
            out[key] = Markup(html.escape(out[key]))
    if isinstance(out.get("copyright"), str):
        out["copyright"] = Markup(html_content(out["copyright"]))
    theme = out.get("theme")
    if isinstance(theme, dict) and theme.get("palette"):
        palettes = theme["palette"] if isinstance(theme["palette"], list) else [theme["palette"]]
        escaped = []
        for palette in palettes:
            palette = dict(palette)
            if isinstance(palette.get("toggle"), dict):
                toggle = dict(palette["toggle"])
                if isinstance(toggle.get("name"), str):
                    toggle["name"] = Markup(html.escape(toggle["name"]))
                palette["toggle"] = toggle
            escaped.append(palette)
        out["theme"] = {**theme, "palette": escaped}
    if "nav" in out:
        out["nav"] = _escaped_titles(out["nav"])
    extensions = out.get("markdown_extensions")
    if isinstance(extensions, list):
        out["markdown_extensions"] = [_snippet_paths(entry, docs) for entry in extensions]
    return out


def _escaped_titles(nav: Any) -> Any:
    """The navigation with its titles escaped: the theme prints them as HTML."""
    if isinstance(nav, list):
        return [_escaped_titles(entry) for entry in nav]
    if isinstance(nav, dict):
        return {html.escape(str(k), quote=False): _escaped_titles(v) for k, v in nav.items()}
    return nav


def _snippet_paths(entry: Any, docs: Path) -> Any:
    if isinstance(entry, str) and entry == "pymdownx.snippets":
        entry = {entry: {}}
    if not (isinstance(entry, dict) and "pymdownx.snippets" in entry):
        return entry
    options = dict(entry["pymdownx.snippets"] or {})
    bases = options.get("base_path", [DOCS_DIR])
    bases = [bases] if isinstance(bases, str) else bases
    options["base_path"] = [
        str(docs / posixpath.relpath(posixpath.normpath(base), DOCS_DIR)) for base in bases
    ]
    options.update(check_paths=True, restrict_base_path=True, url_download=False)
    return {"pymdownx.snippets": options}


# -- the English site --------------------------------------------------------------------------


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


def site_config(
    config: Path, lang: str | None, display: str | None, site_url: str | None = None
) -> dict[str, Any]:
    """The whole configuration of the site in ``lang``, as MkDocs gets it: ``config``
    read and checked (:func:`read_config`), with the language selector, and for English its
    pages (``docs-en``), its navigation and ``mkdocs.en.yml``, checked the same way then
    merged into it (:func:`_merge`).

    ``site_url`` (``publish site --site-url``) replaces the configuration's address. The
    English site lives in ``en/`` of the French one: its address is the French one's
    followed by ``en/`` (unless ``mkdocs.en.yml`` gives its own), so that its sitemap and
    canonical links name its own pages."""
    base = read_config(config, display)
    if site_url is not None:
        base["site_url"] = site_url.rstrip("/") + "/"
    docs = config.parent / DOCS_DIR
    if lang == "en":
        overrides: dict[str, Any] = {}
        nav = config.parent / ENGLISH_NAV
        if nav.is_file():  # written by the build itself
            import yaml

            overrides.update(yaml.safe_load(nav.read_text(encoding="utf-8")))
        english = config.parent / ENGLISH_CONFIG
        if english.is_file() or english.is_symlink():
            shown = (
                posixpath.join(posixpath.dirname(display), ENGLISH_CONFIG)
                if display is not None
                else display_path(english)
            )
            overrides.update(read_config(english, shown))
        merged = _merge(base, overrides)
        if "site_url" not in overrides and isinstance(base.get("site_url"), str):
            merged["site_url"] = base["site_url"].rstrip("/") + "/en/"
        theme = merged.get("theme") or {}
        theme = {"name": theme} if isinstance(theme, str) else dict(theme)
        if "language" not in (overrides.get("theme") or {}):
            theme["language"] = "en"
        merged["theme"] = theme
        docs = config.parent / ENGLISH_DOCS
        base = merged
    if lang is not None:
        extra = dict(base.get("extra") or {})
        extra["alternate"] = _alternate(lang)
        base["extra"] = extra
    base["docs_dir"] = str(docs)
    return prepare(base, docs)
