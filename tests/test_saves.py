"""No lost update: saves of one application are serialised (threads and processes), each
changes only the fields of its section, a save from a stale page is a conflict, and what an
interrupted write leaves is cleaned."""

from __future__ import annotations

import errno
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from aptic_qualif import editing
from aptic_qualif.context import Context, load_context
from aptic_qualif.fsio import LOCK_DIR, clean_temporary_files, exclusive
from tests.conftest import REPO

ROUNDS = 20
SECTIONS = {
    "aptitudes": "apt-demarche-pedagogique",
    "publics": "pub-suivi-progression",
    "territoires": "ter-besoins-territoire",
    "competences-specifiques": "cs-adaptation-besoin-specifique",
}
"""One text question of each of four sections."""
FIELDS = ["apt-heures-mediation", "apt-nombre-mediateurs", "apt-postes-publics"]
"""Three questions of one section (aptitudes)."""

_CONTEXT: Context | None = None


def _context() -> Context:
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = load_context(REPO, need_policy=True)
    return _CONTEXT


@pytest.fixture
def application(tmp_path: Path) -> Path:
    path = tmp_path / "candidatures" / "lieu.yaml"
    path.parent.mkdir()
    editing.create(path, _context().questionnaire, identity={"nom": "Lieu"})
    return path


def _save(
    path: Path, section: str, form: dict[str, list[str]], version: str | None = None
) -> editing.Saved:
    context = _context()
    return editing.save_section(
        path, context.questionnaire, context.catalogue, section, form, version=version
    )


def _section_worker(path: str, section: str) -> None:
    """Save one section's text ROUNDS times, without any version (each save its own)."""
    question = SECTIONS[section]
    for number in range(ROUNDS):
        _save(Path(path), section, {question: [f"{section} {number}"]})


def _field_worker(path: str, question: str) -> None:
    """Save one question of a section shared with other workers ROUNDS times, each from a
    page read just before (its version, the other questions as the page showed them)."""
    loaded = _context().questionnaire
    for number in range(ROUNDS):
        data = editing.read_data(Path(path))
        version = editing.section_version(data, loaded, "aptitudes")
        form = {
            other: [str(data["reponses"][other])] for other in FIELDS if other in data["reponses"]
        }
        form[question] = [str(100 * FIELDS.index(question) + number)]
        saved = _save(Path(path), "aptitudes", form, version)
        assert not saved.conflicts, saved.conflicts


def _run(target: Any, path: Path, names: list[str]) -> None:
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=target, args=(str(path), name)) for name in names]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert all(worker.exitcode == 0 for worker in workers), [w.exitcode for w in workers]


def test_processes_saving_different_sections_lose_nothing(application: Path) -> None:
    _run(_section_worker, application, list(SECTIONS))
    data = editing.read_data(application)
    assert {question: data["reponses"].get(question) for question in SECTIONS.values()} == {
        question: f"{section} {ROUNDS - 1}" for section, question in SECTIONS.items()
    }
    assert data["lieu"]["nom"] == "Lieu"
    assert not [p for p in application.parent.iterdir() if p.name.endswith(".tmp")]


def test_processes_saving_different_questions_of_a_section_lose_nothing(
    application: Path,
) -> None:
    _run(_field_worker, application, FIELDS)
    data = editing.read_data(application)
    assert {question: data["reponses"].get(question) for question in FIELDS} == {
        question: 100 * index + ROUNDS - 1 for index, question in enumerate(FIELDS)
    }


def test_threads_saving_different_sections_lose_nothing(application: Path) -> None:
    errors: list[BaseException] = []

    def work(section: str) -> None:
        try:
            _section_worker(str(application), section)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(section,)) for section in SECTIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    data = editing.read_data(application)
    for section, question in SECTIONS.items():
        assert data["reponses"][question] == f"{section} {ROUNDS - 1}"


def _hold(path: str, seconds: float, ready: Any) -> None:
    with exclusive(Path(path)):
        ready.set()
        time.sleep(seconds)


def test_a_save_waits_for_the_lock_another_process_holds(application: Path) -> None:
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Event()
    holder = spawn.Process(target=_hold, args=(str(application), 1.0, ready))
    holder.start()
    assert ready.wait(60)
    start = time.monotonic()
    _save(application, "aptitudes", {"apt-heures-mediation": ["3"]})
    waited = time.monotonic() - start
    holder.join(30)
    assert waited > 0.5
    assert (application.parent / LOCK_DIR / "lieu.yaml.lock").is_file()
    assert (application.parent / LOCK_DIR / ".gitignore").read_text() == "*\n"


def test_a_stale_save_of_a_changed_question_is_a_conflict(application: Path) -> None:
    loaded = _context().questionnaire
    shown = editing.section_version(editing.read_data(application), loaded, "aptitudes")
    first = _save(application, "aptitudes", {"apt-demarche-pedagogique": ["Ateliers"]}, shown)
    assert not first.conflicts
    # A second page, shown before the first save, changes the same question and another.
    second = _save(
        application,
        "aptitudes",
        {"apt-demarche-pedagogique": ["Permanences"], "apt-heures-mediation": ["12"]},
        shown,
    )
    assert [(c.field, c.saved, c.typed) for c in second.conflicts] == [
        ("apt-demarche-pedagogique", "Ateliers", "Permanences")
    ]
    assert "Ateliers" in second.conflicts[0].message
    assert "Permanences" in second.conflicts[0].message
    data = editing.read_data(application)
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers"
    assert data["reponses"]["apt-heures-mediation"] == 12
    # The page still shows what was typed: the conflict stays until it takes the saved value.
    again = _save(
        application,
        "aptitudes",
        {"apt-demarche-pedagogique": ["Permanences"], "apt-heures-mediation": ["12"]},
        second.version,
    )
    assert [c.field for c in again.conflicts] == ["apt-demarche-pedagogique"]
    taken = _save(
        application,
        "aptitudes",
        {"apt-demarche-pedagogique": ["Ateliers"], "apt-heures-mediation": ["13"]},
        again.version,
    )
    assert not taken.conflicts
    assert editing.read_data(application)["reponses"]["apt-heures-mediation"] == 13


def test_a_stale_save_keeps_what_it_did_not_change(application: Path) -> None:
    loaded = _context().questionnaire
    shown = editing.section_version(editing.read_data(application), loaded, "aptitudes")
    _save(application, "aptitudes", {"apt-demarche-pedagogique": ["Ateliers"]}, shown)
    # The stale page sends the question as it showed it (empty): not its change, kept.
    stale = _save(application, "aptitudes", {"apt-heures-mediation": ["12"]}, shown)
    assert not stale.conflicts
    data = editing.read_data(application)
    assert data["reponses"]["apt-demarche-pedagogique"] == "Ateliers"
    assert data["reponses"]["apt-heures-mediation"] == 12


def test_a_stale_save_of_evidence_is_a_conflict(application: Path) -> None:
    loaded = _context().questionnaire
    shown = editing.section_version(editing.read_data(application), loaded, "aptitudes")
    _save(application, "aptitudes", {"preuves:apt-demarche-pedagogique": ["projet.pdf"]}, shown)
    stale = _save(
        application, "aptitudes", {"preuves:apt-demarche-pedagogique": ["autre.pdf"]}, shown
    )
    assert [(c.field, c.evidence, c.saved, c.typed) for c in stale.conflicts] == [
        ("preuves:apt-demarche-pedagogique", True, "projet.pdf", "autre.pdf")
    ]
    assert editing.read_data(application)["preuves"]["apt-demarche-pedagogique"] == ["projet.pdf"]


def test_a_failed_write_changes_nothing_and_says_so(
    application: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = application.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("aptic_qualif.fsio.os.fsync", full)
    with pytest.raises(OSError) as raised:
        _save(application, "aptitudes", {"apt-heures-mediation": ["12"]})
    assert raised.value.filename == str(application)
    assert application.read_bytes() == before
    assert not [p for p in application.parent.iterdir() if p.name.endswith(".tmp")]


def _aged(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def test_temporary_files_of_interrupted_writes_are_cleaned(tmp_path: Path) -> None:
    applications, reviews = tmp_path / "candidatures", tmp_path / "relectures"
    left = [
        _aged(applications / ".lieu.yaml.a1b2c3_d.tmp"),
        _aged(reviews / "lieu" / ".claire.yaml.zz99zz99.tmp"),
    ]
    kept = [
        _aged(applications / "lieu.yaml"),
        _aged(applications / ".notes.tmp"),  # not a name this tool makes
        _aged(applications / "lieu.yaml.a1b2c3d4.tmp"),  # no leading dot
        _aged(applications / ".lieu.yaml.a1b2c3d4.tmp.bak"),
        _aged(tmp_path / "ailleurs" / ".lieu.yaml.a1b2c3d4.tmp"),  # another folder
    ]
    fresh = applications / ".autre.yaml.q1w2e3r4.tmp"  # a write in progress
    fresh.write_text("x", encoding="utf-8")
    link = applications / ".lien.yaml.abcdefgh.tmp"
    link.symlink_to(kept[0])
    assert clean_temporary_files([applications, reviews]) == sorted(left)
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in [*kept, fresh]) and link.is_symlink()
    assert clean_temporary_files([applications], older_than=0) == [fresh]
