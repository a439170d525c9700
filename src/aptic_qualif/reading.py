"""The one way the toolkit reads the bytes of a data file.

:func:`read_regular` reads only a regular file, and at most a size limit *while* reading:

* the file is opened without blocking (``O_NONBLOCK``), so that a named pipe never hangs
  the reader, then checked with ``fstat`` on what was actually opened: a pipe, a device
  (``/dev/zero``, even through a symbolic link), a folder or a socket is refused with a
  located error naming the path;
* at most ``limit + 1`` bytes are read, whatever ``stat`` said: a file that grows while it
  is read, or lies about its size, never gets past the limit;
* with ``within``, a path that resolves outside that folder (a symbolic link pointing out of
  the project, or out of a folder given to a batch) is refused; the path it resolves to is
  then opened without following a link (``O_NOFOLLOW``), so that a link put in its place
  between the check and the opening is refused too, never followed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Span
from aptic_qualif.i18n import _

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def resolved(path: Path, within: Path) -> tuple[Path, bool] | None:
    """Where ``path`` really leads, and whether that is inside the folder ``within``; ``None``
    when it cannot be resolved (a loop of symbolic links: opening reports it)."""
    try:
        target = path.resolve()
        folder = within.resolve()
    except (OSError, RuntimeError):
        return None
    return target, target.is_relative_to(folder)


def present(path: Path) -> bool:
    """Whether anything is at ``path``. A broken or looping symbolic link counts: reading it
    reports it, where taking the file as absent would silently change what is checked."""
    return path.exists() or path.is_symlink()


def _not_regular(file: str, kind: str) -> Diagnostic:
    return Diagnostic.error(
        "IO002",
        Span(file, 0, 0),
        _("not a regular file ({kind}): only regular files are read").format(kind=kind),
        _("give a regular file; a pipe, a device, a folder or a socket is never read"),
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISFIFO(mode):
        return _("a named pipe")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    return _("not a file")


def read_regular(
    path: Path, file: str, *, limit: int, within: Path | None = None
) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of the regular file ``path`` (named ``file`` in diagnostics), or the error
    that says why it was not read: ``IO001`` (system error), ``IO002`` (not a regular
    file), ``IO003`` (leads outside ``within``) or ``YAML007`` (more than ``limit`` bytes)."""
    opened, flags = path, _FLAGS
    if within is not None:
        found = resolved(path, within)
        if found is not None and not found[1]:
            return None, Diagnostic.error(
                "IO003",
                Span(file, 0, 0),
                _("refused: the path leads outside {folder} (to {target})").format(
                    folder=within, target=found[0]
                ),
                _("copy the file into the folder instead of linking to it"),
            )
        if found is not None:  # what was checked is what is opened, never a link
            opened, flags = found[0], _FLAGS | os.O_NOFOLLOW
    try:
        fd = os.open(opened, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket
            return None, _not_regular(file, _("a socket"))
        if exc.errno == errno.ELOOP and opened is not path:
            return None, Diagnostic.error(
                "IO003",
                Span(file, 0, 0),
                _("refused: the file was replaced by a symbolic link while it was being read"),
                _("something changed the folder while it was read; run the command again"),
            )
        return None, Diagnostic.error(
            "IO001",
            Span(file, 0, 0),
            _("cannot read the file: {reason}").format(reason=exc.strerror or exc),
        )
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            return None, _not_regular(file, _kind(mode))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return None, Diagnostic.error(
            "IO001",
            Span(file, 0, 0),
            _("cannot read the file: {reason}").format(reason=exc.strerror or exc),
        )
    finally:
        os.close(fd)
    if size > limit:
        return None, Diagnostic.error(
            "YAML007",
            Span(file, 1, 1),
            _("the file is too large (more than {limit} bytes)").format(limit=limit),
        )
    return b"".join(chunks), None


def unlisted_folder(exc: OSError, file: str) -> Diagnostic:
    """The error for a folder that could not be listed (named ``file`` in diagnostics)."""
    return Diagnostic.error(
        "IO001",
        Span(file, 0, 0),
        _("cannot list the folder: {reason}").format(reason=exc.strerror or exc),
        _("check that the folder can be read; its files would be left out"),
    )


DATA_SUFFIXES = (".yaml", ".yml")
"""The endings of data file names: a folder named like a data file is listed by
:func:`walk` as an entry, so that reading it reports it instead of skipping it."""


def walk(folder: Path, *, hidden: bool = True) -> tuple[list[Path], dict[Path, OSError]]:
    """Every entry under ``folder`` that is not a folder (pipes, devices and broken links
    included, so that reading them reports them), sorted, and each folder that could not
    be listed with its error: the caller reports them, nothing is silently left out.
    Symbolic links to folders are listed, not followed; a folder named like a data file
    (``*.yaml``) is listed too, and searched. With ``hidden`` false, names starting with a
    dot are left out, folders included."""
    files: list[Path] = []
    unlisted: dict[Path, OSError] = {}

    def failed(exc: OSError) -> None:
        unlisted[Path(exc.filename) if exc.filename is not None else folder] = exc

    for top, folders, names in os.walk(folder, onerror=failed):
        base = Path(top)
        if not hidden:
            folders[:] = [name for name in folders if not name.startswith(".")]
            names = [name for name in names if not name.startswith(".")]
        files.extend(base / name for name in names)
        files.extend(
            base / name
            for name in folders
            if name.endswith(DATA_SUFFIXES) or (base / name).is_symlink()
        )
    return sorted(files), unlisted
