"""Integrity rules of a référentiel, beyond what each file's schema says.

Every rule is linear in the number of services (dictionaries, no pairwise loops), so a
catalogue of thousands of services is checked in well under a second.

A conflict between service files (the same id, notation or label; a replacement cycle) is
reported on the file the contributor touched, the other file named in the message: see
:func:`touch_key`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _, ngettext
from aptic_qualif.referentiel.load import Catalogue, ServiceEntry, load_catalogue
from aptic_qualif.referentiel.model import (
    COHERENT_MAPPINGS_FROM,
    COOP_REQUIRED_FROM,
    MAX_SESSIONS,
    SESSIONS_REQUIRED_FROM,
)
from aptic_qualif.schema import version_tuple
from aptic_qualif.text import comparison_key, visible
from aptic_qualif.vocabularies import (
    COOP_ADMINISTRATIVE,
    COOP_DEMARCHES,
    MAPPING_RULES,
    VOCABULARIES,
    mapping_matches,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGS = ("fr", "en")


def normalize_label(text: str) -> str:
    """The key under which two labels (or notations) are the same: without case, with
    whitespace collapsed, in NFC without zero-width characters, and by their confusable
    skeleton (Unicode TR39): a Cyrillic « а » for a Latin « a » makes no new label. See
    :func:`aptic_qualif.text.comparison_key`."""
    return comparison_key(text)


def validate_catalogue(
    root: Path, *, changed: Collection[Path] = frozenset()
) -> tuple[Catalogue | None, Report]:
    """Read the référentiel in ``root`` and check every rule; all problems at once: a
    service file with schema errors is checked for the rest too (``salvage``).

    ``changed`` holds the files the contributor changed (resolved paths, as
    :func:`aptic_qualif.gitref.changed_files` gives them): a conflict between two service
    files is reported on the changed one (see :func:`touch_key`).
    """
    catalogue, report = load_catalogue(root, salvage=True)
    if catalogue is not None:
        report.extend(check_catalogue(catalogue, changed=changed))
    return catalogue, report


def check_catalogue(
    catalogue: Catalogue, *, changed: Collection[Path] = frozenset()
) -> list[Diagnostic]:
    """All integrity diagnostics of a loaded catalogue (``changed``: see
    :func:`validate_catalogue`)."""
    return [
        *_check_scheme(catalogue),
        *_check_identity(catalogue, changed),
        *_check_texts(catalogue, changed),
        *_check_replacements(catalogue, changed),
        *_check_mappings(catalogue),
        *_check_coop_mapped(catalogue),
        *_check_exported(catalogue),
        *_check_coop_demarches(catalogue),
        *_check_mapping_rules(catalogue),
        *_check_level_sessions(catalogue),
        *_check_sessions(catalogue),
        *_check_versions(catalogue),
    ]


def _check_scheme(catalogue: Catalogue) -> Iterator[Diagnostic]:
    doc, scheme = catalogue.scheme_doc, catalogue.scheme
    if not SLUG.fullmatch(scheme.id):
        yield _bad_slug(doc.span(("id",)), scheme.id)
    if not scheme.base_iri.endswith(("/", "#")):
        yield Diagnostic.error(
            "REF023",
            doc.span(("base_iri",)),
            _(
                "the base IRI '{iri}' must end with '/' or '#': concept IRIs are the base IRI "
                "followed by the identifier"
            ).format(iri=scheme.base_iri),
            _("write {iri}/").format(iri=scheme.base_iri),
        )
    ids = [level.id for level in scheme.levels]
    if len(ids) != 3 or len(set(ids)) != 3:
        yield Diagnostic.error(
            "REF006",
            doc.span(("levels",)),
            _("the scheme must declare exactly three distinct levels, found: {levels}").format(
                levels=", ".join(ids) or "—"
            ),
        )
    for index, level in enumerate(scheme.levels):
        if not SLUG.fullmatch(level.id):
            yield _bad_slug(doc.span(("levels", index, "id")), level.id)
        for lang in LANGS:
            if not visible(getattr(level.pref_label, lang)).strip():
                yield _empty_label(doc.span(("levels", index, "pref_label", lang)), lang)
            if not visible(getattr(level.definition, lang)).strip():
                yield _empty_definition(doc.span(("levels", index, "definition", lang)), lang)
    # A level whose folder holds an unreadable file may well have active services.
    active_levels = {entry.service.level for entry in catalogue.entries if entry.service.active}
    active_levels |= {path.parent.name for path in catalogue.unreadable}
    for index, level in enumerate(scheme.levels):
        if level.id not in active_levels:
            yield Diagnostic.warning(
                "REF021",
                doc.span(("levels", index)),
                _("level '{level}' has no active service").format(level=level.id),
            )


def _bad_slug(span: Span, value: str) -> Diagnostic:
    return Diagnostic.error(
        "REF001",
        span,
        _(
            "identifier '{id}' is not a slug: lowercase letters without accents, digits and "
            "single hyphens"
        ).format(id=value),
        _("for example '{example}'").format(example=_slugify(value) or "creer-une-adresse"),
    )


RESERVED_IDS = frozenset({"vocab", "index"})
"""Names a service may not take: ``{base}vocab#`` holds the project's properties, and the
site's pages ``referentiel/vocab/`` and ``referentiel/`` (its ``index``) are the
concepts' neighbours (a service's page is ``referentiel/{id}/``)."""


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _notation_number(notation: str) -> int:
    found = re.search(r"\d+$", notation)
    return int(found.group()) if found else -1


def touch_key(
    entry: ServiceEntry, changed: Collection[Path]
) -> tuple[bool, tuple[int, int, int], int, str]:
    """Orders service files from the one a contributor most likely left alone to the one they
    most likely touched, so that a conflict between files is reported on the last.

    A file that git says changed (``changed``: untracked, added or modified, or changed since
    ``--base``) comes after one that did not. Between two files both changed or both not (or
    without git), the data decides, never file times (a clone resets them): the later
    ``added_in``, then the higher notation number, then the later path in sorted order. The
    same files give the same order.
    """
    service = entry.service
    return (
        entry.path.resolve() in changed if changed else False,
        version_tuple(service.added_in),
        _notation_number(service.notation),
        entry.path.as_posix(),
    )


K = TypeVar("K", bound=Hashable)


def conflicts(
    items: Iterable[tuple[K, ServiceEntry]], changed: Collection[Path]
) -> Iterator[tuple[K, ServiceEntry, ServiceEntry]]:
    """For every key shared by several files: the key, each file but the one kept, the one kept.

    The one kept is the file the contributor most likely left alone (the first by
    :func:`touch_key`); each other file is where the conflict is reported, naming it.
    """
    groups: defaultdict[K, list[ServiceEntry]] = defaultdict(list)
    for key, entry in items:
        groups[key].append(entry)
    for key, group in groups.items():
        if len(group) > 1:
            kept, *others = sorted(group, key=lambda entry: touch_key(entry, changed))
            for other in others:
                yield key, other, kept


_NOTATION = re.compile(r"(?P<prefix>.*?)(?P<number>[0-9]+)")


def _next_free_notation(catalogue: Catalogue, notation: str) -> str | None:
    """The notation after the highest one of the same prefix (``MAI-24`` after ``MAI-23``),
    retired ones counted: ``None`` when ``notation`` does not end in a number."""
    match = _NOTATION.fullmatch(notation)
    if match is None:
        return None
    prefix, width = match["prefix"], len(match["number"])
    taken = [entry.service.notation for entry in catalogue.entries]
    taken += [r.notation for r in catalogue.scheme.retired if r.notation]
    numbers = [
        int(found["number"])
        for found in map(_NOTATION.fullmatch, taken)
        if found is not None and found["prefix"] == prefix
    ]
    return f"{prefix}{max(numbers, default=0) + 1:0{width}d}"


def _where(span: Span) -> str:
    """``file:line`` of the other file of a conflict (``file`` when the line is unknown)."""
    return f"{span.file}:{span.line}" if span.line else span.file


def _check_identity(catalogue: Catalogue, changed: Collection[Path]) -> Iterator[Diagnostic]:
    levels = catalogue.levels
    retired_ids = {r.id for r in catalogue.scheme.retired}
    retired_notations = {r.notation for r in catalogue.scheme.retired if r.notation}
    entries = catalogue.entries
    for _id, entry, kept in conflicts(((e.service.id, e) for e in entries), changed):
        yield Diagnostic.error(
            "REF002",
            entry.doc.span(("id",)),
            _("identifier '{id}' is already used by {file}").format(
                id=entry.service.id, file=_where(kept.doc.span(("id",)))
            ),
        )
    notations = ((normalize_label(e.service.notation), e) for e in entries)
    for _notation, entry, kept in conflicts(notations, changed):
        free = _next_free_notation(catalogue, entry.service.notation)
        yield Diagnostic.error(
            "REF003",
            entry.doc.span(("notation",)),
            _("notation '{notation}' is already used by '{id}' ({file})").format(
                notation=entry.service.notation,
                id=kept.service.id,
                file=_where(kept.doc.span(("notation",))),
            ),
            _("the next free notation is {notation}").format(notation=free) if free else None,
        )
    for entry in entries:
        doc, service = entry.doc, entry.service
        if not SLUG.fullmatch(service.id):
            yield _bad_slug(doc.span(("id",)), service.id)
        if service.id in levels or service.id in RESERVED_IDS:
            yield Diagnostic.error(
                "REF026",
                doc.span(("id",)),
                _("identifier '{id}' is reserved: {iri} is already the IRI of {what}").format(
                    id=service.id,
                    iri=catalogue.scheme.base_iri + service.id,
                    what=_("a level")
                    if service.id in levels
                    else _("the project's properties")
                    if service.id == "vocab"
                    else _("the catalogue's index page"),
                ),
                _("choose another identifier (and rename the file)"),
            )
        if entry.stem != service.id:
            yield Diagnostic.error(
                "REF004",
                doc.span(("id",)),
                _("the file is named '{stem}.yaml' but the service id is '{id}'").format(
                    stem=entry.stem, id=service.id
                ),
                _("rename the file to {id}.yaml; an id never changes once published").format(
                    id=service.id
                ),
            )
        if service.level not in levels:
            close = difflib.get_close_matches(service.level, list(levels), n=1)
            yield Diagnostic.error(
                "REF007",
                doc.span(("level",)),
                _("unknown level '{level}': expected one of {levels}").format(
                    level=service.level, levels=", ".join(levels)
                ),
                _("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
        elif entry.folder != service.level:
            yield Diagnostic.error(
                "REF005",
                doc.span(("level",)),
                _("the service is in folder '{folder}' but its level is '{level}'").format(
                    folder=entry.folder, level=service.level
                ),
                _("move the file to services/{level}/").format(level=service.level),
            )
        if service.id in retired_ids:
            yield Diagnostic.error(
                "REF017",
                doc.span(("id",)),
                _("identifier '{id}' was retired and can never be used again").format(
                    id=service.id
                ),
                _("choose a new identifier"),
            )
        if service.notation in retired_notations:
            yield Diagnostic.error(
                "REF017",
                doc.span(("notation",)),
                _("notation '{notation}' was retired and can never be used again").format(
                    notation=service.notation
                ),
            )


def _empty_label(span: Span, lang: str) -> Diagnostic:
    return Diagnostic.error("REF008", span, _("the label in '{lang}' is empty").format(lang=lang))


def _empty_definition(span: Span, lang: str) -> Diagnostic:
    return Diagnostic.error(
        "REF011", span, _("the definition in '{lang}' is empty").format(lang=lang)
    )


def _check_texts(catalogue: Catalogue, changed: Collection[Path]) -> Iterator[Diagnostic]:
    labels: list[tuple[tuple[str, str], ServiceEntry]] = []
    for entry in catalogue.entries:
        doc, service = entry.doc, entry.service
        for lang in LANGS:
            label = getattr(service.pref_label, lang)
            if not visible(label).strip():
                yield _empty_label(doc.span(("pref_label", lang)), lang)
            elif service.active:
                labels.append(((lang, normalize_label(label)), entry))
            if not visible(getattr(service.definition, lang)).strip():
                yield _empty_definition(doc.span(("definition", lang)), lang)
            own = normalize_label(label)
            alt_seen: set[str] = set()
            for index, alt in enumerate(getattr(service.alt_labels, lang)):
                span = doc.span(("alt_labels", lang, index))
                norm = normalize_label(alt)
                if not visible(alt).strip():
                    yield Diagnostic.error(
                        "REF008",
                        span,
                        _("an alternative label in '{lang}' is empty").format(lang=lang),
                    )
                elif norm == own:
                    yield Diagnostic.error(
                        "REF010",
                        span,
                        _("the alternative label '{label}' repeats the preferred label").format(
                            label=alt
                        ),
                    )
                elif norm in alt_seen:
                    yield Diagnostic.error(
                        "REF010",
                        span,
                        _("the alternative label '{label}' appears twice").format(label=alt),
                    )
                alt_seen.add(norm)
        fr, en = service.learning_outcomes.fr, service.learning_outcomes.en
        if len(fr) != len(en):
            yield Diagnostic.warning(
                "REF022",
                doc.span(("learning_outcomes",)),
                ngettext(
                    "{fr} learning outcome in French but {en} in English",
                    "{fr} learning outcomes in French but {en} in English",
                    len(fr),
                ).format(fr=len(fr), en=len(en)),
                _("translate every item so that both lists match"),
            )
    for (lang, _label), entry, kept in conflicts(labels, changed):
        yield Diagnostic.error(
            "REF009",
            entry.doc.span(("pref_label", lang)),
            _("the label '{label}' ({lang}) is already used by '{id}' ({file})").format(
                label=getattr(entry.service.pref_label, lang),
                lang=lang,
                id=kept.service.id,
                file=_where(kept.doc.span(("pref_label", lang))),
            ),
            _("two active services need distinct labels in each language"),
        )


def _check_replacements(catalogue: Catalogue, changed: Collection[Path]) -> Iterator[Diagnostic]:
    services = catalogue.services
    entries: dict[str, ServiceEntry] = {}
    for entry in catalogue.entries:
        entries.setdefault(entry.service.id, entry)
    in_cycle = _cycles(catalogue)
    unreadable = {path.stem for path in catalogue.unreadable}
    reported: set[str] = set()
    for entry in catalogue.entries:
        doc, service = entry.doc, entry.service
        target = service.replaced_by
        if service.active:
            for name in ("replaced_by", "deprecated_in"):
                if getattr(service, name) is not None:
                    yield Diagnostic.error(
                        "REF016",
                        doc.key_span((name,)),
                        _("'{field}' is only for deprecated services; this one is active").format(
                            field=name
                        ),
                        _("set status: deprecated, or remove '{field}'").format(field=name),
                    )
            continue
        if target is None:
            yield Diagnostic.error(
                "REF012",
                doc.span(("status",)),
                _("deprecated service '{id}' does not name its replacement").format(id=service.id),
                _("add replaced_by: <id of an active service>"),
            )
        elif target not in services:
            if target in unreadable:
                continue  # its file is broken, already reported
            close = difflib.get_close_matches(target, list(services), n=1)
            yield Diagnostic.error(
                "REF013",
                doc.span(("replaced_by",)),
                _("replaced_by names '{target}', which is not a service").format(target=target),
                _("did you mean '{name}'?").format(name=close[0]) if close else None,
            )
        elif service.id in in_cycle:
            cycle = in_cycle[service.id]
            if cycle[0] not in reported:
                reported.add(cycle[0])
                # on the member the contributor touched: the edit that closed the cycle
                touched = max(
                    (entries[member] for member in cycle),
                    key=lambda member: touch_key(member, changed),
                )
                yield Diagnostic.error(
                    "REF015",
                    touched.doc.span(("replaced_by",)),
                    _("replacements form a cycle: {cycle}").format(
                        cycle=" → ".join([*cycle, cycle[0]])
                    ),
                    _("each deprecated service must point to an active one"),
                )
        elif not services[target].active:
            yield Diagnostic.error(
                "REF014",
                doc.span(("replaced_by",)),
                _(
                    "replaced_by names '{target}', which is itself deprecated "
                    "(replaced by '{next}')"
                ).format(target=target, next=services[target].replaced_by or "—"),
                _("point directly to the active service that replaces it"),
            )


def _cycles(catalogue: Catalogue) -> dict[str, list[str]]:
    """Services on a replacement cycle, each mapped to its cycle (from its smallest id)."""
    services = catalogue.services
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: dict[str, list[str]] = {}
    for start in services:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in services and node not in state:
            state[node] = 1
            path.append(node)
            nxt = services[node].replaced_by
            node = nxt if not services[node].active else None
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            smallest = cycle.index(min(cycle))
            ordered = cycle[smallest:] + cycle[:smallest]
            for member in cycle:
                found[member] = ordered
        for member in path:
            state[member] = 2
    return found


def _check_mappings(catalogue: Catalogue) -> Iterator[Diagnostic]:
    for entry in catalogue.entries:
        mappings = entry.service.mappings
        for name, allowed in VOCABULARIES.items():
            for index, value in enumerate(getattr(mappings, name)):
                if value in allowed:
                    continue
                close = difflib.get_close_matches(value, sorted(allowed), n=1, cutoff=0.6)
                yield Diagnostic.error(
                    "REF018",
                    entry.doc.span(("mappings", name, index)),
                    _("'{value}' is not a value of the vocabulary '{vocabulary}'").format(
                        value=value, vocabulary=name
                    ),
                    _("did you mean '{name}'?").format(name=close[0]) if close else None,
                )


def _check_coop_mapped(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """From version 2.1.0 on, every active service maps to La Coop's thematiques, so that
    every activity recorded there can be read in the catalogue's terms and back."""
    if version_tuple(catalogue.version) < version_tuple(COOP_REQUIRED_FROM):
        return
    for entry in catalogue.entries:
        service = entry.service
        if service.active and not service.mappings.coop_thematiques:
            yield Diagnostic.error(
                "REF025",
                entry.doc.key_span(("mappings",)),
                _("the active service '{id}' maps to no thematique of La Coop").format(
                    id=service.id
                ),
                _(
                    "add mappings: coop_thematiques: with the thematiques under which a "
                    "mediator records this service in La Coop, for example [{example}]"
                ).format(example="navigation_sur_internet"),
            )


def _check_coop_demarches(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """La Coop's rule (its server validation, ``canHaveAdministationThematiques``): a kind of
    administrative procedure (:data:`~aptic_qualif.vocabularies.COOP_DEMARCHES`) is recorded
    only with ``aide_aux_demarches_administratives``; La Coop refuses the activity otherwise.
    Checked from :data:`COHERENT_MAPPINGS_FROM` on."""
    if version_tuple(catalogue.version) < version_tuple(COHERENT_MAPPINGS_FROM):
        return
    for entry in catalogue.entries:
        thematiques = entry.service.mappings.coop_thematiques
        if COOP_ADMINISTRATIVE in thematiques:
            continue
        alone = [(i, value) for i, value in enumerate(thematiques) if value in COOP_DEMARCHES]
        if not alone:
            continue
        yield Diagnostic.error(
            "REF027",
            entry.doc.span(("mappings", "coop_thematiques", alone[0][0])),
            _(
                "'{values}' is a kind of administrative procedure in La Coop, which refuses it "
                "without '{administrative}'"
            ).format(values="', '".join(v for _i, v in alone), administrative=COOP_ADMINISTRATIVE),
            _(
                "if a procedure is done during the session, add '{administrative}'; otherwise "
                "remove '{values}' and keep the mediation thematiques"
            ).format(values="', '".join(v for _i, v in alone), administrative=COOP_ADMINISTRATIVE),
        )


def _check_mapping_rules(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """:data:`~aptic_qualif.vocabularies.MAPPING_RULES`: a mapping value that needs another
    mapping, or that another mapping excludes (``REF028``), on the value's line. Active
    services only, from :data:`COHERENT_MAPPINGS_FROM` on."""
    if version_tuple(catalogue.version) < version_tuple(COHERENT_MAPPINGS_FROM):
        return
    for entry in catalogue.entries:
        service = entry.service
        if not service.active:
            continue
        mappings = service.mappings
        for rule in MAPPING_RULES:
            values: list[str] = getattr(mappings, rule.field)
            if rule.value not in values:
                continue
            span = entry.doc.span(("mappings", rule.field, values.index(rule.value)))
            if rule.needs and not any(
                mapping_matches(getattr(mappings, field), wanted) for field, wanted in rule.needs
            ):
                yield Diagnostic.error(
                    "REF028",
                    span,
                    _("'{value}' ({field}) needs one of: {needs}").format(
                        value=rule.value,
                        field=rule.field,
                        needs=", ".join(
                            f"{wanted}{'…' if wanted.endswith('--') else ''} ({field})"
                            for field, wanted in rule.needs
                        ),
                    ),
                    _(rule.why),
                )
            for field, unwanted in rule.excludes:
                if mapping_matches(getattr(mappings, field), unwanted):
                    yield Diagnostic.error(
                        "REF028",
                        span,
                        _("'{value}' ({field}) does not go with '{other}' ({other_field})").format(
                            value=rule.value, field=rule.field, other=unwanted, other_field=field
                        ),
                        _(rule.why),
                    )


def _check_level_sessions(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """A level may set ``min_sessions``: an active service of that level takes at least as
    many sessions (``REF029``), so that a single session never buys a higher level."""
    minimum = {level.id: level.min_sessions for level in catalogue.scheme.levels}
    for entry in catalogue.entries:
        service = entry.service
        least = minimum.get(service.level)
        if not service.active or least is None or service.sessions is None:
            continue
        if service.sessions < least:
            yield Diagnostic.error(
                "REF029",
                entry.doc.span(("sessions",)),
                _(
                    "the service '{id}' takes {sessions} session(s); a service of the level "
                    "'{level}' takes at least {minimum}"
                ).format(
                    id=service.id, sessions=service.sessions, level=service.level, minimum=least
                ),
                _(
                    "describe the project it leads to over several sessions, or move what "
                    "fits in one session to a lower level (deprecate this service and add one "
                    "there)"
                ),
            )


def _check_exported(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """``REF030``, a warning: an active service that maps to no service of the national
    schema of venues (``lieux_services``) never reaches the national export (``export
    lieux``), and one that maps to no data·inclusion thematique never reaches ``export
    data-inclusion``. A warning, not an error: a service may have no equivalent there yet."""
    exports = (
        (
            "lieux_services",
            _(
                "the active service '{id}' maps to no service of the national schema of "
                "venues: a venue's offer of it never reaches the national export (export lieux)"
            ),
            _(
                "add mappings: lieux_services: with the services of the national schema that "
                "it belongs to, for example [{example}]"
            ),
            "Maîtrise des outils numériques du quotidien",
        ),
        (
            "data_inclusion",
            _(
                "the active service '{id}' maps to no data·inclusion thematique: it never "
                "reaches the data·inclusion export (export data-inclusion)"
            ),
            _(
                "add mappings: data_inclusion: with the data·inclusion thematiques it "
                "belongs to, for example [{example}]"
            ),
            "numerique--acceder-a-des-services-en-ligne",
        ),
    )
    for entry in catalogue.entries:
        service = entry.service
        if not service.active:
            continue
        for field, message, hint, example in exports:
            if getattr(service.mappings, field):
                continue
            has_mappings = "mappings" in (entry.doc.data or {})
            span = entry.doc.key_span(("mappings",)) if has_mappings else entry.doc.span(())
            yield Diagnostic.warning(
                "REF030",
                span,
                message.format(id=service.id),
                hint.format(example=example),
            )


def _check_sessions(catalogue: Catalogue) -> Iterator[Diagnostic]:
    """``sessions``: required from version 2.0.0 on, a whole number from 1 to 20."""
    required = version_tuple(catalogue.version) >= version_tuple(SESSIONS_REQUIRED_FROM)
    for entry in catalogue.entries:
        sessions = entry.service.sessions
        if sessions is None:
            if required:
                yield Diagnostic.error(
                    "SCH001",
                    entry.doc.span(()),
                    _("missing required field '{field}'").format(field="sessions"),
                    _(
                        "from version {version} on, every service gives its typical number "
                        "of sessions, for example sessions: 2"
                    ).format(version=SESSIONS_REQUIRED_FROM),
                )
        elif not 1 <= sessions <= MAX_SESSIONS:
            yield Diagnostic.error(
                "REF024",
                entry.doc.span(("sessions",)),
                _("sessions is {sessions}: a service takes from 1 to {max} sessions").format(
                    sessions=sessions, max=MAX_SESSIONS
                ),
                _(
                    "count the sessions a person typically needs, each of typical_duration; "
                    "beyond {max}, describe a shorter service"
                ).format(max=MAX_SESSIONS),
            )


def _check_versions(catalogue: Catalogue) -> Iterator[Diagnostic]:
    current = version_tuple(catalogue.version)
    for entry in catalogue.entries:
        service = entry.service
        added = version_tuple(service.added_in)
        if added > current:
            yield Diagnostic.error(
                "REF019",
                entry.doc.span(("added_in",)),
                _("added_in {added} is later than the catalogue version {version}").format(
                    added=service.added_in, version=catalogue.version
                ),
                _(
                    'a new service comes with a new version: set version: "{added}" in '
                    "referentiel.yaml (catalogue diff --base origin/main says which version the "
                    "change needs)"
                ).format(added=service.added_in),
            )
        if service.deprecated_in is not None:
            deprecated = version_tuple(service.deprecated_in)
            if deprecated > current or deprecated < added:
                yield Diagnostic.error(
                    "REF019",
                    entry.doc.span(("deprecated_in",)),
                    _(
                        "deprecated_in {deprecated} must lie between added_in {added} "
                        "and the catalogue version {version}"
                    ).format(
                        deprecated=service.deprecated_in,
                        added=service.added_in,
                        version=catalogue.version,
                    ),
                    _(
                        'set version: "{deprecated}" in referentiel.yaml, the release that '
                        "deprecates the service"
                    ).format(deprecated=service.deprecated_in)
                    if deprecated > current
                    else _(
                        "deprecated_in is the release that deprecates the service, after added_in"
                    ),
                )
