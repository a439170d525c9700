"""Cross-checks between a venue's answers (:mod:`aptic_qualif.coherence`): one failing
fixture per code, the reproduction a practitioner reported, coherent and travelling venues
left alone, properties over varied hours, the command line and the web front."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.coherence import HOURS_IN_A_WEEK, check_coherence
from aptic_qualif.context import Context, load_context
from aptic_qualif.diagnostics import Span
from aptic_qualif.hours import weekly_hours
from tests.conftest import REPO
from tests.test_web import APP, Web
from tests.test_web_rules import IDENTITY, field_errors, save, status, submit
from tests.test_web_rules import web as web

BASE = REPO / "examples" / "applications" / "tiers-lieu-la-coursive.yaml"
"""A coherent application: fixed, 6 h of opening and of mediation by one person, 12 people a
month, no opening hours written, no outreach."""

COHERENCE = {f"APP02{n}" for n in range(3, 10)}


@cache
def _context() -> Context:
    return load_context(REPO)


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, str], ...]
    expected: tuple[tuple[str, str, str], ...]
    """(code, severity, item the diagnostic is at)."""


IDENT = "  itinerance: fixe\n"


def identity(*lines: str) -> tuple[str, str]:
    """An edit that adds ``lines`` to the venue's identity."""
    return IDENT, IDENT + "".join(f"  {line}\n" for line in lines)


def answer(old: str, new: str) -> tuple[str, str]:
    return f"  {old}\n", f"  {new}\n"


def add(*lines: str) -> tuple[str, str]:
    """An edit that adds ``lines`` to the answers (after the number of mediators)."""
    anchor = "  apt-nombre-mediateurs: 1\n"
    return anchor, anchor + "".join(f"  {line}\n" for line in lines)


CASES = [
    Case(
        "opening-beyond-published-hours",
        (identity('horaires: "Sa 09:00-10:00"'),),
        (("APP023", "error", "apt-heures-ouverture"),),
    ),
    Case(
        "opening-a-little-beyond-published-hours",
        (identity('horaires: "Mo 09:00-13:00"'),),
        (("APP023", "warning", "apt-heures-ouverture"),),
    ),
    Case(
        "opening-beyond-published-hours-with-outreach",
        (
            identity('horaires: "Sa 09:00-10:00"'),
            answer("ter-permanences-exterieures: false", "ter-permanences-exterieures: true"),
            answer("ter-permanences-exterieures: true", "ter-permanences-exterieures: true\n  "
                   "ter-nombre-points-intervention: 2"),
        ),
        (("APP023", "warning", "apt-heures-ouverture"),),
    ),
    Case(
        "opening-beyond-published-hours-by-appointment",
        (identity('horaires: "Sa 09:00-10:00"', "modalites_acces: [prendre-rdv-en-ligne]"),),
        (("APP023", "warning", "apt-heures-ouverture"),),
    ),
    Case(
        "hours-with-nobody",
        (answer("apt-nombre-mediateurs: 1", "apt-nombre-mediateurs: 0"),),
        (("APP024", "error", "apt-heures-mediation"),),
    ),
    Case(
        "more-than-a-week-per-person",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 200"),
            answer("apt-heures-ouverture: 6", "apt-heures-ouverture: 168"),
        ),
        (("APP024", "error", "apt-heures-mediation"),),
    ),
    Case(
        "more-than-a-legal-week-per-person",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 50"),
            answer("apt-heures-ouverture: 6", "apt-heures-ouverture: 60"),
        ),
        (("APP024", "warning", "apt-heures-mediation"),),
    ),
    Case(
        "a-team-without-hours",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 0"),
            identity("modalites_accompagnement: [en-autonomie]"),
        ),
        (("APP024", "warning", "apt-heures-mediation"),),
    ),
    Case(
        "mediation-beyond-opening",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 10"),
            add("apt-benevoles-reguliers: 0"),
        ),
        (("APP025", "error", "apt-heures-mediation"),),
    ),
    Case(
        "mediation-beyond-opening-volunteers-not-counted",
        (answer("apt-heures-mediation: 6", "apt-heures-mediation: 10"),),
        (("APP025", "warning", "apt-heures-mediation"),),
    ),
    Case(
        "mediation-beyond-opening-by-appointment",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 10"),
            add("apt-benevoles-reguliers: 0"),
            identity("modalites_acces: [prendre-rdv-en-ligne]"),
        ),
        (("APP025", "warning", "apt-heures-mediation"),),
    ),
    Case(
        "mediation-beyond-opening-at-a-distance",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 10"),
            add("apt-benevoles-reguliers: 0"),
            identity("modalites_accompagnement: [a-distance]"),
        ),
        (),
    ),
    Case(
        "too-many-people-an-hour",
        (answer("pub-personnes-par-mois: 12", "pub-personnes-par-mois: 500"),),
        (("APP026", "warning", "pub-personnes-par-mois"),),
    ),
    Case(
        "nobody-supported",
        (answer("pub-personnes-par-mois: 12", "pub-personnes-par-mois: 0"),),
        (("APP026", "warning", "pub-personnes-par-mois"),),
    ),
    Case(
        "people-without-hours",
        (
            answer("apt-heures-mediation: 6", "apt-heures-mediation: 0"),
            answer("apt-nombre-mediateurs: 1", "apt-nombre-mediateurs: 0"),
        ),
        (("APP026", "warning", "pub-personnes-par-mois"),),
    ),
    Case(
        "independent-use-without-devices",
        (
            identity("modalites_accompagnement: [en-autonomie]"),
            answer("apt-postes-publics: 2", "apt-postes-publics: 0"),
        ),
        (("APP027", "warning", "modalites_accompagnement"),),
    ),
    Case(
        "computers-without-public",
        (identity("modalites_acces: [pas-d-accueil-du-public]"),),
        (("APP027", "warning", "modalites_acces"),),
    ),
    Case(
        "fixed-mobile-space",
        (answer("  - tiers-lieux", "  - enm"),),
        (("APP028", "warning", "itinerance"),),
    ),
    Case(
        "travelling-nowhere",
        (
            answer("itinerance: fixe", "itinerance: itinerant"),
            answer("ter-permanences-exterieures: false", "ter-permanences-exterieures: false\n  "
                   "ter-nombre-points-intervention: 0"),
        ),
        (
            ("APP028", "warning", "ter-permanences-exterieures"),
            ("APP028", "warning", "ter-nombre-points-intervention"),
        ),
    ),
    Case(
        "aidants-connect-without-its-training",
        (
            answer(
                "cs-faire-pour-autrui: la-personne-fait",
                "cs-faire-pour-autrui: aidants-connect\n  cs-apprendre-apres: true",
            ),
        ),
        (("APP029", "warning", "cs-faire-pour-autrui"),),
    ),
]  # fmt: skip


def _write(tmp_path: Path, edits: tuple[tuple[str, str], ...], name: str = "lieu.yaml") -> Path:
    text = BASE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _found(path: Path) -> list[tuple[str, str, str]]:
    """The cross-check diagnostics of the application at ``path``: code, severity and the
    item whose answer they point to (every other diagnostic must be absent)."""
    context = _context()
    checked, report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None
    others = [d.render() for d in report.diagnostics if d.code not in COHERENCE]
    assert others == [], others
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for d in report.diagnostics:
        key = lines[d.span.line - 1].strip().split(":")[0]
        found.append((d.code, d.severity, key))
    return sorted(found)


def test_the_base_application_is_coherent(tmp_path: Path) -> None:
    assert _found(_write(tmp_path, ())) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case, tmp_path: Path) -> None:
    assert _found(_write(tmp_path, case.edits)) == sorted(case.expected)


def test_every_cross_check_has_a_failing_fixture() -> None:
    errors = {code for case in CASES for code, severity, _ in case.expected if severity == "error"}
    assert {code for case in CASES for code, _s, _i in case.expected} == COHERENCE
    assert errors == {"APP023", "APP024", "APP025"}


REPRODUCTION = (
    identity('horaires: "Sa 09:00-10:00"'),
    answer("apt-heures-ouverture: 6", "apt-heures-ouverture: 60"),
    answer("apt-heures-mediation: 6", "apt-heures-mediation: 80"),
    answer("apt-nombre-mediateurs: 1", "apt-nombre-mediateurs: 0"),
)
"""A reviewer's report: one hour a week of opening, sixty hours open for mediation, eighty
hours with the public and nobody to spend them, once found « Aucun problème »."""


def test_the_reviewers_reproduction_is_two_errors(tmp_path: Path) -> None:
    assert _found(_write(tmp_path, REPRODUCTION)) == [
        ("APP023", "error", "apt-heures-ouverture"),
        ("APP024", "error", "apt-heures-mediation"),
    ]


@pytest.mark.parametrize(
    "example", sorted((REPO / "examples" / "applications").glob("*.yaml")), ids=lambda p: p.stem
)
def test_the_examples_are_coherent(example: Path) -> None:
    context = _context()
    _checked, report = validate_application(example, context.questionnaire, context.catalogue)
    assert [d.render() for d in report.diagnostics if d.code in COHERENCE] == []


def test_a_travelling_venue_is_not_flagged(tmp_path: Path) -> None:
    """A bus at its stops three hours a week, open six hours for mediation with the sessions
    it holds elsewhere, its stops counted: nothing to say."""
    bus = (
        answer("  - tiers-lieux", "  - enm"),
        answer("itinerance: fixe", 'itinerance: itinerant\n  horaires: "Tu 09:00-12:00"'),
        answer(
            "ter-permanences-exterieures: false",
            "ter-permanences-exterieures: true\n  ter-nombre-points-intervention: 3",
        ),
        answer("apt-heures-mediation: 6", "apt-heures-mediation: 9"),
        add("apt-benevoles-reguliers: 1\n  apt-encadrement-benevoles: true"),
    )
    assert _found(_write(tmp_path, bus)) == []


def test_weekly_hours() -> None:
    assert weekly_hours("Sa 09:00-10:00") == 1
    assert weekly_hours("Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00") == 40.5
    assert weekly_hours("24/7") == HOURS_IN_A_WEEK
    assert weekly_hours("Jul-Aug Mo-Fr 09:00-17:00") == 40  # a summer venue is still open
    assert weekly_hours("week 1-53/2 Mo 09:00-12:00") == 3
    assert weekly_hours('Sa unknown "sur rendez-vous"') == 24  # unknown may be open
    assert weekly_hours("lundi 9h-12h") is None
    assert weekly_hours("Mo 14:00-12:00") is None


# --- properties ----------------------------------------------------------------------------

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_day = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 22), st.integers(1, 24)).map(lambda t: (t[0], min(24, t[0] + t[1]))),
)


def _where(key: str) -> Span:
    return Span("lieu.yaml", 1, 1)


@settings(max_examples=200, deadline=None)
@given(
    days=st.lists(_day, min_size=7, max_size=7),
    data=st.data(),
    staff=st.integers(1, 200),
    volunteers=st.one_of(st.none(), st.integers(0, 500)),
    travelling=st.booleans(),
    outreach=st.booleans(),
    forms=st.sets(st.sampled_from(["en-autonomie", "accompagnement-individuel", "a-distance"])),
)
def test_no_error_when_mediation_fits_in_the_opening(
    days: list[tuple[int, int] | None],
    data: st.DataObject,
    staff: int,
    volunteers: int | None,
    travelling: bool,
    outreach: bool,
    forms: set[str],
) -> None:
    """Hours with the public no more than the hours open for mediation, themselves within the
    published opening hours, and someone to spend them: never an error."""
    rules = [f"{d} {a:02d}:00-{b:02d}:00" for d, span in zip(DAYS, days, strict=True) if span
             for a, b in [span]]  # fmt: skip
    text = "; ".join(rules) or "off"
    published = weekly_hours(text)
    assert published is not None
    opening = data.draw(st.integers(0, min(HOURS_IN_A_WEEK, int(published))))
    mediation = data.draw(st.integers(0, opening))
    answers: dict[str, object] = {
        "horaires": text,
        "apt-heures-ouverture": opening,
        "apt-heures-mediation": mediation,
        "apt-nombre-mediateurs": staff,
        "itinerance": "itinerant" if travelling else "fixe",
        "ter-permanences-exterieures": outreach,
        "modalites_accompagnement": sorted(forms),
        "pub-personnes-par-mois": data.draw(st.integers(0, 10_000)),
    }
    if volunteers is not None:
        answers["apt-benevoles-reguliers"] = volunteers
    found = check_coherence(answers, _where)
    assert [d.code for d in found if d.severity == "error"] == []


@settings(max_examples=200, deadline=None)
@given(
    opening=st.integers(0, HOURS_IN_A_WEEK),
    mediation=st.integers(0, 2000),
    staff=st.integers(0, 200),
    start=st.integers(0, 22),
)
def test_a_travelling_venue_never_gets_an_opening_hours_error(
    opening: int, mediation: int, staff: int, start: int
) -> None:
    answers = {
        "horaires": f"Tu {start:02d}:00-{start + 1:02d}:00",
        "apt-heures-ouverture": opening,
        "apt-heures-mediation": mediation,
        "apt-nombre-mediateurs": staff,
        "itinerance": "itinerant",
        "ter-permanences-exterieures": True,
    }
    found = check_coherence(answers, _where)
    assert [d for d in found if d.code in {"APP023", "APP025"} and d.severity == "error"] == []


# --- the command line and the web front -----------------------------------------------------


def test_apply_validate_says_it_in_french(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    for name in ("referentiel", "questionnaire"):
        shutil.copytree(REPO / name, tmp_path / name)
    path = _write(tmp_path, REPRODUCTION, "copie-coursive.yaml")
    monkeypatch.chdir(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    opening = next(i for i, line in enumerate(lines, 1) if "apt-heures-ouverture" in line)
    mediation = next(i for i, line in enumerate(lines, 1) if "apt-heures-mediation" in line)
    result = runner.invoke(app, ["apply", "validate", "copie-coursive.yaml"])
    assert result.exit_code == 1, result.output
    out = result.output.splitlines()
    assert (
        f"copie-coursive.yaml:{opening}:25: error[APP023]: 60 h par semaine d'ouverture pour la "
        "médiation (apt-heures-ouverture), mais les horaires « Sa 09:00-10:00 » n'ouvrent pas "
        "plus de 1 h par semaine"
    ) in out
    assert any(
        line.startswith(f"copie-coursive.yaml:{mediation}:25: error[APP024]: 80 h par semaine")
        and "personne pour les assurer" in line
        for line in out
    ), result.output
    assert out[-2] == "Bilan : 2 erreurs dans 1 fichier."
    assert "Aucun problème" not in result.output


def test_a_venue_sees_the_contradiction_at_its_question_and_cannot_submit(
    web: Web,
) -> None:
    page = save(web, "aptitudes", **{"apt-nombre-mediateurs": "0", "apt-benevoles-reguliers": "0"})
    assert page.status_code == 200
    said = field_errors(page.text, "apt-heures-mediation")
    assert "70 h par semaine passées avec le public" in said
    assert "personne pour les assurer" in said and "comptez les personnes" in said
    assert submit(web).status_code == 303 and status(web) == "brouillon"


def test_a_reviewer_sees_the_warnings_of_a_submitted_application(web: Web) -> None:
    # Fablab La Forge holds sessions elsewhere: one hour of opening hours for 25 hours open
    # for mediation is a warning, which does not stop it from being submitted.
    assert save(web, IDENTITY, horaires="Sa 09:00-10:00").status_code == 200
    aptitudes = web.client.get(f"/t/{web.local}/candidatures/{APP}/aptitudes").text
    assert "n'ouvrent pas plus de 1 h par semaine" in field_errors(
        aptitudes, "apt-heures-ouverture"
    )
    assert submit(web).status_code == 303 and status(web) == "soumise"
    review = html.unescape(web.client.get(f"/t/{web.local}/relectures/claire-martin/{APP}").text)
    assert "Points à vérifier avec le lieu" in review
    assert re.search(r"n'ouvrent pas plus de 1 h par semaine.*\[APP023\]", review)
    report = html.unescape(web.client.get(f"/t/{web.local}/candidatures/{APP}/rapport").text)
    assert "À vérifier avec le lieu" in report and "APP023" in report
