"""Finding the project a command works on, and naming its files for people."""

from __future__ import annotations

import os
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _

REFERENTIEL_DIR = "referentiel"
QUESTIONNAIRE_DIR = "questionnaire"
SCHEME_FILE = "referentiel.yaml"
QUESTIONNAIRE_FILE = "questionnaire.yaml"


def is_project(path: Path) -> bool:
    """A project is a folder holding ``referentiel/`` or ``questionnaire/`` with their root file."""
    return (path / REFERENTIEL_DIR / SCHEME_FILE).is_file() or (
        path / QUESTIONNAIRE_DIR / QUESTIONNAIRE_FILE
    ).is_file()


def find_project(start: Path | None = None) -> Path | None:
    """The nearest project folder at or above ``start`` (the current folder by default)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return None


def project_root(root: Path | None) -> Path:
    """The project given with ``--root``, or the one found upward from the current folder."""
    if root is not None:
        if not root.is_dir():
            raise CommandError(
                _("the folder '{path}' does not exist").format(path=display_path(root))
            )
        if not is_project(root):
            raise CommandError(
                _(
                    "'{path}' is not an aptic-qualif project "
                    "(no referentiel/referentiel.yaml nor questionnaire/questionnaire.yaml)"
                ).format(path=display_path(root))
            )
        return root
    found = find_project()
    if found is None:
        raise CommandError(
            _(
                "no aptic-qualif project here: run the command inside a folder holding "
                "referentiel/ and questionnaire/, or give --root DIR"
            )
        )
    return found


def referentiel_dir(path: Path | None, root: Path | None) -> Path:
    """The référentiel folder: ``path`` itself, ``path/referentiel``, or the project's."""
    if path is None:
        candidate = project_root(root) / REFERENTIEL_DIR
    elif (path / SCHEME_FILE).is_file():
        return path
    else:
        candidate = path / REFERENTIEL_DIR
    if not (candidate / SCHEME_FILE).is_file():
        where = path if path is not None else candidate
        raise CommandError(
            _("no référentiel in '{path}': {file} not found").format(
                path=display_path(where), file=SCHEME_FILE
            )
        )
    return candidate


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it, for messages.

    ``..`` is folded for reading only (``a/../b`` shows as ``b``)."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
