"""The project's data loaded once for a command: référentiel and questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import QUESTIONNAIRE_DIR, REFERENTIEL_DIR, project_root
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.referentiel.load import Catalogue


@dataclass(frozen=True)
class Context:
    root: Path
    catalogue: Catalogue
    questionnaire: LoadedQuestionnaire


def load_catalogue_or_fail(root: Path) -> Catalogue:
    """The project's référentiel; a broken one stops the command (exit 2)."""
    from aptic_qualif.referentiel.check import validate_catalogue

    folder = root / REFERENTIEL_DIR
    if not folder.is_dir():
        raise CommandError(_("the project has no référentiel ({path})").format(path=folder))
    catalogue, report = validate_catalogue(folder)
    if catalogue is None or not report.ok:
        raise CommandError(
            _("the project's référentiel is invalid; run: aptic-qualif catalogue validate")
        )
    return catalogue


def load_context(root: Path | None) -> Context:
    """Référentiel and questionnaire of the project, both valid, or a clear error."""
    from aptic_qualif.questionnaire.check import validate_questionnaire

    folder = project_root(root)
    catalogue = load_catalogue_or_fail(folder)
    questionnaire_dir = folder / QUESTIONNAIRE_DIR
    if not questionnaire_dir.is_dir():
        raise CommandError(
            _("the project has no questionnaire ({path})").format(path=questionnaire_dir)
        )
    questionnaire, report = validate_questionnaire(questionnaire_dir, catalogue)
    if questionnaire is None or not report.ok:
        raise CommandError(
            _("the project's questionnaire is invalid; run: aptic-qualif questionnaire validate")
        )
    return Context(folder, catalogue, questionnaire)
