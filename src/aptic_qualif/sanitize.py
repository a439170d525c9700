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
"""

from __future__ import annotations

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


def terminal(text: object, *, single_line: bool = False) -> str:
    """``text`` safe to print on a terminal: every C0/C1 control character and every bidi
    control replaced by a visible stand-in (``\\x1b`` → ``␛``, U+202E → ``<U+202E>``).

    Newlines and tabs are kept, unless ``single_line`` (a name in a title or a prompt,
    where a newline could fake another line of the program's own output)."""
    return str(text).translate(_LINE_TABLE if single_line else _LAYOUT_TABLE)


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
