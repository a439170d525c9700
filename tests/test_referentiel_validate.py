"""Every validation rule of the référentiel, each with a failing fixture.

Each case breaks the minimal test référentiel (``tests/fixtures/mini``) in one way and
states which diagnostics must come out, with their file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from aptic_qualif.codes import CODES
from aptic_qualif.referentiel.check import validate_catalogue
from tests.conftest import REPO

C = "services/decouvrir/comprendre-internet.yaml"
D = "services/decouvrir/decouvrir-le-courriel.yaml"
M = "services/maitriser/creer-une-adresse-electronique.yaml"
A = "services/agir/reparer-son-ordinateur.yaml"
S = "referentiel.yaml"
NATIONAL_SERVICE = "  lieux_services:\n    - Maîtrise des outils numériques du quotidien\n"
DATA_INCLUSION = "  data_inclusion:\n    - numerique--acceder-a-des-services-en-ligne\n"

DEPRECATED_CHAIN = """\
id: ancien-courriel
notation: DEC-03
level: decouvrir
status: deprecated
added_in: "1.0.0"
deprecated_in: "1.0.0"
replaced_by: decouvrir-le-courriel
pref_label:
  fr: Ancien courriel
  en: Old email
definition:
  fr: Encore plus ancien.
  en: Even older.
modalities: [individuel]
typical_duration: PT1H
"""


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[tuple[str, ...], ...]
    expected: tuple[tuple[str, str, int], ...]
    """(code, file relative to referentiel/, line) — exactly the diagnostics expected."""


def _replace(path: str, old: str, new: str) -> tuple[str, ...]:
    return ("replace", path, old, new)


CASES = [
    Case("syntax", (_replace(C, "level: decouvrir", "level: [decouvrir"),), (("YAML001", C, 4),)),
    Case("duplicate-key", (("append", C, "level: agir\n"),), (("YAML002", C, 30),)),
    Case(
        "anchor",
        (_replace(C, "modalities: [atelier-collectif]", "modalities: &m [atelier-collectif]"),),
        (("YAML003", C, 20),),
    ),
    Case(
        "alias",
        (_replace(C, "typical_duration: PT1H30M", "typical_duration: PT1H30M\nx: *m"),),
        (("YAML003", C, 22),),
    ),
    Case(
        "python-tag",
        (_replace(C, "typical_duration: PT1H30M", "typical_duration: !!python/name:os.system"),),
        (("YAML004", C, 21),),
    ),
    Case("latin-1", (("latin1", C),), (("YAML005", C, 11),)),
    Case("utf-16", (("utf16", C),), (("YAML005", C, 1),)),
    Case("two-documents", (("append", C, "---\nid: autre\n"),), (("YAML006", C, 30),)),
    Case(
        "too-large", (("append", C, "# " + "x" * (2 * 1024 * 1024) + "\n"),), (("YAML007", C, 1),)
    ),
    Case(
        "too-deep",
        (("append", C, "deep:\n" + "".join("  " * i + "k:\n" for i in range(1, 80))),),
        (("YAML008", C, 94),),
    ),
    # Numbers are finite and within 10^15; 1e400 would be read as infinity (YAML009).
    Case(
        "infinite-number", (_replace(M, "sessions: 2", "sessions: 1e400"),), (("YAML009", M, 14),)
    ),
    Case(
        "huge-integer",
        (_replace(M, "sessions: 2", "sessions: 1" + "0" * 5000),),
        (("YAML009", M, 14),),
    ),
    # Texts hold no control character (TXT001); labels and ids are one line.
    Case(
        "escape-in-label",
        (_replace(M, "fr: Créer une adresse électronique", 'fr: "Créer\\e[2J une adresse"'),),
        (("TXT001", M, 7),),
    ),
    Case(
        "nul-in-notation",
        (_replace(M, "notation: MAI-01", 'notation: "MAI-01\\0"'),),
        (("TXT001", M, 2),),
    ),
    Case(
        "bidi-override-in-label",
        (_replace(C, "en: Understand the internet", 'en: "Understand \\u202Etenretni"'),),
        (("TXT001", C, 8),),
    ),
    Case(
        "c1-in-alt-label",
        (_replace(C, "- Le web expliqué", '- "Le web\\x9b expliqué"'),),
        (("TXT001", C, 11),),
    ),
    Case(
        "newline-in-label",
        (_replace(M, "fr: Créer une adresse électronique", 'fr: "Créer une\\nadresse"'),),
        (("TXT001", M, 7),),
    ),
    Case(
        "newline-in-definition",
        (
            _replace(
                M,
                "fr: Créer et utiliser une boîte aux lettres électronique.",
                'fr: "Créer une boîte.\\n\\tPuis l\'utiliser."',
            ),
        ),
        (),
    ),
    Case(
        "escape-in-definition",
        (_replace(M, "en: Create and use a mailbox.", 'en: "Create\\x1b]0;title\\x07"'),),
        (("TXT001", M, 11),),
    ),
    Case("missing-field", (_replace(C, "notation: DEC-01\n", ""),), (("SCH001", C, 1),)),
    Case(
        "unknown-field",
        (_replace(C, "status: active", "statut: active"),),
        (("SCH001", C, 1), ("SCH002", C, 4)),
    ),
    Case("unquoted-crcn", (_replace(C, 'crcn: ["1.1"]', "crcn: [1.1]"),), (("SCH003", C, 26),)),
    Case("float-version", (_replace(S, 'version: "1.1.0"', "version: 1.1"),), (("SCH003", S, 2),)),
    Case("bad-modality", (_replace(M, "a-distance]", "visio]"),), (("SCH003", M, 12),)),
    Case("bad-duration", (_replace(M, "PT2H", "2 heures"),), (("SCH003", M, 13),)),
    Case("sessions-text", (_replace(M, "sessions: 2", "sessions: deux"),), (("SCH003", M, 14),)),
    Case("sessions-quoted", (_replace(M, "sessions: 2", 'sessions: "2"'),), (("SCH003", M, 14),)),
    Case("sessions-boolean", (_replace(M, "sessions: 2", "sessions: true"),), (("SCH003", M, 14),)),
    Case(
        "sessions-missing-from-2.0.0",
        (_replace(M, "sessions: 2\n", ""), _replace(S, 'version: "1.1.0"', 'version: "2.0.0"')),
        (("SCH001", M, 1),),
    ),
    Case("sessions-optional-before-2.0.0", (_replace(M, "sessions: 2\n", ""),), ()),
    Case("sessions-zero", (_replace(M, "sessions: 2", "sessions: 0"),), (("REF024", M, 14),)),
    Case("sessions-too-many", (_replace(M, "sessions: 2", "sessions: 21"),), (("REF024", M, 14),)),
    Case("sessions-at-most", (_replace(M, "sessions: 2", "sessions: 20"),), ()),
    Case("modality-a-domicile", (_replace(M, "a-distance]", "a-domicile]"),), ()),
    Case("scheme-id", (_replace(S, "id: mini", "id: Mini Réf"),), (("REF001", S, 1),)),
    Case(
        "base-iri",
        (_replace(S, "https://example.org/mini/", "https://example.org/mini"),),
        (("REF023", S, 14),),
    ),
    *(
        Case(
            f"base-iri-{name}",
            (_replace(S, "https://example.org/mini/", f"https://example.org/mi{char}ni/"),),
            (("SCH003", S, 14),),
        )
        for name, char in (
            ("greater-than", ">"),
            ("quote", '\\"'),
            ("braces", "{x}"),
            ("pipe", "|"),
            ("caret", "^"),
            ("space", " "),
            ("bad-percent", "%zz"),
        )
    ),
    Case(
        "base-iri-not-http",
        (_replace(S, "https://example.org/mini/", "ftp://example.org/mini/"),),
        (("SCH003", S, 14),),
    ),
    Case(
        "base-iri-no-host",
        (_replace(S, "https://example.org/mini/", "https:///mini/"),),
        (("SCH003", S, 14),),
    ),
    Case(
        "base-iri-international",
        (_replace(S, "https://example.org/mini/", "https://exemple.fr/référentiel/"),),
        (),
    ),
    Case(
        "publisher-url",
        (_replace(S, "  name: Tests", "  name: Tests\n  url: https://example.org/<script>"),),
        (("SCH003", S, 14),),
    ),
    Case(
        "full-width-version",
        (_replace(S, 'version: "1.1.0"', 'version: "1.1.1\uff10"'),),
        (("SCH003", S, 2),),
    ),
    Case(
        "full-width-duration",
        (_replace(M, "PT2H", "PT\uff12H"),),
        (("SCH003", M, 13),),
    ),
    Case(
        "service-id",
        (
            ("rename", C, "services/decouvrir/Comprendre_Internet.yaml"),
            _replace(
                "services/decouvrir/Comprendre_Internet.yaml",
                "id: comprendre-internet",
                "id: Comprendre_Internet",
            ),
        ),
        (("REF001", "services/decouvrir/Comprendre_Internet.yaml", 1),),
    ),
    Case(
        "id-of-a-level",
        (
            ("rename", C, "services/decouvrir/agir.yaml"),
            _replace("services/decouvrir/agir.yaml", "id: comprendre-internet", "id: agir"),
        ),
        (("REF026", "services/decouvrir/agir.yaml", 1),),
    ),
    Case(
        "id-vocab",
        (
            ("rename", C, "services/decouvrir/vocab.yaml"),
            _replace("services/decouvrir/vocab.yaml", "id: comprendre-internet", "id: vocab"),
        ),
        (("REF026", "services/decouvrir/vocab.yaml", 1),),
    ),
    Case(
        "duplicate-id",
        (
            ("copy", M, "services/maitriser/creer-une-adresse.yaml"),
            _replace(
                "services/maitriser/creer-une-adresse.yaml",
                "notation: MAI-01\n",
                "notation: MAI-02\n",
            ),
            _replace(
                "services/maitriser/creer-une-adresse.yaml",
                "  fr: Créer une adresse électronique\n  en: Create an email address",
                "  fr: Ouvrir une boîte mail\n  en: Open a mailbox",
            ),
        ),
        (
            ("REF002", "services/maitriser/creer-une-adresse.yaml", 1),
            ("REF004", "services/maitriser/creer-une-adresse.yaml", 1),
        ),
    ),
    Case("duplicate-notation", (_replace(M, "MAI-01", "DEC-01"),), (("REF003", M, 2),)),
    Case(
        "file-name",
        (_replace(C, "id: comprendre-internet", "id: comprendre-le-reseau"),),
        (("REF004", C, 1),),
    ),
    Case(
        "wrong-folder",
        (_replace(M, "level: maitriser", "level: agir"),),
        (("REF005", M, 3), ("REF021", S, 24)),
    ),
    Case(
        "two-levels",
        (
            _replace(
                S,
                "  - id: agir\n    notation: AGI\n    pref_label:\n      fr: Agir\n      en: Act\n"
                "    definition:\n      fr: Augmenter son pouvoir d'agir.\n"
                "      en: Increase one's power to act.\n",
                "",
            ),
        ),
        (("REF006", S, 16), ("REF007", A, 3)),
    ),
    Case(
        "unknown-level",
        (_replace(M, "level: maitriser", "level: maitrise"),),
        (("REF007", M, 3), ("REF021", S, 24)),
    ),
    Case(
        "empty-label", (_replace(C, "en: Understand the internet", 'en: ""'),), (("REF008", C, 8),)
    ),
    Case(
        "duplicate-label",
        (_replace(M, "fr: Créer une adresse électronique", "fr: comprendre  Internet"),),
        (("REF009", M, 7),),
    ),
    # Labels that only look distinct are the same label (NFC, zero-width removed, TR39).
    Case(
        "duplicate-label-cyrillic",
        # the "і" of "іnternet" is U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
        (_replace(M, "fr: Créer une adresse électronique", "fr: Comprendre \u0456nternet"),),
        (("REF009", M, 7),),
    ),
    Case(
        "duplicate-label-zero-width",
        (_replace(M, "fr: Créer une adresse électronique", 'fr: "Comprendre inter\\u200Bnet"'),),
        (("REF009", M, 7),),
    ),
    Case(
        "duplicate-label-decomposed",
        (_replace(C, "fr: Comprendre internet", "fr: Cre\u0301er une adresse e\u0301lectronique"),),
        (("REF009", M, 7),),
    ),
    Case(
        "labels-that-differ-stay-distinct",
        (_replace(M, "fr: Créer une adresse électronique", "fr: Comprendre intranet"),),
        (),
    ),
    Case(
        "alt-confusable-with-pref",
        # Latin "e" replaced by U+0435 CYRILLIC SMALL LETTER IE
        (_replace(C, "- Le web expliqué", "- Compr\u0435ndre internet"),),
        (("REF010", C, 11),),
    ),
    Case(
        "notation-confusable",
        # the "Е" is U+0415 CYRILLIC CAPITAL LETTER IE
        (_replace(M, "notation: MAI-01", "notation: D\u0415C-01"),),
        (("REF003", M, 2),),
    ),
    Case(
        "deprecated-may-share-label",
        (_replace(D, "fr: Découvrir le courriel", "fr: Comprendre internet"),),
        (),
    ),
    Case(
        "alt-equals-pref",
        (_replace(C, "- Le web expliqué", "- Comprendre Internet"),),
        (("REF010", C, 11),),
    ),
    Case(
        "alt-twice",
        (_replace(C, "- Le web expliqué", "- Le web expliqué\n    - le web  expliqué"),),
        (("REF010", C, 12),),
    ),
    Case(
        "empty-definition",
        (_replace(C, "fr: Ce qu'est internet et comment il fonctionne.", 'fr: "  "'),),
        (("REF011", C, 13),),
    ),
    Case(
        "no-replacement",
        (_replace(D, "replaced_by: creer-une-adresse-electronique\n", ""),),
        (("REF012", D, 4),),
    ),
    Case(
        "unknown-replacement",
        (
            _replace(
                D, "replaced_by: creer-une-adresse-electronique", "replaced_by: creer-une-adresse"
            ),
        ),
        (("REF013", D, 7),),
    ),
    Case(
        "replacement-chain",
        (("write", "services/decouvrir/ancien-courriel.yaml", DEPRECATED_CHAIN),),
        (("REF014", "services/decouvrir/ancien-courriel.yaml", 7),),
    ),
    Case(
        "replacement-self",
        (
            _replace(
                D,
                "replaced_by: creer-une-adresse-electronique",
                "replaced_by: decouvrir-le-courriel",
            ),
        ),
        (("REF015", D, 7),),
    ),
    Case(
        "replacement-cycle",
        (
            ("write", "services/decouvrir/ancien-courriel.yaml", DEPRECATED_CHAIN),
            _replace(
                D, "replaced_by: creer-une-adresse-electronique", "replaced_by: ancien-courriel"
            ),
        ),
        (("REF015", "services/decouvrir/ancien-courriel.yaml", 7),),
    ),
    Case(
        "active-replaced",
        (("append", C, "replaced_by: creer-une-adresse-electronique\n"),),
        (("REF016", C, 30),),
    ),
    Case("retired-notation", (_replace(M, "MAI-01", "DEC-99"),), (("REF017", M, 2),)),
    Case(
        "retired-id",
        (
            ("rename", C, "services/decouvrir/ancien-service.yaml"),
            _replace(
                "services/decouvrir/ancien-service.yaml",
                "id: comprendre-internet",
                "id: ancien-service",
            ),
        ),
        (("REF017", "services/decouvrir/ancien-service.yaml", 1),),
    ),
    Case(
        "unknown-mapping",
        (_replace(C, "- Compréhension du monde numérique", "- Comprehension du monde numerique"),),
        (("REF018", C, 25),),
    ),
    Case("unknown-crcn", (_replace(M, '"4.1"', '"4.4"'),), (("REF018", M, 18),)),
    Case(
        "unknown-coop-thematique",
        (_replace(M, "coop_thematiques: [email]", "coop_thematiques: [e-mail]"),),
        (("REF018", M, 19),),
    ),
    Case(
        "coop-unmapped-from-2.1.0",
        (
            _replace(M, "  coop_thematiques: [email]\n", ""),
            _replace(S, 'version: "1.1.0"', 'version: "2.1.0"'),
        ),
        (("REF025", M, 15),),
    ),
    Case(
        "coop-empty-from-2.1.0",
        (
            _replace(M, "coop_thematiques: [email]", "coop_thematiques: []"),
            _replace(S, 'version: "1.1.0"', 'version: "2.1.0"'),
        ),
        (("REF025", M, 15),),
    ),
    Case(
        "coop-demarche-alone-from-3.0.0",
        (
            _replace(M, "coop_thematiques: [email]", "coop_thematiques: [email, social_sante]"),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (("REF027", M, 19),),
    ),
    Case(
        "coop-demarche-with-its-thematique",
        (
            _replace(
                M,
                "coop_thematiques: [email]",
                "coop_thematiques: [social_sante, aide_aux_demarches_administratives]",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (),
    ),
    Case(
        "coop-demarche-alone-before-3.0.0",
        (_replace(M, "coop_thematiques: [email]", "coop_thematiques: [email, social_sante]"),),
        (),
    ),
    Case(
        "national-demarches-without-la-coop-s",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Aide aux démarches administratives",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (("REF028", C, 25),),
    ),
    Case(
        "national-demarches-for-an-association",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Aide aux démarches administratives",
            ),
            _replace(
                C,
                "coop_thematiques: [culture_numerique, navigation_sur_internet]",
                "coop_thematiques: [aide_aux_demarches_administratives, associations]",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (("REF028", C, 25),),
    ),
    Case(
        "national-demarches-done-in-the-session",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Aide aux démarches administratives",
            ),
            _replace(
                C,
                "coop_thematiques: [culture_numerique, navigation_sur_internet]",
                "coop_thematiques: [aide_aux_demarches_administratives, social_sante]",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (),
    ),
    Case(
        "national-insertion-without-a-path-to-work",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Insertion professionnelle via le numérique",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (("REF028", C, 25),),
    ),
    Case(
        "national-insertion-with-a-jobseeker-thematique",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Insertion professionnelle via le numérique",
            ),
            _replace(
                C,
                "    - numerique--maitriser-les-fondamentaux-du-numerique",
                "    - numerique--maitriser-les-fondamentaux-du-numerique\n"
                "    - trouver-un-emploi--repondre-a-des-offres-demploi",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (),
    ),
    Case(
        "coop-parenting-without-data-inclusion-s",
        (
            _replace(
                C,
                "coop_thematiques: [culture_numerique, navigation_sur_internet]",
                "coop_thematiques: [culture_numerique, parentalite]",
            ),
            _replace(S, 'version: "1.1.0"', 'version: "3.0.0"'),
        ),
        (("REF028", C, 29),),
    ),
    Case(
        "mapping-rules-before-3.0.0",
        (
            _replace(
                C,
                "    - Compréhension du monde numérique",
                "    - Aide aux démarches administratives",
            ),
        ),
        (),
    ),
    Case(
        "level-minimum-sessions",
        (
            _replace(
                S,
                "      en: Increase one's power to act.\n",
                "      en: Increase one's power to act.\n    min_sessions: 5\n",
            ),
        ),
        (("REF029", A, 14),),
    ),
    Case(
        "level-minimum-sessions-met",
        (
            _replace(
                S,
                "      en: Increase one's power to act.\n",
                "      en: Increase one's power to act.\n    min_sessions: 4\n",
            ),
        ),
        (),
    ),
    Case("coop-optional-before-2.1.0", (_replace(M, "  coop_thematiques: [email]\n", ""),), ()),
    Case(
        "coop-deprecated-service-needs-none",
        (_replace(S, 'version: "1.1.0"', 'version: "2.1.0"'),),
        (),
    ),
    Case(
        "added-later", (_replace(A, 'added_in: "1.1.0"', 'added_in: "1.2.0"'),), (("REF019", A, 5),)
    ),
    Case(
        "deprecated-before-added",
        (_replace(D, 'deprecated_in: "1.1.0"', 'deprecated_in: "0.9.0"'),),
        (("REF019", D, 6),),
    ),
    Case(
        "yml-file",
        (("write", "services/decouvrir/notes.yml", "id: x\n"),),
        (("REF020", "services/decouvrir/notes.yml", 0),),
    ),
    Case(
        "outside-level",
        (("copy", M, "services/creer-une-adresse-electronique.yaml"),),
        (("REF020", "services/creer-une-adresse-electronique.yaml", 0),),
    ),
    Case("empty-level", (("delete", A),), (("REF021", S, 32),)),
    Case(
        "incomplete-translation",
        (_replace(C, "  en:\n    - Tell the internet from the web\n", ""),),
        (("REF022", C, 16),),
    ),
    Case(
        "no-national-service",
        (
            _replace(
                M, "  lieux_services:\n    - Maîtrise des outils numériques du quotidien\n", ""
            ),
        ),
        (("REF030", M, 15),),
    ),
    Case(
        "no-data-inclusion-thematique",
        (_replace(M, DATA_INCLUSION, ""),),
        (("REF030", M, 15),),
    ),
    Case(
        "no-mapping-at-all",
        (
            _replace(
                M, "  lieux_services:\n    - Maîtrise des outils numériques du quotidien\n", ""
            ),
            _replace(
                M, "  data_inclusion:\n    - numerique--acceder-a-des-services-en-ligne\n", ""
            ),
        ),
        (("REF030", M, 15), ("REF030", M, 15)),
    ),
]


def apply_edits(root: Path, edits: tuple[tuple[str, ...], ...]) -> None:
    for op, path, *args in edits:
        target = root / path
        if op == "replace":
            old, new = args
            text = target.read_text(encoding="utf-8")
            assert old in text, (path, old)
            target.write_text(text.replace(old, new, 1), encoding="utf-8")
        elif op == "append":
            with target.open("a", encoding="utf-8") as handle:
                handle.write(args[0])
        elif op == "write":
            target.write_text(args[0], encoding="utf-8")
        elif op == "delete":
            target.unlink()
        elif op == "rename":
            target.rename(root / args[0])
        elif op == "copy":
            (root / args[0]).write_bytes(target.read_bytes())
        elif op == "latin1":
            target.write_bytes(target.read_text(encoding="utf-8").encode("latin-1"))
        elif op == "utf16":
            target.write_bytes(target.read_text(encoding="utf-8").encode("utf-16"))
        else:  # pragma: no cover
            raise ValueError(op)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case, mini: Path) -> None:
    referentiel = mini / "referentiel"
    apply_edits(referentiel, case.edits)
    _catalogue, report = validate_catalogue(referentiel)
    found = sorted(
        (d.code, Path(d.span.file).relative_to("referentiel").as_posix(), d.span.line)
        for d in report.diagnostics
    )
    assert found == sorted(case.expected), report.render_text()
    for diagnostic in report.diagnostics:
        assert diagnostic.message and "Traceback" not in diagnostic.message


def test_every_code_has_a_failing_fixture() -> None:
    covered = {code for case in CASES for code, _file, _line in case.expected}
    rules = {code for code in CODES if code.startswith(("YAML", "SCH", "REF"))}
    assert rules - covered == set()


def test_every_code_in_the_sources_is_registered() -> None:
    used: set[str] = set()
    for path in (REPO / "src").rglob("*.py"):
        used |= set(re.findall(r'"([A-Z]{2,4}\d{3})"', path.read_text()))
    assert used - set(CODES) == set()
    assert set(CODES) - used == set(), "registered codes that nothing emits"


def test_minimal_fixture_is_valid(mini: Path) -> None:
    catalogue, report = validate_catalogue(mini / "referentiel")
    assert report.diagnostics == []
    assert catalogue is not None
    assert sorted(catalogue.services) == [
        "comprendre-internet",
        "creer-une-adresse-electronique",
        "decouvrir-le-courriel",
        "reparer-son-ordinateur",
    ]


def test_shipped_referentiel_is_valid_and_complete() -> None:
    from aptic_qualif.vocabularies import COOP_MEDIATION, LIEUX_SERVICES

    catalogue, report = validate_catalogue(REPO / "referentiel")
    assert report.diagnostics == [], report.render_text()
    assert catalogue is not None
    active = [s for s in catalogue.services.values() if s.active]
    assert len(active) >= 55
    for level in ("decouvrir", "maitriser", "agir"):
        assert len(catalogue.by_level(level, include_deprecated=False)) >= 15
    reached = {v for s in active for v in s.mappings.lieux_services}
    assert reached == set(LIEUX_SERVICES)
    # Every active service reads in La Coop's terms; every mediation thematique but
    # scolarite_et_numerique (school groups: not a service a venue offers a person) is reached.
    assert all(s.mappings.coop_thematiques for s in active)
    coop = {v for s in active for v in s.mappings.coop_thematiques}
    assert set(COOP_MEDIATION) - coop == {"scolarite_et_numerique"}
    # A mapping says what a venue offering the service provides: only a service where the
    # venue itself supplies a device at a solidarity price says so on the national map.
    solidarity = "Acquisition de matériel informatique à prix solidaire"
    assert [s.notation for s in active if solidarity in s.mappings.lieux_services] == ["MAI-23"]
    # Every deprecated service names its replacement, at a level that fits it.
    for service in catalogue.services.values():
        if not service.active:
            assert service.replaced_by in catalogue.services, service.id
            assert catalogue.services[service.replaced_by].active, service.id
    for service in active:
        assert 1 <= service.sessions <= 20, service.id
    for service in catalogue.services.values():
        assert service.learning_outcomes.fr, service.id
        assert len(service.learning_outcomes.fr) == len(service.learning_outcomes.en)


def test_all_errors_are_reported_at_once(mini: Path) -> None:
    referentiel = mini / "referentiel"
    apply_edits(
        referentiel,
        (
            _replace(M, "MAI-01", "DEC-02"),
            _replace(A, "level: agir", "level: agri"),
            _replace(C, "level: decouvrir", "level: [decouvrir"),
        ),
    )
    _catalogue, report = validate_catalogue(referentiel)
    assert {d.code for d in report.errors} >= {"REF003", "REF007", "YAML001"}
    rendered = report.render_text().splitlines()
    assert rendered[-1].startswith("Bilan : 3 erreurs, 1 avertissement")
    files = [line.split(":")[0] for line in rendered[:-1] if not line.startswith("  =")]
    assert files == sorted(files)


def test_ref022_compares_learning_outcomes_only_as_contributing_says(mini: Path) -> None:
    """CONTRIBUTING said REF022 covered alt_labels; the rule compares learning outcomes:
    alternative labels are the words searched in each language, not translations."""
    referentiel = mini / "referentiel"
    apply_edits(
        referentiel, ((_replace(C, "    - Le web expliqué\n", "    - Le web\n    - Internet\n")),)
    )
    _catalogue, report = validate_catalogue(referentiel)
    assert report.diagnostics == [], report.render_text()
    row = next(
        line
        for line in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `REF022`")
    )
    assert "learning_outcomes" in row and "alt_labels" not in row
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "`alt_labels` et `learning_outcomes` doivent avoir le même nombre" not in text


def test_ref030_is_documented_and_the_shipped_referentiel_reaches_both_exports() -> None:
    row = next(
        line
        for line in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `REF030`")
    )
    assert "lieux_services" in row and "data_inclusion" in row and "avertissement" in row
    _catalogue, report = validate_catalogue(REPO / "referentiel")
    assert [d for d in report.diagnostics if d.code == "REF030"] == []
