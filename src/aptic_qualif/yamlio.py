"""The one YAML reader of the project (its files are written by fsio.atomic_write).

Every YAML file the toolkit reads goes through :func:`load_yaml`. It is deliberately
stricter than ``yaml.safe_load``:

* safe loading only: no Python object tags, no custom tags;
* every value keeps its line and column (see :class:`Document`);
* duplicate keys, anchors and aliases, several documents, non-UTF-8 bytes and files over
  a size limit are refused with located diagnostics;
* plain scalars are resolved with YAML 1.2 core-schema rules, so the YAML 1.1 surprises
  do not corrupt data: ``01000`` stays the text ``"01000"`` (a postcode), ``NO`` and
  ``on`` stay text, ``2024-01-01`` stays text (dates are parsed by the models), mapping
  keys are always text;
* every number is finite and at most :data:`MAX_NUMBER` in absolute value (``1e400`` would
  be infinite, and an infinite weight makes scores "not a number"): ``YAML009``;
* every text is composed to Unicode NFC (see :mod:`aptic_qualif.text` on why decomposed
  text is normalised rather than refused).

The parser is libyaml (through PyYAML's C binding) when available; the events are turned
into plain Python values here.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aptic_qualif.diagnostics import Diagnostic, Span

# Its former home: atomic_write is fsio's, where every write to the file system is.
from aptic_qualif.fsio import atomic_write as atomic_write
from aptic_qualif.i18n import N_, _
from aptic_qualif.reading import read_regular

MAX_BYTES = 2 * 1024 * 1024
"""Largest YAML file accepted (bytes). Catalogue and application files are a few KiB."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted. The formats go four levels deep; a
file nested hundreds of levels deep is refused before it can exhaust the stack."""

MAX_NUMBER = 10**15
"""Largest number (in absolute value) a data file may hold. Counts, weights, thresholds,
scores and coordinates are far below it; beyond 2**53, JSON readers lose precision, and
products of such numbers could overflow to infinity."""

_MAX_DIGITS = 400
"""A longer run of digits is not even converted: it is far beyond :data:`MAX_NUMBER` (and
Python refuses to convert more than 4300 digits)."""

PathKey = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
)
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "!!str"})

# The parser's most frequent problems, so that they can be translated.
_PROBLEMS = (
    N_("did not find expected key"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected node content"),
    N_("did not find expected comment or line break"),
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("could not find expected ':'"),
    N_("found character that cannot start any token"),
    N_("found a tab character that violates indentation"),
    N_("found a tab character where an indentation space is expected"),
    N_("found undefined tag handle"),
    N_("found unexpected end of stream"),
    N_("found unexpected document indicator"),
    N_("found unknown escape character"),
    N_("control characters are not allowed"),
    N_("exceeded maximum nesting depth"),
)

_Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Document:
    """A YAML document read from a file: its data and where each value came from.

    ``positions`` maps the path of every value (a tuple of keys and indexes) to its
    position; ``key_positions`` maps the path of every mapping entry to the position of
    its key. Positions are packed into one integer (see :func:`_pack`): thousands of
    documents stay cheap for the garbage collector.
    """

    file: str
    data: Any
    positions: dict[PathKey, int] = field(default_factory=dict)
    key_positions: dict[PathKey, int] = field(default_factory=dict)
    tags: dict[PathKey, str] = field(default_factory=dict)
    """The path of every value written with one of the ``allowed_tags`` it was read with,
    and its full tag name (the value itself is kept as plain data)."""

    def _at(self, packed: int) -> Span:
        return Span(self.file, packed >> 32, packed & 0xFFFFFFFF)

    def span(self, path: PathKey = ()) -> Span:
        """Position of the value at ``path``, or of its nearest located ancestor."""
        positions = self.positions
        while path and path not in positions:
            path = path[:-1]
        packed = positions.get(path)
        return self._at(packed) if packed is not None else Span(self.file, 1, 1)

    def key_span(self, path: PathKey) -> Span:
        """Position of the key of the entry at ``path`` (falls back to the value)."""
        packed = self.key_positions.get(path)
        return self._at(packed) if packed is not None else self.span(path)


def _pack(mark: Any) -> int:
    """A parser mark (0-based) as one integer: 1-based line in the high bits, column low."""
    return int(((mark.line + 1) << 32) | (mark.column + 1))


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar with YAML 1.2 core-schema rules.

    Anything that is not unambiguously null, a boolean, a decimal integer without
    leading zeros or a decimal float stays text.
    """
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        if len(text) > _MAX_DIGITS:
            return -math.inf if text.startswith("-") else math.inf
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, made to agree with :func:`resolve_plain`.

    PyYAML follows YAML 1.1: it writes ``0E0`` or ``1e5`` unquoted (not floats to YAML 1.1),
    which a YAML 1.2 reader, ours included, reads back as numbers. Any text that our reader
    would not read back as the same text is quoted."""


def _nfc(text: str) -> str:
    """``text`` composed to NFC (unchanged, and fast, when it already is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def in_range(value: Any) -> bool:
    """Whether ``value`` is not a number, or a finite number within :data:`MAX_NUMBER`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    if isinstance(value, int):  # exact: math.isfinite() overflows on an int beyond a float
        return abs(value) <= MAX_NUMBER
    return math.isfinite(value) and abs(value) <= MAX_NUMBER


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    node = dumper.represent_str(text)
    if "\n" in text.rstrip("\n"):
        # A text of several lines (a long answer, a comment) as a block, as it was typed;
        # the emitter quotes it instead when a block cannot hold it exactly.
        node.style = "|"
    elif resolve_plain(text) != text or not isinstance(resolve_plain(text), str):
        node.style = "'"
    return node


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML text that this module reads back unchanged (block style, keys in
    their order, Unicode kept)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class _Builder:
    """Turns a stream of parser events into Python values, recording positions."""

    def __init__(
        self, file: str, events: Iterator[yaml.Event], allowed_tags: frozenset[str] = frozenset()
    ) -> None:
        self.file = file
        self.events = events
        self.allowed_tags = allowed_tags
        self.positions: dict[PathKey, int] = {}
        self.key_positions: dict[PathKey, int] = {}
        self.tags: dict[PathKey, str] = {}
        self.diagnostics: list[Diagnostic] = []

    def _span(self, event: yaml.Event) -> Span:
        mark = event.start_mark
        if mark is None:  # pragma: no cover - libyaml always gives marks
            return Span(self.file, 1, 1)
        return Span(self.file, mark.line + 1, mark.column + 1)

    def _error(self, code: str, event: yaml.Event, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic.error(code, self._span(event), message, hint))

    def _check_node_event(self, event: yaml.Event) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._error(
                "YAML003",
                event,
                _("anchor '&{anchor}' refused: anchors and aliases are not allowed").format(
                    anchor=anchor
                ),
                _("write the value out in full"),
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in _STR_TAGS | self.allowed_tags:
            self._error(
                "YAML004",
                event,
                _("tag '{tag}' refused: only plain YAML data is accepted").format(tag=tag),
            )

    def value(self, event: yaml.Event, path: PathKey) -> Any:
        self.positions[path] = _pack(event.start_mark)
        kind = type(event)
        if isinstance(event, yaml.ScalarEvent) and event.anchor is None and event.tag is None:
            # the most frequent value, which nothing refuses but its number: at once
            if event.style:
                return _nfc(event.value)
            value = resolve_plain(event.value)
            if isinstance(value, str):
                return _nfc(value)
            return value if in_range(value) else self._out_of_range(event)
        if isinstance(event, yaml.AliasEvent):
            self._error(
                "YAML003",
                event,
                _("alias '*{anchor}' refused: anchors and aliases are not allowed").format(
                    anchor=event.anchor
                ),
                _("write the value out in full"),
            )
            return None
        self._check_node_event(event)
        tag = getattr(event, "tag", None)
        if tag is not None and tag in self.allowed_tags:
            self.tags[path] = tag
        if isinstance(event, yaml.ScalarEvent):
            if event.style or event.tag is not None:
                return _nfc(event.value)
            value = resolve_plain(event.value)
            if isinstance(value, str):
                return _nfc(value)
            return value if in_range(value) else self._out_of_range(event)
        if kind in (yaml.SequenceStartEvent, yaml.MappingStartEvent) and len(path) >= MAX_DEPTH:
            self._error(
                "YAML008",
                event,
                _("nesting too deep: more than {limit} levels of mappings and lists").format(
                    limit=MAX_DEPTH
                ),
                _("a data file of the toolkit is only a few levels deep: check the file"),
            )
            self._skip()
            return None
        if kind is yaml.SequenceStartEvent:
            items: list[Any] = []
            events = self.events
            value_of = self.value
            for child in events:
                if type(child) is yaml.SequenceEndEvent:
                    break
                items.append(value_of(child, (*path, len(items))))
            return items
        if kind is yaml.MappingStartEvent:
            return self.mapping(path)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def _out_of_range(self, event: yaml.ScalarEvent) -> None:
        shown = event.value if len(event.value) <= 40 else event.value[:39] + "…"
        self._error(
            "YAML009",
            event,
            _(
                "the number {value} is out of range: a number is finite and at most "
                "{limit} in absolute value"
            ).format(value=shown, limit="10^15"),
            _("put the value in quotes if it is a text"),
        )
        return None

    def mapping(self, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        events = self.events
        key_positions = self.key_positions
        for key_event in events:
            if type(key_event) is yaml.MappingEndEvent:
                break
            if (
                isinstance(key_event, yaml.ScalarEvent)
                and key_event.anchor is None
                and key_event.tag is None
            ):
                key: str | None = _nfc(key_event.value)  # a plain key: nothing to refuse
            else:
                key = self.key(key_event)
            value_event = next(events)
            if key is None:
                self.value(value_event, (*path, "\0"))
                continue
            child_path = (*path, key)
            if key in result:
                first_line = key_positions[child_path] >> 32
                self._error(
                    "YAML002",
                    key_event,
                    _("duplicate key '{key}' (first defined at line {line})").format(
                        key=key, line=first_line
                    ),
                    _("keep a single entry for this key"),
                )
                self.value(value_event, (*path, "\0dup"))
                continue
            key_positions[child_path] = _pack(key_event.start_mark)
            result[key] = self.value(value_event, child_path)
        return result

    def key(self, event: yaml.Event) -> str | None:
        """Mapping keys are always text; a key that is not a scalar is refused."""
        if isinstance(event, yaml.ScalarEvent):
            self._check_node_event(event)
            return _nfc(str(event.value))
        self._error("YAML001", event, _("a mapping key must be a simple text"))
        self.value(event, ("\0key",))
        return None

    def _skip(self) -> None:
        """Pass over the rest of the collection just opened, without recursion."""
        depth = 1
        for event in self.events:
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
                if depth == 0:
                    return


def _decode(raw: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Diagnostic.error(
            "YAML005",
            Span(file, 1, 1),
            _("the file is encoded in UTF-16; it must be UTF-8"),
            _("save the file as UTF-8"),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic.error(
            "YAML005",
            Span(file, line, col),
            _("invalid UTF-8 byte 0x{byte:02x}: the file must be encoded in UTF-8").format(
                byte=raw[exc.start]
            ),
            _("save the file as UTF-8"),
        )
    return text.removeprefix("\ufeff"), None


def parse_yaml(
    text: str, file: str, *, allowed_tags: frozenset[str] = frozenset()
) -> tuple[Document | None, list[Diagnostic]]:
    """Parse YAML ``text`` (already decoded) named ``file`` in diagnostics.

    Every tag is refused, except the full tag names in ``allowed_tags`` (for a file
    another program reads, which needs a few tags known to be harmless); a value with an
    allowed tag is kept as the text written."""
    builder = _Builder(file, iter(()), allowed_tags)
    data: Any = None
    try:
        # the parser's events one after the other, each made by libyaml's binding: no
        # Python frame between them (yaml.parse is a generator)
        parser = _Loader(text)
        events: Iterator[yaml.Event] = iter(parser.get_event, None)
        builder.events = events
        next(events)  # StreamStartEvent
        first = next(events)
        documents = 0
        while not isinstance(first, yaml.StreamEndEvent):
            documents += 1
            if documents > 1:
                builder._error(
                    "YAML006",
                    first,
                    _("the file holds several YAML documents; only one is allowed"),
                    _("remove the '---' separator and split the file"),
                )
                break
            node = next(events)
            data = builder.value(node, ())
            next(events)  # DocumentEndEvent
            first = next(events)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(file, mark.line + 1, mark.column + 1) if mark else Span(file, 1, 1)
        problem = exc.problem or exc.context or str(exc)
        hint = None
        start = exc.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            # A bracket or quote left open is found where the file ends: say where it began.
            hint = _("the unfinished part starts at line {line}, column {col}").format(
                line=start.line + 1, col=start.column + 1
            )
        return None, [
            *builder.diagnostics,
            Diagnostic.error(
                "YAML001",
                span,
                _("YAML syntax error: {problem}").format(problem=_(problem)),
                hint,
            ),
        ]
    except yaml.YAMLError as exc:  # reader errors (control characters…)
        mark = getattr(exc, "problem_mark", None)
        position = getattr(exc, "position", None)
        if mark is not None:
            span = Span(file, mark.line + 1, mark.column + 1)
        elif position is not None:
            before = text[:position]
            span = Span(file, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
        else:
            span = Span(file, 1, 1)
        return None, [
            *builder.diagnostics,
            Diagnostic.error(
                "YAML001",
                span,
                _("YAML syntax error: {problem}").format(
                    problem=_(getattr(exc, "reason", None) or str(exc).splitlines()[0])
                ),
            ),
        ]
    document = Document(file, data, builder.positions, builder.key_positions, builder.tags)
    return document, builder.diagnostics


def load_yaml(
    path: Path,
    display: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    within: Path | None = None,
    allowed_tags: frozenset[str] = frozenset(),
) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse the YAML file at ``path``.

    ``display`` is the name used in diagnostics (defaults to the path as given). Only a
    regular file is read, and at most ``max_bytes`` of it; with ``within``, a path that
    leads outside that folder is refused (see :func:`aptic_qualif.reading.read_regular`).
    Returns the document (``None`` when it could not be read at all) and the
    diagnostics; a document is only trustworthy when no diagnostic is an error.
    """
    _text, doc, diagnostics = load_yaml_text(
        path, display, max_bytes=max_bytes, within=within, allowed_tags=allowed_tags
    )
    return doc, diagnostics


def load_yaml_text(
    path: Path,
    display: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    within: Path | None = None,
    allowed_tags: frozenset[str] = frozenset(),
) -> tuple[str | None, Document | None, list[Diagnostic]]:
    """:func:`load_yaml`, with the text it read (``None`` when it could not be read): for
    a tool that edits the file's lines, reading it once."""
    _raw, text, doc, diagnostics = _read_and_parse(
        path, display, max_bytes=max_bytes, within=within, allowed_tags=allowed_tags
    )
    return text, doc, diagnostics


def load_yaml_bytes(
    path: Path,
    display: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    within: Path | None = None,
    allowed_tags: frozenset[str] = frozenset(),
) -> tuple[bytes | None, Document | None, list[Diagnostic]]:
    """:func:`load_yaml`, with the bytes it read (``None`` when it could not read them): for
    a digest of the very bytes the document was read from, reading the file once."""
    raw, _text, doc, diagnostics = _read_and_parse(
        path, display, max_bytes=max_bytes, within=within, allowed_tags=allowed_tags
    )
    return raw, doc, diagnostics


def _read_and_parse(
    path: Path,
    display: str | None,
    *,
    max_bytes: int,
    within: Path | None,
    allowed_tags: frozenset[str],
) -> tuple[bytes | None, str | None, Document | None, list[Diagnostic]]:
    file = display if display is not None else str(path)
    raw, refused = read_regular(path, file, limit=max_bytes, within=within)
    if raw is None:
        assert refused is not None
        return None, None, None, [refused]
    text, problem = _decode(raw, file)
    if text is None:
        assert problem is not None
        return raw, None, None, [problem]
    doc, diagnostics = parse_yaml(text, file, allowed_tags=allowed_tags)
    return raw, text, doc, diagnostics


@contextlib.contextmanager
def bulk_reading() -> Iterator[None]:
    """Pause the cyclic garbage collector while many files are read.

    Reading creates many small containers and no reference cycles; without the pause,
    collections triggered by allocation make reading thousands of files superlinear.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
