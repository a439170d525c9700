"""Reading the questionnaire folder: ``questionnaire.yaml`` and one file per theme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aptic_qualif.diagnostics import Diagnostic, Report
from aptic_qualif.i18n import _
from aptic_qualif.project import QUESTIONNAIRE_FILE, display_path
from aptic_qualif.questionnaire.model import Group, Item, Questionnaire, Theme
from aptic_qualif.reading import present
from aptic_qualif.schema import validate_document
from aptic_qualif.text import check_texts, multiline_under
from aptic_qualif.yamlio import Document, load_yaml

THEMES_DIR = "themes"
MULTILINE = multiline_under("description", "help", "progress", "evidence")
"""Where a text of the questionnaire may hold several lines; every other text (an id, a
label, an option) is one line, and no text holds a control character (``TXT001``)."""

IDENTITY = "identite"
"""Name of the identity section where a theme name is expected (messages, progress)."""


@dataclass(frozen=True)
class LocatedItem:
    """An item with the file and position it was declared at."""

    item: Item
    theme: str
    """The theme id, or :data:`IDENTITY` for the venue identity section."""
    doc: Document
    path: tuple[str | int, ...]
    order: int
    """Position in the whole questionnaire (identity first, then themes in order)."""

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def is_identity(self) -> bool:
        return self.theme == IDENTITY

    @property
    def multiline(self) -> bool:
        """Whether a text answer may hold several lines: as the item says, else only the
        text items of the themes (descriptions for the reviewers)."""
        if self.item.multiline is not None:
            return self.item.multiline
        return self.item.type == "text" and not self.is_identity


@dataclass
class LoadedQuestionnaire:
    """A questionnaire as read from its folder."""

    root: Path
    questionnaire: Questionnaire
    doc: Document
    themes: dict[str, Theme] = field(default_factory=dict)
    theme_docs: dict[str, Document] = field(default_factory=dict)
    items: list[LocatedItem] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """``id@version``, as an application names the questionnaire it answers."""
        return f"{self.questionnaire.id}@{self.questionnaire.version}"

    @cached_property
    def group_of(self) -> dict[str, Group]:
        """Each grouped question's group (``groups``), by question id."""
        return {item: group for group in self.questionnaire.groups for item in group.items}

    @cached_property
    def by_id(self) -> dict[str, LocatedItem]:
        found: dict[str, LocatedItem] = {}
        for located in self.items:
            found.setdefault(located.id, located)
        return found

    @cached_property
    def identity(self) -> list[LocatedItem]:
        """The items of the venue identity section (as :attr:`by_id`, once: every
        application checked and assessed asks for them)."""
        return [i for i in self.items if i.is_identity]

    def theme_items(self, theme: str) -> list[LocatedItem]:
        return [i for i in self.items if i.theme == theme]


def load_questionnaire(
    root: Path, *, display: Callable[[Path], str] = display_path
) -> tuple[LoadedQuestionnaire | None, Report]:
    """Read the questionnaire in folder ``root``; file and schema problems are reported."""
    report = Report()
    main_path = root / QUESTIONNAIRE_FILE
    doc, diagnostics = load_yaml(main_path, display(main_path), within=root)
    report.extend(diagnostics)
    if doc is None or diagnostics:
        return None, report
    report.extend(check_texts(doc, MULTILINE))
    questionnaire, diagnostics = validate_document(Questionnaire, doc)
    report.extend(diagnostics)
    if questionnaire is None:
        return None, report

    loaded = LoadedQuestionnaire(root, questionnaire, doc)
    order = 0
    for index, item in enumerate(questionnaire.identity):
        loaded.items.append(LocatedItem(item, IDENTITY, doc, ("identity", index), order))
        order += 1

    themes_dir = root / THEMES_DIR
    for position, theme_id in enumerate(questionnaire.themes):
        path = themes_dir / f"{theme_id}.yaml"
        if not present(path):  # a pipe, a folder or a broken link is reported when read
            report.add(
                Diagnostic.error(
                    "QST003",
                    doc.span(("themes", position)),
                    _("theme '{theme}' is listed but {file} does not exist").format(
                        theme=theme_id, file=display(path)
                    ),
                )
            )
            continue
        theme_doc, diagnostics = load_yaml(path, display(path), within=root)
        report.extend(diagnostics)
        if theme_doc is None or diagnostics:
            continue
        report.extend(check_texts(theme_doc, MULTILINE))
        theme, diagnostics = validate_document(Theme, theme_doc)
        report.extend(diagnostics)
        if theme is None:
            continue
        if theme.id != theme_id:
            report.add(
                Diagnostic.error(
                    "QST003",
                    theme_doc.span(("id",)),
                    _("the file {file} declares theme '{id}' instead of '{theme}'").format(
                        file=display(path), id=theme.id, theme=theme_id
                    ),
                )
            )
        loaded.themes[theme_id] = theme
        loaded.theme_docs[theme_id] = theme_doc
        for index, item in enumerate(theme.items):
            loaded.items.append(LocatedItem(item, theme_id, theme_doc, ("items", index), order))
            order += 1

    listed = set(questionnaire.themes)
    if themes_dir.is_dir():
        for path in sorted(themes_dir.iterdir()):
            if path.suffix in {".yaml", ".yml"} and path.stem not in listed:
                report.add(
                    Diagnostic.error(
                        "QST003",
                        doc.span(("themes",)),
                        _("{file} is not listed in 'themes'").format(file=display(path)),
                        _("add '{theme}' to the list of themes, or remove the file").format(
                            theme=path.stem
                        ),
                    )
                )
    return loaded, report
