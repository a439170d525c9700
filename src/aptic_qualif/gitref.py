"""Reading the project as it was at a git reference (``--base REF``).

One place for what ``catalogue diff --base`` and ``policy test --base`` both need: find the
repository, check the reference, and extract folders with ``git archive`` into a temporary
folder (tar members filtered as data: no links out, no devices). A reference never starts with
``-``: git would read it as an option.
"""

from __future__ import annotations

import io
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
