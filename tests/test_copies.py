"""Written answers copied from another application (:mod:`aptic_qualif.review.copies`): found
over a folder, shown in the report and in ``serve``, and awaiting a reviewer's confirmation."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from stdnum.fr import siret as stdnum_siret
from typer.testing import CliRunner

from aptic_qualif.access import LinkStore
from aptic_qualif.application import validate_application
from aptic_qualif.cli.app import app
from aptic_qualif.context import Context, load_context
from aptic_qualif.review.copies import (
    LSH_BANDS,
    LSH_ROWS,
    LSH_THRESHOLD,
    MIN_WORDS,
    NUM_PERM,
    PASSAGE_WORDS,
    SEED,
    STOCK_PHRASE,
    WrittenAnswer,
    _shingles,
    candidate_pairs,
    copies_of_files,
    find_copies,
    normalise,
    passage_pairs,
    shared_passage,
    signatures,
    written_answers,
)
from aptic_qualif.review.load import load_reviews
from aptic_qualif.scoring.assess import assess_files
from aptic_qualif.scoring.model import Assessment
from aptic_qualif.web.app import Settings, create_app
from tests.conftest import REPO

SOURCE = "mediatheque-les-tilleuls"
"""Qualified with its reviews: its answers are the ones pasted."""
COPIER = "tiers-lieu-la-coursive"
ITEM = "apt-demarche-pedagogique"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "reseau"
    for name in ("referentiel", "questionnaire", "examples"):
        shutil.copytree(REPO / name, root / name)
    return root


def applications(root: Path) -> Path:
    return root / "examples" / "applications"


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def save(path: Path, data: dict) -> None:  # type: ignore[type-arg]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def paste(root: Path, item: str = ITEM, *, edit: bool = False) -> str:
    """COPIER pastes SOURCE's answer to ``item`` (with a few words changed: ``edit``)."""
    text = load(applications(root) / f"{SOURCE}.yaml")["reponses"][item]
    if edit:
        words = text.split()
        for index in range(0, len(words), 12):
            words[index] = "NOTRE" if index % 24 else "vraiment"
        text = " ".join(words).upper()
    target = applications(root) / f"{COPIER}.yaml"
    data = load(target)
    data["reponses"][item] = text
    save(target, data)
    return text


def assess(root: Path, context: Context) -> dict[str, Assessment]:
    reviews_dir = root / "examples" / "reviews"
    reviews, _report = load_reviews(reviews_dir, context.questionnaire)
    files = sorted(applications(root).glob("*.yaml"))
    batch = assess_files(files, context, reviews, reviews_dir)
    return {a.application: a for a in batch.assessments}


def with_siren(siret: str, siren: str) -> str:
    """A valid SIRET of the SIREN ``siren``."""
    for nic in range(10000, 99999):
        candidate = f"{siren}{nic:05d}"
        if stdnum_siret.is_valid(candidate):
            return candidate
    raise AssertionError(siret)


# -- the library -------------------------------------------------------------------------


def test_the_examples_honest_answers_to_the_same_questions_are_not_flagged() -> None:
    context = load_context(REPO, need_policy=True)
    files = sorted((REPO / "examples" / "applications").glob("*.yaml"))
    assert copies_of_files(files, context.questionnaire, context.catalogue) == {}


def test_a_pasted_answer_is_flagged_on_both_sides_with_the_other_named(project: Path) -> None:
    paste(project)
    context = load_context(project, need_policy=True)
    found = copies_of_files(
        sorted(applications(project).glob("*.yaml")), context.questionnaire, context.catalogue
    )
    assert sorted(found) == [SOURCE, COPIER]
    (match,) = found[COPIER]
    assert (match.item, match.other, match.other_item) == (ITEM, SOURCE, ITEM)
    assert match.similarity == 1.0 and not match.same_organisation
    assert match.other_venue == "Espace numérique de la médiathèque Les Tilleuls"
    (back,) = found[SOURCE]
    assert (back.other, back.similarity) == (COPIER, 1.0)


def test_a_paraphrase_with_small_edits_is_still_flagged(project: Path) -> None:
    pasted = paste(project, edit=True)
    original = load(applications(project) / f"{SOURCE}.yaml")["reponses"][ITEM]
    assert pasted != original
    context = load_context(project, need_policy=True)
    found = copies_of_files(
        sorted(applications(project).glob("*.yaml")), context.questionnaire, context.catalogue
    )
    (match,) = found[COPIER]
    assert match.other == SOURCE and 0.8 <= match.similarity < 1.0


def test_a_paragraph_pasted_into_a_longer_answer_is_flagged(project: Path) -> None:
    source = load(applications(project) / f"{SOURCE}.yaml")["reponses"][ITEM]
    paragraph = " ".join(source.split()[:45])
    target = applications(project) / f"{COPIER}.yaml"
    data = load(target)
    own = (
        "Notre tiers-lieu accueille surtout des habitants du quartier qui viennent pour le "
        "café et restent pour l'atelier du jeudi, quand la salle commune est libre. "
    )
    closing = (
        " Nous voulons maintenant ouvrir un second créneau le samedi matin avec la bénévole "
        "qui anime le repair café, pour les personnes qui travaillent en semaine et ne "
        "peuvent pas venir le jeudi après-midi."
    )
    data["reponses"][ITEM] = own + paragraph + closing
    save(target, data)
    context = load_context(project, need_policy=True)
    found = copies_of_files(
        sorted(applications(project).glob("*.yaml")), context.questionnaire, context.catalogue
    )
    (match,) = found[COPIER]
    assert (match.item, match.other, match.other_item) == (ITEM, SOURCE, ITEM)
    # As a whole the answers differ; the passage is what gives the copy away.
    pasted = len(normalise(paragraph).split())
    assert match.similarity < 0.8 and PASSAGE_WORDS <= match.passage <= pasted
    # The source, which would qualify, waits for a reviewer to examine the passage.
    source = assess(project, context)[SOURCE]
    assert source.decision == "en-attente-de-revue"
    (reason,) = source.reasons
    assert f"un passage de {match.passage} mots" in reason and COPIER in reason


def test_common_words_scattered_across_two_answers_are_no_passage() -> None:
    first = normalise(
        "La personne est accueillie par la médiatrice qui lui demande ce dont elle a besoin, "
        "puis elle fait elle-même sa démarche sur le poste avec une fiche et elle repart avec "
        "ses identifiants notés dans son carnet pour la prochaine fois que nous la voyons."
    )
    second = normalise(
        "Chaque personne est reçue par un bénévole qui lui demande ce qu'elle sait faire, "
        "ensuite elle manipule elle-même la souris sur le poste avec un support imprimé et "
        "elle repart avec un rendez-vous pour la semaine suivante à la même heure."
    )
    assert shared_passage(first, second) < PASSAGE_WORDS
    assert shared_passage(first, first) == len(first.split())


def test_a_stock_phrase_shared_by_many_answers_is_no_lead() -> None:
    phrase = " ".join(f"commun{i}" for i in range(40))
    answers = [
        WrittenAnswer(
            f"lieu{n}", "q", normalise(f"{phrase} " + " ".join(f"propre{n}x{i}" for i in range(30)))
        )
        for n in range(STOCK_PHRASE + 1)
    ]
    assert passage_pairs(answers) == set()
    assert passage_pairs(answers[:2]) == {(0, 1)}


def test_a_copy_under_another_question_is_flagged_too() -> None:
    text = " ".join(f"mot{i}" for i in range(60))
    found = find_copies(
        [WrittenAnswer("a", "q1", normalise(text)), WrittenAnswer("b", "q2", normalise(text))]
    )
    assert [(m.item, m.other, m.other_item) for m in found["a"]] == [("q1", "b", "q2")]


def test_short_answers_are_never_compared(project: Path) -> None:
    short = " ".join(["Oui, chaque semaine avec les habitants du quartier."] * 2)
    assert len(normalise(short).split()) < MIN_WORDS
    for app_id in (SOURCE, COPIER):
        path = applications(project) / f"{app_id}.yaml"
        data = load(path)
        data["reponses"][ITEM] = short
        save(path, data)
    context = load_context(project, need_policy=True)
    found = copies_of_files(
        sorted(applications(project).glob("*.yaml")), context.questionnaire, context.catalogue
    )
    assert found == {}


def test_venues_of_one_organisation_share_texts_without_being_flagged(project: Path) -> None:
    paste(project)
    source = load(applications(project) / f"{SOURCE}.yaml")
    siren = source["lieu"]["siret"][:9]
    target = applications(project) / f"{COPIER}.yaml"
    data = load(target)
    data["lieu"]["siret"] = with_siren(data["lieu"]["siret"], siren)
    save(target, data)
    context = load_context(project, need_policy=True)
    (match,) = copies_of_files(
        sorted(applications(project).glob("*.yaml")), context.questionnaire, context.catalogue
    )[COPIER]
    assert match.same_organisation and match.siren == siren
    results = assess(project, context)
    assert results[SOURCE].decision == "qualifie"
    from aptic_qualif.review.copies import describe

    assert f"même organisation, SIREN {siren}" in describe(results[SOURCE].copies[0])


def test_normalising_ignores_case_accents_punctuation_and_look_alike_letters() -> None:
    assert normalise("  L'Accueil  À LA  médiathèque ! ") == normalise("l accueil a la mediatheque")
    assert normalise("раураl") == normalise("paypal")  # Cyrillic р, а, у


def _normalised_whole(text: str) -> str:
    """The normalisation as it is defined, over the whole text at once."""
    import unicodedata

    from aptic_qualif.text import comparison_key

    key = unicodedata.normalize("NFD", comparison_key(text))
    bare = "".join(c for c in key if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


tricky = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            list(" \t\n\u00a0\u2009\u200b\u200d\u00ad\ufe0f\u0301\u0308\u0327_-'’.,;!?")
            + list("aeiouAEIOUéèêëàçœŒÆßİıſﬁℌ𝐀ⅠЅрауаеіοΑ0123456789lI|m")
        ),
    ),
    max_size=80,
)


@given(tricky)
def test_normalising_word_by_word_is_normalising_the_whole_text(text: str) -> None:
    """Each distinct word is normalised once (a cache): never another text than the whole
    text's normalisation, whatever the spaces, joiners, combining marks or look-alikes."""
    assert normalise(text) == _normalised_whole(text)


def test_normalising_the_generated_answers_word_by_word(tmp_path: Path) -> None:
    from benchmarks.generate_applications import generate

    for path in generate(30, tmp_path, seed=9):
        for value in yaml.safe_load(path.read_text(encoding="utf-8"))["reponses"].values():
            if isinstance(value, str):
                assert normalise(value) == _normalised_whole(value)


words = st.lists(
    st.sampled_from(["le", "la", "les", "un", "une", "des", "atelier", "accueil", "mairie"]),
    min_size=1,
)


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from(["q1", "q2"]), words.map(" ".join)),
        max_size=6,
    ),
    st.integers(min_value=30, max_value=60),
)
def test_matching_is_symmetric(entries: list[tuple[str, str, str]], length: int) -> None:
    answers = [
        WrittenAnswer(app_id, item, normalise(" ".join([text] * length)))
        for app_id, item, text in entries
    ]
    found = find_copies(answers)
    pairs = {
        (app_id, m.item, m.other, m.other_item, m.similarity)
        for app_id, matches in found.items()
        for m in matches
    }
    assert pairs == {(o, oi, a, i, s) for a, i, o, oi, s in pairs}
    assert all(app_id != m.other for app_id, matches in found.items() for m in matches)


# -- the candidate pairs: datasketch's MinHash LSH, reproduced -----------------------------


def _datasketch_pairs(answers: list[WrittenAnswer]) -> set[tuple[int, int]]:
    """The candidate pairs as datasketch's MinHash LSH finds them (the reference)."""
    from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

    minhashes = MinHash.bulk((_shingles(a.text) for a in answers), num_perm=NUM_PERM, seed=SEED)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for index, minhash in enumerate(minhashes):
        lsh.insert(index, minhash)
    return {
        (min(index, other), max(index, other))
        for index, minhash in enumerate(minhashes)
        for other in lsh.query(minhash)
        if other != index and answers[other].application != answers[index].application
    }


def test_the_lsh_bands_are_those_datasketch_chooses() -> None:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (LSH_BANDS, LSH_ROWS)


sentences = st.lists(
    st.sampled_from(
        ["le", "la", "atelier", "accueil", "mairie", "caf", "démarches", "ordinateur", "aide"]
    ),
    min_size=1,
    max_size=40,
)


@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from(["q1", "q2"]), sentences),
        max_size=12,
    )
)
def test_the_candidate_pairs_are_datasketchs(entries: list[tuple[str, str, list[str]]]) -> None:
    """Without importing datasketch (and scipy), the same signatures and the same pairs."""
    from datasketch import MinHash

    answers = [WrittenAnswer(app_id, item, " ".join(text)) for app_id, item, text in entries]
    if answers:
        reference = [
            m.hashvalues
            for m in MinHash.bulk(
                (_shingles(a.text) for a in answers), num_perm=NUM_PERM, seed=SEED
            )
        ]
        assert signatures(answers).tolist() == [list(values) for values in reference]
    assert candidate_pairs(answers) == (_datasketch_pairs(answers) if len(answers) > 1 else set())


def test_the_candidate_pairs_of_a_generated_network_are_datasketchs() -> None:
    """A thousand answers of the benchmark's generator: several hundred signatures hashed
    together (:data:`aptic_qualif.review.copies._CHUNK` at a time), the same pairs."""
    import random

    vocabulary = [f"mot{n}" for n in range(300)]
    draw = random.Random(5)
    answers = []
    for number in range(1000):
        text = " ".join(draw.choice(vocabulary) for _ in range(draw.randint(25, 80)))
        answers.append(WrittenAnswer(f"app{number // 5}", f"q{number % 5}", text))
    # a few answers pasted, a few words changed
    for number in range(0, 1000, 97):
        words = answers[number].text.split()
        words[draw.randrange(len(words))] = "autre"
        answers.append(WrittenAnswer(f"copie{number}", "q0", " ".join(words)))
    found = candidate_pairs(answers)
    assert found == _datasketch_pairs(answers)
    assert len(found) >= 11


# -- the decision ------------------------------------------------------------------------


def test_a_possible_copy_awaits_review_until_a_fresh_review_examined_it(project: Path) -> None:
    paste(project)
    context = load_context(project, need_policy=True)
    results = assess(project, context)
    source = results[SOURCE]
    assert source.decision == "en-attente-de-revue"
    (reason,) = source.reasons
    assert "copie possible" in reason and COPIER in reason
    # the application that pasted cannot qualify whatever the reviews: it is decided
    assert results[COPIER].decision == "non-qualifie"
    review = next((project / "examples" / "reviews" / SOURCE).glob("*.yaml"))
    review.write_text(
        review.read_text(encoding="utf-8") + f"copies_examined: [{COPIER}]\n", encoding="utf-8"
    )
    results = assess(project, context)
    assert results[SOURCE].decision == "qualifie"
    assert results[SOURCE].copies[0].examined


# -- the command line --------------------------------------------------------------------


def test_assess_names_the_other_application(
    project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    paste(project)
    monkeypatch.chdir(project)
    result = runner.invoke(
        app,
        ["assess", "examples/applications", "--reviews", "examples/reviews", "-f", "markdown"],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Réponses écrites presque identiques à celles d'une autre candidature" in text
    assert (
        f"100 % à la réponse de la candidature {COPIER} (Tiers-lieu La Coursive) à la même "
        "question — à examiner : copie possible"
    ) in text
    assert f"100 % à celle de la candidature {COPIER} à la même question" in text  # the reason


# -- serve -------------------------------------------------------------------------------


class Web:
    def __init__(self, root: Path) -> None:
        self.root = root
        context = load_context(root, need_policy=True)
        self.store = LinkStore(root)
        settings = Settings(root, applications(root), root / "examples" / "reviews")
        self.app = create_app(settings, context, store=self.store)
        self.client = TestClient(self.app, headers={"accept-language": "fr-FR,fr;q=0.9"})


def test_serve_shows_the_copy_to_the_coordinator_and_blind_to_the_reviewer(project: Path) -> None:
    paste(project)
    web = Web(project)
    _link, coordinator = web.store.create("coordination")
    page = html.unescape(web.client.get(f"/t/{coordinator}/candidatures/{SOURCE}/lecture").text)
    assert "copie possible" in page and f"candidatures/{COPIER}/lecture" in page
    assert "Tiers-lieu" in page or "Coursive" in page  # the coordinator sees the venue
    dashboard = html.unescape(web.client.get(f"/t/{coordinator}/").text)
    assert f"copie possible de : {COPIER}" in dashboard

    _link, token = web.store.create("relecteur", "nadia-test")
    url = f"/t/{token}/relectures/nadia-test/{SOURCE}"
    csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', web.client.get(url).text)
    assert csrf is not None
    web.client.post(url, data={"_csrf": csrf.group(1), "etape": "conflit", "conflit": "non"})
    page = html.unescape(web.client.get(url).text)
    assert f'name="copie:{COPIER}"' in page and "Comparer les deux réponses" in page
    other_venue = load(applications(project) / f"{COPIER}.yaml")["lieu"]["nom"]
    assert other_venue not in page  # blind: the other application by its id only
    web.client.post(
        url,
        data={"_csrf": csrf.group(1), "etape": "enregistrer", f"copie:{COPIER}": "oui"},
    )
    saved = load(project / "examples" / "reviews" / SOURCE / "nadia-test.yaml")
    assert saved["copies_examined"] == [COPIER]
    assert "checked" in web.client.get(url).text.split(f'name="copie:{COPIER}"')[1][:40]


def test_a_venue_does_not_see_which_application_its_answers_resemble(project: Path) -> None:
    paste(project)
    web = Web(project)
    _link, token = web.store.create("lieu", SOURCE)
    page = html.unescape(web.client.get(f"/t/{token}/candidatures/{SOURCE}/rapport").text)
    assert "en attente de revue" in page
    assert COPIER not in page


def test_a_reviewer_marks_a_declared_answer_unsupported(project: Path) -> None:
    """Not about copies: the same review page carries the declared answers and their
    evidence; a mark is saved with what it was given for, and the page shows it again."""
    web = Web(project)
    app = "mediatheque-les-tilleuls"
    _link, token = web.store.create("relecteur", "nadia-test")
    url = f"/t/{token}/relectures/nadia-test/{app}"
    csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', web.client.get(url).text)
    assert csrf is not None
    web.client.post(url, data={"_csrf": csrf.group(1), "etape": "conflit", "conflit": "non"})
    page = html.unescape(web.client.get(url).text)
    assert "Réponses déclarées et leurs justificatifs" in page
    assert 'name="non-etaye:apt-formations-mediateurs"' in page
    web.client.post(
        url,
        data={
            "_csrf": csrf.group(1),
            "etape": "enregistrer",
            "non-etaye:apt-formations-mediateurs": "oui",
            "non-etaye:pas-une-question": "oui",
        },
    )
    saved = load(project / "examples" / "reviews" / app / "nadia-test.yaml")
    assert saved["unsupported"] == ["apt-formations-mediateurs"]
    assert set(saved["reviewed"]["claims"]) == {"apt-formations-mediateurs"}
    after = web.client.get(url).text
    assert "checked" in after.split('name="non-etaye:apt-formations-mediateurs"')[1][:40]


@given(st.lists(st.sampled_from(["le", "é", "atelier", "ça", "x", " ", "  "]), max_size=30))
def test_the_runs_of_words_are_hashed_alike_however_the_text_is_spaced(words: list[str]) -> None:
    """A normalised answer's runs are hashed as slices of its bytes: the same hashes as its
    words joined run by run, as any other text's."""
    from aptic_qualif.review.copies import SAMPLE, SHINGLE_WORDS, _runs, _stable_hash

    text = "".join(f"{w} " for w in words)
    for written in (text, " ".join(text.split())):
        split = written.split()
        runs = (
            " ".join(split[k : k + SHINGLE_WORDS]) for k in range(len(split) - SHINGLE_WORDS + 1)
        )
        expected = {key for key in map(_stable_hash, runs) if key % SAMPLE == 0}
        assert _runs(written) == expected


def test_one_application_alone_is_compared_with_nothing_and_loads_no_numpy(
    tmp_path: Path,
) -> None:
    """``assess`` of one file (a venue checking its application) has no other application
    to compare with: the copies cost nothing, not even numpy's import."""
    import subprocess
    import sys

    one = sorted((REPO / "examples" / "applications").glob("*.yaml"))[0]
    assert written_answers_of(one)  # it has written answers worth comparing
    script = (
        "import sys\n"
        "from aptic_qualif.cli import main\n"
        f"sys.argv = ['aptic-qualif', 'assess', {str(one)!r}, '-f', 'csv', '-o', "
        f"{str(tmp_path / 'out.csv')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout + done.stderr
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").count("\n") == 2
    assert find_copies(written_answers_of(one)) == {}


def written_answers_of(path: Path) -> list[WrittenAnswer]:
    context = load_context(REPO)
    checked, _report = validate_application(path, context.questionnaire, context.catalogue)
    assert checked is not None
    return written_answers(checked, context.questionnaire)
