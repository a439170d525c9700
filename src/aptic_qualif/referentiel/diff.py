"""Comparing two versions of the référentiel, and the version bump the change needs.

Semantic versioning for a vocabulary:

* **major**: a service removed (even when retired), an id changed, a service moved to
  another level, a notation changed, a mapping value removed, the base IRI changed;
* **minor**: a service added, deprecated (with its replacement) or reinstated, a mapping
  value added, a replacement changed;
* **patch**: wording, translation, typo, duration, number of sessions (given for the first
  time, or changed), modalities, scheme metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.gitref import extract_at_ref, repository_top
from aptic_qualif.i18n import _, language
from aptic_qualif.referentiel.load import Catalogue, load_catalogue
from aptic_qualif.referentiel.model import Service
from aptic_qualif.sanitize import markdown_code, markdown_text
from aptic_qualif.schema import version_tuple
from aptic_qualif.vocabularies import VOCABULARIES

Bump = Literal["major", "minor", "patch"]
BUMP_ORDER: dict[str | None, int] = {None: 0, "patch": 1, "minor": 2, "major": 3}

ChangeKind = Literal[
    "added",
    "removed",
    "renamed",
    "deprecated",
    "reinstated",
    "replacement",
    "moved",
    "renotated",
    "relabelled",
    "remapped",
    "unmapped",
    "edited",
    "scheme",
    "base_iri",
]

KIND_BUMP: dict[ChangeKind, Bump] = {
    "added": "minor",
    "removed": "major",
    "renamed": "major",
    "deprecated": "minor",
    "reinstated": "minor",
    "replacement": "minor",
    "moved": "major",
    "renotated": "major",
    "relabelled": "patch",
    "remapped": "minor",
    "unmapped": "major",
    "edited": "patch",
    "scheme": "patch",
    "base_iri": "major",
}

_TEXT_FIELDS = ("definition", "alt_labels", "learning_outcomes", "history_note")
_DETAIL_FIELDS = ("modalities", "typical_duration", "sessions", "added_in", "deprecated_in")


@dataclass(frozen=True)
class Change:
    """One difference between the two versions."""

    kind: ChangeKind
    id: str
    detail: str = ""
    notation: str = ""
    label: str = ""

    @property
    def bump(self) -> Bump:
        return KIND_BUMP[self.kind]


@dataclass
class CatalogueDiff:
    """Every change from ``old`` to ``new``, and whether the declared version suffices."""

    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    @property
    def required(self) -> Bump | None:
        """The bump the change needs (``None`` when nothing changed)."""
        return max((c.bump for c in self.changes), key=BUMP_ORDER.__getitem__, default=None)

    @property
    def minimal_version(self) -> str:
        major, minor, patch = version_tuple(self.old_version)
        required = self.required
        if required == "major":
            return f"{major + 1}.0.0"
        if required == "minor":
            return f"{major}.{minor + 1}.0"
        if required == "patch":
            return f"{major}.{minor}.{patch + 1}"
        return self.old_version

    @property
    def version_ok(self) -> bool:
        return version_tuple(self.new_version) >= version_tuple(self.minimal_version)

    @property
    def ok(self) -> bool:
        return self.version_ok and self.report.ok


def _label(service: Service) -> str:
    return service.pref_label.fr if language() == "fr" else service.pref_label.en


def _change(kind: ChangeKind, service: Service, detail: str = "") -> Change:
    return Change(kind, service.id, detail, service.notation, _label(service))


def diff_catalogues(old: Catalogue, new: Catalogue) -> CatalogueDiff:
    """Classify every change from ``old`` to ``new`` and check the declared version."""
    result = CatalogueDiff(old.version, new.version)
    result.changes.extend(_scheme_changes(old, new))
    old_services, new_services = old.services, new.services
    removed = [s for sid, s in old_services.items() if sid not in new_services]
    added = {sid: s for sid, s in new_services.items() if sid not in old_services}
    by_notation = {(s.level, s.notation): s for s in added.values()}
    retired = {r.id for r in new.scheme.retired}

    for service in removed:
        successor = by_notation.get((service.level, service.notation))
        if successor is not None:
            del added[successor.id]
            result.changes.append(
                _change(
                    "renamed",
                    service,
                    _("identifier changed to '{id}'").format(id=successor.id),
                )
            )
            continue
        result.changes.append(_change("removed", service))
        if service.id not in retired:
            result.report.add(
                Diagnostic.error(
                    "DIFF002",
                    new.scheme_doc.span(("retired",)),
                    _(
                        "service '{id}' was removed but is not in the retired list; "
                        "prefer deprecating it, or add it to 'retired'"
                    ).format(id=service.id),
                )
            )

    for service in added.values():
        result.changes.append(_change("added", service))
        if service.added_in != new.version:
            result.report.add(_version_field(new, service, "added_in", service.added_in))

    for sid, before in old_services.items():
        after = new_services.get(sid)
        if after is not None and after != before:
            result.changes.extend(_service_changes(before, after))
            if (
                before.active
                and not after.active
                and after.deprecated_in
                not in (
                    None,
                    new.version,
                )
            ):
                result.report.add(
                    _version_field(new, after, "deprecated_in", after.deprecated_in or "")
                )

    order = list(KIND_BUMP)
    result.changes.sort(key=lambda c: (order.index(c.kind), c.notation, c.id))
    if result.changes or new.version != old.version:
        result.report.extend(_release_notes(old, new))
    if not result.version_ok:
        result.report.add(
            Diagnostic.error(
                "DIFF001",
                new.scheme_doc.span(("version",)),
                _(
                    "the change is {bump} and needs version {minimal} or later "
                    "(declared: {declared}, previous: {previous})"
                ).format(
                    bump=bump_name(result.required),
                    minimal=result.minimal_version,
                    declared=new.version,
                    previous=old.version,
                ),
                _('set version: "{minimal}" in referentiel.yaml').format(
                    minimal=result.minimal_version
                ),
            )
        )
    return result


CHANGELOG = "CHANGELOG.md"
"""The changelog of a référentiel, beside ``referentiel.yaml``."""

MAX_CHANGELOG_BYTES = 4 * 1024 * 1024


def _release_notes(old: Catalogue, new: Catalogue) -> Iterator[Diagnostic]:
    """What a change must come with besides its version: a later ``modified`` date
    (``DIFF004``; the changelog's section takes that date) and, when the référentiel keeps a
    changelog, a section for the new version in it (``DIFF005``)."""
    from aptic_qualif.project import display_path
    from aptic_qualif.reading import read_regular

    if new.scheme.modified <= old.scheme.modified:
        yield Diagnostic.error(
            "DIFF004",
            new.scheme_doc.span(("modified",)),
            _(
                "the catalogue changed but modified is still {date}, the date of version "
                "{previous}: the changelog would date the new version from then"
            ).format(date=new.scheme.modified.isoformat(), previous=old.version),
            _('set modified: "YYYY-MM-DD" in referentiel.yaml, the day of the change'),
        )
    changelog = new.root / CHANGELOG
    if not changelog.exists():
        return
    shown = display_path(changelog)
    raw, refused = read_regular(changelog, shown, limit=MAX_CHANGELOG_BYTES)
    if refused is not None:
        yield refused
        return
    text = (raw or b"").decode("utf-8", errors="replace")
    heading = re.compile(rf"^## \[{re.escape(new.version)}\]", re.MULTILINE)
    if heading.search(text):
        return
    first = re.search(r"^## ", text, re.MULTILINE)
    line = text.count("\n", 0, first.start()) + 1 if first else 1
    yield Diagnostic.error(
        "DIFF005",
        Span(shown, line, 1),
        _("{file} has no section for version {version}").format(
            file=CHANGELOG, version=new.version
        ),
        _(
            "paste here the section that catalogue diff --base origin/main --changelog prints, "
            "and complete it"
        ),
    )


def _version_field(new: Catalogue, service: Service, name: str, value: str) -> Diagnostic:
    entry = next(e for e in new.entries if e.service.id == service.id)
    return Diagnostic.error(
        "DIFF003",
        entry.doc.span((name,)),
        _("{field} is {value} but this change is released as {version}").format(
            field=name, value=value, version=new.version
        ),
        _('set {field}: "{version}"').format(field=name, version=new.version),
    )


def _scheme_changes(old: Catalogue, new: Catalogue) -> Iterator[Change]:
    before, after = old.scheme, new.scheme
    if before.base_iri != after.base_iri:
        yield Change("base_iri", "", f"{before.base_iri} → {after.base_iri}")
    fields = ("id", "title", "description", "license", "license_url", "publisher")
    changed = [name for name in fields if getattr(before, name) != getattr(after, name)]
    old_levels = {level.id: level for level in before.levels}
    for level in after.levels:
        if old_levels.get(level.id) not in (None, level):
            changed.append(f"levels.{level.id}")
    if changed:
        yield Change("scheme", "", ", ".join(changed))


def _service_changes(before: Service, after: Service) -> Iterator[Change]:
    if before.level != after.level:
        yield _change("moved", after, f"{before.level} → {after.level}")
    if before.notation != after.notation:
        yield _change("renotated", after, f"{before.notation} → {after.notation}")
    if before.active and not after.active:
        yield _change(
            "deprecated", after, _("replaced by '{id}'").format(id=after.replaced_by or "—")
        )
    elif not before.active and after.active:
        yield _change("reinstated", after)
    elif not after.active and before.replaced_by != after.replaced_by:
        yield _change("replacement", after, f"{before.replaced_by} → {after.replaced_by}")
    for lang in ("fr", "en"):
        old_label = getattr(before.pref_label, lang)
        new_label = getattr(after.pref_label, lang)
        if old_label != new_label:
            yield _change("relabelled", after, f"{lang}: « {old_label} » → « {new_label} »")
    gained: list[str] = []
    lost: list[str] = []
    for name in VOCABULARIES:
        old_values = set(getattr(before.mappings, name))
        new_values = set(getattr(after.mappings, name))
        gained += [f"{name}: {v}" for v in sorted(new_values - old_values)]
        lost += [f"{name}: {v}" for v in sorted(old_values - new_values)]
    if gained:
        yield _change("remapped", after, "+ " + "; + ".join(gained))
    if lost:
        yield _change("unmapped", after, "- " + "; - ".join(lost))
    edited = [
        name
        for name in (*_TEXT_FIELDS, *_DETAIL_FIELDS)
        if getattr(before, name) != getattr(after, name)
        and not (name == "deprecated_in" and before.status != after.status)
    ]
    if edited:
        yield _change("edited", after, ", ".join(edited))


def bump_name(bump: Bump | None) -> str:
    names = {
        "major": _("major"),
        "minor": _("minor"),
        "patch": _("patch"),
        None: _("none"),
    }
    return names[bump]


def kind_name(kind: ChangeKind) -> str:
    names: dict[ChangeKind, str] = {
        "added": _("added"),
        "removed": _("removed"),
        "renamed": _("id changed"),
        "deprecated": _("deprecated"),
        "reinstated": _("reinstated"),
        "replacement": _("replacement changed"),
        "moved": _("moved to another level"),
        "renotated": _("notation changed"),
        "relabelled": _("relabelled"),
        "remapped": _("mapping added"),
        "unmapped": _("mapping removed"),
        "edited": _("edited"),
        "scheme": _("scheme metadata"),
        "base_iri": _("base IRI changed"),
    }
    return names[kind]


def render_text(diff: CatalogueDiff) -> str:
    """The diff for a terminal or a CI log."""
    lines = [_("Référentiel {old} → {new}").format(old=diff.old_version, new=diff.new_version)]
    if not diff.changes:
        lines.append("  " + _("no change"))
    for change in diff.changes:
        who = " ".join(part for part in (change.notation, change.id) if part)
        label = f" « {change.label} »" if change.label else ""
        detail = f" — {change.detail}" if change.detail else ""
        lines.append(
            "  "
            + _("[{bump}] {kind}: {service}").format(
                bump=bump_name(change.bump), kind=kind_name(change.kind), service=who
            )
            + label
            + detail
        )
    verdict = "✓" if diff.version_ok else "✗"
    lines.append(
        _(
            "Change: {bump}, needs version {minimal} or later; declared: {declared} {verdict}"
        ).format(
            bump=bump_name(diff.required),
            minimal=diff.minimal_version,
            declared=diff.new_version,
            verdict=verdict,
        )
    )
    return "\n".join(lines)


_SECTIONS: tuple[tuple[str, tuple[ChangeKind, ...]], ...] = (
    ("Added", ("added",)),
    (
        "Changed",
        (
            "renamed",
            "moved",
            "renotated",
            "base_iri",
            "reinstated",
            "replacement",
            "remapped",
            "unmapped",
            "relabelled",
            "edited",
            "scheme",
        ),
    ),
    ("Deprecated", ("deprecated",)),
    ("Removed", ("removed",)),
)


def render_changelog(diff: CatalogueDiff, date: str) -> str:
    """The Markdown section to paste at the top of ``referentiel/CHANGELOG.md``."""
    titles = {
        "Added": _("Added"),
        "Changed": _("Changed"),
        "Deprecated": _("Deprecated"),
        "Removed": _("Removed"),
    }
    # The version is validated (x.y.z) and the date is an ISO date: neither holds markup.
    lines = [f"## [{diff.new_version}] - {date}"]
    for section, kinds in _SECTIONS:
        items = [c for c in diff.changes if c.kind in kinds]
        if not items:
            continue
        lines += ["", f"### {titles[section]}", ""]
        for change in items:
            # Labels, identifiers and details are data: escaped, so that a label renders
            # as text on the site's journal page and on a forge, never as a link or a tag.
            subject = f"{markdown_code(change.notation)} " if change.notation else ""
            if change.id:
                subject += f"{markdown_text(change.label)} ({markdown_code(change.id)})"
            else:
                subject += markdown_text(kind_name(change.kind))
            extra = [kind_name(change.kind)] if len(kinds) > 1 else []
            if change.detail:
                extra.append(change.detail)
            if change.bump == "major":
                extra.append(_("breaking change"))
            suffix = f" — {'; '.join(markdown_text(part) for part in extra)}" if extra else ""
            lines.append(f"- {subject}{suffix}")
    if not diff.changes:
        lines += ["", _("No change to the services.")]
    return "\n".join(lines) + "\n"


@contextmanager
def _tree_at_ref(referentiel: Path, ref: str) -> Iterator[tuple[Path, str] | None]:
    """Extract the référentiel folder as it was at git ``ref`` into a temporary folder.

    Yields the temporary folder and the référentiel's path inside it, or ``None`` when
    the folder did not exist at ``ref`` (the first version of a référentiel).
    """
    folder = referentiel.resolve()
    top = repository_top(folder, ref)
    relative = folder.relative_to(top).as_posix()
    with extract_at_ref(top, ref, [relative]) as tmp:
        yield None if tmp is None else (tmp, relative)


def load_at_ref(referentiel: Path, ref: str) -> tuple[Catalogue | None, Report] | None:
    """Load the référentiel as it was at git ``ref`` (``None`` if it did not exist).

    Files are named ``REF:path`` in diagnostics.
    """
    with _tree_at_ref(referentiel, ref) as found:
        if found is None:
            return None
        tmp, relative = found

        def display(path: Path) -> str:
            return f"{ref}:{path.relative_to(tmp).as_posix()}"

        return load_catalogue(tmp / relative, display=display)
