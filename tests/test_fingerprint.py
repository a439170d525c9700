"""Fingerprints of what reviewers rate: a review is stale when, and only when, that changed."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.context import load_context
from aptic_qualif.i18n import set_language
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.review.fingerprint import (
    Fingerprint,
    canonical_json,
    changes,
    digest,
    fingerprint,
    shorten,
)
from aptic_qualif.review.model import Review, Reviewed
from tests.conftest import MINI

F = "applications/complet.yaml"
ITEM = "pub-aller-vers-detail"
LABEL = "Comment allez-vous vers les publics ?"

_CONTEXT = load_context(MINI, need_policy=True)
QUESTIONNAIRE: LoadedQuestionnaire = _CONTEXT.questionnaire


def _checked(path: Path) -> CheckedApplication:
    checked, report = validate_application(path, QUESTIONNAIRE, _CONTEXT.catalogue)
    assert checked is not None and report.ok, report.render_text()
    return checked


BASE = _checked(MINI / F)


def _review_of(current: Fingerprint, **kw: object) -> Review:
    fields: dict[str, object] = {
        "application": "complet",
        "reviewer": "alice",
        "date": date(2026, 11, 20),
        "conflict_of_interest": False,
        "reviewed": Reviewed.model_validate(current.record()),
    }
    fields.update(kw)
    return Review.model_validate(fields)


def _with(checked: CheckedApplication, **answers: object) -> CheckedApplication:
    return dataclasses.replace(checked, answers={**checked.answers, **answers})


def _rewrite(mini: Path, old: str, new: str) -> CheckedApplication:
    path = mini / F
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return _checked(path)


REVIEW = _review_of(fingerprint(BASE, QUESTIONNAIRE))


def test_canonical_json() -> None:
    assert canonical_json({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})
    assert len(digest("x")) == 64


def test_what_is_fingerprinted() -> None:
    current = fingerprint(BASE, QUESTIONNAIRE)
    assert list(current.items) == [ITEM]  # only the rubric items that apply
    assert current.items[ITEM] == digest({"answer": BASE.answers[ITEM], "evidence": []})
    identity = {i.id: BASE.answers[i.id] for i in QUESTIONNAIRE.identity if i.id in BASE.answers}
    assert current.identity == digest(identity)
    assert changes(REVIEW, current, QUESTIONNAIRE) == []


def test_a_comment_or_a_reordering_keeps_the_review_fresh(mini: Path) -> None:
    text = (mini / F).read_text(encoding="utf-8")
    commented = _rewrite(mini, "reponses:\n", "# une petite note\nreponses:  # les réponses\n")
    assert commented.sha256 != BASE.sha256
    assert changes(REVIEW, fingerprint(commented, QUESTIONNAIRE), QUESTIONNAIRE) == []
    # The identity keys in reverse order, the sections swapped, the evidence reordered.
    head, rest = text.split("lieu:\n")
    lieu, reponses = rest.split("reponses:\n")
    lines = lieu.splitlines()
    reordered = head + "reponses:\n" + reponses + "lieu:\n" + "\n".join(reversed(lines)) + "\n"
    (mini / F).write_text(reordered, encoding="utf-8")
    assert changes(REVIEW, fingerprint(_checked(mini / F), QUESTIONNAIRE), QUESTIONNAIRE) == []

    def with_evidence(entries: str) -> Fingerprint:
        (mini / F).write_text(text + f"preuves:\n  {ITEM}: [{entries}]\n", encoding="utf-8")
        return fingerprint(_checked(mini / F), QUESTIONNAIRE)

    assert with_evidence("a.pdf, https://example.org/b") == with_evidence(
        "https://example.org/b, a.pdf"
    )


def test_an_unrated_answer_or_a_rewrapped_text_keeps_it_fresh(mini: Path) -> None:
    unrated = _rewrite(mini, "apt-mediateurs: 2", "apt-mediateurs: 5")
    assert changes(REVIEW, fingerprint(unrated, QUESTIONNAIRE), QUESTIONNAIRE) == []
    rewrapped = _rewrite(mini, "au centre social et", "au centre social\n    et")
    assert changes(REVIEW, fingerprint(rewrapped, QUESTIONNAIRE), QUESTIONNAIRE) == []


def test_a_rated_answer_changes(mini: Path) -> None:
    checked = _rewrite(mini, "au centre social", "à la mairie")
    assert changes(REVIEW, fingerprint(checked, QUESTIONNAIRE), QUESTIONNAIRE) == [
        f"la réponse à « {LABEL} » a changé depuis cette relecture"
    ]


def test_its_evidence_changes(mini: Path) -> None:
    with (mini / F).open("a", encoding="utf-8") as handle:
        handle.write(f"preuves:\n  {ITEM}: [planning.pdf]\n")
    checked = _checked(mini / F)
    assert changes(REVIEW, fingerprint(checked, QUESTIONNAIRE), QUESTIONNAIRE) == [
        f"les justificatifs de « {LABEL} » ont changé depuis cette relecture"
    ]
    both = _with(checked, **{ITEM: "Autre chose."})
    assert changes(REVIEW, fingerprint(both, QUESTIONNAIRE), QUESTIONNAIRE) == [
        f"la réponse à « {LABEL} » a changé depuis cette relecture",
        f"les justificatifs de « {LABEL} » ont changé depuis cette relecture",
    ]


def test_the_identity_changes(mini: Path) -> None:
    checked = _rewrite(mini, "contact@example.org", "accueil@example.org")
    assert changes(REVIEW, fingerprint(checked, QUESTIONNAIRE), QUESTIONNAIRE) == [
        "l'identité du lieu a changé depuis cette relecture"
    ]


def test_an_item_no_longer_applies_or_now_applies(mini: Path) -> None:
    text = (mini / F).read_text(encoding="utf-8")
    start = text.index(f"  {ITEM}:")
    end = text.index("  pub-personnes-par-mois")
    text = text[:start] + text[end:]
    (mini / F).write_text(text.replace("pub-aller-vers: true", "pub-aller-vers: false"), "utf-8")
    checked = _checked(mini / F)
    assert changes(REVIEW, fingerprint(checked, QUESTIONNAIRE), QUESTIONNAIRE) == [
        f"« {LABEL} » ne s'applique plus"
    ]
    unreviewed = _review_of(fingerprint(checked, QUESTIONNAIRE))
    assert changes(unreviewed, fingerprint(BASE, QUESTIONNAIRE), QUESTIONNAIRE) == [
        f"« {LABEL} » s'applique désormais et n'a pas été relue"
    ]


def test_reviews_that_cannot_tell_why(mini: Path) -> None:
    old = _review_of(fingerprint(BASE, QUESTIONNAIRE), reviewed=None, application_sha256="a" * 64)
    assert changes(old, fingerprint(BASE, QUESTIONNAIRE), QUESTIONNAIRE) == [
        "cette relecture est antérieure aux empreintes par réponse : relisez la candidature"
    ]
    # A review that records only the identity and the items (no answers' own digests).
    current = fingerprint(BASE, QUESTIONNAIRE)
    minimal = _review_of(
        current,
        reviewed=Reviewed(identity=current.identity, items=current.items),
    )
    assert changes(minimal, current, QUESTIONNAIRE) == []
    changed = fingerprint(_with(BASE, **{ITEM: "Autre chose."}), QUESTIONNAIRE)
    assert changes(minimal, changed, QUESTIONNAIRE) == [
        f"la réponse ou les justificatifs de « {LABEL} » ont changé depuis cette relecture"
    ]


def test_in_english() -> None:
    set_language("en")
    changed = fingerprint(_with(BASE, **{ITEM: "Autre chose."}), QUESTIONNAIRE)
    assert changes(REVIEW, changed, QUESTIONNAIRE) == [
        "the answer to 'How do you reach out?' changed since this review"
    ]


def test_long_labels_are_shortened_at_a_word() -> None:
    label = (
        "Décrivez votre démarche pédagogique : comment se déroule un accompagnement, de "
        "l'accueil de la personne jusqu'à la fin de la séance ?"
    )
    assert shorten(label) == "Décrivez votre démarche pédagogique…"
    assert shorten("Courte ?") == "Courte ?"


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
evidence = st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), max_size=4)


@given(answer=texts, other=texts, entries=evidence)
def test_stale_exactly_when_the_rated_answer_changes(
    answer: str, other: str, entries: list[str]
) -> None:
    before = dataclasses.replace(_with(BASE, **{ITEM: answer}), evidence={ITEM: entries})
    after = dataclasses.replace(
        _with(BASE, **{ITEM: other}), evidence={ITEM: list(reversed(entries))}
    )
    review = _review_of(fingerprint(before, QUESTIONNAIRE))
    found = changes(review, fingerprint(after, QUESTIONNAIRE), QUESTIONNAIRE)
    if answer.split() == other.split():
        assert found == []
    else:
        assert found == [f"la réponse à « {LABEL} » a changé depuis cette relecture"]


@given(mediateurs=st.integers(0, 50), site=st.sampled_from(["https://a.fr", "https://b.fr"]))
def test_answers_the_reviewers_do_not_rate_never_count(mediateurs: int, site: str) -> None:
    other = _with(BASE, **{"apt-mediateurs": mediateurs, "pub-site": site})
    assert fingerprint(other, QUESTIONNAIRE) == fingerprint(BASE, QUESTIONNAIRE)
    assert changes(REVIEW, fingerprint(other, QUESTIONNAIRE), QUESTIONNAIRE) == []


@given(name=st.text(min_size=1, max_size=30))
def test_any_identity_change_counts(name: str) -> None:
    other = _with(BASE, nom=name)
    found = changes(REVIEW, fingerprint(other, QUESTIONNAIRE), QUESTIONNAIRE)
    same = " ".join(name.split()) == BASE.answers["nom"]
    assert found == ([] if same else ["l'identité du lieu a changé depuis cette relecture"])


def test_the_record_is_valid_json_of_digests() -> None:
    record = fingerprint(BASE, QUESTIONNAIRE).record()
    assert Reviewed.model_validate(record).items == record["items"]
    assert json.loads(canonical_json(record)) == record
