"""What the toolkit asks of the file system, in one place: file names made from data, and
one message for each error the system reports."""

from __future__ import annotations

import errno
import os
import stat
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
