"""``apply template``: a commented application skeleton, ready to fill in an editor."""

from __future__ import annotations

import textwrap

from aptic_qualif.i18n import _, localized
from aptic_qualif.questionnaire.conditions import describe_condition
from aptic_qualif.questionnaire.load import LoadedQuestionnaire, LocatedItem
from aptic_qualif.questionnaire.model import Item
from aptic_qualif.referentiel.load import Catalogue

WIDTH = 96


def comment_lines(text: str, indent: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, WIDTH - len(indent) - 2) or [""]
        lines += [f"{indent}# {line}".rstrip() for line in wrapped]
    return lines


def _kind(item: Item) -> str:
    names = {
        "boolean": _("true or false"),
        "single_choice": _("one choice"),
        "multiple_choice": _("a list of choices"),
        "integer": _("a whole number"),
        "decimal": _("a number"),
        "text": _("a text"),
        "date": _("a date YYYY-MM-DD"),
        "url": _("a web address"),
        "services": _("a list of service ids"),
        "siret": _("14 digits, in quotes"),
        "postcode": _("5 digits, in quotes"),
        "insee_code": _("INSEE code, in quotes"),
        "email": _("an email address"),
        "phone": _("a telephone number"),
    }
    return names[item.type]


def item_lines(located: LocatedItem, catalogue: Catalogue | None, lang: str) -> list[str]:
    item, indent = located.item, "  "
    status = _("required") if item.required else _("optional")
    if item.derive is not None:
        status = _("derived from '{source}', to leave empty").format(source=item.derive.source)
    lines = comment_lines(f"{localized(item.label, lang)} — {_kind(item)}, {status}", indent)
    if item.help is not None:
        lines += comment_lines(localized(item.help, lang), indent)
    if item.enable_when is not None:
        conditions = [describe_condition(c) for c in item.enable_when.conditions]
        joiner = _(" and ") if item.enable_when.behavior == "all" else _(" or ")
        lines += comment_lines(
            _("only if {conditions}").format(conditions=joiner.join(conditions)), indent
        )
    if item.evidence is not None:
        lines += comment_lines(
            _("evidence: {evidence}").format(evidence=localized(item.evidence, lang)), indent
        )
    for option in item.options or ():
        lines.append(f"{indent}#   - {option.value}: {localized(option.label, lang)}")
    if item.type == "services" and catalogue is not None:
        for level_id, level in catalogue.levels.items():
            if item.levels is not None and level_id not in item.levels:
                continue
            lines.append(f"{indent}#   {localized(level.pref_label, lang)}")
            for service in sorted(
                catalogue.by_level(level_id, include_deprecated=False), key=lambda s: s.notation
            ):
                lines.append(
                    f"{indent}#     - {service.id}  ({service.notation} "
                    f"{localized(service.pref_label, lang)})"
                )
    empty = " []" if item.type in {"multiple_choice", "services"} else ""
    lines.append(f"{indent}{item.id}:{empty}")
    return lines


def render_template(
    loaded: LoadedQuestionnaire,
    catalogue: Catalogue | None,
    lang: str = "fr",
    schema_url: str | None = None,
) -> str:
    """The commented skeleton; the first line is the ``yaml-language-server`` modeline."""
    questionnaire = loaded.questionnaire
    url = schema_url or questionnaire.schema_url
    lines = [f"# yaml-language-server: $schema={url}"] if url else []
    lines += [
        "#",
        *comment_lines(
            _("Application to {title} ({ref}).").format(
                title=localized(questionnaire.title, lang), ref=loaded.reference
            ),
            "",
        ),
        *comment_lines(_("Write each answer after its ':'. Lines starting with '#' explain."), ""),
        *comment_lines(_("Check the file with: aptic-qualif apply validate FILE"), ""),
        f"questionnaire: {loaded.reference}",
        *comment_lines(_("Application date (YYYY-MM-DD): the day you complete it."), ""),
        "date:",
        "",
        "lieu:",
    ]
    for located in loaded.identity:
        lines += item_lines(located, catalogue, lang)
    lines += ["", "reponses:"]
    themes = list(loaded.themes)
    for number, theme_id in enumerate(themes, start=1):
        theme = loaded.themes[theme_id]
        lines += [
            "",
            f"  # ── {number}/{len(themes)} {localized(theme.title, lang)} ──",
            *comment_lines(localized(theme.description, lang), "  "),
        ]
        for located in loaded.theme_items(theme_id):
            lines += item_lines(located, catalogue, lang)
    accepting = [located for located in loaded.items if located.item.evidence is not None]
    if accepting:
        lines += [
            "",
            *comment_lines(
                _(
                    "Evidence, for the questions that ask for it: web links (https://…) or the "
                    "names of documents you send with the application, one per line, e.g.:"
                ),
                "",
            ),
            f"#   {accepting[0].id}:",
            "#     - https://…",
            "preuves: {}",
        ]
    return "\n".join(lines) + "\n"
