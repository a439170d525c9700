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
            N_("French and English lists differ in length."),
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
    )
}
