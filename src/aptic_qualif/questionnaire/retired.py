"""Questions retired from the questionnaire, by the version that retired them, and why.

:mod:`aptic_qualif.questionnaire.migrate` moves or drops their answers; the check of an
application (``APP003``) says why an answer to one of them is not a question any more.
"""

from __future__ import annotations

from collections.abc import Mapping

from aptic_qualif.i18n import N_

QUESTIONS_RETIRED_IN_3_0_0: Mapping[str, str] = {
    "apt-wifi-public": N_("now an option of the complementary equipment"),
    "cs-interpretariat": N_("now an option of the languages"),
    "apt-formation-recente": N_("now an option of the team's trainings"),
    "cs-seniors": N_("merged with young people and parents in one question"),
    "cs-jeunes-parents": N_("merged with older people in one question"),
    "ter-partenaires-locaux": N_(
        "a count of partners earned points on a declaration alone: the partners are "
        "named, and judged, in the account of the territory's needs"
    ),
    "cs-aidants-connect": N_("now an answer to how the team does a procedure for someone"),
    "cs-nombre-aidants-habilites": N_("the number of authorised helpers changed no decision"),
    "apt-tablettes-smartphones": N_("equipment beyond the public computers changed no decision"),
    "pub-adaptation-eloignes": N_(
        "merged with the account of an adapted support session (specific skills)"
    ),
    "pub-pass-numerique": N_("for information only: it changed no decision"),
    "pub-pass-emetteurs": N_("for information only: it changed no decision"),
    "ter-financeurs": N_("for information only: it changed no decision"),
    "inn-participation-usagers": N_(
        "innovation keeps one written answer, the account of an experiment"
    ),
    "inn-outil-suivi-activite": N_("for information only: it changed no decision"),
    "inn-lien-ressource-publiee": N_(
        "the link is now the evidence of the contribution to digital commons"
    ),
}
"""Theme question id → why it was retired (an English message id)."""

IDENTITY_RETIRED_IN_3_0_0: Mapping[str, str] = {
    "publics_specifiquement_adresses": N_(
        "the column is now filled from the publics the venue supports (Publics)"
    ),
    "prise_en_charge_specifique": N_(
        "the column is now filled from the disabilities, languages and illiteracy "
        "answers (specific skills)"
    ),
}
"""Identity question id → why it was retired."""

RETIRED: Mapping[str, tuple[Mapping[str, str], ...]] = {
    "3.0.0": (QUESTIONS_RETIRED_IN_3_0_0, IDENTITY_RETIRED_IN_3_0_0),
}


def retired_in(item: str) -> tuple[str, str] | None:
    """The version that retired the question ``item`` and why (an English message id), or
    ``None`` for a question never retired."""
    for version, tables in RETIRED.items():
        for table in tables:
            if item in table:
                return version, table[item]
    return None
