"""Markup sinks: generated Markdown, the site's HTML, SVG/XML, and the site configuration.

Text read from files is data: in a changelog section, a Markdown report or a page of the
site it renders as the text it is; the site's pages keep only safe HTML, whatever the
Markdown holds; an SVG stays well-formed XML whatever a commune is called; and
``site/mkdocs.yml`` never runs code nor reads the environment.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.referentiel.diff import diff_catalogues, render_changelog
from aptic_qualif.referentiel.load import load_catalogue
from aptic_qualif.sanitize import html_content, markdown_code, markdown_text, xml_text
from aptic_qualif.yamlio import load_yaml
from tests.conftest import MINI, REPO

HOSTILE_LABEL = (
    '<a href="javascript:alert(1)" onclick="alert(2)">clic</a> [lien](javascript:alert(3)) '
    '![img](data:text/html;base64,PHNjcmlwdD4=) {: onclick="alert(4)" } *em* `c` | ~~s~~'
)
"""A service label as an attacker would write it: raw HTML, Markdown links and images with
dangerous schemes, an attribute list, emphasis, code and a table cell separator."""

SITE_EXTENSIONS: list[Any] = [
    "tables",
    "attr_list",
    "admonition",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.escapeall",
]
SITE_EXTENSION_CONFIGS = {"pymdownx.escapeall": {"hardbreak": False, "nbsp": False}}


def _python_markdown(text: str) -> str:
    """Render like the site (Python-Markdown and the extensions of site/mkdocs.yml)."""
    return markdown.markdown(
        text, extensions=SITE_EXTENSIONS, extension_configs=SITE_EXTENSION_CONFIGS
    )


def _commonmark(text: str) -> str:
    """Render like a forge (CommonMark with tables and strikethrough, raw HTML allowed)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


class _Tags(HTMLParser):
    """Every element and attribute of an HTML text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _tags(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


# -- 3. Markdown written from data -------------------------------------------------------


def _relabelled(tmp_path: Path, label: str) -> str:
    """The changelog section of the mini référentiel with one service relabelled."""
    new_dir = tmp_path / "referentiel"
    shutil.copytree(MINI / "referentiel", new_dir)
    service = new_dir / "services" / "agir" / "reparer-son-ordinateur.yaml"
    doc, _diagnostics = load_yaml(service, service.name)
    assert doc is not None
    data = doc.data
    data["pref_label"]["fr"] = label
    service.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    old, _report = load_catalogue(MINI / "referentiel")
    new, _report = load_catalogue(new_dir)
    assert old is not None and new is not None
    return render_changelog(diff_catalogues(old, new), "2026-12-01")


@pytest.mark.parametrize("render", [_python_markdown, _commonmark])
def test_changelog_section_shows_labels_as_text(tmp_path: Path, render: Any) -> None:
    section = _relabelled(tmp_path, HOSTILE_LABEL)
    assert section.startswith("## [")
    rendered = render(section)
    page = _tags(rendered)
    assert "a" not in page.tags and "img" not in page.tags, rendered
    assert not any(name.startswith("on") or name == "href" for _t, name, _v in page.attributes)
    assert "javascript:" not in "".join(value for _t, _n, value in page.attributes)
    assert {"em", "del", "s", "table"}.isdisjoint(page.tags), rendered
    text = " ".join("".join(page.text).split())
    assert " ".join(HOSTILE_LABEL.split()) in text  # shown literally, in full


MARKDOWN_PUNCTUATION = st.text(
    alphabet=st.sampled_from(list("-+=:!?.)(#*_`[]<>&|~{}\\^$%@/'\" 019aZé\n\t\x02\x03")),
    max_size=30,
)
"""Texts made mostly of what Markdown and its extensions give a meaning to."""


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(codec="utf-8"), max_size=60), MARKDOWN_PUNCTUATION))
def test_markdown_text_renders_as_itself(value: str) -> None:
    expected = "".join(c for c in " ".join(value.split()) if unicodedata.category(c) != "Cc")
    for prefix in ("", "Texte : "):  # at the start of a line, and within one
        for render in (_python_markdown, _commonmark):
            rendered = render(prefix + markdown_text(value)).strip()
            page = _tags(rendered)
            assert set(page.tags) <= {"p"}, (value, rendered)
            shown = "".join(page.text).strip()  # entities decoded by the parser
            assert " ".join(shown.split()) == " ".join((prefix + expected).split()), (
                value,
                rendered,
            )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Créer une adresse e-mail (1.5 h)", "Créer une adresse e-mail (1.5 h)"),
        ("1. Premier", "1\\. Premier"),
        ("- tiret", "\\- tiret"),
        ("1234567890. x", "1234567890\\. x"),
        ("??? note", "\\??? note"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("{: onclick=x }", "\\{: onclick=x \\}"),
        ("a\nb\x1b", "a b"),
    ],
)
def test_markdown_text_stays_readable(value: str, written: str) -> None:
    assert markdown_text(value) == written


def test_markdown_code_never_closes_early() -> None:
    for value in ("a`b", "``x``", "<img src=x onerror=y>", "`"):
        rendered = _commonmark(markdown_code(value))
        page = _tags(rendered)
        assert page.tags == ["p", "code"], rendered
        assert "".join(page.text).strip() == value


# -- 3. The HTML of the site's pages ------------------------------------------------------


HOSTILE_MARKDOWN = """# Journal

[lien](javascript:alert(1)) [données](data:text/html;base64,PHNjcmlwdD4=)
<javascript:alert(3)>

**gras**{: onclick="alert(4)" style="background:url(https://evil.example/x)" }

## Titre { onmouseover="alert(5)" #ancre }

![image](data:image/svg+xml;base64,PHN2Zz4=){: onerror="alert(6)" }

[ok](https://example.org) [courriel](mailto:equipe@example.org) [page](#ancre)

| a | b |
|:--|--:|
| 1 | 2 |

!!! note "Note"
    Une note.
"""


def test_html_content_keeps_safe_markup_only() -> None:
    rendered = _python_markdown(HOSTILE_MARKDOWN + "\n[JS encodé](jav&#x61;script:alert(2))\n")
    assert 'href="javascript:' in rendered or "onclick" in rendered  # what the fix removes
    clean = html_content(rendered + "<script>alert(7)</script><style>p{}</style>")
    page = _tags(clean)
    assert "script" not in page.tags and "style" not in page.tags
    assert "alert(7)" not in clean
    for tag, name, value in page.attributes:
        assert not name.startswith("on"), (tag, name)
        if name in {"href", "src"}:
            assert re.match(r"(https?:|mailto:|#|[^:]*$)", value), (tag, name, value)
        if name == "style":
            assert value.replace(" ", "").rstrip(";") in {"text-align:left", "text-align:right"}
    hrefs = {value for _t, name, value in page.attributes if name == "href"}
    assert {"https://example.org", "mailto:equipe@example.org", "#ancre"} <= hrefs
    assert {"table", "h2", "strong"} <= set(page.tags)
    assert ("div", "class", "admonition note") in page.attributes
    assert ("h2", "id", "ancre") in page.attributes


class _Page(HTMLParser):
    """The content of a page of the site (inside ``<article>``), and the whole page's
    event handlers and link addresses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[tuple[str, str]] = []
        self.styles: list[str] = []
        self.article: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self._depth += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in {"href", "src"} and value is not None:
                self.urls.append((tag, value))
            if name == "style" and self._depth:
                self.styles.append(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.article.append(data)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project with hostile CHANGELOG.md, CONTRIBUTING.md and service label,
    built once (the checkout's site configuration)."""
    from aptic_qualif.publish.site import build_site

    tmp = tmp_path_factory.mktemp("hostile")
    root = tmp / "projet"
    shutil.copytree(MINI, root)
    section = _relabelled(tmp / "diff", HOSTILE_LABEL)
    (root / "referentiel" / "CHANGELOG.md").write_text(
        "# Journal du référentiel\n\n" + section + "\n" + HOSTILE_MARKDOWN, encoding="utf-8"
    )
    (root / "CONTRIBUTING.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    return build_site(root, tmp / "site")


def test_site_pages_hold_no_script_handler_or_unsafe_link(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        assert not page.handlers, (path, page.handlers)
        for tag, url in page.urls:
            assert not url.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (
                path,
                tag,
                url,
            )
        for style in page.styles:
            assert "url(" not in style, (path, style)


def test_journal_shows_the_label_as_text(hostile_site: Path) -> None:
    journal = hostile_site / "journal" / "referentiel" / "index.html"
    page = _Page()
    page.feed(journal.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.article).split())
    assert " ".join(HOSTILE_LABEL.split()) in text
    assert "lien" in text and "gras" in text  # the contributor's text stays


def test_site_still_has_what_the_theme_needs(hostile_site: Path) -> None:
    home = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "<script" in home  # the theme's own scripts are not page content
    contributing = (hostile_site / "contribuer" / "index.html").read_text(encoding="utf-8")
    assert 'class="headerlink"' in contributing and 'class="admonition note"' in contributing
    assert '<td style="text-align:right">2</td>' in contributing.replace('; "', '"')


# -- 4. SVG and XML --------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_xml_text_keeps_any_document_well_formed(value: str) -> None:
    document = f'<t a="{xml_text(value)}">{xml_text(value)}</t>'
    root = ET.fromstring(document)
    assert root.get("a") is not None and (root.text or "") is not None


def test_coverage_svg_with_control_characters_is_well_formed(runner: CliRunner) -> None:
    from aptic_qualif.application import application_files
    from aptic_qualif.context import load_context
    from aptic_qualif.network.coverage import assess_with_places, compute_coverage, render_svg
    from aptic_qualif.review.load import load_reviews

    context = load_context(REPO, need_policy=True)
    files, _missing = application_files([REPO / "examples" / "applications"])
    reviews, _report = load_reviews(REPO / "examples" / "reviews", context.questionnaire)
    batch, places = assess_with_places(files, context, reviews, REPO / "examples" / "reviews")
    hostile = "Saint\x01Denis\x0b\x1b[2J\ufffe <&> \"'"
    places = {name: {**answers, "commune": hostile} for name, answers in places.items()}
    coverage = compute_coverage(
        batch.assessments, places, context.catalogue, by="commune", qualified_only=False
    )
    assert any("Saint" in row.label for row in coverage.territories)
    svg = render_svg(coverage)
    root = ET.fromstring(svg)  # raised "not well-formed (invalid token)" before
    texts = " ".join(node.text or "" for node in root.iter())
    assert "Saint␁Denis" in texts and "<&>" in texts


# -- 14. The site configuration -----------------------------------------------------------


def _project_with_site(tmp_path: Path, extra: str) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")
    config = root / "site" / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for key in re.findall(r"^(\w+):", extra, re.MULTILINE):  # the poisoned value replaces it
        text = re.sub(rf"^{key}:.*\n", "", text, flags=re.MULTILINE)
    config.write_text(text + extra, encoding="utf-8")
    return root


def _line_of(root: Path, needle: str) -> int:
    lines = (root / "site" / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("extra", "needle", "code"),
    [
        (
            "repo_name: !!python/object/apply:os.system ['touch {witness}']\n",
            "repo_name",
            "YAML004",
        ),
        ("repo_url: !!python/object/new:os.system ['touch {witness}']\n", "repo_url", "YAML004"),
        ("site_url: !ENV [HOME, 'https://example.org/']\n", "site_url", "YAML004"),
        ("hooks:\n  - witness_hook.py\n", "hooks:", "SITE001"),
        ("INHERIT: autre.yml\n", "INHERIT", "SITE001"),
    ],
)
def test_poisoned_site_configuration_is_refused(
    tmp_path: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    extra: str,
    needle: str,
    code: str,
) -> None:
    witness = tmp_path / "executed"
    root = _project_with_site(tmp_path, "\n" + extra.format(witness=witness))
    (root / "site" / "witness_hook.py").write_text(
        f"open({str(witness)!r}, 'w').close()\n", encoding="utf-8"
    )
    (root / "site" / "autre.yml").write_text(
        f"repo_name: !!python/object/apply:os.system ['touch {witness}']\n", encoding="utf-8"
    )
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["publish", "site", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert not witness.exists()  # nothing ran
    line = _line_of(root, needle)
    assert re.search(rf"site/mkdocs\.yml:{line}:\d+: error\[{code}\]", result.output), result.output
    assert "Traceback" not in result.output and "erreur interne" not in result.output
    assert not (tmp_path / "out").exists()


def test_shipped_site_configuration_tags_are_known(tmp_path: Path) -> None:
    """The tags of the shipped mkdocs.yml (mkdocs-material's slugify) are allowed; the
    same function under another tag, or another function, is not."""
    from aptic_qualif.errors import CommandError
    from aptic_qualif.publish.site import check_config

    config = REPO / "site" / "mkdocs.yml"
    check_config(config)  # no error
    text = config.read_text(encoding="utf-8")
    emoji = tmp_path / "emoji.yml"  # mkdocs-material's documented emoji configuration
    emoji.write_text(
        text
        + "  - pymdownx.emoji:\n"
        + "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        + "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
        encoding="utf-8",
    )
    check_config(emoji)
    assert "!!python/object/apply:pymdownx.slugs.slugify" in text
    poisoned = tmp_path / "mkdocs.yml"
    poisoned.write_text(
        text.replace("pymdownx.slugs.slugify", "subprocess.check_output"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"mkdocs\.yml:\d+:\d+: error\[YAML004\]") as raised:
        check_config(poisoned)
    assert "!!python/object/apply:pymdownx.slugs.slugify" in str(raised.value)  # the hint
