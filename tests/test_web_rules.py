"""The web front applies exactly the rules of ``apply validate``: each diagnostic of the same
library call shown at its question, submission refused while an error remains, the error
summary linked to the fields (without JavaScript), impossible hours, answers over their size
limit refused and never written."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from aptic_qualif.application import (
    MAX_CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_EVIDENCE,
    MAX_EVIDENCE_LENGTH,
    answer_limit,
    validate_application,
)
from aptic_qualif.editing import read_data, sections, write
from aptic_qualif.errors import CommandError
from aptic_qualif.yamlio import MAX_BYTES, dump_yaml, load_yaml
from tests.conftest import REPO
from tests.test_web import APP, Web, _reopen

IDENTITY = "identite"


@pytest.fixture
def web(tmp_path: Path) -> Web:
    """The examples served, the application these tests change reopened by its venue (a
    submitted application is read-only)."""
    root = tmp_path / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    served = Web(root)
    _reopen(served)
    return served


def section_form(web: Web, section: str, **changes: Any) -> dict[str, Any]:
    """The form of ``section`` as the page sends it, with the answers in the file, then
    ``changes`` (field name → typed value)."""
    data = read_data(web.application(APP))
    answers = {**data["lieu"], **data["reponses"]}
    form: dict[str, Any] = {"_csrf": web.csrf(f"/t/{web.local}/candidatures/{APP}/{section}")}
    for located in web.context.questionnaire.theme_items(section):
        value = answers.get(located.id)
        if isinstance(value, bool):
            form[located.id] = "true" if value else "false"
        elif isinstance(value, list):
            form[located.id] = [str(v) for v in value]
        elif value is not None:
            form[located.id] = str(value)
        if located.item.evidence is not None:
            form[f"preuves:{located.id}"] = "\n".join(data.get("preuves", {}).get(located.id, []))
    form.update(changes)
    return form


def save(web: Web, section: str, *, autosave: bool = False, **changes: Any) -> Any:
    url = f"/t/{web.local}/candidatures/{APP}/{section}"
    form = {**section_form(web, section, **changes), "aller": "rester"}
    headers = {"x-autosave": "1"} if autosave else {}
    return web.client.post(url, data=form, headers=headers)


def field_errors(page: str, item: str) -> str:
    """The messages shown under the field of ``item``."""
    found = re.search(rf'<div class="erreurs" id="err-{re.escape(item)}"[^>]*>(.*?)</div>', page)
    assert found, item
    return html.unescape(found.group(1))


def summary_of(page: str) -> str:
    found = re.search(r'<section class="[^"]*resume-erreurs"[^>]*>(.*?)</section>', page, re.S)
    assert found, "no error summary"
    return html.unescape(found.group(0))


def submit(web: Web) -> Any:
    base = f"/t/{web.local}/candidatures/{APP}"
    return web.client.post(
        f"{base}/statut/soumettre",
        data={"_csrf": web.csrf(f"{base}/{IDENTITY}")},
        follow_redirects=False,
    )


def status(web: Web) -> str:
    doc = load_yaml(web.application(APP), "x")[0]
    assert doc is not None
    return str(doc.data["statut"])


def validate(web: Web) -> list[str]:
    _checked, report = validate_application(
        web.application(APP), web.context.questionnaire, web.context.catalogue
    )
    return [d.code for d in report.errors]


def test_a_postcode_that_is_not_the_communes_is_shown_at_its_field_and_blocks_submission(
    web: Web,
) -> None:
    page = save(web, IDENTITY, code_postal="71100")  # Chalon-sur-Saône's, not Le Creusot's
    assert page.status_code == 200
    assert "APP013" in validate(web)
    said = field_errors(page.text, "code_postal")
    assert "71100 n'est pas un code postal du Creusot (71153)" in said
    # Without JavaScript, the section page opens on a summary that links to the field.
    summary = summary_of(page.text)
    assert 'href="#code_postal"' in summary and "autofocus" in summary
    assert 'tabindex="-1"' in summary and 'id="erreurs"' in summary
    # With JavaScript, the same message at the same question.
    body = save(web, IDENTITY, autosave=True, code_postal="71100").json()
    assert any("n'est pas un code postal du Creusot" in e for e in body["errors"]["code_postal"])

    recap = web.client.get(f"/t/{web.local}/candidatures/{APP}/recapitulatif").text
    assert "Votre candidature est complète" not in recap
    assert "Soumettre ma candidature" not in recap
    summary = summary_of(recap)
    assert f'href="/t/{web.local}/candidatures/{APP}/{IDENTITY}#code_postal"' in summary
    # The server refuses, whatever the page shows.
    refused = submit(web)
    assert refused.status_code == 303 and "refusee=1" in refused.headers["location"]
    assert status(web) == "brouillon"
    again = html.unescape(web.client.get(refused.headers["location"]).text)
    assert "La candidature n'est pas soumise" in again

    # Corrected, it is submitted.
    save(web, IDENTITY, code_postal="71200")
    assert validate(web) == []
    assert (
        "Soumettre ma candidature"
        in web.client.get(f"/t/{web.local}/candidatures/{APP}/recapitulatif").text
    )
    submit(web)
    assert status(web) == "soumise"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x"])
def test_unsafe_evidence_is_refused_at_its_field_and_never_submitted(web: Web, link: str) -> None:
    item = "ter-besoins-territoire"
    page = save(web, "territoires", **{f"preuves:{item}": link})
    assert "APP015" in validate(web)
    assert "seuls les liens http et https" in field_errors(page.text, item)
    assert 'href="#preuves-ter-besoins-territoire"' in summary_of(page.text)
    assert submit(web).status_code == 303
    assert status(web) == "brouillon"


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ("Mo-Fr 14:00-12:00", "« 14:00-12:00 » ferme avant d'ouvrir"),
        ("Mo-Fr 09:00-25:00", "« 25:00 » n'est pas une heure de la journée"),
        ("Lu-Ve 9h-12h et 14h-17h", "écrivez « Mo-Fr 09:00-12:00,14:00-17:00 »"),
    ],
)
def test_impossible_or_french_hours_are_answered_at_their_field(
    web: Web, hours: str, said: str
) -> None:
    page = save(web, IDENTITY, horaires=hours)
    assert said in field_errors(page.text, "horaires")
    assert "APP020" in validate(web)
    assert submit(web).status_code == 303 and status(web) == "brouillon"


def test_hints_written_for_the_file_are_not_shown_in_the_browser(web: Web) -> None:
    page = save(web, IDENTITY, code_postal="1200")
    said = field_errors(page.text, "code_postal")
    assert "tapez 01200" in said and "guillemets" not in said
    recap = web.client.get(f"/t/{web.local}/candidatures/{APP}/recapitulatif").text
    assert "guillemets" not in recap and "tapez 01200" in recap


def test_an_answer_over_its_limit_is_refused_at_its_field_and_not_written(web: Web) -> None:
    essay = "inn-experimentation-recit"
    before = read_data(web.application(APP))["reponses"][essay]
    huge = "a" * 600_000
    page = save(web, "innovation", **{essay: huge, "aller": "rester"})
    assert page.status_code == 200
    said = field_errors(page.text, essay)
    assert "600000 caractères" in said and "10000" in said
    assert f'href="#{essay}"' in summary_of(page.text)
    assert huge in page.text  # shown as sent, to be shortened
    data = read_data(web.application(APP))
    assert data["reponses"][essay] == before
    assert web.application(APP).stat().st_size < 100_000
    # The rest of the save lands.
    page = save(web, IDENTITY, nom="x" * 3000, telephone="03 85 00 00 01")
    assert "3000 caractères" in field_errors(page.text, "nom")
    data = read_data(web.application(APP))
    assert data["lieu"]["telephone"] == "+33385000001" and data["lieu"]["nom"] != "x" * 3000
    # The fields say their limit.
    assert f'maxlength="{answer_limit(web.context.questionnaire.by_id["nom"].item)}"' in page.text
    # Every page still opens.
    base = f"/t/{web.local}/candidatures/{APP}"
    for path in [
        "/",
        "/recapitulatif",
        "/rapport",
        *(f"/{s}" for s in sections(web.context.questionnaire)),
    ]:
        assert web.client.get(base + path).status_code == 200, path


def test_one_long_text_per_section_never_locks_the_venue_out(web: Web) -> None:
    """The security review's W21: ~480 KB typed into one text per section."""
    for section in sections(web.context.questionnaire):
        texts = [
            i.id for i in web.context.questionnaire.theme_items(section) if i.item.type == "text"
        ]
        if texts:
            save(web, section, **{texts[0]: "b" * 480_000})
    assert web.application(APP).stat().st_size < MAX_BYTES // 10
    assert web.client.get(f"/t/{web.local}/candidatures/{APP}/").status_code == 200


def test_every_answer_at_its_limit_keeps_the_file_far_under_the_readers_limit(web: Web) -> None:
    """The arithmetic of the limits: every answer of the questionnaire at its limit, in
    characters of four bytes in UTF-8, and every piece of evidence at its own limit."""
    questionnaire = web.context.questionnaire
    wide = "\U0001f600"
    data: dict[str, Any] = {"questionnaire": questionnaire.reference, "date": "2026-01-01"}
    lieu: dict[str, Any] = {}
    reponses: dict[str, Any] = {}
    preuves: dict[str, Any] = {}
    for located in questionnaire.items:
        item = located.item
        if item.type in {"multiple_choice", "services"}:
            most = len(item.options) if item.options else MAX_CHOICES
            value: Any = [wide * MAX_CHOICE_LENGTH] * most
        else:
            value = wide * answer_limit(item, multiline=located.multiline)
        (lieu if located.is_identity else reponses)[located.id] = value
        if item.evidence is not None:
            preuves[located.id] = [wide * MAX_EVIDENCE_LENGTH] * MAX_EVIDENCE
    data.update(lieu=lieu, reponses=reponses, preuves=preuves)
    size = len(dump_yaml(data).encode("utf-8"))
    assert size < 0.75 * MAX_BYTES, size


def test_apply_validate_refuses_an_answer_over_its_limit(web: Web, tmp_path: Path) -> None:
    text = web.application(APP).read_text(encoding="utf-8")
    path = tmp_path / "long.yaml"
    path.write_text(text.replace("  nom: ", "  nom: " + "x" * 2500 + " ", 1), encoding="utf-8")
    _checked, report = validate_application(path, web.context.questionnaire, web.context.catalogue)
    found = [d for d in report.errors if d.code == "APP022"]
    assert found and "elle en accepte 2000 au plus" in found[0].message


def test_a_file_the_reader_would_refuse_is_never_written(web: Web) -> None:
    path = web.application(APP)
    before = path.read_bytes()
    data = read_data(path)
    data["lieu"]["nom"] = "x" * (MAX_BYTES + 1)
    with pytest.raises(CommandError):
        write(path, data)
    assert path.read_bytes() == before


def test_commune_names_among_the_communes_served_are_shown_at_their_field(web: Web) -> None:
    """communes_itinerance asks for INSEE codes: names are refused at the field, in the web
    as in apply validate (GEO003), each with the code of the commune so named."""
    page = save(web, IDENTITY, itinerance="itinerant", communes_itinerance="Paris, Lyon, 19031")
    assert page.status_code == 200
    assert validate(web).count("GEO003") == 2
    said = field_errors(page.text, "communes_itinerance")
    assert "« Lyon » n'est pas un code INSEE" in said and "« Paris » n'est pas" in said
    assert "69123" in said and "75056" in said  # the hint: the code of the commune named
    refused = submit(web)
    assert refused.status_code == 303 and "refusee=1" in refused.headers["location"]
