"""The standalone HTML report: well formed, self-contained, safe and deterministic."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aptic_qualif.context import load_context
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.scoring.html import (
    RadarAxis,
    radar_points,
    radar_svg,
    render_html,
)
from aptic_qualif.scoring.model import Assessment, Disagreement, ReviewUse, StaleReview
from aptic_qualif.scoring.render import decision_label

REPO = Path(__file__).resolve().parent.parent
APPLICATIONS = REPO / "examples" / "applications"
MALICIOUS = "<script>alert(1)</script>{{ 7*7 }}"

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Checker(HTMLParser):
    """Checks that every element is closed in order, and records what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.svgs: list[dict[str, int]] = []
        self.urls: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, rel) of each <a href> out of the page
        self.tags: set[str] = set()
        self.ids: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if tag == "a" and name == "href" and value and not value.startswith("#"):
                # A link the reader may follow, not a resource the page loads.
                self.links.append((value, dict(attrs).get("rel") or ""))
            elif name in {"src", "href", "xlink:href", "action", "srcset", "poster", "data"}:
                self.urls.append(value or "")
            if name == "id" and value:
                self.ids.append(value)
            if name == "style" and value and "url(" in value:
                self.urls.append(value)
        if tag == "svg":
            self.svgs.append({"axes": 0, "title": 0, "role_img": int(("role", "img") in attrs)})
        if self.svgs and "svg" in [*self.stack, tag]:
            if tag == "line" and ("class", "axis") in attrs:
                self.svgs[-1]["axes"] += 1
            if tag == "title":
                self.svgs[-1]["title"] += 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]} at {self.getpos()}")
            return
        self.stack.pop()


def check(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.doctype
    assert checker.errors == []
    assert checker.stack == []
    assert len(checker.ids) == len(set(checker.ids)), "ids must be unique"
    return checker


@pytest.fixture(scope="module")
def assessments() -> list[Assessment]:
    context = load_context(REPO, need_policy=True)
    batch = assess_files(sorted(APPLICATIONS.glob("*.yaml")), context)
    assert batch.unreadable == []
    assert len(batch.assessments) >= 3
    return batch.assessments


def test_one_page_per_batch_with_a_radar_per_application(
    assessments: list[Assessment],
) -> None:
    page = render_html(assessments)
    checker = check(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert len(checker.svgs) == len(assessments)
    for svg in checker.svgs:
        assert svg == {"axes": 5, "title": 1, "role_img": 1}
    assert page.count("<svg") == len(assessments)
    # A table of contents links to every application.
    assert "nav" in checker.tags
    anchors = [url for url in checker.urls if url.startswith("#") and url != "#contenu"]
    assert len(anchors) == len(assessments)
    assert {a[1:] for a in anchors} <= set(checker.ids)
    for a in assessments:
        assert decision_label(a.decision) in page
    assert "<details" in page and "<summary>" in page
    assert "@media print" in page


def test_a_single_application_has_no_table_of_contents(assessments: list[Assessment]) -> None:
    page = render_html(assessments[:1])
    checker = check(page)
    assert "nav" not in checker.tags
    assert len(checker.svgs) == 1
    assert decision_label(assessments[0].decision) in page
    assert assessments[0].venue.replace("'", "&#39;") in page


EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)" rel="nofollow noopener">([^<]*)</a>')


def test_no_network_resource_and_no_script(assessments: list[Assessment]) -> None:
    """The page loads nothing and runs nothing: its only way out is a link the reader may
    follow, to the evidence a venue gave (web links, shown as such)."""
    page = render_html(assessments)
    checker = check(page)
    assert all(url.startswith("#") for url in checker.urls), checker.urls
    # Each link out is an http(s) evidence of a venue, and says it is not endorsed.
    evidence = {e for a in assessments for items in a.evidence.values() for e in items}
    assert checker.links, "the examples give web links as evidence"
    for href, rel in checker.links:
        assert re.fullmatch(r"https?://[^\s\"'<>]+", href), href
        assert href in evidence, href
        assert {"nofollow", "noopener"} <= set(rel.split()), (href, rel)
    # Outside these links (their target and their text), no address of the network at all.
    without_links = EXTERNAL_LINK.sub("", page)
    assert len(EXTERNAL_LINK.findall(page)) == len(checker.links)
    assert "http://" not in without_links and "https://" not in without_links
    assert "@import" not in page and "url(" not in page
    assert not {"script", "img", "link", "iframe", "object", "embed"} & checker.tags
    assert not any(name.startswith("on") for name in _attribute_names(page))


def _attribute_names(page: str) -> set[str]:
    names: set[str] = set()

    class Names(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names.update(name for name, _value in attrs)

    Names().feed(page)
    return names


@pytest.mark.parametrize(
    "evidence",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example.org/x.js",
        'https://example.org/" onmouseover="alert(1)',
        "https://example.org/ javascript:alert(1)",
    ],
)
def test_only_web_evidence_becomes_a_link(assessments: list[Assessment], evidence: str) -> None:
    """An evidence that is not a plain http(s) address is shown as text, never as a link."""
    original = next(a for a in assessments if a.lines)
    item = original.lines[0].item
    harmless = "programme-des-ateliers.pdf"
    assessment = original.model_copy(update={"evidence": {item: [harmless, evidence]}})
    page = render_html([assessment])
    checker = check(page)
    assert checker.links == []
    assert all(url.startswith("#") for url in checker.urls), checker.urls
    assert "<script" not in page.lower()
    assert not any(name.startswith("on") for name in _attribute_names(page))
    # Still shown, as escaped text next to the other evidence.
    shown = evidence.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    shown = shown.replace('"', "&#34;").replace("'", "&#39;")
    assert f"{harmless} · {shown}" in page, evidence


def test_web_evidence_becomes_a_link(assessments: list[Assessment]) -> None:
    original = next(a for a in assessments if a.lines)
    item = original.lines[0].item
    url = "https://lieu.example.org/programme?annee=2026&mois=10"
    page = render_html([original.model_copy(update={"evidence": {item: [url]}})])
    checker = check(page)
    assert checker.links == [(url, "nofollow noopener")]
    assert 'href="https://lieu.example.org/programme?annee=2026&amp;mois=10"' in page


def test_text_from_the_application_is_never_markup_nor_template(
    assessments: list[Assessment],
) -> None:
    original = assessments[0]
    evil = original.model_copy(update={"venue": MALICIOUS})
    page = render_html([evil, assessments[1]])
    check(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page
    assert "<script" not in page.lower()
    # Nothing was evaluated: "49" appears exactly as often as with a harmless name.
    harmless = render_html([original.model_copy(update={"venue": "Lieu"}), assessments[1]])
    assert page.count("49") == harmless.count("49")
    # The venue is in the chart's title too, escaped there as well.
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None and "&lt;script&gt;" in svg.group(0)


def test_reviews_are_shown(assessments: list[Assessment]) -> None:
    reviewed = assessments[0].model_copy(
        update={
            "reviews": ReviewUse(
                used=["alice", "bob"],
                stale=[StaleReview(reviewer="carole", changes=["the answer changed"])],
                conflicted=["<b>dan</b>"],
                disagreements=[
                    Disagreement(item="apt-demarche-pedagogique", scores={"b": 1, "a": 4})
                ],
            )
        }
    )
    page = render_html([reviewed])
    check(page)
    for text in ("alice", "bob", "carole", "&lt;b&gt;dan&lt;/b&gt;", "apt-demarche-pedagogique"):
        assert text in page
    assert "<b>dan" not in page
    assert page.index("<code>a</code> — 4") < page.index("<code>b</code> — 1")


def test_rendering_is_deterministic(assessments: list[Assessment]) -> None:
    assert render_html(assessments) == render_html(list(assessments))


def test_english(assessments: list[Assessment]) -> None:
    from aptic_qualif.i18n import set_language

    set_language("en")
    page = render_html(assessments[:2])
    check(page)
    assert '<html lang="en">' in page
    assert "Qualification report" in page
    assert decision_label(assessments[0].decision) in page


def test_no_application() -> None:
    check(render_html([]))


# --- the radar's geometry ------------------------------------------------------------------


def test_radar_full_score_reaches_the_outer_radius() -> None:
    points = radar_points([100, 100, 100, 100, 100], 200, 150, 100)
    assert points[0] == (200.0, 50.0)  # the first axis points up
    for x, y in points:
        assert math.hypot(x - 200, y - 150) == pytest.approx(100, abs=0.1)
    # Clockwise: the second axis is on the right.
    assert points[1][0] > 200


def test_radar_values_are_clamped_and_rounded() -> None:
    assert radar_points([0, 0, 0], 10, 10, 50) == [(10.0, 10.0)] * 3
    assert radar_points([150, -20, 50, 50], 0, 0, 100) == [
        (0.0, -100.0),
        (0.0, 0.0),
        (0.0, 50.0),
        (-50.0, 0.0),
    ]
    for x, y in radar_points([33.3, 66.6, 12.5, 90.1, 47.7, 80], 123.456, 78.9, 97.3):
        assert round(x, 1) == x and round(y, 1) == y
    with pytest.raises(ValueError):
        radar_points([50, 50], 0, 0, 10)


@pytest.mark.parametrize("count", [3, 4, 5, 8])
def test_radar_svg_has_one_axis_per_theme(count: int) -> None:
    axes = [RadarAxis(f"Thème <{i}> & co", 10.0 * i, 40.0, i > 3) for i in range(count)]
    svg = radar_svg(
        axes, ident="r", title="Titre <b>", venue_legend="Lieu", threshold_legend="Seuil"
    )
    checker = check(f"<!DOCTYPE html><html><body>{svg}</body></html>")
    assert checker.svgs == [{"axes": count, "title": 1, "role_img": 1}]
    assert "Thème &lt;0&gt; &amp; co" in svg and "<b>" not in svg
    assert 'aria-labelledby="r-title r-desc"' in svg
    assert re.findall(r"-?\d+\.\d\d+", svg) == []  # one decimal at most
    assert svg == radar_svg(
        axes, ident="r", title="Titre <b>", venue_legend="Lieu", threshold_legend="Seuil"
    )
