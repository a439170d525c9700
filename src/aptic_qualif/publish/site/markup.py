"""Markdown from data: escaping, numbers and dates in the page's language, translated
template texts, and the Markdown files of the repository that the site includes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from aptic_qualif.errors import CommandError
from aptic_qualif.formats import number as number
from aptic_qualif.formats import plural_count
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.publish.site.paths import CHARTER_PAGE, _segment, relative
from aptic_qualif.sanitize import markdown_code
from aptic_qualif.sanitize import markdown_text as md_escape

# -- escaping ------------------------------------------------------------------------


class Md(str):
    """Markdown built here from escaped parts: printed by the templates as it is."""

    __slots__ = ()


def decimal(value: float, places: int = 2) -> str:
    """A number with ``places`` decimals in the language in use: ``0,75``, ``0.75``."""
    return number(value, places)


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


def translate(message: str, /, **values: object) -> Md:
    """``message`` (an English message id, Markdown written by the project and its
    translators) in the language in use, its ``{name}`` fields filled with ``values``,
    each escaped like any printed value (:class:`Md` values are kept as they are)."""
    return Md(_(message).format(**{name: _finalize(v) for name, v in values.items()}))


def translate_plural(singular: str, several: str, n: float, /, **values: object) -> Md:
    """Like :func:`translate` for a message that depends on the count ``n`` (also given to
    the message as ``{n}``). French agreement: « 1,5 point », « 2 points »; English:
    "1 point", "1.5 points"."""
    values = {"n": n, **values}
    return Md(
        ngettext(singular, several, plural_count(n)).format(
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


MAX_INCLUDED = 4 * 1024 * 1024
"""The largest Markdown file of the repository the site includes (bytes)."""


def _include_markdown(source: Path, page: str, within: Path | None = None) -> str | None:
    """The repository's Markdown file ``source`` as the page ``page`` shows it, or ``None``
    when there is no such file. Only a regular file is read, bounded, and with ``within``
    (the project) never through a link that leads outside it: a ``CONTRIBUTING.md`` linked
    to ``~/.netrc`` stops the build instead of being published."""
    from aptic_qualif.project import display_path
    from aptic_qualif.reading import read_regular

    if not source.exists() and not source.is_symlink():
        return None
    shown = display_path(source)
    raw, refused = read_regular(source, shown, limit=MAX_INCLUDED, within=within)
    if raw is None:
        assert refused is not None
        raise CommandError(
            _("the file {path} is not included in the site:\n{problem}").format(
                path=shown, problem=refused.render()
            )
        )
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return _rewrite_links(neutralize_html(text), page)
