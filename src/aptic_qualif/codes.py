"""The stable diagnostic codes of every validator, with a name and a description.

A code never changes meaning once published; a retired code is not reused. The site's
page of error codes and ``aptic-qualif codes`` are generated from this table.
"""

from __future__ import annotations

from typing import NamedTuple

from aptic_qualif.i18n import N_


class Code(NamedTuple):
    code: str
    name: str
    description: str


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("IO001", "unreadable-file", N_("A file could not be read.")),
        Code(
            "IO002", "not-regular-file", N_("A pipe, a device, a folder or a socket is never read.")
        ),
        Code("IO003", "link-outside", N_("A path leads outside its project or folder.")),
        Code("YAML001", "syntax-error", N_("The file is not well-formed YAML.")),
        Code("YAML002", "duplicate-key", N_("A key appears twice in the same mapping.")),
        Code("YAML003", "anchor-alias", N_("Anchors and aliases (&, *) are refused.")),
        Code("YAML004", "custom-tag", N_("Tags such as !!python/object are refused.")),
        Code("YAML005", "not-utf8", N_("The file is not encoded in UTF-8.")),
        Code("YAML006", "several-documents", N_("A file holds a single YAML document.")),
        Code("YAML007", "file-too-large", N_("The file exceeds the size limit.")),
        Code("YAML008", "too-deep", N_("Mappings and lists are nested too deep.")),
        Code(
            "YAML009",
            "number-out-of-range",
            N_("A number is infinite, or beyond 10^15 in absolute value."),
        ),
        Code(
            "TXT001",
            "control-character",
            N_(
                "A text holds a control character (NUL, escape, bidi override…), or a line "
                "break where a single line is expected."
            ),
        ),
        Code("SCH001", "missing-field", N_("A required field is missing.")),
        Code("SCH002", "unknown-field", N_("A field is not part of the format.")),
        Code("SCH003", "invalid-value", N_("A value has the wrong type or format.")),
        Code("REF001", "invalid-id", N_("An identifier is not a slug (a-z, 0-9, hyphens).")),
        Code("REF002", "duplicate-id", N_("Two services share an identifier.")),
        Code("REF003", "duplicate-notation", N_("Two services share a notation.")),
        Code("REF004", "file-name", N_("A service file is not named after its identifier.")),
        Code("REF005", "wrong-folder", N_("A service file is not in the folder of its level.")),
        Code("REF006", "levels", N_("The scheme does not declare exactly three distinct levels.")),
        Code("REF007", "unknown-level", N_("A service names a level that does not exist.")),
        Code("REF008", "empty-label", N_("A label is empty.")),
        Code(
            "REF009",
            "duplicate-label",
            N_("Two active services share a preferred label in one language."),
        ),
        Code(
            "REF010",
            "alt-label",
            N_("An alternative label repeats the preferred label or another alternative."),
        ),
        Code("REF011", "empty-definition", N_("A definition is empty.")),
        Code("REF012", "no-replacement", N_("A deprecated service does not name its replacement.")),
        Code(
            "REF013",
            "unknown-replacement",
            N_("A replacement names a service that does not exist."),
        ),
        Code("REF014", "replacement-chain", N_("A replacement is itself deprecated (a chain).")),
        Code("REF015", "replacement-cycle", N_("Replacements form a cycle.")),
        Code(
            "REF016",
            "active-replaced",
            N_("An active service carries deprecation fields (replaced_by, deprecated_in)."),
        ),
        Code("REF017", "retired-reused", N_("A retired identifier or notation is used again.")),
        Code("REF018", "unknown-mapping", N_("A mapping value is not in its vocabulary.")),
        Code(
            "REF019",
            "version-order",
            N_("A service version field is later than the catalogue version."),
        ),
        Code("REF020", "stray-file", N_("A file under services/ is not where a service belongs.")),
        Code("REF021", "empty-level", N_("A level has no active service.")),
        Code(
            "REF022",
            "incomplete-translation",
            N_("A service has not as many learning outcomes in English as in French."),
        ),
        Code("QST001", "duplicate-item", N_("Two items share an identifier.")),
        Code("QST002", "invalid-item-id", N_("An identifier or option value is not a slug.")),
        Code("QST003", "theme-files", N_("Themes listed and theme files do not match.")),
        Code("QST004", "options", N_("Options are missing, misplaced or repeated.")),
        Code("QST005", "points", N_("Points are missing where scored, or given where not.")),
        Code("QST006", "scoring-type", N_("The scoring mode does not suit the item's type.")),
        Code("QST007", "rubric", N_("A rubric does not have its five described steps (0 to 4).")),
        Code("QST008", "unknown-condition-item", N_("A condition names an unknown item.")),
        Code("QST009", "forward-condition", N_("A condition depends on a later item.")),
        Code("QST010", "condition-operator", N_("A condition's operator does not suit the item.")),
        Code("QST011", "condition-value", N_("A condition's value does not suit the item.")),
        Code("QST012", "condition-cycle", N_("Conditions form a cycle.")),
        Code(
            "QST013",
            "services-item",
            N_("The services item is missing or not bound to the référentiel."),
        ),
        Code("QST014", "numbers", N_("Number bounds or brackets are inconsistent.")),
        Code(
            "QST015", "identity", N_("The identity section cannot fill the national venue schema.")
        ),
        Code("QST016", "empty-label", N_("An item label is empty.")),
        Code(
            "QST017",
            "policy-reference",
            N_("The policy names a questionnaire, theme or item that does not exist."),
        ),
        Code("QST018", "policy-values", N_("A policy value, knock-out or rule is invalid.")),
        Code(
            "QST019",
            "derivation",
            N_(
                "A derived answer names an item that does not exist, is derived itself, or "
                "does not fit the rule."
            ),
        ),
        Code(
            "QST020",
            "group",
            N_(
                "A group of optional questions names a question that does not exist, is "
                "required or scored, or stands apart from the others."
            ),
        ),
        Code(
            "APP001", "questionnaire-reference", N_("The application names another questionnaire.")
        ),
        Code("APP002", "questionnaire-version", N_("The application answers another version.")),
        Code("APP003", "unknown-item", N_("An answer names an item the questionnaire lacks.")),
        Code("APP004", "invalid-answer", N_("An answer has the wrong type, choice or range.")),
        Code("APP005", "missing-answer", N_("A required answer of an enabled item is missing.")),
        Code("APP006", "disabled-answer", N_("An item that does not apply is answered.")),
        Code("APP007", "unknown-service", N_("A service is unknown, deprecated or not asked.")),
        Code("APP008", "siret", N_("The SIRET is malformed or its check digit is wrong.")),
        Code("APP009", "postcode", N_("The postcode is not a French postcode.")),
        Code("APP010", "insee-code", N_("The INSEE commune code is malformed.")),
        Code("APP011", "format", N_("An email, web address, telephone or date is malformed.")),
        Code("APP012", "wrong-section", N_("An answer is in the wrong section (lieu / reponses).")),
        Code(
            "APP013",
            "places-mismatch",
            N_("The postcode is not one of the commune's (INSEE code)."),
        ),
        Code("APP014", "application-date", N_("The application has no date.")),
        Code("APP015", "evidence", N_("Evidence is given where none is taken, or is malformed.")),
        Code(
            "APP020",
            "opening-hours",
            N_(
                "The opening hours are not in OpenStreetMap's opening_hours format, or read "
                "otherwise than they seem."
            ),
        ),
        Code(
            "APP021",
            "national-constraint",
            N_("An answer breaks a rule of the national schema of venues (length, format)."),
        ),
        Code(
            "APP022",
            "answer-too-long",
            N_(
                "An answer is longer than an application keeps (10,000 characters for a long text)."
            ),
        ),
        Code(
            "APP023",
            "opening-hours-mismatch",
            N_(
                "The hours open for mediation exceed the opening hours the venue publishes "
                "(horaires)."
            ),
        ),
        Code(
            "APP024",
            "team-hours",
            N_(
                "The hours spent with the public do not match the people who spend them: hours "
                "with nobody, more than a week's hours per person, or a team without hours."
            ),
        ),
        Code(
            "APP025",
            "mediation-beyond-opening",
            N_(
                "More hours spent with the public than the team could spend while the venue "
                "is open for mediation."
            ),
        ),
        Code(
            "APP026",
            "people-per-hour",
            N_(
                "The people supported each month are implausible for the hours spent with the "
                "public."
            ),
        ),
        Code(
            "APP027",
            "equipment-and-welcome",
            N_(
                "The equipment does not match the ways people are received (independent use "
                "without devices, computers in a venue that receives no public)."
            ),
        ),
        Code(
            "APP028",
            "travelling-venue",
            N_(
                "A travelling or mobile venue's answers contradict each other (fixed mobile "
                "space, travelling without outreach)."
            ),
        ),
        Code(
            "APP029",
            "aidants-connect-team",
            N_(
                "The team acts for people with Aidants Connect without the Aidants Connect "
                "training among its trainings."
            ),
        ),
        Code(
            "REV001",
            "misfiled-review",
            N_("A review is not filed as <application>/<reviewer>.yaml."),
        ),
        Code("REV002", "unrated-item", N_("A review scores an item that reviewers do not rate.")),
        Code("REV003", "stale-review", N_("A review is of another version of the application.")),
        Code("REV004", "conflict-of-interest", N_("A reviewer declares a conflict of interest.")),
        Code("REV005", "draft-review", N_("A review is a draft, still in progress.")),
        Code(
            "REV006",
            "duplicate-reviewer",
            N_("Two reviews of one application are by reviewers whose names only look distinct."),
        ),
        Code(
            "LIEU001",
            "lieux-header",
            N_("A venues CSV lacks a required column of the national schema."),
        ),
        Code(
            "LIEU002",
            "lieux-invalid-row",
            N_("A row of a venues CSV is invalid: it is skipped."),
        ),
        Code(
            "LIEU003",
            "lieux-value-dropped",
            N_("A column or value of a venues CSV cannot be imported: it is dropped."),
        ),
        Code(
            "LIEU004",
            "lieux-not-exported",
            N_("A value, or a venue, that the national schema would refuse is not exported."),
        ),
        Code(
            "LIEU005",
            "lieux-duplicate-id",
            N_(
                "Two rows of a venues CSV share a national id (case and surrounding spaces "
                "ignored): only the first is imported."
            ),
        ),
        Code(
            "LIEU006",
            "lieux-file-too-large",
            N_("A venues CSV exceeds the size limit of the import (64 MiB): split it."),
        ),
        Code(
            "LIEU007",
            "data-inclusion-refused",
            N_(
                "A venue whose structure or services data·inclusion's own models refuse is not "
                "exported to data·inclusion."
            ),
        ),
        Code("GEO001", "unknown-commune", N_("The INSEE code is no current commune's.")),
        Code(
            "GEO003",
            "itinerance-not-code",
            N_(
                "An entry of the communes a travelling venue serves is not an INSEE code (a "
                "commune's name, a postcode)."
            ),
        ),
        Code(
            "GEO002",
            "commune-name",
            N_("The commune's name is not the one of its INSEE code or postcode."),
        ),
        Code("REF023", "base-iri", N_("The base IRI does not end with '/' or '#'.")),
        Code("REF024", "sessions", N_("A service's typical number of sessions is not 1 to 20.")),
        Code(
            "REF025",
            "coop-unmapped",
            N_("An active service maps to no thematique of La Coop de la médiation numérique."),
        ),
        Code(
            "REF026",
            "reserved-id",
            N_(
                "A service's identifier is a level's or a reserved name (vocab, index): its IRI "
                "or its page would be another's."
            ),
        ),
        Code(
            "REF027",
            "coop-demarche-alone",
            N_(
                "A service maps to a kind of administrative procedure of La Coop without "
                "'aide_aux_demarches_administratives', which La Coop refuses."
            ),
        ),
        Code(
            "REF028",
            "mapping-mismatch",
            N_(
                "A mapping value of a service lacks the other mapping it needs, or goes with "
                "one that contradicts it (for example 'Aide aux démarches administratives' "
                "without La Coop's 'aide_aux_demarches_administratives')."
            ),
        ),
        Code(
            "REF029",
            "level-sessions",
            N_("An active service takes fewer sessions than its level's min_sessions."),
        ),
        Code(
            "REF030",
            "unexported",
            N_(
                "An active service maps to no service of the national schema of venues, or to "
                "no data·inclusion thematique: it never reaches that export."
            ),
        ),
        Code("DIFF001", "version-bump", N_("The declared version is lower than the change needs.")),
        Code(
            "DIFF002",
            "removed-not-retired",
            N_("A removed service is missing from the retired list."),
        ),
        Code(
            "DIFF003",
            "version-field",
            N_("added_in or deprecated_in does not match the new version."),
        ),
        Code(
            "DIFF004",
            "modified-unchanged",
            N_("The catalogue changed but its date of modification (modified) did not."),
        ),
        Code(
            "DIFF005",
            "changelog-missing",
            N_("The catalogue's changelog has no section for the new version."),
        ),
        Code(
            "POL001",
            "smart-route",
            N_("Self-declaration alone qualifies a venue: no reviewer-rated answer is needed."),
        ),
        Code(
            "POL002",
            "theme-smart-route",
            N_("Self-declaration alone reaches a theme's threshold; no practice floor covers it."),
        ),
        Code(
            "POL003",
            "reviewer-share",
            N_("Reviewer-rated answers carry less of the points than the policy's minimum."),
        ),
        Code("POL004", "unreachable", N_("A threshold or a practice floor no venue can reach.")),
        Code("POL005", "idle-points", N_("A scored item or theme cannot change any decision.")),
        Code(
            "POL006",
            "practice-below-autonomy",
            N_(
                "A venue whose practice reviewers rate below the autonomy level still qualifies "
                "on its declarations."
            ),
        ),
        Code(
            "CAS001",
            "case-files",
            N_("A reference case is not a folder holding candidature.yaml and cas.yaml only."),
        ),
        Code("CAS002", "case-id", N_("A reference case folder is not named with a slug.")),
        Code(
            "CAS003",
            "case-unrated-item",
            N_("A review of a reference case scores an item that reviewers do not rate."),
        ),
        Code("CAS004", "case-reviewer", N_("A reference case has two reviews by one reviewer.")),
        Code(
            "CAS006",
            "case-compared-with",
            N_("A reference case is compared with a case that does not exist."),
        ),
        Code(
            "CAS005",
            "case-unused-score",
            N_("A review of a reference case scores an item that does not apply to it."),
        ),
        Code(
            "SITE001",
            "site-config-code",
            N_("The site configuration names Python files to run or another configuration."),
        ),
        Code(
            "SITE002",
            "site-config-not-allowed",
            N_(
                "A key, plugin, Markdown extension or option of the site configuration is not "
                "on the list of those accepted."
            ),
        ),
        Code(
            "SITE003",
            "site-config-unsafe-value",
            N_(
                "A value of the site configuration is unsafe or malformed: a path outside the "
                "site, a link with another scheme than http, https or mailto, a script or a "
                "resource from elsewhere, a function where none is expected."
            ),
        ),
        Code(
            "SITE004",
            "site-file-refused",
            N_(
                "A file of the hand-written site is a symbolic link, is not a regular file, or "
                "is too large."
            ),
        ),
        Code(
            "SITE005",
            "site-snippet-outside",
            N_("A page includes a snippet that is not among the site's pages."),
        ),
        Code(
            "SITE006",
            "site-template-sandbox",
            N_(
                "A template of the site's theme reaches for Python's internals or the build's "
                "objects, which its sandbox refuses."
            ),
        ),
        Code(
            "USG001",
            "personal-data-column",
            N_(
                "A file of usages has a column that would hold personal data (a name, a "
                "contact, a birth date, a person identifier, free text): it is refused whole."
            ),
        ),
        Code(
            "USG002",
            "personal-data-value",
            N_(
                "A cell of a file of usages looks like an e-mail address, a telephone number "
                "or a NIR: the file is refused whole."
            ),
        ),
        Code(
            "USG003",
            "usage-columns",
            N_("A file of usages has an unknown, repeated or missing column: it is refused."),
        ),
        Code(
            "USG004", "usage-invalid-row", N_("A row of usages breaks the format: it is skipped.")
        ),
        Code(
            "USG005",
            "usage-unknown-service",
            N_("A row of usages names a service the référentiel does not know: it is skipped."),
        ),
        Code(
            "USG006",
            "usage-unknown-place",
            N_("A row of usages names an unknown commune or département: it is skipped."),
        ),
        Code(
            "USG007",
            "personal-columns-dropped",
            N_("A column of La Coop's export that names people was left unread."),
        ),
        Code(
            "USG008",
            "usage-residence-coarsened",
            N_(
                "A residence in a commune of fewer than 5,000 inhabitants is kept as its "
                "département, where it could single a person out."
            ),
        ),
    )
}


HINTS: dict[str, str] = {
    "IO001": N_("check that the file exists and that you may read it"),
    "IO002": N_("replace it with a regular file"),
    "IO003": N_("copy the file into the folder instead of linking to it"),
    "YAML001": N_(
        "at the position shown: indent with spaces (never tabs), write key: value, close "
        "every quote"
    ),
    "YAML002": N_("keep a single occurrence of the key"),
    "YAML003": N_("write the value in full at each place"),
    "YAML004": N_("remove the tag: only plain YAML data is accepted"),
    "YAML005": N_("save the file again as UTF-8"),
    "YAML006": N_("remove the --- separator: one file, one document"),
    "YAML007": N_("a file of the tool takes a few KiB: check the file"),
    "YAML008": N_("a file of the tool has a few levels: check the file"),
    "YAML009": N_("write a reasonable number, or put the value in quotes if it is a text"),
    "TXT001": N_("remove the character shown; write the text on one line"),
    "SCH001": N_("add the field (see the complete example in CONTRIBUTING.md)"),
    "SCH002": N_("correct its name, or remove it"),
    "SCH003": N_(
        'write the value as the format expects: a text in quotes ("2.1", "1.2.0"), an ISO'
        " 8601 duration (PT1H30M), a list, an allowed value"
    ),
    "REF001": N_("lowercase letters without accents, digits and single hyphens"),
    "REF002": N_("choose another identifier"),
    "REF003": N_("take the next free number of the level"),
    "REF004": N_("name the file <id>.yaml (never change the id of a published service)"),
    "REF005": N_("move the file to services/<level>/"),
    "REF006": N_("declare exactly three distinct levels in referentiel.yaml"),
    "REF007": N_("decouvrir, maitriser or agir"),
    "REF008": N_("fill in the label in fr and in en"),
    "REF009": N_(
        "reword one label so that the two active services differ (case and spaces do not count)"
    ),
    "REF010": N_("remove the duplicate, or the repetition of the preferred label"),
    "REF011": N_("write the definition in fr and in en"),
    "REF012": N_("add replaced_by: <id of an active service>"),
    "REF013": N_("correct the identifier of the replacement"),
    "REF014": N_("point straight to the final active service"),
    "REF015": N_("each deprecated service must point to an active one"),
    "REF016": N_("set status: deprecated, or remove these fields"),
    "REF017": N_("choose a new identifier or a new notation"),
    "REF018": N_("copy exactly one of the allowed values (CONTRIBUTING.md lists them)"),
    "REF019": N_(
        "raise version in referentiel.yaml to the release that brings this change; "
        "catalogue diff --base origin/main says which version the change needs"
    ),
    "REF020": N_("a service file ends in .yaml and lives in services/<level>/"),
    "REF021": N_("keep at least one active service per level"),
    "REF022": N_("translate every element"),
    "REF023": N_(
        "end base_iri with / (a concept's IRI is the base IRI followed by its identifier)"
    ),
    "REF024": N_(
        "count the usual sessions, each as long as typical_duration; beyond 20, describe "
        "a shorter service"
    ),
    "REF025": N_(
        "add coop_thematiques: with the thematiques a mediator would tick in La Coop for "
        "this service"
    ),
    "REF026": N_("choose another identifier and rename the file"),
    "REF027": N_(
        "if a procedure is done during the session, add aide_aux_demarches_administratives; "
        "otherwise remove the kind of procedure"
    ),
    "REF028": N_("add the mapping the rule needs, or remove the one it excludes"),
    "REF029": N_(
        "describe the project over several sessions, or deprecate the service and add one at a "
        "lower level"
    ),
    "REF030": N_(
        "add the mapping (lieux_services, data_inclusion); with no equivalent, keep the warning "
        "and say so in the pull request"
    ),
    "DIFF001": N_("write in referentiel.yaml the version the message gives"),
    "DIFF002": N_(
        "restore the file and deprecate the service; otherwise list it under retired (a "
        "major change)"
    ),
    "DIFF003": N_("write the version declared in referentiel.yaml"),
    "DIFF004": N_("set modified in referentiel.yaml to the day of the change"),
    "DIFF005": N_(
        "paste at the top of referentiel/CHANGELOG.md the section that catalogue diff "
        "--base origin/main --changelog prints, and complete it"
    ),
    "QST001": N_("give each question an identifier of its own in the whole questionnaire"),
    "QST002": N_("lowercase letters without accents, digits and single hyphens"),
    "QST003": N_("one file themes/<theme>.yaml per theme listed in themes, and nothing else"),
    "QST004": N_(
        "options for single and multiple choices only, with distinct values; exclusive "
        "only in a multiple choice"
    ),
    "QST005": N_(
        "scoring: auto gives points to every option (0 included), points_if_true, "
        "brackets or services_points; scoring: none gives none"
    ),
    "QST006": N_(
        "a text, a date or a web address is scored with a rubric (scoring: rubric); the "
        "identity is never scored"
    ),
    "QST007": N_("five steps, score 0, 1, 2, 3 and 4 in order, each described"),
    "QST008": N_("correct the identifier of the item the condition names"),
    "QST009": N_("a condition depends only on a question asked before"),
    "QST010": N_(
        "equals/not_equals for yes-no and single choices, contains/not_contains for "
        "multiple choices and services, comparisons for numbers, exists for all"
    ),
    "QST011": N_("true or false, an existing option value, a service identifier, a number"),
    "QST012": N_("the message names each question of the cycle: break it"),
    "QST013": N_("one item of type: services, whose levels are levels of the référentiel"),
    "QST014": N_("min ≤ max; brackets with increasing min and points"),
    "QST015": N_(
        "nom, siret, adresse, code_postal, commune and code_insee with their types; "
        "export names a column of the national schema"
    ),
    "QST016": N_("fill in the label in fr and in en"),
    "QST017": N_("correct the identifier in policy.yaml"),
    "QST018": N_(
        "weights ≥ 0, thresholds from 0 to 100, a knock-out with item and condition (or "
        "invalid_identity: true, or venue_closed: true), a last rule when: always"
    ),
    "QST019": N_(
        "derive from an existing item of the right type: commune-name from an insee_code to a "
        "text, contains from a multiple choice to a boolean"
    ),
    "QST020": N_(
        "list optional, unscored questions that follow one another in one section, each in "
        "one group"
    ),
    "APP001": N_("questionnaire: <id>@<version> of the project's questionnaire"),
    "APP002": N_(
        "read the answers again in the light of the questionnaire's changelog, then write"
        " the current version"
    ),
    "APP003": N_("correct the identifier of the question"),
    "APP004": N_(
        "the right type (true/false, number, list), an existing choice, within bounds, an"
        " exclusive choice alone"
    ),
    "APP005": N_("answer the question: it applies to your venue"),
    "APP006": N_("remove the answer, or change the answer it depends on"),
    "APP007": N_("the identifier of an active service of the référentiel"),
    "APP008": N_(
        "14 digits, copied from the directory of companies "
        "(annuaire-entreprises.data.gouv.fr); the check digit must be right"
    ),
    "APP009": N_('5 digits in quotes ("01000"), those of a letter sent to the venue'),
    "APP010": N_("5 characters: 2A/2B in Corsica, 971 to 976 overseas"),
    "APP011": N_("name@domain.fr, https://…, 01 23 45 67 89, 2024-05-31"),
    "APP012": N_("the identity goes under lieu, the answers to the themes under reponses"),
    "APP013": N_(
        "give the postcode of a letter sent to the venue and the INSEE code of its commune"
    ),
    "APP014": N_("date: YYYY-MM-DD, the day you complete it"),
    "APP015": N_(
        "evidence only for questions that ask for it and apply; an https:// link or the "
        "name of an attached document"
    ),
    "APP020": N_(
        "OpenStreetMap's opening_hours format, days in English: Mo-Fr "
        "09:00-12:00,14:00-18:30; Sa 09:00-12:00"
    ),
    "APP021": N_(
        "keep to the national column the answer fills: its length, its format, no | in a "
        "column of several values"
    ),
    "APP022": N_(
        "shorten the answer: 10,000 characters for a long text, 2,000 for any other written answer"
    ),
    "APP023": N_("correct either the hours open for mediation or the opening hours"),
    "APP024": N_(
        "count the employees, volunteers and regular benevolent helpers who spend these "
        "hours with the public"
    ),
    "APP025": N_("count the drop-in sessions and appointments within the hours open for mediation"),
    "APP026": N_(
        "a person who came several times in the month counts once: check the estimate and the hours"
    ),
    "APP027": N_("correct the equipment, or the ways people are received and supported"),
    "APP028": N_(
        "a bus or a van going from commune to commune travels; count its stops served at "
        "least once a month"
    ),
    "APP029": N_("tick the Aidants Connect training among the trainings"),
    "REV001": N_("reviews/<application>/<reviewer>.yaml, with the same identifiers in the file"),
    "REV002": N_("score only the questions rated with a rubric (scoring: rubric)"),
    "REV003": N_("review the application again: review APPLICATION --reviewer ID --force"),
    "REV004": N_("the review is not counted: ask another reviewer"),
    "REV005": N_("aptic-qualif review APPLICATION --reviewer ID takes it up where it stopped"),
    "REV006": N_("one person, one review: merge the two reviews"),
    "LIEU001": N_(
        "the national schema's header (id, pivot, nom, commune, code_postal, adresse, "
        "date_maj), comma-separated, in UTF-8"
    ),
    "LIEU002": N_(
        "fill the required columns; pivot is a 14-digit SIRET; a valid postcode; as many "
        "fields as the header"
    ),
    "LIEU003": N_(
        "an exact value of the national schema, one choice for a single-choice question; "
        "otherwise complete the application by hand"
    ),
    "LIEU004": N_("correct the identity answer of the application (format, length, allowed value)"),
    "LIEU005": N_("each venue has its own id: correct or remove the duplicate row"),
    "LIEU006": N_(
        "split it into several files, each with the header row, and import them one after the other"
    ),
    "LIEU007": N_(
        "correct the answer data·inclusion refuses (the message names the field), then export again"
    ),
    "USG001": N_(
        "remove the column and its cells; for La Coop's export, --drop-personal-columns leaves "
        "them unread"
    ),
    "USG002": N_(
        "find where the value comes from, erase it at the source, then export and import again"
    ),
    "USG003": N_("aptic-qualif usages schema gives the columns of the format"),
    "USG004": N_("correct the row and import the file again (it replaces its earlier import)"),
    "USG005": N_("aptic-qualif catalogue list gives the identifiers and notations"),
    "USG006": N_("an INSEE code (35238) or a département (35, 2A, 974), never an address"),
    "USG007": N_("nothing to do: the column is neither stored nor shown"),
    "USG008": N_(
        "nothing to do: the records are kept; give the département yourself to silence this"
    ),
    "GEO001": N_("the INSEE code of a current commune (INSEE's Code officiel géographique)"),
    "GEO002": N_(
        "copy the commune's name of its INSEE code; accents, case, hyphens and St/Saint "
        "do not count"
    ),
    "GEO003": N_("write INSEE codes, separated by commas"),
    "POL001": N_(
        "declare practice floors (practice: overall, themes, items) so that reviewers' "
        "scores decide, or raise the thresholds"
    ),
    "POL002": N_("add a floor for the theme (practice: themes) or for one of its rated questions"),
    "POL003": N_(
        "give more weight to the rated answers (item_weights), or less to the declared ones"
    ),
    "POL004": N_("lower the threshold (or the floor, from 0 to 4), or make points reachable"),
    "POL005": N_("give it a weight, points or a threshold, or make it informative (scoring: none)"),
    "POL006": N_(
        "raise the minimum of the answer that says whether the person is made autonomous "
        "(practice: items), or the overall minimum (practice: overall)"
    ),
    "CAS001": N_(
        "a folder questionnaire/cases/<case>/ holding exactly candidature.yaml and cas.yaml"
    ),
    "CAS002": N_("lowercase letters without accents, digits and single hyphens"),
    "CAS003": N_("score only the questions rated with a rubric (scoring: rubric)"),
    "CAS004": N_("merge them, or name the other reviewer"),
    "CAS005": N_("remove the score, or change the answer the question depends on"),
    "CAS006": N_("name the folder of another case of questionnaire/cases/"),
    "SITE001": N_("remove the key; copy the configuration you want into site/mkdocs.yml"),
    "SITE002": N_(
        "remove it; if the site needs it, propose adding it to the list "
        "(publish/site/config.py) in a pull request of its own"
    ),
    "SITE003": N_("a file under site/docs/ and its relative path; an https:// address"),
    "SITE004": N_("replace the link with the file itself"),
    "SITE005": N_("put the snippet in site/docs/"),
    "SITE006": N_(
        "a template prints values, nothing more (CONTRIBUTING.md: the site, what is code)"
    ),
}
"""What to do about each code, shown under a diagnostic that brings no hint of its own (the
``correction`` column of the table in CONTRIBUTING.md, shortened)."""


def code_hint(code: str) -> str | None:
    """The general hint of ``code`` in the language in use (``None`` for an unknown code)."""
    from aptic_qualif.i18n import _

    hint = HINTS.get(code)
    return _(hint) if hint else None
