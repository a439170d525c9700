"""The site's configuration, checked before MkDocs reads it."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.publish.site.paths import CONFIG_FILE, ENGLISH_CONFIG, ENGLISH_DOCS, ENGLISH_NAV

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
