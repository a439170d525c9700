"""Every reader, fed random bytes and random YAML: only located diagnostics come out.

Each reader of the toolkit (the référentiel's scheme and service files, the questionnaire
and its themes, the scoring policy, an application, a review, the CSV of ``import lieux``)
is given, in place of one real file of a copy of the test project:

* random bytes;
* random YAML: nested mappings and lists of odd scalars (huge integers, floats, long and
  unusual texts), with tags, anchors and aliases, flow and block styles, deep nesting;
* mutations of the real file: a value replaced, a key removed or added, lines swapped,
  characters inserted or deleted.

Whatever the input, the reader must return: no exception escapes, no example takes more
than a few seconds, and every error is a diagnostic with a known code, naming a file, a
line and a column. The examples are derandomised (see ``conftest.py``): CI runs the same
ones each time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic_qualif.application import validate_application
from aptic_qualif.codes import CODES
from aptic_qualif.context import Context, load_context
from aptic_qualif.diagnostics import Diagnostic
from aptic_qualif.network.lieux import export_lieux, import_lieux, render_csv
from aptic_qualif.questionnaire.check import validate_questionnaire
from aptic_qualif.referentiel.check import validate_catalogue
from aptic_qualif.review.load import load_reviews
from aptic_qualif.review.workflow import review_application, summarize
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.html import render_html
from aptic_qualif.scoring.load import check_policy, load_policy
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.scoring.render import render_csv as render_assessments_csv
from aptic_qualif.scoring.render import render_json, render_markdown, render_table, table_row
from aptic_qualif.yamlio import dump_yaml, parse_yaml
from tests.conftest import MINI, REPO
from tests.test_fill import Scripted

TIMEOUT = 10
"""Seconds one example may take before it counts as a hang (a normal one takes a few ms)."""

EXAMPLES = int(os.environ.get("APTIC_FUZZ_EXAMPLES", "40"))
"""Examples per reader and per kind of input: few enough for ``make test``. Set
``APTIC_FUZZ_EXAMPLES=1000`` for a deeper run by hand."""


class Hang(Exception):
    """Raised in the test when one example runs longer than :data:`TIMEOUT`."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"the reader did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_located(diagnostics: list[Diagnostic]) -> None:
    """Every diagnostic has a known code, a file, a line and a column, and a message; the
    line is 0 only for a file that could not be read at all."""
    for d in diagnostics:
        assert d.code in CODES, d
        assert d.severity in {"error", "warning"}, d
        assert isinstance(d.span.file, str) and d.span.file, d
        assert isinstance(d.span.line, int) and d.span.line >= 0, d
        assert isinstance(d.span.col, int) and d.span.col >= 0, d
        if not d.code.startswith("IO"):  # only a file that could not be read has no line
            assert d.span.line >= 1 and d.span.col >= 1, d
        assert d.message.strip(), d
        d.render()  # renders without error
        d.to_json()


# --- The project the readers work on ----------------------------------------------------


@dataclass
class Project:
    """A copy of a project, with the file each reader reads and what it needs besides."""

    root: Path
    context: Context
    files: dict[str, str]
    """The file of each reader (relative to ``root``)."""
    originals: dict[str, bytes]
    """The bytes of each reader's file, by file."""
    reviews: str
    """The folder of reviews (relative to ``root``)."""

    def path(self, reader: str) -> Path:
        return self.root / self.files[reader]

    def original(self, reader: str) -> bytes:
        return self.originals[self.files[reader]]

    def restore(self) -> None:
        for name, data in self.originals.items():
            path = self.root / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


APPLICATION = "applications/complet.yaml"
MINI_FILES = {
    "scheme": "referentiel/referentiel.yaml",
    "service": "referentiel/services/decouvrir/comprendre-internet.yaml",
    "questionnaire": "questionnaire/questionnaire.yaml",
    "theme": "questionnaire/themes/aptitudes.yaml",
    "policy": "questionnaire/policy.yaml",
    "application": APPLICATION,
    "review": "reviews/complet/alice.yaml",
    "csv": "lieux.csv",
}
SHIPPED_FILES = {
    "service": "referentiel/services/agir/devenir-aidant-numerique.yaml",
    "theme": "questionnaire/themes/publics.yaml",
    "policy": "questionnaire/policy.yaml",
    "application": "examples/applications/fablab-la-forge.yaml",
    "review": "examples/reviews/fablab-la-forge/claire-martin.yaml",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("fuzz") / "projet"
    shutil.copytree(MINI, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        context = load_context(root, need_policy=True)
        checked, _report = validate_application(
            root / APPLICATION, context.questionnaire, context.catalogue
        )
        assert checked is not None
        script = [False, 3, "Des actions régulières.", "qualifier", "Une candidature solide."]
        review_application(
            checked,
            context.questionnaire,
            "alice",
            Scripted(script),
            root / "reviews",
            today=date(2026, 11, 20),
        )
        exported = export_lieux([root / APPLICATION], context)
        (root / MINI_FILES["csv"]).write_text(render_csv(exported.rows), encoding="utf-8")
        originals = {name: (root / name).read_bytes() for name in MINI_FILES.values()}
        yield Project(root, context, MINI_FILES, originals, "reviews")


@pytest.fixture(scope="module")
def shipped_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The shipped référentiel, questionnaire and examples: the richest real files."""
    root = tmp_path_factory.mktemp("fuzz") / "projet"
    for folder in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        context = load_context(root, need_policy=True)
        originals = {name: (root / name).read_bytes() for name in SHIPPED_FILES.values()}
        yield Project(root, context, SHIPPED_FILES, originals, "examples/reviews")


# --- The readers: each reads the project with one file replaced -------------------------


def read_referentiel(project: Project) -> list[Diagnostic]:
    catalogue, report = validate_catalogue(project.root / "referentiel")
    if catalogue is not None and report.ok:
        validate_questionnaire(project.root / "questionnaire", catalogue)
    return report.diagnostics


def read_questionnaire(project: Project) -> list[Diagnostic]:
    loaded, report = validate_questionnaire(
        project.root / "questionnaire", project.context.catalogue
    )
    if loaded is not None and report.ok:
        # A valid questionnaire is then read by everything built on it.
        validate_application(project.path("application"), loaded, project.context.catalogue)
    return report.diagnostics


def read_policy(project: Project) -> list[Diagnostic]:
    policy, doc, report = load_policy(project.path("policy"), within=project.root)
    if policy is not None and doc is not None:
        report.extend(check_policy(policy, doc, project.context.questionnaire))
    if policy is not None and report.ok:
        checked, _report = validate_application(
            project.path("application"),
            project.context.questionnaire,
            project.context.catalogue,
        )
        assert checked is not None
        scorer = Scorer(project.context.catalogue, project.context.questionnaire, policy)
        assessment = scorer.assess(checked)
        render_markdown([assessment])
    return report.diagnostics


def render_terminal_table(assessments: list[Assessment]) -> object:
    return render_table([table_row(a) for a in assessments])


RENDERERS = (
    render_markdown,
    render_assessments_csv,
    render_json,
    render_html,
    render_terminal_table,
)


def read_application(project: Project) -> list[Diagnostic]:
    context = project.context
    checked, report = validate_application(
        project.path("application"), context.questionnaire, context.catalogue
    )
    if checked is not None:
        assert context.policy is not None
        assessment = Scorer(context.catalogue, context.questionnaire, context.policy).assess(
            checked
        )
        for render in RENDERERS:
            render([assessment])
    return report.diagnostics


def read_review(project: Project) -> list[Diagnostic]:
    context = project.context
    reviews, report = load_reviews(project.root / project.reviews, context.questionnaire)
    summarize(reviews, context.questionnaire, context.policy)
    checked, _report = validate_application(
        project.path("application"), context.questionnaire, context.catalogue
    )
    assert checked is not None and context.policy is not None
    Scorer(context.catalogue, context.questionnaire, context.policy).assess(checked, reviews)
    return report.diagnostics


def read_csv(project: Project) -> list[Diagnostic]:
    result = import_lieux(project.path("csv"), project.context)
    if result.renderer is not None:
        for venue in result.venues:
            result.renderer.render(venue, {}, result.file)
    return result.report.diagnostics


READERS: dict[str, Callable[[Project], list[Diagnostic]]] = {
    "scheme": read_referentiel,
    "service": read_referentiel,
    "questionnaire": read_questionnaire,
    "theme": read_questionnaire,
    "policy": read_policy,
    "application": read_application,
    "review": read_review,
    "csv": read_csv,
}


def run(project: Project, reader: str, content: bytes) -> list[Diagnostic]:
    """Put ``content`` in place of the reader's file, read, and put the file back."""
    project.path(reader).write_bytes(content)
    try:
        with time_limit(TIMEOUT):
            diagnostics = READERS[reader](project)
    finally:
        project.restore()
    assert_located(diagnostics)
    return diagnostics


# --- Random YAML ------------------------------------------------------------------------

ODD_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "~",
        "null",
        "yes",
        "NO",
        "on",
        "0x1F",
        "0o17",
        "01000",
        "1e400",
        "-1e400",
        ".nan",
        ".inf",
        "NaN",
        "2026-13-45",
        "2026-02-29",
        "0000-00-00",
        "9999-12-31",
        "a@b@c",
        "https://",
        "javascript:alert(1)",
        "creer-une-adresse-electronique",
        "mini-questionnaire@1.0.0",
        "mini-questionnaire@99999999999999999999.0.0",
        "qualifier",
        "median",
        "\x00",
        "\x1b[2J",
        "\u202e",
        "\u200b",
        "e\u0301",
        "１２３４５",
        "🏳️‍🌈",
        "x" * 5000,
        "[/]",
        "=SUM(A1)",
        "{{ 7*7 }}",
        "../../etc/passwd",
        "<script>",
    ]
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18, max_value=10**400),
    st.integers(min_value=-(10**400), max_value=-(10**18)),
    st.floats(),
    st.text(max_size=40),
    ODD_TEXTS,
)

KEYS = st.one_of(st.text(max_size=12), ODD_TEXTS)

VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=25,
)


def seed_data(text: bytes) -> Any:
    doc, diagnostics = parse_yaml(text.decode("utf-8"), "seed.yaml")
    assert doc is not None and not diagnostics
    return doc.data


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with a few random changes, at a random depth."""
    for _change in range(draw(st.integers(1, 3))):
        data = _mutate_once(draw, data)
    return data


def _mutate_once(draw: st.DrawFn, data: Any) -> Any:
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data)))
        action = draw(st.sampled_from(["descend", "descend", "replace", "delete", "add"]))
        copy = dict(data)
        if action == "descend":
            copy[key] = _mutate_once(draw, data[key])
        elif action == "replace":
            copy[key] = draw(VALUES)
        elif action == "delete":
            del copy[key]
        else:
            copy[draw(KEYS)] = draw(VALUES)
        return copy
    if isinstance(data, list) and data and draw(st.booleans()):
        index = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["descend", "descend", "replace", "delete", "duplicate"]))
        copy = list(data)
        if action == "descend":
            copy[index] = _mutate_once(draw, data[index])
        elif action == "replace":
            copy[index] = draw(VALUES)
        elif action == "delete":
            del copy[index]
        else:
            copy.append(data[index])
        return copy
    if draw(st.booleans()):
        return draw(_same_kind(data))
    return draw(st.one_of(VALUES, st.just([data]), st.just({"x": data}), st.just(str(data))))


def _same_kind(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same type as ``value`` but unusual: the schema accepts it, the rules
    behind it are then tried."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.one_of(
            st.sampled_from([0, -1, 1, 2**31, 2**63, 10**400, -(10**400)]), st.integers()
        )
    if isinstance(value, float):
        return st.one_of(
            st.sampled_from([0.0, -0.0, 1e-300, 1e308, -1e308, 0.5, 100.000001]), st.floats()
        )
    if isinstance(value, str):
        return st.one_of(
            ODD_TEXTS,
            st.text(max_size=40),
            st.just(value + "\u0301"),
            st.just(value.upper()),
            st.just(value[:-1]),
        )
    if isinstance(value, list):
        return st.one_of(st.just([]), st.just(value * 2), st.just(value[::-1]))
    if isinstance(value, dict):
        return st.just({})
    return VALUES


@st.composite
def decorated_yaml(draw: st.DrawFn, data: Any) -> str:
    """``data`` as YAML, sometimes in flow style, with a tag, an anchor or an alias, or
    wrapped in deep nesting."""
    text = dump_yaml(data)
    trick = draw(
        st.sampled_from(
            ["plain", "flow", "tag", "anchor", "alias", "deep", "documents", "bom", "huge"]
        )
    )
    if trick == "flow":
        import yaml

        return str(yaml.safe_dump(data, default_flow_style=True, allow_unicode=True))
    lines = text.splitlines()
    index = draw(st.integers(0, max(len(lines) - 1, 0)))
    line = lines[index] if lines else ""
    if trick == "tag":
        tag = draw(st.sampled_from(["!!python/object/apply:os.system", "!ENV", "!!binary", "!x"]))
        line = line.replace(": ", f": {tag} ", 1) if ": " in line else f"{tag} {line}"
    elif trick == "anchor":
        line = line.replace(": ", ": &a ", 1) if ": " in line else f"&a {line}"
    elif trick == "alias":
        line = line.split(": ", 1)[0] + ": *a" if ": " in line else "*a"
    elif trick == "deep":
        depth = draw(st.sampled_from([10, 63, 64, 65, 500, 5000]))
        line = line + " " + "[" * depth + "]" * depth if ": " in line else "[" * depth
    elif trick == "documents":
        line = line + "\n---\n" + line
    elif trick == "bom":
        line = "\ufeff" + line
    elif trick == "huge":  # a number no float holds, unquoted: YAML reads it as infinite
        huge = draw(st.sampled_from(["1e400", "-1e400", "1" * 400]))
        line = re.sub(r"(?<=: )-?[0-9][0-9.]*$", huge, line)
    if lines:
        lines[index] = line
    else:
        lines = [line]
    return "\n".join(lines) + "\n"


@st.composite
def text_mutation(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` with a few bytes or lines inserted, deleted, replaced or swapped."""
    data = bytearray(raw)
    for _change in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["insert", "delete", "replace", "swap", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if action == "insert":
            piece = draw(
                st.one_of(
                    st.binary(max_size=8),
                    st.sampled_from(
                        [
                            b"\t",
                            b": ",
                            b"- ",
                            b"{",
                            b"[",
                            b"'",
                            b'"',
                            b"&a ",
                            b"*a",
                            b"!!str ",
                            b"\n  ",
                            b"\xff",
                            b"\xc3",
                            b"\x00",
                            b"---\n",
                            b"? ",
                            b"|",
                            b">-",
                        ]
                    ),
                )
            )
            data[at:at] = piece
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        elif action == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "swap":
            lines = bytes(data).split(b"\n")
            if len(lines) > 1:
                i = draw(st.integers(0, len(lines) - 1))
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
        elif action == "truncate":
            del data[at:]
    return bytes(data)


# --- The properties ---------------------------------------------------------------------

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

YAML_READERS = [name for name in READERS if name != "csv"]


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(content=st.binary(max_size=3000))
def test_random_bytes(project: Project, reader: str, content: bytes) -> None:
    run(project, reader, content)


@pytest.mark.parametrize("reader", YAML_READERS)
@FUZZ
@given(data=st.data())
def test_random_yaml(project: Project, reader: str, data: st.DataObject) -> None:
    value = data.draw(VALUES)
    run(project, reader, data.draw(decorated_yaml(value)).encode("utf-8"))


@pytest.mark.parametrize("reader", YAML_READERS)
@FUZZ
@given(data=st.data())
def test_mutated_real_file(project: Project, reader: str, data: st.DataObject) -> None:
    value = data.draw(mutated(seed_data(project.original(reader))))
    run(project, reader, data.draw(decorated_yaml(value)).encode("utf-8"))


@pytest.mark.parametrize("reader", sorted(SHIPPED_FILES))
@settings(FUZZ, max_examples=max(EXAMPLES // 4, 5))
@given(data=st.data())
def test_mutated_shipped_file(shipped_project: Project, reader: str, data: st.DataObject) -> None:
    """The shipped files use more of each format (conditions, rubrics, evidence, reviews
    of many items): fewer examples, each slower (the whole référentiel is read)."""
    value = data.draw(mutated(seed_data(shipped_project.original(reader))))
    run(shipped_project, reader, dump_yaml(value).encode("utf-8"))


@pytest.mark.parametrize("reader", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_mutated_real_bytes(project: Project, reader: str, data: st.DataObject) -> None:
    run(project, reader, data.draw(text_mutation(project.original(reader))))


CSV_CELLS = st.one_of(st.text(max_size=30), ODD_TEXTS, st.sampled_from(['"', '""', "\r", "\n"]))


@FUZZ
@given(data=st.data())
def test_mutated_csv_cells(project: Project, data: st.DataObject) -> None:
    """The CSV of ``import lieux`` with random cells, quotes and line breaks."""
    lines = project.original("csv").decode("utf-8").splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    for _change in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.sampled_from([header, *rows]))
        row[data.draw(st.integers(0, len(row) - 1))] = data.draw(CSV_CELLS)
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    run(project, "csv", text.encode("utf-8"))


@pytest.mark.parametrize("reader", sorted(READERS))
def test_the_real_files_read_clean(project: Project, reader: str) -> None:
    """The baseline: each real file, put back unchanged, reads without an error."""
    diagnostics = run(project, reader, project.original(reader))
    assert [d for d in diagnostics if d.severity == "error"] == []


# --- Through the commands ---------------------------------------------------------------

COMMANDS = [
    ["apply", "validate", APPLICATION],
    ["assess", APPLICATION, "--reviews", "reviews", "-f", "json"],
    ["assess", APPLICATION, "-f", "csv"],
    ["assess", APPLICATION, "-f", "markdown"],
    ["assess", APPLICATION, "-f", "html"],
    ["assess", APPLICATION, "-f", "table"],
    ["coverage", "applications", "--all", "-f", "json"],
    ["coverage", "applications", "--all", "--by", "commune", "-f", "csv"],
    ["export", "lieux", "applications", "--all", "-f", "json"],
    ["review", "summary", "reviews", "--applications", "applications"],
]


@settings(FUZZ, max_examples=max(EXAMPLES // 8, 5))
@given(data=st.data())
def test_commands_on_a_mutated_application(project: Project, data: st.DataObject) -> None:
    """A mutated application through every command that reads one: exit 0 or 1 (its
    problems reported), never 2, and the JSON outputs parse (see conftest.py for the
    check that no command shows an internal error)."""
    from typer.testing import CliRunner

    from aptic_qualif.cli.app import app

    value = data.draw(mutated(seed_data(project.original("application"))))
    project.path("application").write_text(dump_yaml(value), encoding="utf-8")
    runner = CliRunner()
    try:
        for args in COMMANDS:
            with time_limit(TIMEOUT), contextlib.chdir(project.root):
                result = runner.invoke(app, args)
            assert result.exit_code in {0, 1}, (args, result.output)
            if "json" in args and result.stdout.strip():
                strict_json(result.stdout)
    finally:
        project.restore()


def strict_json(text: str) -> Any:
    """``text`` parsed as JSON as the standard defines it: no NaN, no Infinity."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_a_huge_number_of_points_is_refused_or_gives_valid_json(project: Project) -> None:
    """Found by the fuzz: a number too large for a float in the questionnaire."""
    from typer.testing import CliRunner

    from aptic_qualif.cli.app import app

    text = project.original("theme").decode("utf-8")
    assert "points: 3}" in text
    project.path("theme").write_text(text.replace("points: 3}", "points: 1e400}", 1), "utf-8")
    try:
        with contextlib.chdir(project.root):
            result = CliRunner().invoke(app, ["assess", APPLICATION, "-f", "json"])
    finally:
        project.restore()
    if result.exit_code == 2:  # refused, with the file to look at
        assert "questionnaire validate" in result.output, result.output
    else:
        strict_json(result.stdout)
