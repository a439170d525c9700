"""Plain text wrapped for the terminal exactly as Rich prints it, for the common case.

``assess`` prints, below its table, a dozen lines of details per venue; a network's batch
is thousands of venues. Rich wraps each line through its text objects, spans and segments:
two thirds of the time of ``assess -f table``. :func:`printed` gives the same characters
as ``Console(width=width).print(Text(text))`` for a plain text (no style) whose characters
each take one cell, with no tab nor line break — the details' lines, French text with its
punctuation — and ``None`` for any other text, which Rich prints. The tests compare the two
on any text and width.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

_WORD = re.compile(r"\S+\s*")
"""A word's visible characters and the spaces after them, as ``rich._wrap`` cuts a line."""
_VISIBLE = re.compile(r"\S+")
_SPACES = re.compile(r"\s*")
_RUN_TO_END = re.compile(r"\S*\Z")
"""The visible characters that end where the search ends."""
_TRAILING_SPACE = re.compile(r"\s+$")

_PUNCTUATION = frozenset(
    [
        *map(chr, range(0x2010, 0x2028)),  # dashes, quotes, bullet, ellipsis
        *map(chr, range(0x2030, 0x205F)),  # per mille, primes, guillemets ‹ ›, ⁄
        *map(chr, range(0x2190, 0x2200)),  # arrows
        *map(chr, range(0x2200, 0x2300)),  # mathematical operators (≈, ≤, ≥)
        "✓",
        "✗",
    ]
)
"""Characters beyond Rich's own list of one-cell characters that the details use; each is
still measured by Rich (:func:`_one_cell`) before it is trusted."""


@lru_cache(maxsize=4096)
def _one_cell(character: str) -> bool:
    """Whether Rich gives ``character`` one cell and no grapheme joins it to another."""
    from rich.cells import _SINGLE_CELLS, get_character_cell_size

    if character in _SINGLE_CELLS:
        return True
    return character in _PUNCTUATION and get_character_cell_size(character) == 1


def _after(pattern: re.Pattern[str], text: str, at: int) -> int:
    """Where ``pattern``, matched at ``at``, ends (``at`` when it does not match)."""
    found = pattern.match(text, at)
    return found.end() if found is not None else at


def printed(text: str, width: int) -> str | None:
    """What Rich prints for ``Text(text)`` on a console ``width`` cells wide (each line
    followed by a line break), or ``None`` when ``text`` is not one Rich's rules give
    simply: a character other than one-cell ones (a tab, a line break, a control
    character, a wide or combining one)."""
    if width < 1 or not all(map(_one_cell, set(text))):
        return None
    # rich._wrap.divide_line, where a word's cells are its characters. Rich takes the
    # words one by one (a word: its visible characters and the spaces after them; the
    # first also the spaces before): a word goes on the line while the line opens at most
    # ``width`` characters before the word's last visible character. So each line is found
    # at once, from the character ``width`` after its opening, whatever its words.
    opening = _VISIBLE.search(text)  # the first word's visible characters
    breaks: list[int] = []
    opens = 0
    while opening is not None and opens + width < len(text):
        at = opens + width
        if text[at].isspace():  # the first word not to fit is the next one
            visible = _after(_SPACES, text, at)
            if visible == len(text):
                break
        else:  # the word this character belongs to does not fit
            run = _RUN_TO_END.search(text, opens, at + 1)
            visible = run.start() if run is not None else at
        start = 0 if visible == opening.start() else visible
        if _after(_VISIBLE, text, visible) - start <= width:  # it opens the next line
            breaks.append(start)
            opens = start
            continue
        # a word longer than a line (its spaces after it included): folded
        end = _after(_WORD, text, visible)
        folded = start + (end - start - 1) // width * width
        breaks.extend(range(start if start else width, folded + 1, width))
        opens = folded
    bounds = [0, *breaks, len(text)]
    lines = []
    for first, last in itertools.pairwise(bounds):
        line = text[first:last]
        if len(line) > width:  # Text.rstrip_end, then Text.truncate
            spaces = _TRAILING_SPACE.search(line)
            if spaces is not None:
                line = line[: len(line) - min(len(spaces.group()), len(line) - width)]
            line = line[:width]
        lines.append(line)
    return "\n".join(lines) + "\n"
