"""The search index: accents folded so that a search without them finds the words."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

# -- search ----------------------------------------------------------------------------

SEARCH_INDEX = "search/search_index.json"
FOLDED_FIELD = "folded"
"""The field of the search index holding each section's words without their accents."""
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """``text`` without its accents and ligatures: ``Hameçonnage`` → ``Hameconnage``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_search_index(site_dir: Path) -> None:
    """Make the search of the built site ignore accents.

    mkdocs-material's search (lunr.js) compares words as they are written, so
    « hameconnage » would not find « hameçonnage ». Each section of the index gets a
    field ``folded`` listing, once each, the words of its title and text that change
    when folded, folded; the index's configuration declares the field, which the search
    worker then indexes like the others (it is never displayed). A site without search
    is left alone."""
    path = site_dir / SEARCH_INDEX
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    fields = index.get("config", {}).get("fields")
    if not isinstance(fields, dict):
        return
    fields.setdefault(FOLDED_FIELD, {"boost": 1.0})
    for doc in index.get("docs", ()):
        text = _TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")
        words: dict[str, None] = {}
        for word in _WORD.findall(text):
            folded = fold(word)
            if folded != word:
                words.setdefault(folded.lower())
        if words:
            doc[FOLDED_FIELD] = " ".join(words)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
