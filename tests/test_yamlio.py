"""The one YAML reader: located values, refusals, and no YAML 1.1 surprises."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from aptic_qualif.yamlio import (
    MAX_NUMBER,
    atomic_write,
    dump_yaml,
    load_yaml,
    parse_yaml,
    resolve_plain,
)


def parse(text: str):  # type: ignore[no-untyped-def]
    doc, diagnostics = parse_yaml(text, "f.yaml")
    return doc, [(d.code, d.span.line, d.span.col) for d in diagnostics]


def test_values_keep_their_line_and_column() -> None:
    doc, problems = parse("a: 1\nb:\n  c: [x, y]\n  d:\n    - e: true\n")
    assert problems == []
    assert doc is not None
    assert doc.data == {"a": 1, "b": {"c": ["x", "y"], "d": [{"e": True}]}}
    assert doc.span(("a",)).line == 1
    assert doc.span(("b", "c", 1))[1:] == (3, 10)
    assert doc.span(("b", "d", 0, "e"))[1:] == (5, 10)
    assert doc.key_span(("b", "d"))[1:] == (4, 3)
    # A path that does not exist falls back to its nearest located ancestor.
    assert doc.span(("b", "c", 7))[1:] == (3, 6)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("01000", "01000"),  # a postcode from Ain stays text
        ("007", "007"),
        ("NO", "NO"),  # Norway, not false
        ("on", "on"),
        ("yes", "yes"),
        ("Off", "Off"),
        ("2024-01-31", "2024-01-31"),
        ("1.0.0", "1.0.0"),
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        ("1_000", "1_000"),
        ("12:30", "12:30"),  # not 750 (sexagesimal)
        (".inf", ".inf"),
        ("2A004", "2A004"),
        ("1000", 1000),
        ("-3", -3),
        ("0", 0),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core_rules(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_keys_are_always_text() -> None:
    doc, problems = parse("on: 1\n01: 2\nyes: 3\n")
    assert problems == []
    assert doc is not None
    assert doc.data == {"on": 1, "01": 2, "yes": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", [("YAML002", 2, 1)]),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", [("YAML002", 4, 3)]),
        ("a: &x 1\nb: *x\n", [("YAML003", 1, 4), ("YAML003", 2, 4)]),
        ("a: !!python/object:os.system x\n", [("YAML004", 1, 4)]),
        ("a: !custom x\n", [("YAML004", 1, 4)]),
        ("a: 1\n---\nb: 2\n", [("YAML006", 2, 1)]),
        ("a: [1\n", [("YAML001", 2, 1)]),
        ("a: 1\n b: 2\n", [("YAML001", 2, 3)]),
        ("? [a, b]\n: 1\n", [("YAML001", 1, 3)]),
        ("a: \x07\n", [("YAML001", 1, 4)]),
    ],
)
def test_refusals_are_located(text: str, expected: list[tuple[str, int, int]]) -> None:
    _doc, problems = parse(text)
    assert problems == expected


def test_explicit_str_tag_is_accepted() -> None:
    doc, problems = parse("a: !!str 1000\n")
    assert problems == []
    assert doc is not None and doc.data == {"a": "1000"}


def test_non_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes("a: 1\nnom: Médiathèque\n".encode("latin-1"))
    doc, diagnostics = load_yaml(path, "f.yaml")
    assert doc is None
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("YAML005", 2, 7)]
    assert "0xe9" in diagnostics[0].message


def test_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes("\ufeffnom: Médiathèque\n".encode())
    doc, diagnostics = load_yaml(path)
    assert diagnostics == []
    assert doc is not None and doc.data == {"nom": "Médiathèque"}


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: " + "x" * 100 + "\n")
    doc, diagnostics = load_yaml(path, max_bytes=50)
    assert doc is None and [d.code for d in diagnostics] == ["YAML007"]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    doc, diagnostics = load_yaml(tmp_path / "absent.yaml")
    assert doc is None and [d.code for d in diagnostics] == ["IO001"]


def test_empty_file_is_null() -> None:
    doc, problems = parse("")
    assert problems == [] and doc is not None and doc.data is None


# Control characters are left out: YAML itself folds some of them (NEL is a line break).
# Texts are read back composed (NFC) and numbers stay within MAX_NUMBER: the tool writes
# nothing else (tests/test_text.py).
printable = st.characters(blacklist_categories=("Cc", "Cs"))
nfc_text = st.text(alphabet=printable).map(lambda t: unicodedata.normalize("NFC", t))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_NUMBER, MAX_NUMBER) | nfc_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=printable, max_size=8).map(lambda t: unicodedata.normalize("NFC", t)),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(json_values)
@example("0E0")
@example("1e5")
@example(["-.5E+3", "007", "true", "~", ""])
def test_round_trip_of_data_written_by_the_tool(value: object) -> None:
    """Whatever the tool writes (applications, reviews), it reads back unchanged; PyYAML's
    own dumper follows YAML 1.1 and would leave ``0E0`` unquoted, a number to YAML 1.2."""
    text = dump_yaml({"v": value})
    doc, problems = parse(text)
    assert problems == []
    assert doc is not None
    assert json.dumps(doc.data, sort_keys=True) == json.dumps({"v": value}, sort_keys=True)


@given(st.from_regex(r"0[0-9]{1,6}", fullmatch=True))
def test_numbers_with_leading_zeros_stay_text(text: str) -> None:
    doc, _problems = parse(f"code_postal: {text}\n")
    assert doc is not None and doc.data == {"code_postal": text}


def test_atomic_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f.yaml"
    atomic_write(path, "a: 1\n")
    assert path.read_text() == "a: 1\n"
    with pytest.raises(FileExistsError):
        atomic_write(path, "a: 2\n")
    assert path.read_text() == "a: 1\n"
    atomic_write(path, "a: 2\n", force=True)
    assert path.read_text() == "a: 2\n"
    assert [p.name for p in path.parent.iterdir()] == ["f.yaml"]


def test_an_unclosed_bracket_says_where_it_began() -> None:
    _doc, diagnostics = parse_yaml("a: 1\nnom: [Test\nb: 2\n", "f.yaml")
    (diagnostic,) = diagnostics
    assert diagnostic.code == "YAML001"
    assert diagnostic.hint == "la partie non terminée commence ligne 2, colonne 6"


def test_the_c_and_the_python_parsers_give_the_same_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The builder reads the parser's events one by one (``get_event``), from libyaml's
    binding or, without it, from PyYAML's own parser: the same values at the same places."""
    from aptic_qualif import yamlio
    from tests.conftest import REPO

    texts = [
        path.read_text(encoding="utf-8")
        for folder in ("examples/applications", "questionnaire")
        for path in sorted((REPO / folder).glob("*.yaml"))
    ]
    texts.append("a: &x 1\nb: *x\nc: 1e400\nd: [1, {e: f, e: g}]\n!t h: 01000\n")
    read = [yamlio.parse_yaml(text, "f.yaml") for text in texts]
    monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    for text, (doc, diagnostics) in zip(texts, read, strict=True):
        python_doc, python_diagnostics = yamlio.parse_yaml(text, "f.yaml")
        assert python_diagnostics == diagnostics
        assert doc is not None and python_doc is not None
        assert (python_doc.data, python_doc.positions, python_doc.key_positions) == (
            doc.data,
            doc.positions,
            doc.key_positions,
        )
