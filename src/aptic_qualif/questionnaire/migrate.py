"""Bringing an application (and its reviews) written for an earlier version of the
questionnaire to the current one.

A migration is data: for each version, the answers that move to another question (a box
that became an option of a neighbouring question) and the questions retired with the
reason. Nothing is invented: a new question the venue must answer is listed, never
answered for it. An answer to a retired question is dropped from the application and
named in the report, so that the venue knows what it no longer has to give.

A review keeps its scores of the answers that did not change (the reviewer's judgement of
them stands); the scores of retired questions are dropped, with what they recorded.

The text of a hand-written file is edited in place, keeping its comments: retired keys are
cut out and moved answers added after their question. The edited text is read back and must
give exactly the migrated data; otherwise the file is written again from the data, with its
leading comments (:func:`migrated_text`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _
from aptic_qualif.questionnaire.load import LoadedQuestionnaire
from aptic_qualif.questionnaire.retired import (
    IDENTITY_RETIRED_IN_3_0_0,
    QUESTIONS_RETIRED_IN_3_0_0,
)
from aptic_qualif.referentiel.load import Catalogue
from aptic_qualif.yamlio import Document, dump_yaml, parse_yaml

IDENTITY = "lieu"
ANSWERS = "reponses"
EVIDENCE = "preuves"


@dataclass(frozen=True)
class Move:
    """An answer ``when`` to ``source`` becomes ``value`` in ``target`` (an option added to
    a multiple choice, or the answer of a single choice); the evidence moves with it."""

    source: str
    when: Any
    target: str
    value: str
    replaces: tuple[str, ...] = ()
    """Exclusive options of ``target`` (« none ») that the moved value replaces."""


@dataclass(frozen=True)
class OptionMove:
    """The option ``value`` of the identity question ``item`` is retired: the concept is asked
    in the theme question ``target``, which gets ``target_value`` (added to a multiple choice,
    or the answer of an unanswered single choice)."""

    item: str
    value: str
    target: str
    target_value: str
    multiple: bool = True


@dataclass(frozen=True)
class Merge:
    """The multiple choices ``sources`` become the one multiple choice ``target``, which
    offers all their options: the options chosen are kept, an exclusive « none »
    (``none``) only when it is all that was chosen; the evidence moves with them."""

    sources: tuple[str, ...]
    target: str
    none: str = "aucune"


@dataclass(frozen=True)
class Step:
    """From ``source`` to ``target`` (versions of the questionnaire)."""

    source: str
    target: str
    moves: tuple[Move, ...]
    retired: Mapping[str, str]
    """Question id → why it was retired (an English message id)."""
    new: tuple[str, ...]
    """Questions added that a venue may have to answer."""
    identity_retired: Mapping[str, str] = field(default_factory=dict)
    """Identity question id → why it was retired."""
    option_moves: tuple[OptionMove, ...] = ()
    merges: tuple[Merge, ...] = ()
    answered_any: Mapping[str, tuple[tuple[str, ...], Any]] = field(default_factory=dict)
    """A new question id → (questions, answer): the new question gets the answer when the
    application answers any of the questions (a theme that became opt-in, for a venue that
    answered it)."""


STEPS: tuple[Step, ...] = (
    Step(
        source="2.0.0",
        target="3.0.0",
        moves=(
            Move(
                "apt-wifi-public",
                True,
                "apt-equipements-complementaires",
                "wifi-public",
                replaces=("aucun",),
            ),
            Move("cs-interpretariat", True, "cs-langues", "interpretariat", replaces=("aucune",)),
            Move("cs-aidants-connect", True, "cs-faire-pour-autrui", "aidants-connect"),
            Move(
                "apt-formation-recente",
                True,
                "apt-formations-mediateurs",
                "formation-continue-annee",
                replaces=("aucune",),
            ),
        ),
        merges=(Merge(("cs-seniors", "cs-jeunes-parents"), "cs-ages-de-la-vie"),),
        retired=QUESTIONS_RETIRED_IN_3_0_0,
        identity_retired=IDENTITY_RETIRED_IN_3_0_0,
        option_moves=(
            OptionMove(
                "dispositif_programmes_nationaux",
                "aidants-connect",
                "cs-faire-pour-autrui",
                "aidants-connect",
                multiple=False,
            ),
            OptionMove(
                "formations_labels",
                "forme-mon-espace-sante",
                "apt-formations-mediateurs",
                "formation-mon-espace-sante",
            ),
            OptionMove(
                "formations_labels", "forme-duplex", "apt-formations-mediateurs", "formation-duplex"
            ),
        ),
        answered_any={
            "inn-presenter": (
                (
                    "inn-pratiques",
                    "inn-logiciels-libres-postes",
                    "inn-numerique-responsable",
                    "inn-contribution-communs",
                    "inn-evaluation-actions",
                    "inn-experimentation",
                    "inn-experimentation-recit",
                ),
                True,
            ),
        },
        new=(
            "pub-acces-pass",
            "apt-encadrement-benevoles",
            "apt-continuite-mediation",
            "cs-faire-pour-autrui",
            "cs-trace-pour-autrui",
            "cs-apprendre-apres",
        ),
    ),
)

EVIDENCE_MOVES: dict[tuple[str, str], str] = {
    ("2.0.0", "inn-lien-ressource-publiee"): "inn-contribution-communs",
}
"""An answer that becomes the evidence of another question (a link)."""

_REFERENCE = re.compile(r"^(?P<id>[a-z0-9-]+)@(?P<version>[0-9]+\.[0-9]+\.[0-9]+)$")


@dataclass
class Migrated:
    """The outcome of migrating one file."""

    data: dict[str, Any]
    changes: list[str] = field(default_factory=list)
    """What was changed, in plain words."""
    dropped: dict[str, Any] = field(default_factory=dict)
    """Answers of retired questions, as they were."""
    to_answer: list[str] = field(default_factory=list)
    """New questions of the versions crossed (which apply is for the venue to see)."""
    source: str | None = None
    target: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def steps_between(source: str, target: str) -> list[Step] | None:
    """The steps from ``source`` to ``target``, in order; ``None`` when there is no way."""
    found: list[Step] = []
    version = source
    while version != target:
        step = next((s for s in STEPS if s.source == version), None)
        if step is None:
            return None
        found.append(step)
        version = step.target
    return found


def version_of(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The questionnaire id and version an application says it answers."""
    reference = data.get("questionnaire")
    match = _REFERENCE.match(reference) if isinstance(reference, str) else None
    return (match["id"], match["version"]) if match else None


def migrate_application(data: Mapping[str, Any], questionnaire_id: str, target: str) -> Migrated:
    """``data`` (an application as read) brought to ``target``. An application already at
    ``target``, of another questionnaire, or of a version with no way to ``target`` is
    returned unchanged, with why in :attr:`Migrated.changes` left empty and
    :attr:`Migrated.source` telling where it stands."""
    result = Migrated(data=_copy(data))
    found = version_of(data)
    if found is None or found[0] != questionnaire_id:
        return result
    result.source, result.target = found[1], target
    steps = steps_between(found[1], target)
    sections = (result.data.get(section, {}) for section in (ANSWERS, IDENTITY, EVIDENCE))
    if not steps or not all(isinstance(section, dict) for section in sections):
        # A file whose sections are not mappings is not an application: apply validate says
        # what is wrong with it; nothing is migrated.
        return result
    evidence_lists = result.data.get(EVIDENCE, {}).values()
    if not all(isinstance(entries, list) for entries in evidence_lists):
        return result
    answers: dict[str, Any] = result.data.setdefault(ANSWERS, {})
    identity: dict[str, Any] = result.data.setdefault(IDENTITY, {})
    evidence: dict[str, list[str]] = result.data.setdefault(EVIDENCE, {})
    for step in steps:
        for option in step.option_moves:
            chosen = identity.get(option.item)
            if not isinstance(chosen, list) or option.value not in chosen:
                continue
            identity[option.item] = [value for value in chosen if value != option.value]
            if not identity[option.item]:
                identity.pop(option.item)
            current = answers.get(option.target)
            if option.multiple:
                listed = current if isinstance(current, list) else []
                if option.target_value not in listed:
                    answers[option.target] = [
                        value for value in listed if value not in ("aucun", "aucune")
                    ] + [option.target_value]
            elif current is None:
                answers[option.target] = option.target_value
            result.changes.append(
                _("'{item}: {value}' is now asked in '{target}'").format(
                    item=option.item, value=option.value, target=option.target
                )
            )
        for item, why in step.identity_retired.items():
            if item in identity:
                result.dropped[item] = identity.pop(item)
                result.changes.append(
                    _("'{item}' is retired ({why}): its answer is dropped").format(
                        item=item, why=_(why)
                    )
                )
        for move in step.moves:
            if answers.get(move.source) != move.when:
                continue
            current = answers.get(move.target)
            if isinstance(current, list):
                kept = [value for value in current if value not in move.replaces]
                if move.value not in kept:
                    answers[move.target] = [*kept, move.value]
            elif current is None:
                answers[move.target] = move.value
            elif current != move.value:
                continue
            result.changes.append(
                _("'{source}: {answer}' becomes '{value}' in '{target}'").format(
                    source=move.source,
                    answer=_plain(move.when),
                    value=move.value,
                    target=move.target,
                )
            )
            if move.source in evidence:
                evidence.setdefault(move.target, [])
                for entry in evidence.pop(move.source):
                    if entry not in evidence[move.target]:
                        evidence[move.target].append(entry)
        merged: set[str] = set()
        for merge in step.merges:
            _merge(merge, answers, evidence, result)
            merged.update(merge.sources)
        for item, why in step.retired.items():
            target_item = EVIDENCE_MOVES.get((step.source, item))
            if item in answers:
                answer = answers.pop(item)
                moved = item in merged or any(
                    m.source == item and m.when == answer for m in step.moves
                )
                if not moved and target_item is None and answer not in (False, None, [], ""):
                    result.dropped[item] = answer
                if target_item is not None and isinstance(answer, str) and answer.strip():
                    entries = evidence.setdefault(target_item, [])
                    if answer not in entries:
                        entries.append(answer)
                    result.changes.append(
                        _("'{item}' becomes evidence of '{target}'").format(
                            item=item, target=target_item
                        )
                    )
                elif not moved:
                    result.changes.append(
                        _("'{item}' is retired ({why}): its answer is dropped").format(
                            item=item, why=_(why)
                        )
                    )
            if item in evidence:
                evidence.pop(item)
        for item, (questions, value) in step.answered_any.items():
            if item not in answers and any(q in answers for q in questions):
                answers[item] = value
                result.changes.append(
                    _(
                        "'{item}: {answer}' is answered for the venue: it answered that theme"
                    ).format(item=item, answer=_plain(value))
                )
        for item in step.new:
            if item not in answers and item not in result.to_answer:
                result.to_answer.append(item)
    if not evidence:
        result.data.pop(EVIDENCE, None)
    if not identity:
        result.data.pop(IDENTITY, None)
    result.data["questionnaire"] = f"{questionnaire_id}@{target}"
    result.changes.insert(
        0,
        _("questionnaire {source} → {target}").format(source=found[1], target=target),
    )
    return result


def _merge(
    merge: Merge, answers: dict[str, Any], evidence: dict[str, list[str]], result: Migrated
) -> None:
    """Apply one :class:`Merge` to ``answers`` and ``evidence`` (the sources stay, retired
    afterwards with the step's other questions)."""
    chosen: list[str] = []
    answered = [source for source in merge.sources if isinstance(answers.get(source), list)]
    if not answered:
        return
    for source in answered:
        for value in answers[source]:
            if value not in chosen:
                chosen.append(value)
    current = answers.get(merge.target)
    for value in current if isinstance(current, list) else []:
        if value not in chosen:
            chosen.append(value)
    kept = [value for value in chosen if value != merge.none]
    answers[merge.target] = kept or [merge.none]
    for source in merge.sources:
        if source in evidence:
            entries = evidence.setdefault(merge.target, [])
            for entry in evidence.pop(source):
                if entry not in entries:
                    entries.append(entry)
    for source in answered:
        result.changes.append(
            _("'{source}' is now part of '{target}'").format(source=source, target=merge.target)
        )


def identity_digest(identity: Mapping[str, Any]) -> str:
    """The fingerprint of a venue's identity answers as a review records it
    (:func:`~aptic_qualif.review.fingerprint.fingerprint`), from the ``lieu`` section."""
    from aptic_qualif.questionnaire.conditions import is_answered
    from aptic_qualif.review.fingerprint import _normalised, digest

    return digest({k: _normalised(v) for k, v in identity.items() if is_answered(v)})


def migrate_review(
    data: Mapping[str, Any],
    source: str,
    target: str,
    identity: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
) -> Migrated:
    """A review (as read) of an application moved from ``source`` to ``target``: the scores
    and fingerprints of retired questions are dropped; the others stand. With ``identity``
    (the venue's identity answers before and after the migration), a review of the identity
    as it was records the migrated one: retiring an identity question changes nothing the
    reviewer saw."""
    result = Migrated(data=_copy(data), source=source, target=target)
    steps = steps_between(source, target) or []
    retired = {item for step in steps for item in step.retired}
    scores = result.data.get("scores")
    if isinstance(scores, dict):
        for item in sorted(retired & set(scores)):
            result.dropped[item] = scores.pop(item)
            result.changes.append(
                _("the score of '{item}' is dropped: the question is retired").format(item=item)
            )
    reviewed = result.data.get("reviewed")
    if isinstance(reviewed, dict) and identity is not None:
        before, after = identity_digest(identity[0]), identity_digest(identity[1])
        if before != after and reviewed.get("identity") == before:
            reviewed["identity"] = after
            result.changes.append(
                _("the review of the venue's identity follows the retired identity questions")
            )
    if isinstance(reviewed, dict):
        for key in ("items", "answers", "evidence"):
            recorded = reviewed.get(key)
            if isinstance(recorded, dict):
                for item in retired & set(recorded):
                    recorded.pop(item)
    return result


# -- the text of a file ----------------------------------------------------------------------


def migrated_text(text: str, migrated: Migrated, parse: Callable[[str], Any] | None = None) -> str:
    """The text of the file, migrated: edited in place when its layout allows (comments
    kept), else written from the data with its leading comments."""
    read = parse or _parse
    memory_lines = _kept_for_memory(migrated)
    if len(memory_lines) > 2 and memory_lines[1] in text:
        # Answers kept by an earlier run: the new ones join them, under the same heading.
        memory_lines = memory_lines[2:]
    memory = "".join(memory_lines)
    edited = _edit(text, migrated)
    if edited is not None and _same(read(edited), migrated.data):
        return edited.rstrip("\n") + "\n" + memory
    header = "".join(_leading_comments(text.splitlines(keepends=True)))
    return header + dump_yaml(migrated.data) + memory


def _parse(text: str) -> Any:
    doc, _problems = parse_yaml(text, "<migration>")
    return doc.data if doc is not None else None


def _same(read: Any, data: Any) -> bool:
    return bool(_plainly(read) == _plainly(data))


def _plainly(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plainly(v) for k, v in value.items() if v not in ({}, None)}
    if isinstance(value, list):
        return [_plainly(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _leading_comments(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            found.append(line)
        else:
            break
    return found


def _edit(text: str, migrated: Migrated) -> str | None:
    """Cut the retired keys out of the top-level sections and set the moved answers and the
    new reference, editing the lines; ``None`` when the layout is not the usual one."""
    lines = text.splitlines(keepends=True)
    data = migrated.data
    reference = data.get("questionnaire")
    for index, line in enumerate(lines):
        if line.startswith("questionnaire:"):
            lines[index] = f"questionnaire: {reference}\n"
            break
    else:
        return None
    for section in (IDENTITY, ANSWERS, EVIDENCE):
        wanted = data.get(section) or {}
        span = _section(lines, section)
        if span is None:
            if wanted:
                lines += [f"{section}:\n", *_block(wanted)]
            continue
        start, end = span
        keys = _keys(lines, start + 1, end)
        body: list[str] = []
        previous = start + 1
        kept: list[str] = []
        for key, (first, last) in keys.items():
            body += lines[previous:first]
            previous = last
            if key not in wanted:
                continue
            kept.append(key)
            if _plainly(_parse(_unindent(lines[first:last]))) == {key: _plainly(wanted[key])}:
                body += lines[first:last]
            else:
                body += _block({key: wanted[key]})
        body += lines[previous:end]
        added = [key for key in wanted if key not in kept]
        if not wanted:
            lines[start:end] = []
            continue
        tail = _block({key: wanted[key] for key in added}) if added else []
        lines[start + 1 : end] = _before_trailing_blank(body, tail)
    return "".join(lines)


def _before_trailing_blank(body: list[str], tail: list[str]) -> list[str]:
    cut = len(body)
    while cut > 0 and not body[cut - 1].strip():
        cut -= 1
    return body[:cut] + tail + body[cut:]


def _section(lines: list[str], name: str) -> tuple[int, int] | None:
    """The lines of a top-level section: its key line and the index after its last line."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{name}:"), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.startswith((" ", "#")):
            break
        end += 1
    return start, end


_KEY = re.compile(r"^  (?P<key>[a-z0-9_-]+):(?: |$)")


def _keys(lines: list[str], start: int, end: int) -> dict[str, tuple[int, int]]:
    """Each key of a section, with its lines (comments and blank lines that follow it
    belong to the next key)."""
    found: dict[str, tuple[int, int]] = {}
    current: str | None = None
    first = start
    last = start
    for index in range(start, end):
        line = lines[index]
        match = _KEY.match(line)
        if match:
            if current is not None:
                found[current] = (first, last)
            current, first, last = match["key"], index, index + 1
        elif current is not None and line.startswith("   "):
            last = index + 1
    if current is not None:
        found[current] = (first, last)
    return found


def _unindent(lines: list[str]) -> str:
    return "".join(line[2:] if line.startswith("  ") else line for line in lines)


def _block(values: Mapping[str, Any]) -> list[str]:
    """``values`` as lines of a section (indented by two), lists as the files write them."""
    lines: list[str] = []
    for key, value in values.items():
        text = dump_yaml({key: value})
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            head, *items = text.splitlines(keepends=True)
            lines += ["  " + head, *("    " + line for line in items)]
        else:
            lines += ["  " + line if line.strip() else line for line in text.splitlines(True)]
    return lines


def _kept_for_memory(migrated: Migrated) -> list[str]:
    """The answers of retired questions, as comments at the end of the file: the venue may
    reuse its words (nothing it wrote is lost)."""
    if not migrated.dropped:
        return []
    lines = [
        "\n",
        "# "
        + _("Answers to questions retired in version {target}, kept for memory:").format(
            target=migrated.target
        )
        + "\n",
    ]
    for item, answer in migrated.dropped.items():
        if isinstance(answer, str):
            lines.append(f"# {item}:\n")
            lines += [f"#   {line}\n" for line in textwrap.wrap(" ".join(answer.split()), 86)]
        else:
            text = dump_yaml({item: answer})
            lines += ["# " + line if line.strip() else "#\n" for line in text.splitlines(True)]
    return lines


def _plain(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- a batch of files --------------------------------------------------------------------------


@dataclass
class FileMigration:
    """One file of a batch: what changed, what the venue has to answer, whether it was
    written."""

    path: Path
    kind: str
    """``application`` or ``review``."""
    migrated: Migrated
    to_answer: list[str] = field(default_factory=list)
    """Required questions the migrated application still has to answer."""
    written: bool = False


@dataclass
class MigrationRun:
    files: list[FileMigration] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    """Files that could not be read or written."""

    @property
    def ok(self) -> bool:
        return self.report.ok


def migrate_files(
    files: Mapping[Path, Path | None],
    questionnaire: LoadedQuestionnaire,
    catalogue: Catalogue,
    *,
    reviews: Path | None = None,
    write: bool = False,
) -> MigrationRun:
    """Migrate application ``files`` (each with the folder it was found in) to the
    questionnaire's version, and the reviews of each application in ``reviews``; with
    ``write``, the changed files are written atomically in place. A file that cannot be read
    or written is reported; the others go on."""
    from aptic_qualif.application import Application, check_application
    from aptic_qualif.fsio import atomic_write
    from aptic_qualif.project import display_path
    from aptic_qualif.schema import validate_document
    from aptic_qualif.yamlio import load_yaml_text

    run = MigrationRun()
    target = questionnaire.questionnaire.version
    identifier = questionnaire.questionnaire.id
    for path, folder in files.items():
        text, doc, problems = load_yaml_text(path, display_path(path), within=folder)
        if _unusable(text, doc, problems):
            run.report.extend(problems or [_unreadable(path)])
            continue
        assert text is not None and doc is not None
        migrated = migrate_application(doc.data, identifier, target)
        entry = FileMigration(path, "application", migrated)
        if migrated.changed:
            new_text = migrated_text(text, migrated)
            parsed, _found = parse_yaml(new_text, display_path(path))
            if parsed is not None:
                application, invalid = validate_document(Application, parsed)
                if application is not None and not invalid:
                    checked = check_application(path, parsed, application, questionnaire, catalogue)
                    entry.to_answer = list(checked.missing)
            if write and not _write(atomic_write, path, new_text, run.report):
                run.files.append(entry)
                continue
            entry.written = write
        run.files.append(entry)
        if reviews is None or not migrated.changed or migrated.source is None:
            continue
        for review_path in sorted((reviews / path.stem).glob("*.yaml")):
            review_text, review_doc, review_problems = load_yaml_text(
                review_path, display_path(review_path), within=reviews
            )
            if _unusable(review_text, review_doc, review_problems):
                run.report.extend(review_problems or [_unreadable(review_path)])
                continue
            assert review_text is not None and review_doc is not None
            review = migrate_review(
                review_doc.data,
                migrated.source,
                target,
                identity=(doc.data.get(IDENTITY) or {}, migrated.data.get(IDENTITY) or {}),
            )
            review_entry = FileMigration(review_path, "review", review)
            if review.changed:
                if write and not _write(
                    atomic_write, review_path, _review_text(review_text, review), run.report
                ):
                    run.files.append(review_entry)
                    continue
                review_entry.written = write
            run.files.append(review_entry)
    return run


def _unusable(text: str | None, doc: Document | None, problems: list[Diagnostic]) -> bool:
    """Whether a file read for migration cannot be migrated: unread, not a mapping, or with
    an error (a duplicate key, a tag…) that ``apply validate`` reports."""
    return (
        text is None
        or doc is None
        or not isinstance(doc.data, dict)
        or any(problem.severity == "error" for problem in problems)
    )


def _review_text(text: str, migrated: Migrated) -> str:
    """A review written again from its data, with its leading comments."""
    header = "".join(_leading_comments(text.splitlines(keepends=True)))
    return header + dump_yaml(migrated.data)


def _write(writer: Callable[..., None], path: Path, text: str, report: Report) -> bool:
    from aptic_qualif.project import display_path

    try:
        writer(path, text, force=True)
    except OSError as error:
        report.add(
            Diagnostic.error(
                "IO001",
                Span(display_path(path), 1, 1),
                _("cannot write the migrated file: {reason}").format(
                    reason=error.strerror or str(error)
                ),
            )
        )
        return False
    return True


def _unreadable(path: Path) -> Diagnostic:
    from aptic_qualif.project import display_path

    return Diagnostic.error(
        "IO001", Span(display_path(path), 1, 1), _("not an application that can be read")
    )
