"""What leaves the program: one function per sink, applied where data enters the output.

Text read from files (labels, venue names, answers, comments, file names) is data. On its way
out it must never act:

- :func:`terminal` — a text for the terminal: C0 and C1 control characters (escape
  sequences that clear the screen, set the window title, hide text, add hyperlinks) and bidi
  overrides and isolates (text shown reversed) are replaced by visible stand-ins; newlines
  and tabs are kept where the layout needs them.
- :func:`rich_text` — the same text for a place where Rich reads markup (a table cell, a title,
  ``Text.from_markup``): :func:`terminal`, then Rich markup escaped, so that ``[link=…]`` or
  ``[/]`` in a label is printed as written.
- :func:`csv_cell` — a cell of a CSV file a spreadsheet will open: OWASP's rule against
  formula injection, a leading ``'`` before ``=``, ``+``, ``-``, ``@``, tab and carriage
  return.
- :func:`markdown_text` (and :func:`markdown_code`) — a value written into generated
  Markdown (the changelog section, the site's pages, the Markdown reports): it renders as
  the text it is, never as a tag, a link, an attribute list, emphasis or a block.
- :func:`html_content` — HTML rendered from Markdown, for a page of the site: nh3
  (Ammonia) keeps the elements and attributes the pages need, and links to http, https,
  mailto and relative addresses only; no script, no style element, no event handler.
- :func:`xml_text` — a text or attribute value of an XML or SVG document: characters
  XML 1.0 forbids replaced, markup characters escaped, so the document stays well-formed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html import escape as _html_escape

BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
"""Arabic letter mark, LRM/RLM, embeddings and overrides (U+202A–U+202E), isolates
(U+2066–U+2069): each can show a text in another order than it is stored."""


def _stand_in(code: int) -> str:
    """A visible, harmless stand-in for the control character ``code``."""
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode's control pictures: ␛ for ESC, ␍ for CR…
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"  # C1 controls and bidi marks have no picture


_UNSAFE = [*range(0x20), 0x7F, *range(0x80, 0xA0), *sorted(BIDI_CONTROLS)]
_LAYOUT_TABLE = {code: _stand_in(code) for code in _UNSAFE if code not in (0x09, 0x0A)}
_LINE_TABLE = {code: _stand_in(code) for code in _UNSAFE}


def _any_of(codes: Iterable[int]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(codes)) + "]")


# ``str.translate`` looks every character up in its table: on long French texts, most
# without any character to replace, a search for one is several times faster.
_LAYOUT_UNSAFE = _any_of(_LAYOUT_TABLE)
_LINE_UNSAFE = _any_of(_LINE_TABLE)


def terminal(text: object, *, single_line: bool = False) -> str:
    """``text`` safe to print on a terminal: every C0/C1 control character and every bidi
    control replaced by a visible stand-in (``\\x1b`` → ``␛``, U+202E → ``<U+202E>``).

    Newlines and tabs are kept, unless ``single_line`` (a name in a title or a prompt,
    where a newline could fake another line of the program's own output)."""
    shown = str(text)
    if (_LINE_UNSAFE if single_line else _LAYOUT_UNSAFE).search(shown) is None:
        return shown
    return shown.translate(_LINE_TABLE if single_line else _LAYOUT_TABLE)


def rich_text(text: object, *, single_line: bool = False) -> str:
    """``text`` for a place where Rich reads markup: :func:`terminal`, then markup escaped,
    so that Rich prints it as written (``[bold]x`` stays ``[bold]x``; ``[/]`` never
    closes a tag)."""
    from rich.markup import escape

    return escape(terminal(text, single_line=single_line))


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP, "CSV injection")."""


def is_formula(value: object) -> bool:
    """Whether a spreadsheet could read the cell ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet reads as text: a text that starts like a formula gets a
    leading ``'`` (OWASP's rule). Numbers and other values are returned as they are, so that
    a count or a negative number stays a number."""
    if is_formula(value):
        value = "'" + str(value)
    if isinstance(value, str) and "\r" in value:
        # The writers end rows with "\n" and Python's csv module then leaves a bare "\r"
        # unquoted: a reader would split the row there (a row injected from data). A line
        # break inside a cell is written "\n", which the module does quote.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_row(values: list[object]) -> list[object]:
    """:func:`csv_cell` of every value of a row."""
    return [csv_cell(value) for value in values]


# -- Markdown --------------------------------------------------------------------------

_MD_ESCAPED = frozenset("\\`*_{}[]|~#")
"""Markdown punctuation that can act anywhere in a line: code, emphasis, links and images,
attribute lists (``{: onclick=…}``), table cells, strikethrough, heading closers. A
backslash before ASCII punctuation is an escape in CommonMark and, with
``pymdownx.escapeall``, in the site's Python-Markdown."""
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
"""Raw HTML, autolinks, entity references and block quotes never start from data."""
_MD_BLOCK_START = re.compile(r"^( ?)(?:[-+=:!?]|\d*[.)](?=\s|$))")
"""What starts a block when a line begins with it: a list item (``-``, ``+``, ``1.``,
``1)``), a heading underline or a rule (``=``, ``-``), an admonition (``!!!``), a
collapsible block (``???``), a definition (``:``). The value may be printed at the start
of a line (or after a number printed just before it), so that character is escaped
there; ``1.5`` stays as it is."""


def _md_char(char: str) -> str:
    if char in _MD_ENTITIES:
        return _MD_ENTITIES[char]
    if char in _MD_ESCAPED:
        return "\\" + char
    return char


def markdown_text(value: object) -> str:
    """``value`` as literal Markdown text: it renders as itself and never as markup.

    Whitespace (newlines included) collapses to single spaces, so a value cannot start
    another block or a table row; control characters are dropped (Python-Markdown uses
    some as placeholders); ``&``, ``<`` and ``>`` become HTML entities, so raw HTML never
    passes; the punctuation of code, emphasis, links, attribute lists and tables is
    backslash-escaped, and so is what would start a list or a heading at the start of the
    value. Letters, digits and ordinary punctuation stay as they are, so the Markdown
    source stays readable."""
    text = re.sub(r"\s+", " ", str(value))
    text = "".join(char for char in text if unicodedata.category(char) != "Cc")
    start = _MD_BLOCK_START.match(text)
    if start is not None:
        end = start.end()
        text = text[: end - 1] + "\\" + text[end - 1 :]
        head, text = text[: end + 1], text[end + 1 :]
        return head + "".join(_md_char(char) for char in text)
    return "".join(_md_char(char) for char in text)


def markdown_code(value: object) -> str:
    """``value`` as an inline code span: Markdown shows code literally (and escapes its
    HTML itself); the fence is longer than any run of backticks in the value."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    text = "".join(char for char in text if unicodedata.category(char) != "Cc")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# -- HTML of the site's pages -------------------------------------------------------------

_SVG_TAGS = frozenset({"svg", "title", "desc", "g", "rect", "line", "text", "tspan", "path"})
"""The elements of the coverage chart (:mod:`aptic_qualif.network.svg`) and map
(:mod:`aptic_qualif.network.choropleth`)."""
HTML_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "span"),
        *("a", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup"),
        *("abbr", "cite", "q", "dfn", "kbd", "samp", "var", "code", "pre", "time", "wbr"),
        *("ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "figure", "figcaption"),
        *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
        "img",
        *_SVG_TAGS,
    }
)
"""What a page's Markdown renders to (Python-Markdown, its tables, admonitions, details,
code highlighting, permalinks) and the inline SVG chart. No ``script``, ``style``,
``iframe``, ``object``, ``form``, ``input``…"""
_GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "role", "aria-label"})
HTML_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "ol": frozenset({"start", "type"}),
    "th": frozenset({"style", "colspan", "rowspan", "align", "scope"}),
    "td": frozenset({"style", "colspan", "rowspan", "align"}),
    "details": frozenset({"open"}),
    "svg": frozenset(
        {
            *("xmlns", "viewBox", "width", "height", "style"),
            *("aria-labelledby", "aria-describedby", "font-family", "font-size"),
        }
    ),
    "g": frozenset({"fill", "stroke", "stroke-width", "stroke-linejoin", "font-size"}),
    "rect": frozenset({"x", "y", "width", "height", "rx", "fill", "stroke", "stroke-width"}),
    "path": frozenset({"d", "fill"}),
    "line": frozenset({"x1", "y1", "x2", "y2", "stroke", "stroke-opacity", "stroke-width"}),
    "text": frozenset({"x", "y", "dx", "dy", "fill", "font-size", "font-weight", "text-anchor"}),
    "tspan": frozenset({"x", "y", "dx", "dy", "fill", "font-size", "text-anchor"}),
}
"""Attributes kept, by element (``*``: on every element). No event handler (``on…``), no
``srcset``, ``formaction``, ``xlink:href``, ``data-…``."""
URL_SCHEMES = frozenset({"http", "https", "mailto"})
"""The only schemes a link or an image may use; relative addresses are kept as well."""
STYLE_PROPERTIES = frozenset({"text-align", "max-width", "height"})
"""The CSS properties a ``style`` attribute keeps: table alignment, the chart's size."""


def html_content(html: str) -> str:
    """HTML rendered from Markdown, sanitised for a page of the site (nh3, i.e. Ammonia).

    Only the elements and attributes of :data:`HTML_TAGS` and :data:`HTML_ATTRIBUTES`
    pass; a link or image to anything but http, https, mailto or a relative address loses
    its address (``javascript:``, ``data:``); ``script`` and ``style`` elements are removed
    with their content, comments too. This is for page content only: the theme's own
    HTML, which needs its scripts, is not passed here."""
    import nh3

    return nh3.clean(
        html,
        tags=set(HTML_TAGS),
        attributes={tag: set(names) for tag, names in HTML_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        filter_style_properties=set(STYLE_PROPERTIES),
    )


# -- XML and SVG ---------------------------------------------------------------------------

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow in a document, even as character references: C0
controls other than tab, line feed and carriage return, surrogates, U+FFFE and U+FFFF."""


def _xml_stand_in(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def xml_text(value: object) -> str:
    """``value`` as the text of an XML or SVG element or attribute: each character XML 1.0
    forbids replaced (a C0 control by its picture, ``\\x07`` → ``␇``; any other by U+FFFD),
    then ``&``, ``<``, ``>``, ``"`` and ``'`` escaped. The document stays well-formed
    whatever the value holds."""
    return _html_escape(_XML_FORBIDDEN.sub(_xml_stand_in, str(value)), quote=True)
