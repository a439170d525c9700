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

_WORD = re.compile(r"\s*\S+\s*")
"""A word and the spaces around it, as ``rich._wrap`` cuts a line."""
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


def printed(text: str, width: int) -> str | None:
    """What Rich prints for ``Text(text)`` on a console ``width`` cells wide (each line
    followed by a line break), or ``None`` when ``text`` is not one Rich's rules give
    simply: a character other than one-cell ones (a tab, a line break, a control
    character, a wide or combining one)."""
    if width < 1 or not all(map(_one_cell, set(text))):
        return None
    # rich._wrap.divide_line, where a word's cells are its characters
    breaks: list[int] = []
    offset = 0
    for found in _WORD.finditer(text):
        start, word = found.start(), found.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # a word longer than a line: folded
            pieces = [word[at : at + width] for at in range(0, len(word), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = len(word)
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
