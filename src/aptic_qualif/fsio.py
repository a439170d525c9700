"""What the toolkit asks of the file system, in one place: file names made from data, one
message for each error the system reports, the lock that serialises the changes of one file,
and the cleaning of the temporary files an interrupted write leaves."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path

_FORBIDDEN = frozenset("/\\\0")


def safe_name(text: str) -> str:
    """``text`` as it is when it can name a file inside a folder, or :class:`CommandError`.

    A name made from data (an application id, a reviewer, a venue name) never leaves its
    folder: it is not empty, not ``.`` or ``..``, starts with no dot and holds no path
    separator and no control character."""
    if (
        not text
        or text.startswith(".")
        or any(char in _FORBIDDEN or ord(char) < 0x20 or ord(char) == 0x7F for char in text)
    ):
        raise CommandError(
            _(
                "'{name}' cannot name a file: a name must not be empty, start with a dot or "
                "hold '/', '\\' or a control character"
            ).format(name=text)
        )
    return text


def check_writable_target(path: Path) -> None:
    """:class:`CommandError` unless ``path`` is absent or a regular file (a symlink is
    followed): a device, a socket, a pipe or a folder is never replaced by a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError:  # the write itself will report it
        return
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise CommandError(
            _("{path} is a folder: give the name of a file to write").format(
                path=display_path(path)
            )
        )
    raise CommandError(
        _(
            "{path} is not a regular file (a device, a socket or a pipe): refusing to replace it"
        ).format(path=display_path(path))
    )


def default_mode(*, folder: bool = False) -> int:
    """The mode of a new file (``0666 & ~umask``) or folder (``0777 & ~umask``) under the
    current umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def os_error_message(exc: OSError) -> str:
    """One message for people per error the system reports, naming the path."""
    name = exc.filename
    path = display_path(Path(os.fsdecode(name))) if name is not None else "?"
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return _("no space left on the disk to write {path}").format(path=path)
    if code in (errno.EACCES, errno.EPERM):
        return _("permission denied: {path}").format(path=path)
    if code == errno.EROFS:
        return _("{path} is on a read-only file system").format(path=path)
    if code == errno.EISDIR:
        return _("{path} is a folder: give the name of a file").format(path=path)
    if code == errno.ENOENT:
        return _("{path} does not exist").format(path=path)
    if code == errno.ENOTDIR:
        return _("a part of {path} is not a folder").format(path=path)
    if code == errno.EEXIST:
        return _("{path} already exists").format(path=path)
    if code == errno.ENAMETOOLONG:
        return _("the name {path} is too long").format(path=path)
    return _("cannot use {path}: {reason}").format(path=path, reason=exc.strerror or exc)


LOCK_DIR = ".verrous"
"""The hidden folder, beside the files it locks, that holds one lock file per file."""

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` for a read-modify-write of it: the threads of this
    process and every other process that asks for the same lock wait their turn.

    The lock is taken (``flock``) on a lock file of its own, ``.verrous/<name>.lock`` beside
    ``path``, never on ``path`` itself: an atomic write replaces ``path`` by another file (a
    rename), and a lock held on the replaced file would lock nothing. The lock file stays (it
    is empty); the folder tells git to ignore it."""
    folder = path.parent / LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(FileExistsError), ignore.open("x", encoding="utf-8") as handle:
            handle.write("*\n")
    lock_path = folder / f"{path.name}.lock"
    key = str(lock_path.resolve())
    with _THREAD_LOCKS_GUARD:
        in_process = _THREAD_LOCKS.setdefault(key, threading.Lock())
    with in_process:
        fd = os.open(
            lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, default_mode()
        )
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the file releases the lock


TEMPORARY = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")
"""The name of a temporary file of :func:`atomic_write`:
``.<target>.<8 random characters>.tmp`` beside its target."""


def clean_temporary_files(folders: Iterable[Path], *, older_than: float = 60.0) -> list[Path]:
    """Remove the temporary files that interrupted atomic writes left in ``folders`` and
    their subfolders (symbolic links are neither followed nor removed); returns them.

    Only this tool's own temporary files are removed, known by their name, and only when
    they were last modified more than ``older_than`` seconds ago: a write in progress in
    another process keeps its file."""
    removed: list[Path] = []
    limit = time.time() - older_than
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir():
            continue
        for parent, _dirs, files in os.walk(folder):
            for name in files:
                if not TEMPORARY.match(name):
                    continue
                candidate = Path(parent) / name
                try:
                    info = candidate.lstat()
                    if not stat.S_ISREG(info.st_mode) or info.st_mtime > limit:
                        continue
                    candidate.unlink()
                except OSError:
                    continue
                removed.append(candidate)
    return sorted(removed)


def atomic_write(path: Path, content: str | bytes | Iterable[str], *, force: bool = False) -> None:
    """Write ``content`` to ``path`` atomically (temporary file + rename). ``content`` may
    be an iterable of text chunks, written as they come: a large output is never held whole.

    Raises :class:`FileExistsError` when ``path`` exists and ``force`` is false, so
    that no existing file is silently overwritten. Only a regular file or a new path is
    written: a device, a socket, a pipe or a folder is refused
    (:func:`check_writable_target`), before writing and again just
    before the rename. The file gets the mode the umask gives a new file. An error of the
    system names ``path``, never the temporary file.
    """
    check_writable_target(path)
    if path.exists() and not force:
        raise FileExistsError(path)
    chunks: Iterable[str | bytes] = [content] if isinstance(content, str | bytes) else content
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), default_mode())
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            handle.flush()
            os.fsync(handle.fileno())
        check_writable_target(path)
        Path(tmp).replace(path)
        tmp = None
        _sync_folder(path.parent)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        if exc.filename is not None and exc.filename != tmp:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (``fsync`` of the folder), where the system allows
    it: a folder that cannot be opened, or a file system that cannot sync one, is left as
    it is; an input/output error is raised."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)
