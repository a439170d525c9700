"""Reading the project as it was at a git reference (``--base REF``), and what changed since.

One place for what ``catalogue diff --base``, ``catalogue validate`` and ``policy test --base``
need: find the repository, check the reference, extract folders with ``git archive`` into a
temporary folder (tar members filtered as data: no links out, no devices), and list the files a
contributor changed. Git always runs without a shell, from an argument list, with ``--`` before
paths, and a reference never starts with ``-`` (git would read it as an option).
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path


def check_ref(ref: str) -> None:
    """Refuse a reference that git could read as an option (``--output=…``) or that is empty."""
    if not ref or ref.startswith("-"):
        raise CommandError(
            _(
                "'{ref}' is not a git reference: a reference is not empty and never starts with '-'"
            ).format(ref=ref)
        )


def repository_top(folder: Path, ref: str) -> Path:
    """The top of the git repository holding ``folder``, once ``ref`` is known to name a
    commit there; a :class:`CommandError` for people otherwise."""
    check_ref(ref)
    folder = folder.resolve()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=folder,
            capture_output=True,
            check=True,
        )
    except FileNotFoundError as exc:
        raise CommandError(_("git is not installed: --base needs git")) from exc
    except subprocess.CalledProcessError as exc:
        raise CommandError(
            _("cannot read git reference '{ref}' in {path}").format(
                ref=ref, path=display_path(folder)
            )
        ) from exc
    return Path(top).resolve()


@contextmanager
def extract_at_ref(top: Path, ref: str, paths: Sequence[str]) -> Iterator[Path | None]:
    """Extract ``paths`` (relative to ``top``, POSIX) as they were at ``ref`` into a temporary
    folder, yielded while it exists; ``None`` when ``ref`` has none of them."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "--", *paths],
        cwd=top,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="aptic-qualif-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def file_at_ref(top: Path, ref: str, path: Path) -> bytes | None:
    """The bytes of ``path`` at ``ref``, or ``None`` when it is outside the repository or had
    no version there."""
    inside = path.resolve()
    if not inside.is_relative_to(top):
        return None
    shown = subprocess.run(
        ["git", "show", f"{ref}:{inside.relative_to(top).as_posix()}"],
        cwd=top,
        capture_output=True,
        check=False,
    )
    return shown.stdout if shown.returncode == 0 else None


def _work_tree_top(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``; ``None`` without git or outside one."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    top = found.stdout.strip()
    return Path(top).resolve() if found.returncode == 0 and top else None


def _names(output: bytes) -> list[str]:
    return [os.fsdecode(name) for name in output.split(b"\0") if name]


def changed_files(folder: Path, base: str | None = None) -> frozenset[Path]:
    """The files under ``folder`` that a contributor changed, as git sees them (resolved paths).

    A file is changed when it is untracked, added, or modified relative to ``HEAD``, staged or
    not; with ``base``, also when the commits since ``base`` changed it (``git diff
    base...HEAD``, from their merge base: in CI, what a pull request changed, its commit being
    ``HEAD``). Deleted files are listed too; they match no file that was read.

    Git is never required: without git, outside a work tree, or when git fails, the set is empty
    (callers then judge from the data alone). ``base`` is explicit, so an unusable reference, or
    no git, is a :class:`CommandError`, as for ``catalogue diff --base``.
    """
    folder = folder.resolve()
    top = repository_top(folder, base) if base is not None else _work_tree_top(folder)
    if top is None or not folder.is_relative_to(top):
        return frozenset()
    scope = folder.relative_to(top).as_posix()
    names: list[str] = []
    if base is not None:
        diff = subprocess.run(
            ["git", "diff", "--name-only", "-z", "--no-renames", f"{base}...HEAD", "--", scope],
            cwd=top,
            capture_output=True,
            check=False,
        )
        if diff.returncode != 0:
            raise CommandError(
                _("cannot compare git reference '{ref}' with HEAD in {path}").format(
                    ref=base, path=display_path(folder)
                )
            )
        names += _names(diff.stdout)
    try:
        status = subprocess.run(
            [
                "git",
                "--no-optional-locks",
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--no-renames",
                "--",
                scope,
            ],
            cwd=top,
            capture_output=True,
            check=False,
        )
    except OSError:
        return _resolved(top, names)
    if status.returncode == 0:
        # "XY path" entries; with --no-renames no entry carries a second path.
        names += [entry[3:] for entry in _names(status.stdout) if len(entry) > 3]
    return _resolved(top, names)


def _resolved(top: Path, names: list[str]) -> frozenset[Path]:
    return frozenset((top / name).resolve() for name in names)
