"""``assess`` reads and checks each application once, copies included, and gives the same
assessments as when the copies are found apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from aptic_qualif import application
from aptic_qualif.context import load_context
from aptic_qualif.review.copies import copies_of_files
from aptic_qualif.scoring import assess
from aptic_qualif.scoring.assess import Batch, iter_assessments
from aptic_qualif.scoring.render import render_json
from tests.conftest import REPO


def test_each_application_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    context = load_context(REPO, need_policy=True)
    files = sorted(Path("examples/applications").glob("*.yaml"))
    reads: Counter[Path] = Counter()
    validate = assess.validate_application

    def counted(path: Path, *args: object, **kwargs: object) -> object:
        reads[path] += 1
        return validate(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(assess, "validate_application", counted)
    monkeypatch.setattr(application, "validate_application", counted)  # wherever it is called
    once = [a for a, _checked, _own in iter_assessments(files, context, Batch())]
    assert reads == Counter(files)
    monkeypatch.setattr(assess, "validate_application", validate)
    monkeypatch.setattr(application, "validate_application", validate)
    copies = copies_of_files(files, context.questionnaire, context.catalogue)
    apart = [a for a, _checked, _own in iter_assessments(files, context, Batch(), copies=copies)]
    assert render_json(once) == render_json(apart)


def _cyclic_garbage(files: list[Path], context: object) -> int:
    """The objects only the cyclic collector frees, left by assessing ``files``."""
    import gc

    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _assessed in iter_assessments(files, context, Batch()):  # type: ignore[arg-type]
            pass
        return gc.collect()
    finally:
        if enabled:
            gc.enable()


def test_assessing_makes_no_reference_cycles(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The batch pauses the cyclic garbage collector (yamlio.bulk_reading): safe only while
    an application read, checked and assessed leaves nothing that only it can free, so that
    memory does not grow with the batch."""
    monkeypatch.chdir(REPO)
    context = load_context(REPO, need_policy=True)
    examples = sorted(Path("examples/applications").glob("*.yaml"))
    files = []
    for copy in range(4):
        for path in examples:
            target = tmp_path / f"{path.stem}-{copy}.yaml"
            target.write_bytes(path.read_bytes())
            files.append(target)
    _cyclic_garbage(files[: len(examples)], context)  # caches filled
    few = _cyclic_garbage(files[: len(examples)], context)
    many = _cyclic_garbage(files, context)
    assert many <= few + 10, (few, many)
