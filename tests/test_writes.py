"""Writes and the errors of the system (issue 11, classes 9, 11, 12 and 13): only regular
files are written, with the umask's mode, under their folder, and every error of the system
is one message naming the path, exit 2."""

from __future__ import annotations

import errno
import os
import socket
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aptic_qualif.cli.app import app
from aptic_qualif.errors import CommandError
from aptic_qualif.fsio import safe_name
from aptic_qualif.review.load import review_path
from aptic_qualif.review.workflow import agreement
from aptic_qualif.yamlio import atomic_write


def _context(runner: CliRunner, output: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["publish", "context", "-o", str(output), *extra])
    return result.exit_code, result.output


# -- 9. only regular files or new paths -------------------------------------------------


def test_a_device_is_never_replaced(mini: Path, runner: CliRunner) -> None:
    code, output = _context(runner, Path("/dev/null"), "--force")
    assert code == 2
    assert "n'est pas un fichier ordinaire" in output
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert "interne" not in output


def test_a_fifo_a_socket_and_a_folder_are_refused(mini: Path, runner: CliRunner) -> None:
    fifo = mini / "tube"
    os.mkfifo(fifo)
    code, output = _context(runner, fifo, "--force")
    assert code == 2 and "n'est pas un fichier ordinaire" in output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    sock_path = mini / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        code, output = _context(runner, sock_path, "--force")
        assert code == 2 and "n'est pas un fichier ordinaire" in output
    finally:
        sock.close()
    folder = mini / "dossier"
    folder.mkdir()
    code, output = _context(runner, folder, "--force")
    assert code == 2 and "est un dossier" in output
    assert folder.is_dir()


def test_the_rename_never_goes_over_a_target_that_became_special(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    real_fsync = os.fsync

    def swap(fd: int) -> None:  # the target turns into a pipe while the file is written
        real_fsync(fd)
        if not target.exists():
            os.mkfifo(target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", swap)
        with pytest.raises(CommandError):
            atomic_write(target, "{}", force=True)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# -- 11. the umask -----------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_output_files_respect_the_umask(
    mini: Path, runner: CliRunner, umask: int, mode: int
) -> None:
    old = os.umask(umask)
    try:
        code, _output = _context(runner, mini / "context.jsonld")
        assert code == 0
        assert stat.S_IMODE((mini / "context.jsonld").stat().st_mode) == mode
        code, _output = _context(runner, mini / "context.jsonld", "--force")
        assert stat.S_IMODE((mini / "context.jsonld").stat().st_mode) == mode
    finally:
        os.umask(old)


# -- 12. names made from data ------------------------------------------------------------


@pytest.mark.parametrize("name", ["", ".", "..", ".cache", "a/b", "..\\x", "a\x00b", "a\nb"])
def test_unsafe_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        safe_name(name)
    with pytest.raises(CommandError):
        review_path(tmp_path, name, "alice")
    with pytest.raises(CommandError):
        review_path(tmp_path, "app", name)


def test_safe_names_are_kept(tmp_path: Path) -> None:
    assert safe_name("tiers-lieu_2.v1") == "tiers-lieu_2.v1"
    assert review_path(tmp_path, "app", "alice") == tmp_path / "app" / "alice.yaml"


def test_review_of_an_application_named_dot_dot_writes_nothing_outside(
    mini: Path, runner: CliRunner
) -> None:
    source = next(p for p in (mini / "applications").glob("*.yaml"))
    hostile = mini / "applications" / "...yaml"
    hostile.write_bytes(source.read_bytes())
    before = set(mini.rglob("*"))
    result = runner.invoke(app, ["review", str(hostile), "--reviewer", "alice"], input="1\n" * 40)
    assert result.exit_code in (1, 2)
    assert "interne" not in result.output
    assert set(mini.rglob("*")) == before


# -- 13. errors of the system ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "plus de place"),
        (errno.EACCES, "permission refusée"),
        (errno.EPERM, "permission refusée"),
        (errno.EROFS, "lecture seule"),
        (errno.EIO, "impossible d'utiliser"),
    ],
)
def test_each_error_of_the_system_is_one_message(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", fail)
    target = mini / "context.jsonld"
    exit_code, output = _context(runner, target)
    assert exit_code == 2
    assert words in output
    assert "context.jsonld" in output
    assert "interne" not in output and "Traceback" not in output
    assert not target.exists()
    assert not [p for p in mini.iterdir() if p.name.startswith(".context.jsonld")]


def test_an_error_while_writing_names_the_target(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def full(fd: int) -> None:
        real_fsync(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    exit_code, output = _context(runner, mini / "sortie.jsonld")
    assert exit_code == 2
    assert "plus de place" in output and "sortie.jsonld" in output
    assert ".tmp" not in output


def test_an_error_of_the_system_in_a_folder_write(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkstemp = __import__("tempfile").mkstemp

    def readonly(*args: object, **kwargs: object) -> object:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(kwargs.get("dir", "?")))

    monkeypatch.setattr("tempfile.mkstemp", readonly)
    result = runner.invoke(app, ["publish", "all", "-o", str(mini / "dl")])
    monkeypatch.setattr("tempfile.mkstemp", real_mkstemp)
    assert result.exit_code == 2
    assert "lecture seule" in result.output
    assert "interne" not in result.output


def test_an_empty_csv_is_an_error(mini: Path, runner: CliRunner) -> None:
    empty = mini / "vide.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["import", "lieux", str(empty), "-o", str(mini / "out")])
    assert result.exit_code == 1
    assert "LIEU001" in result.output and "vide" in result.output


def test_agreement_warns_nothing() -> None:
    units = {("a", "x"): {"r1": 2, "r2": 2}, ("b", "x"): {"r1": 2, "r2": 2}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert agreement(units) is None


# -- 10. a rebuild deletes only what a build made; downloads are swapped whole ----------


def test_a_rebuild_keeps_what_no_build_wrote(tmp_path: Path) -> None:
    from aptic_qualif.publish.site.output import MARKER, _check_output, _manifest

    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("x")
    (site / "css" / "a.css").write_text("x")
    (site / MARKER).write_text(_manifest(site))
    root, source = tmp_path / "projet", tmp_path / "projet" / "site"
    _check_output(site, root, source, force=False)  # only built files: a rebuild may replace
    (site / "CNAME").write_text("example.org")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref")
    (site / "css" / "mine.css").write_text("x")
    with pytest.raises(CommandError) as refused:
        _check_output(site, root, source, force=False)
    message = str(refused.value)
    assert "CNAME" in message and ".git/" in message and "css/mine.css" in message
    assert "index.html" not in message
    _check_output(site, root, source, force=True)


def test_a_site_marked_before_the_list_is_not_deleted_without_force(tmp_path: Path) -> None:
    from aptic_qualif.publish.site.output import MARKER, _check_output

    site = tmp_path / "site"
    site.mkdir()
    (site / MARKER).write_text("aptic-qualif publish site\n")
    (site / "CNAME").write_text("example.org")
    with pytest.raises(CommandError, match="CNAME"):
        _check_output(site, tmp_path / "p", tmp_path / "p" / "site", force=False)


def test_publish_all_never_leaves_old_and_new_mixed(
    mini: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = mini / "dl"
    assert runner.invoke(app, ["publish", "all", "-o", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~_umask()
    calls: list[str] = []
    real = os.replace

    def killed(src: object, dst: object) -> None:
        calls.append(str(dst))
        if len(calls) == 4:
            raise KeyboardInterrupt
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", killed)
    result = runner.invoke(app, ["publish", "all", "-o", str(out), "--force"])
    assert result.exit_code == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in mini.iterdir() if p.name.startswith(".dl")) == []


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A write that fails halfway (an exception from the content being written) leaves the
    previous file byte for byte, and no temporary file behind."""
    from aptic_qualif.yamlio import atomic_write

    path = tmp_path / "candidature.yaml"
    atomic_write(path, "nom: avant\n")

    def content() -> Iterator[str]:
        yield "nom: apres\n"
        yield "reponses:\n"
        raise KeyboardInterrupt  # Ctrl-C in the middle of the write

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, content(), force=True)
    assert path.read_text(encoding="utf-8") == "nom: avant\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidature.yaml"]


def test_a_killed_writer_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A process killed (SIGKILL: no cleanup at all) while it writes a large file: the
    previous file is intact; only a hidden temporary file may remain beside it."""
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "candidature.yaml"
    path.write_text("nom: avant\n", encoding="utf-8")
    started = tmp_path / "started"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from aptic_qualif.yamlio import atomic_write\n"
        "def content():\n"
        f"    Path({str(started)!r}).touch()\n"
        "    while True:\n"
        "        yield 'x: ' + 'y' * 1000 + '\\n'\n"
        "        time.sleep(0.001)\n"
        f"atomic_write(Path({str(path)!r}), content(), force=True)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline and writer.poll() is None
        time.sleep(0.02)
    time.sleep(0.3)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    assert path.read_text(encoding="utf-8") == "nom: avant\n"
    leftovers = [
        p.name for p in tmp_path.iterdir() if p.name not in {"candidature.yaml", "started"}
    ]
    assert all(name.startswith(".candidature.yaml.") for name in leftovers), leftovers
    # What the killed process left is its own temporary file, which serve removes at start.
    from aptic_qualif.fsio import TEMPORARY, clean_temporary_files

    assert all(TEMPORARY.match(name) for name in leftovers), leftovers
    clean_temporary_files([tmp_path], older_than=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidature.yaml", "started"]
    assert path.read_text(encoding="utf-8") == "nom: avant\n"


def test_a_rename_that_fails_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last step of the write, the rename over the old file, fails (a full or read-only
    file system, a folder lost): the old file is still there byte for byte, the new content
    is not half-written into it, no temporary file remains, and the error names the file."""
    from aptic_qualif.fsio import atomic_write

    path = tmp_path / "candidature.yaml"
    atomic_write(path, "nom: avant\n")
    replaced: list[str] = []

    def fail(source: object, target: object) -> None:
        replaced.append(str(source))
        assert Path(str(source)).read_text(encoding="utf-8") == "nom: apres\n"  # written whole
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError) as raised:
        atomic_write(path, "nom: apres\n", force=True)
    assert replaced, "the write never reached the rename"
    assert raised.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "nom: avant\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["candidature.yaml"]
