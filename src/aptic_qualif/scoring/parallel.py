"""Assessing a batch in several processes, each assessment rendered where it is made.

A network's folder of applications is assessed file by file, and every file is independent
but for one thing: the copies (:mod:`aptic_qualif.review.copies`), which compare each
written answer with every other application's. So a batch goes in two rounds over a pool
of processes forked from this one (they share the référentiel, the questionnaire and the
policy already loaded):

1. each process reads, checks and assesses files as if they had no copies, renders each
   assessment (``render``: its CSV row, its JSON, its terminal lines) and prepares the
   written answers for the copies (:func:`~aptic_qualif.review.copies.prepare_all`); this
   process indexes the answers as they come (:class:`~aptic_qualif.review.copies.CopyFinder`),
   while each process keeps what it renders in a temporary file of its own (memory does not
   grow with the batch);
2. once the copies are known, the few applications that have some are read, checked and
   assessed again, with them; this process writes the renderings in the order of the
   files, each application's last.

Only the prepared answers travel between processes, and where each rendering is: a checked
application stays in the process that made it, and a rendering is read once, to be written.

The output is the same, byte for byte, as :func:`~aptic_qualif.scoring.assess.
iter_assessments` in one process, which :func:`assess_rendered` uses for a small batch, a
single processor, or a system without ``fork``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from aptic_qualif.application import CheckedApplication, validate_application
from aptic_qualif.context import Context
from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.i18n import _
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


_shared: _Shared[Any] | None = None
_spool: IO[bytes] | None = None
"""This process's renderings, in a file of its own that the main process reads."""


def _start(shared: _Shared[Any], spools: str) -> None:
    global _shared, _spool
    _shared = shared
    _spool = (Path(spools) / str(os.getpid())).open("xb")  # open while the process lives
    # An interruption (Ctrl-C reaches the whole process group) is this process's to
    # handle: it stops the pool; a process stopping on its own would only print a trace.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _first(indices: list[int]) -> list[_First]:
    """First round: files read, checked and assessed as if they had no copies; each
    assessment rendered and pickled, its written answers prepared for the copies."""
    from aptic_qualif.review.copies import prepare_all, written_answers

    assert _shared is not None and _spool is not None
    questionnaire = _shared.context.questionnaire
    done: list[_First] = []
    for index in indices:
        checked, report = _check(index)
        if checked is None:
            done.append(("", None, report, ()))
            continue
        prepared = prepare_all(written_answers(checked, questionnaire))
        data = pickle.dumps(_assessed(checked, ()), protocol=pickle.HIGHEST_PROTOCOL)
        done.append((checked.id, (os.getpid(), _spool.tell(), len(data)), None, prepared))
        _spool.write(data)
    _spool.flush()  # read by the main process as soon as it has the results
    return done


def _again(tasks: list[tuple[int, list[CopyMatch]]]) -> list[_Assessed | Report]:
    """Second round, for the applications with copies only: each file read and checked
    again, then assessed with its copies and rendered (or, had it become unreadable since
    the first round, its report)."""
    done: list[_Assessed | Report] = []
    for index, copies in tasks:
        checked, report = _check(index)
        done.append(report if checked is None else _assessed(checked, copies))
    return done


def _check(index: int) -> tuple[CheckedApplication | None, Report]:
    assert _shared is not None
    path = _shared.files[index]
    return validate_application(
        path,
        _shared.context.questionnaire,
        _shared.context.catalogue,
        within=_shared.folders.get(path),
    )


def _assessed(checked: CheckedApplication, copies: Sequence[CopyMatch]) -> _Assessed:
    """``checked`` assessed with its reviews and ``copies``, and rendered."""
    assert _shared is not None
    own = _shared.by_application.get(checked.id, [])
    assessment, warnings = assess_checked(_shared.scorer, checked, own, copies, _shared.reviews_dir)
    return assessment.decision, _shared.render(assessment), warnings


_First = tuple[str, tuple[int, int, int] | None, Report | None, tuple[PreparedAnswer, ...]]
"""An application's id, where its rendering is (the process, the offset and the length in
that process's spool), the report of an unreadable file, the prepared written answers."""
_Assessed = tuple[str, object, list[Diagnostic]]
T = TypeVar("T")
U = TypeVar("U")


def _in_order(
    pool: ProcessPoolExecutor,
    processes: int,
    work: Callable[[list[T]], list[U]],
    tasks: Iterable[T],
    size: int,
) -> Iterator[U]:
    """``work`` over ``tasks`` in the pool of ``processes``, ``size`` tasks at a time, the
    results in the order of the tasks; at most :data:`WINDOW` tasks per process are handed
    out ahead of the results (memory stays bounded whatever the batch)."""
    from collections import deque
    from concurrent.futures import Future

    ahead = max(2, WINDOW * processes // size)
    pending: deque[Future[list[U]]] = deque()
    chunk: list[T] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            pending.append(pool.submit(work, chunk))
            chunk = []
            if len(pending) >= ahead:
                yield from pending.popleft().result()
    if chunk:
        pending.append(pool.submit(work, chunk))
    while pending:
        yield from pending.popleft().result()


def _in_processes(
    shared: _Shared[R],
    batch: Batch,
    processes: int,
    on_file: Callable[[Path], None] | None,
) -> Iterator[tuple[str, R]]:
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    from aptic_qualif.review.copies import permutations

    files = shared.files
    size = max(1, min(16, len(files) // (processes * 8)))
    # What every process would otherwise load on its own (numpy: 40 ms each), loaded once
    permutations()
    # Each process writes what it renders to a file of its own, in a folder that goes with
    # the command: a rendering (a JSON of tens of kilobytes) is read once, when written out,
    # rather than sent through a pipe and kept.
    with bulk_reading(), tempfile.TemporaryDirectory(prefix="aptic-qualif-") as spools:
        pool = ProcessPoolExecutor(
            processes,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start,
            initargs=(shared, spools),
        )
        # The collector is paused before the fork (see iter_assessments): the processes
        # inherit the pause. A process that dies (out of memory…) breaks the pool: said, not
        # waited for.
        try:
            yield from _rounds(shared, batch, processes, on_file, pool, Path(spools), size)
        except BrokenProcessPool:
            from aptic_qualif.errors import CommandError

            raise CommandError(
                _(
                    "a process assessing the batch stopped before the end (out of memory?); "
                    "run the command again, with -j 1 to assess in one process"
                )
            ) from None
        finally:
            # leaving early (the output stopped, an interruption): what is queued is
            # dropped, what runs ends within a few files
            pool.shutdown(wait=True, cancel_futures=True)


def _rounds(
    shared: _Shared[R],
    batch: Batch,
    processes: int,
    on_file: Callable[[Path], None] | None,
    pool: ProcessPoolExecutor,
    spools: Path,
    size: int,
) -> Iterator[tuple[str, R]]:
    from aptic_qualif.review.copies import CopyFinder

    files = shared.files
    finder = CopyFinder()
    kept: list[tuple[int, str, tuple[int, int, int]]] = []
    first_round = _in_order(pool, processes, _first, range(len(files)), size)
    for index, (application, where, report, prepared) in enumerate(first_round):
        if on_file is not None:
            on_file(files[index])
        if where is None:
            assert report is not None
            _unreadable(batch, files[index], report)
            continue
        kept.append((index, application, where))
        for answer in prepared:
            finder.add(answer)
    copies = finder.matches(threads=processes)  # the processes wait meanwhile
    # Most applications have no copies: their first assessment stands. The others are
    # assessed again, with their copies, and take their place in the output.
    again = _in_order(
        pool,
        processes,
        _again,
        (
            (index, copies[application])
            for index, application, _where in kept
            if application in copies
        ),
        size,
    )
    with contextlib.ExitStack() as opened:
        readers: dict[int, IO[bytes]] = {}
        for index, application, (process, offset, length) in kept:
            if application in copies:
                result = next(again)
                if isinstance(result, Report):  # changed since the first round
                    _unreadable(batch, files[index], result)
                    continue
            else:
                if process not in readers:
                    readers[process] = opened.enter_context((spools / str(process)).open("rb"))
                reader = readers[process]
                reader.seek(offset)
                result = pickle.loads(reader.read(length))  # written by the pool's process
            decision, rendered, warnings = result
            batch.report.extend(warnings)
            yield decision, rendered  # type: ignore[misc]


def _unreadable(batch: Batch, path: Path, report: Report) -> None:
    batch.report.extend(report.diagnostics)
    batch.unreadable.append(display_path(path))
