"""The project's data loaded once for a command: référentiel and questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aptic_qualif.errors import CommandError
from aptic_qualif.i18n import _
from aptic_qualif.project import (
    QUESTIONNAIRE_DIR,
    QUESTIONNAIRE_FILE,
    REFERENTIEL_DIR,
    SCHEME_FILE,
    display_path,
    project_root,
)
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.reading import present
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.scoring.policy import Policy
from aptic_qualif.yamlio import load_yaml


@dataclass(frozen=True)
class Context:
    root: Path
    catalogue: Catalogue
    questionnaire: LoadedQuestionnaire
    policy: Policy | None = None


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


def load_context(
    root: Path | None, *, policy: Path | None = None, need_policy: bool = False
) -> Context:
    """Référentiel, questionnaire and policy of the project, all valid, or a clear error.

    The policy is ``questionnaire/policy.yaml`` unless another file is given."""
    from aptic_qualif.questionnaire.check import validate_questionnaire
    from aptic_qualif.scoring.load import POLICY_FILE, check_policy, load_policy

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
    policy_path = policy if policy is not None else questionnaire_dir / POLICY_FILE
    if not present(policy_path):
        if need_policy or policy is not None:
            raise CommandError(
                _("no scoring policy: {path} not found").format(path=display_path(policy_path))
            )
        return Context(folder, catalogue, questionnaire)
    loaded_policy, doc, report = load_policy(
        policy_path, within=questionnaire_dir if policy is None else None
    )
    if loaded_policy is not None and doc is not None:
        report.extend(check_policy(loaded_policy, doc, questionnaire))
    if loaded_policy is None or not report.ok:
        raise CommandError(
            _("the scoring policy {path} is invalid:\n{problems}").format(
                path=display_path(policy_path), problems=report.render_text()
            )
        )
    return Context(folder, catalogue, questionnaire, loaded_policy)


def data_versions(root: Path) -> dict[str, str | None]:
    """The declared versions of the project's référentiel and questionnaire."""
    found: dict[str, str | None] = {}
    for name, folder, file in (
        ("referentiel", REFERENTIEL_DIR, SCHEME_FILE),
        ("questionnaire", QUESTIONNAIRE_DIR, QUESTIONNAIRE_FILE),
    ):
        path = root / folder / file
        value = None
        if path.is_file():
            doc, _diagnostics = load_yaml(path)
            if doc is not None and isinstance(doc.data, dict):
                ident, version = doc.data.get("id"), doc.data.get("version")
                value = f"{ident} {version}" if ident else str(version)
        found[name] = value
    return found
