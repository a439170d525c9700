"""The details under the terminal table are wrapped as Rich wraps them, without Rich."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from aptic_qualif.wrap import printed


def rich_printed(text: str, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(Text(text))
    return console.file.getvalue()  # type: ignore[attr-defined]


texts = st.lists(
    st.sampled_from(
        [
            *"ab é  ,.:;'’«»•→≈—–…·✓✗%0123456789",
            *["\u00a0", "\u2009", "\u202f", "\t", "\n", "\u0301", "字", "\u200b", "🙂"],
            *["x" * 30, "y" * 150, "démarches ", "  ", "mot-composé "],
        ]
    ),
    max_size=120,
).map("".join)


@settings(max_examples=400)
@given(texts, st.integers(min_value=1, max_value=120))
def test_a_plain_text_is_printed_as_rich_prints_it(text: str, width: int) -> None:
    mine = printed(text, width)
    if mine is not None:
        assert mine == rich_printed(text, width)


def test_a_text_rich_must_print_is_left_to_it() -> None:
    for text in ("a\tb", "a\nb", "wide 字", "e\u0301", "zero\u200bwidth", "🙂", "\x1b[31m"):
        assert printed(text, 80) is None
    assert printed("  • Le lieu atteint le seuil", 80) == "  • Le lieu atteint le seuil\n"


def test_the_details_of_a_batch_are_wrapped_as_rich_wraps_them() -> None:
    """The reasons and advice of the example applications, at the usual widths."""
    from aptic_qualif.context import load_context
    from aptic_qualif.scoring.assess import assess_files
    from tests.conftest import REPO

    context = load_context(REPO, need_policy=True)
    files = sorted((REPO / "examples" / "applications").glob("*.yaml"))
    lines = [
        f"  • {reason}" for a in assess_files(files, context).assessments for reason in a.reasons
    ]
    assert lines
    for width in (40, 80, 100, 140):
        for line in lines:
            assert printed(line, width) == rich_printed(line, width)
