"""The English site: built into ``en/`` beside the French one, from the same sources."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from aptic_qualif.context import Context, load_context
from aptic_qualif.errors import CommandError
from aptic_qualif.publish.site import build_site
from aptic_qualif.publish.site.config import _merge
from tests.conftest import MINI, REPO
from tests.test_site import _Page, _parse, _target


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(REPO, tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def shipped_context() -> Context:
    return load_context(REPO, need_policy=True)


def _french_pages(site: Path) -> list[Path]:
    """The French site's pages, without the redirects left at former addresses."""
    return [
        path
        for path in sorted(site.rglob("*.html"))
        if not path.relative_to(site).as_posix().startswith("en/")
        and 'http-equiv="refresh"' not in path.read_text(encoding="utf-8")
    ]


def _text(path: Path) -> str:
    return html.unescape(" ".join(" ".join(_parse(path).text).split()))


def test_every_french_page_has_its_english_page(site: Path) -> None:
    pages = _french_pages(site)
    assert len(pages) > 80
    missing = [p for p in pages if not (site / "en" / p.relative_to(site)).is_file()]
    assert not missing
    for name in ("referentiel/comprendre-internet.jsonld", "telechargements/lieux.csv"):
        assert (site / "en" / name).read_bytes() == (site / name).read_bytes()


def test_the_other_language_is_marked(site: Path) -> None:
    """WCAG 3.1.2 (RGAA 8.7): the French text on an English page, and the English text on
    a French page, say their language."""
    english = (site / "en" / "referentiel" / "comprendre-internet" / "index.html").read_text(
        encoding="utf-8"
    )
    french = (site / "referentiel" / "comprendre-internet" / "index.html").read_text(
        encoding="utf-8"
    )
    assert '<p lang="fr"><strong>Comprendre ce qu' in english
    assert '<p lang="en"><strong>Understand' in french


def test_english_pages_speak_english(site: Path, shipped_context: Context) -> None:
    home = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home
    assert "<title>Catalogue of digital mediation services</title>" in home
    assert "Switch to dark mode" in home and "Passer au thème sombre" not in home
    service = shipped_context.catalogue.services["creer-une-adresse-electronique"]
    text = _text(site / "en" / "referentiel" / service.id / "index.html")
    assert f"{service.notation} — {service.pref_label.en}" in text
    assert service.definition.en in text
    assert "One-to-one support" in text  # a modality, in English
    navigation = _text(site / "en" / "telechargements" / "index.html")
    for title in ("Home", "Questionnaire", "Territorial coverage", "Downloads", "Error codes"):
        assert title in navigation, title
    assert "Téléchargements" not in navigation
    coverage = _text(site / "en" / "couverture" / "index.html")
    assert "Fictional examples" in coverage
    assert "Map of qualified venues" in coverage
    french = _text(site / "couverture" / "index.html")
    assert "Exemples fictifs" in french and "Fictional examples" not in french


FRENCH_FRAMING = (
    "Téléchargements",
    "Couverture territoriale",
    "Aucune donnée",
    "Exemples fictifs",
    "Lieux qualifiés",
    "Posée seulement si",
    "Propriété",
    "Objectifs d'apprentissage",
    "Correspondances",
    "Historique",
)
"""Texts of the French site's templates that must never appear on the English site."""


def test_the_english_questionnaire_page_shows_the_time_to_answer(site: Path) -> None:
    text = _text(site / "en" / "questionnaire" / "index.html")
    assert "Time to answer" in text and "Small fixed venue" in text
    assert "Every question" in text and "Estimated minutes" in text
    assert "Temps de réponse" not in text


def test_no_french_framing_on_the_english_site(site: Path) -> None:
    """Apart from the parts marked as French (``lang="fr"``: the French text of a concept,
    given under "En français") and the pages that say they exist only in French."""
    leftovers = []
    for path in sorted((site / "en").rglob("*.html")):
        raw = path.read_text(encoding="utf-8")
        if "Only in French" in raw:
            continue
        raw = re.sub(r'<p lang="fr">.*?</p>', "", raw, flags=re.S)
        page = _Page()
        page.feed(raw)
        text = html.unescape(" ".join(" ".join(page.text).split()))
        for phrase in FRENCH_FRAMING:
            if phrase in text:
                leftovers.append(f"{path.relative_to(site)}: {phrase}")
    assert not leftovers, "\n".join(leftovers[:30])


def test_english_pages_use_english_quotes(site: Path) -> None:
    """English text between « » (the French quotes) was left on the English site; text
    marked as French (``lang="fr"``) keeps them, and so do the pages that say they exist
    only in French."""
    leftovers = []
    for path in sorted((site / "en").rglob("*.html")):
        raw = path.read_text(encoding="utf-8")
        if "Only in French" in raw:
            continue
        raw = re.sub(r'<(\w+)[^>]*\slang="fr"[^>]*>.*?</\1>', "", raw, flags=re.S)
        page = _Page()
        page.feed(raw)
        text = html.unescape(" ".join(" ".join(page.text).split()))
        for found in re.finditer(r".{0,40}[«»].{0,40}", text):
            leftovers.append(f"{path.relative_to(site)}: {found.group()}")
    assert not leftovers, "\n".join(leftovers[:30])


@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "referentiel/comprendre-internet/index.html",
        "questionnaire/publics/index.html",
    ],
)
def test_the_language_selector_leads_to_the_same_page(site: Path, page: str) -> None:
    for here in (site / page, site / "en" / page):
        raw = here.read_text(encoding="utf-8")
        # the selector only: the theme's script misreads rel=alternate links (see main.html)
        assert '<link rel="alternate" href' not in raw
        for element in ("a",):
            links = {
                lang: href
                for href, lang in re.findall(
                    rf'<{element} (?:rel="alternate" )?href="([^"]*)" hreflang="(fr|en)"', raw
                )
            }
            assert set(links) == {"fr", "en"}, (here, element)
            for lang, href in links.items():
                found = _target(site, here, href)
                assert found is not None
                expected = site / page if lang == "fr" else site / "en" / page
                assert found[0] == expected.resolve(), (here, element, lang, href)
    assert 'aria-current="true"' in (site / "en" / page).read_text(encoding="utf-8")


def test_the_english_search_is_english(site: Path, shipped_context: Context) -> None:
    from aptic_qualif.publish.site import FOLDED_FIELD

    index = json.loads((site / "en" / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == ["en"]
    assert FOLDED_FIELD in index["config"]["fields"]
    service = shipped_context.catalogue.services["reperer-l-hameconnage-et-les-arnaques"]
    by_location = {doc["location"]: doc for doc in index["docs"]}
    doc = by_location[f"referentiel/{service.id}/"]
    assert service.pref_label.en in html.unescape(doc["title"])


def test_french_only_pages_stay_out_of_the_english_search(site: Path) -> None:
    """English queries found « Journal des modifications », « Ajouté », « Contribuer à
    aptic-qualif »: the pages shown in French on the English site are not indexed by its
    search (the French search keeps them), and the navigation names them in English."""
    english = json.loads((site / "en" / "search" / "search_index.json").read_text("utf-8"))
    french = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    french_only = ("journal/", "contribuer/", "questionnaire/charte/")
    assert not [d["location"] for d in english["docs"] if d["location"].startswith(french_only)]
    assert [d["location"] for d in french["docs"] if d["location"].startswith(french_only)]
    for doc in english["docs"]:
        assert "Ajouté" not in doc["title"] and "Journal des modifications" not in doc["title"]
    charter = (site / "en" / "questionnaire" / "charte" / "index.html").read_text("utf-8")
    assert "<title>Charter of qualified venues - " in charter and "Only in French" in charter
    home = (site / "en" / "index.html").read_text("utf-8")
    assert "Charter of qualified venues" in home  # its entry in the navigation


def test_a_hand_written_page_takes_its_english_version_or_says_it_is_french(
    tmp_path: Path,
) -> None:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")
    (root / "site" / "docs" / "notes.md").write_text(
        "# Notes du réseau\n\nTexte en français.\n", encoding="utf-8"
    )
    site = build_site(root, tmp_path / "out")
    guide = _text(site / "en" / "utiliser" / "index.html")
    assert "Using the catalogue" in guide and "Only in French" not in guide
    notes = _text(site / "en" / "notes" / "index.html")
    assert "Only in French" in notes and "Texte en français." in notes
    assert "Only in French" not in _text(site / "notes" / "index.html")
    assert not (site / "utiliser.en").exists() and not list(site.rglob("*.en.md"))
    assert "Utiliser le référentiel" in _text(site / "utiliser" / "index.html")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("site_name: !!python/object/apply:os.system [echo]\n", "YAML004"),
        ("site_name: !ENV HOME\n", "YAML004"),
        ("INHERIT: ../../secret.yml\n", "SITE001"),
        ("hooks: [hook.py]\n", "SITE001"),
    ],
)
def test_the_english_configuration_is_checked_before_mkdocs_reads_it(
    tmp_path: Path, text: str, code: str
) -> None:
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")
    (root / "site" / "mkdocs.en.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        build_site(root, tmp_path / "out")
    message = str(raised.value)
    assert "mkdocs.en.yml:1:" in message and f"error[{code}]" in message
    assert not (tmp_path / "out").exists()


def test_the_english_configuration_merges_like_inherit() -> None:
    base = {
        "site_name": "Référentiel",
        "theme": {"name": "material", "language": "fr", "palette": [{"scheme": "default"}]},
        "plugins": [{"search": {"lang": "fr", "separator": "x"}}, "tags"],
        "markdown_extensions": ["admonition", {"toc": {"permalink": True, "title": "T"}}],
    }
    override = {
        "site_name": "Catalogue",
        "theme": {"palette": [{"scheme": "slate"}]},
        "plugins": [{"search": {"lang": "en"}}],
        "markdown_extensions": [{"toc": {"title": "Contents"}}],
    }
    merged = _merge(base, override)
    assert merged["site_name"] == "Catalogue"
    assert merged["theme"] == {
        "name": "material",
        "language": "fr",
        "palette": [{"scheme": "slate"}],  # lists are replaced
    }
    assert merged["plugins"] == [{"search": {"lang": "en", "separator": "x"}}, "tags"]
    assert merged["markdown_extensions"] == [
        "admonition",
        {"toc": {"permalink": True, "title": "Contents"}},
    ]
    assert base["site_name"] == "Référentiel"  # the base is left as it was


def test_numbers_and_dates_follow_the_page_language() -> None:
    from datetime import date

    from aptic_qualif.i18n import use_language
    from aptic_qualif.publish.site import decimal, long_date, number

    with use_language("fr"):
        assert [number(3847), number(1.5), number(12), decimal(0.5)] == [
            "3\u202f847",
            "1,5",
            "12",
            "0,50",
        ]
        assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
        assert long_date(date(2026, 8, 15)) == "15 août 2026"
    with use_language("en"):
        assert [number(3847), number(1.5), number(12), decimal(0.5)] == [
            "3,847",
            "1.5",
            "12",
            "0.50",
        ]
        assert long_date(date(2026, 12, 1)) == "1 December 2026"


def test_plurals_agree_in_each_language() -> None:
    from aptic_qualif.i18n import use_language
    from aptic_qualif.publish.site import translate_plural

    def points(n: float) -> str:
        return translate_plural("{n} point", "{n} points", n)

    with use_language("fr"):
        assert [points(0), points(1), points(1.5), points(2)] == [
            "0 point",
            "1 point",
            "1,5 point",
            "2 points",
        ]
    with use_language("en"):
        assert [points(0), points(1), points(1.5), points(2)] == [
            "0 points",
            "1 point",
            "1.5 points",
            "2 points",
        ]


def test_a_theme_given_by_name_alone_is_built_in_english(tmp_path: Path) -> None:
    """``theme: material`` (the short form) still gets the English theme language."""
    root = tmp_path / "projet"
    shutil.copytree(MINI, root)
    shutil.copytree(REPO / "site", root / "site")
    config = root / "site" / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start, end = text.index("\ntheme:\n"), text.index("\nextra:\n")
    config.write_text(text[:start] + "\ntheme: material\n" + text[end:], encoding="utf-8")
    (root / "site" / "mkdocs.en.yml").unlink()
    site = build_site(root, tmp_path / "out")
    assert '<html lang="en"' in (site / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in (site / "index.html").read_text(encoding="utf-8")  # theme default


def test_the_readme_says_where_english_readers_are_redirected(site: Path) -> None:
    """The README promised that an English browser is sent to the English pages; that holds
    only behind the w3id.org rules, for concept IRIs. Served as files (python -m http.server,
    as the README shows), the site redirects nobody: the README now says so."""
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh"' not in home and "navigator.language" not in home
    rules = (site / "telechargements" / "w3id.htaccess").read_text(encoding="utf-8")
    assert "RewriteCond %{ENV:QE}#%{ENV:QF}" in rules  # English weighed above French
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "un navigateur qui préfère l'anglais est envoyé aux pages anglaises |" not in readme
    assert "n'est envoyé aux pages anglaises que lorsqu'il suit l'IRI d'un concept" in readme
    assert "ne redirige personne" in readme
    assert "le site s'ouvre en français, quelle que soit la langue du navigateur" in readme
