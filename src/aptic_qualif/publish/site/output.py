"""Output: where the site may be written, and what a rebuild may replace."""

from __future__ import annotations

import shutil
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import display_path
from aptic_qualif.publish.site.paths import _MARKER_LINE, MARKER

# -- output ----------------------------------------------------------------------------


def _is_site(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _check_output(output: Path, root: Path, source: Path, force: bool) -> None:
    resolved = output.resolve()
    for protected in (root.resolve(), source.resolve()):
        if resolved == protected or protected.is_relative_to(resolved):
            raise CommandError(
                _("refusing to write the site into {path}: choose an output folder").format(
                    path=display_path(output)
                )
            )
    if output.exists() and not output.is_dir():
        raise CommandError(_("{path} exists and is not a folder").format(path=display_path(output)))
    if output.is_dir() and any(output.iterdir()) and not _is_site(output) and not force:
        raise CommandError(
            _("{path} is not empty and holds no site built before; use --force").format(
                path=display_path(output)
            )
        )
    if _is_site(output) and not force:
        unknown = _not_built(output)
        if unknown:
            shown = ", ".join(unknown[:_SHOWN])
            if len(unknown) > _SHOWN:
                shown += ", …"
            raise CommandError(
                _(
                    "{path} holds files that no build wrote ({files}); a rebuild would delete "
                    "them: move them elsewhere, or use --force"
                ).format(path=display_path(output), files=shown)
            )


_SHOWN = 10
"""How many unknown files the refusal names."""


def _manifest(folder: Path) -> str:
    """The marker's text: its first line, then every file the build wrote (relative, sorted)."""
    files = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if not path.is_dir() and path.name != MARKER
    )
    return "".join(f"{line}\n" for line in [_MARKER_LINE, *files])


def _not_built(output: Path) -> list[str]:
    """What ``output`` holds that the build recorded in its marker did not write: a file
    not in the list, or a whole folder holding none of them (named once, with a ``/``). A
    marker from before the list names nothing as built."""
    lines = (output / MARKER).read_text(encoding="utf-8", errors="replace").splitlines()
    built = set(lines[1:])
    folders = {parent.as_posix() for name in built for parent in Path(name).parents}
    unknown: list[str] = []

    def walk(folder: Path) -> None:
        for entry in sorted(folder.iterdir()):
            name = entry.relative_to(output).as_posix()
            if entry.is_dir() and not entry.is_symlink():
                if name in folders:
                    walk(entry)
                else:
                    unknown.append(f"{name}/")
            elif name not in built and name != MARKER:
                unknown.append(name)

    walk(output)
    return unknown


def _install(built: Path, output: Path) -> None:
    """Put the built site at ``output``: a previous site is replaced, other files kept."""
    if not output.exists():
        built.rename(output)
        return
    if _is_site(output) or not any(output.iterdir()):
        old = output.with_name(f".{output.name}.old")
        if old.exists():
            shutil.rmtree(old)
        output.rename(old)
        built.rename(output)
        shutil.rmtree(old)
        return
    # --force into a folder that is not a site: files are written over, nothing is removed;
    # no marker, so the next build asks for --force again.
    (built / MARKER).unlink()
    shutil.copytree(built, output, dirs_exist_ok=True)
    shutil.rmtree(built)
