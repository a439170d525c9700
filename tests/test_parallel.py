"""A large batch is assessed by several processes: the same bytes as one process, in every
streamed format and in the terminal table, with the copies found across the processes, a
broken file reported while the others are assessed, and no process left behind."""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from benchmarks.generate_applications import COPY_EVERY, generate
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.context import load_context
from aptic_qualif.scoring import render
from aptic_qualif.scoring.assess import Batch
from aptic_qualif.scoring.parallel import PARALLEL_FROM, assess_rendered, processes_for
from tests.conftest import REPO

SIZE = PARALLEL_FROM + 6


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    generate(SIZE, folder, seed=3)
    return folder


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def test_a_small_batch_or_one_processor_stays_in_this_process() -> None:
    assert processes_for(4, PARALLEL_FROM - 1) == 1
    assert processes_for(1, 10_000) == 1
    assert processes_for(2, 10_000) == 2
    assert processes_for(8, PARALLEL_FROM) == 8
    assert 1 <= processes_for(0, 10_000) <= 8
    with pytest.raises(ValueError):
        processes_for(-1, 10_000)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_several_processes_write_the_same_bytes(
    repo: Path, runner: CliRunner, batch_folder: Path, tmp_path: Path, fmt: str
) -> None:
    outputs = []
    for jobs in ("1", "2", "3"):
        target = tmp_path / f"out-{jobs}.{fmt}"
        command = ["assess", str(batch_folder), "-f", fmt, "-o", str(target), "-j", jobs]
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    if fmt == "csv":
        assert outputs[0].count(b"\n") == 1 + SIZE
    else:
        assert outputs[0].count(b'\n      "application": ') == SIZE


def test_the_copies_are_found_across_the_processes(repo: Path, batch_folder: Path) -> None:
    """The generator pastes one answer in every COPY_EVERY venues: the pasted pairs are
    split between processes, and found all the same."""
    context = load_context(REPO, need_policy=True)
    files = sorted(batch_folder.glob("*.yaml"))
    found: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for jobs in (1, 2):
        rendered = assess_rendered(
            files,
            context,
            Batch(),
            lambda a: (a.application, tuple(match.other for match in a.copies)),
            jobs=jobs,
        )
        found[jobs] = [item for _decision, item in rendered]
    assert found[1] == found[2]
    copied = [application for application, others in found[2] if others]
    assert len(copied) >= 2 * (SIZE // COPY_EVERY)


def test_the_terminal_table_is_the_same_from_several_processes(
    repo: Path, runner: CliRunner, batch_folder: Path
) -> None:
    outputs = []
    for jobs in ("1", "2"):
        result = runner.invoke(
            app, ["assess", str(batch_folder), "-f", "table", "-j", jobs], env={"COLUMNS": "80"}
        )
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") > SIZE * 3  # the table, then each venue's details


def test_the_terminal_details_are_rendered_as_one_console_would(
    repo: Path, batch_folder: Path
) -> None:
    """Each venue's details, rendered apart (in the process that assessed it), are the
    bytes the terminal's console gives for all of them, colours included."""
    import io

    from rich.console import Console

    from aptic_qualif.scoring.assess import assess_files

    files = sorted(batch_folder.glob("*.yaml"))[:12]
    assessments = assess_files(files, load_context(REPO, need_policy=True)).assessments
    for width, colours in ((80, "truecolor"), (140, None), (60, "standard")):
        console = Console(
            file=io.StringIO(), width=width, color_system=colours, force_terminal=True
        )
        console.print(render.render_details(assessments, themes=width < render.NARROW))
        settings = render.TerminalSettings.of(console)
        apart = "".join(render.table_parts(a, settings)[1] for a in assessments)
        assert apart == console.file.getvalue()  # type: ignore[attr-defined]


def test_a_broken_file_is_reported_and_the_others_assessed(
    repo: Path, runner: CliRunner, batch_folder: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "lot"
    shutil.copytree(batch_folder, folder)
    broken = sorted(folder.glob("*.yaml"))[5]
    broken.write_text("identite: [\n", encoding="utf-8")
    (folder / "dossier.yaml").mkdir()  # a folder named like an application: not a file
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["assess", str(folder), "-f", "csv", "-o", str(target), "-j", "2"])
    assert result.exit_code == 1
    assert f"{broken.name}:" in result.stderr and "error[" in result.stderr
    assert "Traceback" not in result.output
    rows = target.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + SIZE - 1  # the header, every other application
    assert not any(broken.stem in row for row in rows)


def test_only_the_applications_with_copies_are_assessed_again(
    repo: Path,
    runner: CliRunner,
    batch_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first round assesses every application as if it had no copies; those with copies
    are read again once the copies are known. One broken in between (a venue saving its
    file during the run) is reported as unreadable, and the others keep their place."""
    from aptic_qualif.review.copies import CopyFinder

    folder = tmp_path / "lot"
    shutil.copytree(batch_folder, folder)
    real_matches = CopyFinder.matches
    broken: list[str] = []

    def matches_then_break(finder: CopyFinder, *args: object, **kwargs: object) -> object:
        found = real_matches(finder, *args, **kwargs)  # type: ignore[arg-type]
        assert len(found) >= 2  # the generator pastes answers between venues
        broken.append(sorted(found)[0])
        (folder / f"{broken[0]}.yaml").write_text("identite: [\n", encoding="utf-8")
        return found

    monkeypatch.setattr(CopyFinder, "matches", matches_then_break)
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["assess", str(folder), "-f", "csv", "-o", str(target), "-j", "2"])
    assert result.exit_code == 1
    assert f"{broken[0]}.yaml:" in result.stderr and "error[" in result.stderr
    rows = target.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + SIZE - 1
    assert not any(row.startswith(broken[0]) for row in rows)
    ids = [row.split(",", 1)[0] for row in rows[1:]]
    assert ids == sorted(path.stem for path in folder.glob("*.yaml") if path.stem != broken[0])


def test_no_process_is_left_when_the_output_stops_early(
    repo: Path, batch_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that stops (a closed pipe, an interruption) stops the pool, and the
    processes' temporary files go with it."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    context = load_context(REPO, need_policy=True)
    rendered = assess_rendered(
        sorted(batch_folder.glob("*.yaml")), context, Batch(), render.csv_parts, jobs=2
    )
    next(rendered)
    assert multiprocessing.active_children()
    assert len(list(next(tmp_path.iterdir()).iterdir())) == 2  # one file per process
    rendered.close()  # type: ignore[attr-defined]
    assert not multiprocessing.active_children()
    assert not list(tmp_path.iterdir())


def test_jobs_must_be_a_count(repo: Path, runner: CliRunner, batch_folder: Path) -> None:
    result = runner.invoke(app, ["assess", str(batch_folder), "-f", "csv", "-j", "-1"])
    assert result.exit_code == 2
    flat = " ".join(word for word in result.output.split() if word != "│")
    assert "la valeur doit être supérieure ou égale à 0" in flat
    assert "Traceback" not in result.output


def test_in_a_terminal_the_progress_bar_is_gone_before_the_file_is_announced(
    repo: Path, batch_folder: Path, tmp_path: Path
) -> None:
    """The bar is drawn on the terminal while the batch is read; « Fichier écrit » used to
    be printed while it was still there, glued to its last frame."""
    import os
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    target = tmp_path / "out.csv"
    command = [sys.executable, "-m", "aptic_qualif", "assess", str(batch_folder)]
    process = subprocess.Popen(
        [*command, "-f", "csv", "-o", str(target), "-j", "2"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm"},
        cwd=REPO,
    )
    os.close(child)
    output = b""
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        output += data
    os.close(main)
    assert process.wait(timeout=60) == 0
    text = output.decode("utf-8", "replace")
    assert "Évaluation en cours" in text  # the bar was shown
    before, found, _after = text.rpartition("Fichier écrit")
    assert found and before.endswith(("\n", "\r", "\x1b[2K", "\x1b[?25h")), repr(before[-80:])
    assert target.read_text(encoding="utf-8").count("\n") == 1 + SIZE


def test_reviews_and_their_warnings_are_the_same_from_several_processes(
    repo: Path, runner: CliRunner, batch_folder: Path, tmp_path: Path
) -> None:
    """The example reviews (one stale, one with a conflict of interest) reach the processes
    that assess their applications: the same decisions and the same warnings."""
    folder = tmp_path / "lot"
    shutil.copytree(batch_folder, folder)
    for example in (REPO / "examples" / "applications").glob("*.yaml"):
        shutil.copy(example, folder / example.name)
    reviews = REPO / "examples" / "reviews"
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"out-{jobs}.csv"
        command = ["assess", str(folder), "--reviews", str(reviews), "-f", "csv", "-o"]
        result = runner.invoke(app, [*command, str(target), "-j", jobs])
        assert result.exit_code == 0, result.output
        outputs.append((target.read_bytes(), result.stderr.replace(str(target), "")))
    assert outputs[0] == outputs[1]
    assert "warning[REV003]" in outputs[1][1] and "warning[REV004]" in outputs[1][1]
    assert b"fablab-la-forge" in outputs[1][0]


_real_read: Callable[[list[int]], list[object]] | None = None


def _dying_read(indices: list[int]) -> list[object]:
    """The first round's work, but the process dies on the eleventh file, as the kernel's
    out-of-memory killer would kill it."""
    import os

    if 10 in indices:
        os._exit(9)
    assert _real_read is not None
    return _real_read(indices)


def test_a_process_that_dies_stops_the_command_with_a_message(
    repo: Path,
    runner: CliRunner,
    batch_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process killed (out of memory, a crash in a library) used to leave the pool
    waiting for it forever; now the command stops at once, says so, and writes nothing."""
    import sys

    from aptic_qualif.scoring import parallel

    monkeypatch.setattr(sys.modules[__name__], "_real_read", parallel._first)
    monkeypatch.setattr(parallel, "_first", _dying_read)
    target = tmp_path / "out.csv"
    command = ["assess", str(batch_folder), "-f", "csv", "-o", str(target), "-j", "2"]
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "s'est arrêté avant la fin" in result.stderr and "-j 1" in result.stderr
    assert not target.exists()
    assert not multiprocessing.active_children()
