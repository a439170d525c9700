"""Assessing a batch in several processes, each assessment rendered where it is made.

A network's folder of applications is assessed file by file, and every file is independent
but for one thing: the copies (:mod:`aptic_qualif.review.copies`), which compare each
written answer with every other application's. So a batch goes in two rounds over a pool
of processes forked from this one (they share the référentiel, the questionnaire and the
policy already loaded):

1. each process reads and checks files, and prepares their written answers for the copies
   (:func:`~aptic_qualif.review.copies.prepare`); this process keeps each check in a
   temporary file (memory does not grow with the batch) and indexes the answers as they
   come (:class:`~aptic_qualif.review.copies.CopyFinder`);
2. once the copies are known, each process assesses checks with their copies and reviews,
   and renders each assessment (``render``: its CSV row, its JSON, its terminal lines),
   which this process writes in the order of the files.

The output is the same, byte for byte, as :func:`~aptic_qualif.scoring.assess.
iter_assessments` in one process, which :func:`assess_rendered` uses for a small batch, a
single processor, or a system without ``fork``.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.project import display_path
from aptic_qualif.review.copies import PreparedAnswer
from aptic_qualif.review.model import Review
from aptic_qualif.scoring.assess import (
    Batch,
    application_order,
    assess_checked,
    iter_assessments,
    reviews_by_application,
    scorer_for,
)
from aptic_qualif.scoring.engine import Scorer
from aptic_qualif.scoring.model import Assessment, CopyMatch
from aptic_qualif.yamlio import bulk_reading

R = TypeVar("R")

PARALLEL_FROM = 64
"""Batches of fewer files are assessed in this process: starting others would cost more
than it saves."""
MAX_JOBS = 8
"""The most processes chosen by default: beyond, reading the files is the limit."""
WINDOW = 64
"""Checks read back and handed to each process ahead of the output in the second round:
memory stays bounded."""


def usable_processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def processes_for(jobs: int, files: int) -> int:
    """How many processes assess ``files`` files when asked for ``jobs`` (0: one per usable
    processor, at most :data:`MAX_JOBS`): 1 for a small batch (:data:`PARALLEL_FROM`) or
    where processes cannot be forked."""
    if jobs < 0:
        raise ValueError(jobs)
    wanted = jobs or min(usable_processors(), MAX_JOBS)
    if wanted <= 1 or files < PARALLEL_FROM or not sys.platform.startswith("linux"):
        # fork is what lets the processes share what is loaded; on macOS it is unsafe
        return 1
    return min(wanted, files)


def assess_rendered(
    files: Iterable[Path],
    context: Context,
    batch: Batch,
    render: Callable[[Assessment], R],
    reviews: Iterable[Review] = (),
    reviews_dir: Path | None = None,
    *,
    on_file: Callable[[Path], None] | None = None,
    jobs: int = 1,
) -> Iterator[tuple[str, R]]:
    """Each assessment's decision and ``render(assessment)``, in the order of
    :func:`~aptic_qualif.scoring.assess.application_order`, made by up to ``jobs``
    processes (0: one per processor, :func:`processes_for`). ``batch`` collects the report
    and the unreadable files as the iteration goes; ``on_file`` is called as each file has
    been read and checked. ``render`` runs in the processes: what it returns is sent back
    (pickled), so it should be small (text, not the assessment).

    A missing policy is reported at once, before any output."""
    listed = sorted(set(files), key=application_order)
    processes = processes_for(jobs, len(listed))
    if processes == 1:
        assessed = iter_assessments(
            listed if not isinstance(files, Mapping) else files,
            context,
            batch,
            reviews,
            reviews_dir,
            on_file=on_file,
        )
        return ((a.decision, render(a)) for a, _checked, _own in assessed)
    state = _Shared(
        files=listed,
        folders=files if isinstance(files, Mapping) else {},
        context=context,
        scorer=scorer_for(context),
        by_application=reviews_by_application(reviews),
        reviews_dir=reviews_dir,
        render=render,
    )
    return _in_processes(state, batch, processes, on_file)


@dataclass(frozen=True)
class _Shared(Generic[R]):
    """What every process of the pool works with, inherited when it is forked."""

    files: list[Path]
    folders: Mapping[Path, Path | None]
    context: Context
    scorer: Scorer
    by_application: Mapping[str, list[Review]]
    reviews_dir: Path | None
    render: Callable[[Assessment], R]


_shared: _Shared[object] | None = None


def _start(shared: _Shared[object]) -> None:
    global _shared
    _shared = shared
    # An interruption (Ctrl-C reaches the whole process group) is this process's to
    # handle: it stops the pool; a process stopping on its own would only print a trace.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read(index: int) -> tuple[str, bytes | None, Report | None, tuple[PreparedAnswer, ...]]:
    """First round: one file read and checked; its check pickled, its answers prepared."""
    from aptic_qualif.review.copies import prepare, written_answers

    assert _shared is not None
    path = _shared.files[index]
    questionnaire = _shared.context.questionnaire
    checked, report = validate_application(
        path, questionnaire, _shared.context.catalogue, within=_shared.folders.get(path)
    )
    if checked is None:
        return "", None, report, ()
    prepared = tuple(prepare(answer) for answer in written_answers(checked, questionnaire))
    return checked.id, pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL), None, prepared


def _assess(task: tuple[bytes, Sequence[CopyMatch]]) -> tuple[str, object, list[Diagnostic]]:
    """Second round: one check assessed with its copies and reviews, and rendered."""
    assert _shared is not None
    data, copies = task
    checked: CheckedApplication = pickle.loads(data)  # pickled by this pool's first round
    own = _shared.by_application.get(checked.id, [])
    assessment, warnings = assess_checked(_shared.scorer, checked, own, copies, _shared.reviews_dir)
    return assessment.decision, _shared.render(assessment), warnings


def _in_processes(
    shared: _Shared[R],
    batch: Batch,
    processes: int,
    on_file: Callable[[Path], None] | None,
) -> Iterator[tuple[str, R]]:
    import multiprocessing

    from aptic_qualif.review.copies import CopyFinder

    files = shared.files
    chunk = max(1, min(16, len(files) // (processes * 8)))
    pool_context = multiprocessing.get_context("fork")
    # The collector is paused before the fork (see iter_assessments): the processes inherit
    # the pause. Leaving the block terminates the pool, also when the output stops early.
    with (
        bulk_reading(),
        tempfile.TemporaryFile(prefix="aptic-qualif-") as spool,
        pool_context.Pool(processes, initializer=_start, initargs=(shared,)) as pool,
    ):
        finder = CopyFinder()
        kept: list[tuple[str, int, int]] = []
        first_round = pool.imap(_read, range(len(files)), chunksize=chunk)
        for path, (application, data, report, prepared) in zip(files, first_round, strict=True):
            if on_file is not None:
                on_file(path)
            if data is None:
                assert report is not None
                batch.report.extend(report.diagnostics)
                batch.unreadable.append(display_path(path))
                continue
            kept.append((application, spool.tell(), len(data)))
            spool.write(data)
            for answer in prepared:
                finder.add(answer)
        copies = finder.matches(threads=processes)  # the processes wait meanwhile
        # The pool's feeder thread takes tasks as fast as it can: a semaphore keeps at most
        # WINDOW per process read back from the spool and not yet assessed.
        slots = threading.Semaphore(WINDOW * processes)
        stop = threading.Event()

        def tasks() -> Iterator[tuple[bytes, Sequence[CopyMatch]]]:
            for application, offset, size in kept:
                while not slots.acquire(timeout=0.05):
                    if stop.is_set():  # the output stopped: the pool is being closed
                        return
                spool.seek(offset)
                yield spool.read(size), copies.get(application, ())

        try:
            for decision, rendered, warnings in pool.imap(_assess, tasks(), chunksize=chunk):
                slots.release()
                batch.report.extend(warnings)
                yield decision, rendered  # type: ignore[misc]
        finally:
            stop.set()
