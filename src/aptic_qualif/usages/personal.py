"""Personal data that an activity record never holds: columns and values refused on import.

The observatory counts usages, never users. A column whose name says it holds a person's
identity, contact, birth date or free text is refused with the whole file (``USG001``); so
is a cell whose value looks like an e-mail address, a French or international telephone
number, or a NIR (social-security number, its key checked by python-stdnum) (``USG002``).
The value itself is never repeated in a message: the message says where and what it looks
like, not what it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from aptic_qualif.i18n import N_

PersonalKind = Literal["email", "phone", "nir"]

# Column names (folded: lower case, no accent, words joined by "_") that identify a person,
# reach them or describe them in free text.
PERSONAL_COLUMNS: dict[str, str] = {
    name: kind
    for kind, names in {
        N_("a name"): (
            "nom",
            "prenom",
            "nom_prenom",
            "nom_usage",
            "nom_de_naissance",
            "name",
            "first_name",
            "last_name",
            "firstname",
            "lastname",
            "surname",
            "beneficiaire",
            "usager",
            "personne",
        ),
        N_("a contact"): (
            "email",
            "e_mail",
            "mail",
            "courriel",
            "adresse_electronique",
            "telephone",
            "tel",
            "portable",
            "mobile",
            "phone",
            "adresse",
            "adresse_postale",
            "address",
            "rue",
        ),
        N_("a birth date"): (
            "date_naissance",
            "date_de_naissance",
            "naissance",
            "birth_date",
            "birthdate",
            "date_of_birth",
            "age",
        ),
        N_("a person identifier"): (
            "nir",
            "numero_securite_sociale",
            "securite_sociale",
            "num_secu",
            "identifiant_beneficiaire",
            "id_beneficiaire",
            "id_usager",
            "identifiant_usager",
            "numero_caf",
            "numero_allocataire",
            "identifiant_france_travail",
            "ine",
        ),
        N_("some free text"): (
            "notes",
            "note",
            "notes_supplementaires",
            "commentaire",
            "commentaires",
            "comment",
            "comments",
            "remarque",
            "remarques",
            "observations",
            "description",
            "precisions",
        ),
    }.items()
    for name in names
}
"""Folded column name → what it would hold (an English msgid, translated when shown)."""


def fold(name: str) -> str:
    """A column name compared without case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def personal_column(name: str) -> str | None:
    """What a column of this name would hold (an msgid), or None when it is not personal."""
    return PERSONAL_COLUMNS.get(fold(name))


_EMAIL = re.compile(r"[^\s@<>(),;:\"]+@[^\s@<>(),;:\"]+\.[A-Za-z]{2,}")
# A French number (0X XX XX XX XX, with spaces, dots or hyphens) or an international one.
_PHONE = re.compile(
    r"(?<![\w])(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(0\))?[\s.-]?\d(?:[\s.-]?\d{2}){4}|0[1-9](?:[\s.-]?\d{2}){4})(?![\w])"
)
_NIR_CANDIDATE = re.compile(
    r"(?<![\w])[12378][\s.]?\d{2}[\s.]?(?:\d{2}|[2-9AB]\d)[\s.]?(?:\d{2}|2[AB]|\d[A-Z0-9])[\s.]?\d{3}[\s.]?\d{3}[\s.]?(?:\d{2})?(?![\w])",
    re.I,
)
_DIGITS_ONLY = re.compile(r"[\d\s.+()-]+")


def _nir_like(value: str) -> bool:
    from stdnum.fr import nir

    for match in _NIR_CANDIDATE.finditer(value):
        compact = re.sub(r"[\s.]", "", match.group()).upper()
        if len(compact) == 15 and nir.is_valid(compact):
            return True
        if len(compact) == 13 and compact[0] in "12" and compact.isdigit():
            return True  # a NIR without its key is still a NIR
    return False


def personal_value(value: str) -> PersonalKind | None:
    """What personal datum ``value`` looks like, or None."""
    if "@" in value and _EMAIL.search(value):
        return "email"
    if not any(c.isdigit() for c in value):
        return None
    if _PHONE.search(value):
        return "phone"
    if _nir_like(value):
        return "nir"
    return None


KIND_LABELS: dict[PersonalKind, str] = {
    "email": N_("an e-mail address"),
    "phone": N_("a telephone number"),
    "nir": N_("a social-security number (NIR)"),
}
