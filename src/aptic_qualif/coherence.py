"""Cross-checks between a venue's answers: what each answer says alone may be valid while two
of them cannot both be true (a venue open one hour a week that declares sixty hours of
opening for mediation), or are unlikely together (forty people a month for one hour of
mediation a week).

Each check compares answers that are already valid, and reports at the answer a reviewer
should look at first, with its own code:

* ``APP023`` the opening hours (``horaires``) against the hours open for mediation
  (``apt-heures-ouverture``);
* ``APP024`` the hours spent with the public (``apt-heures-mediation``) against the people
  who spend them (``apt-nombre-mediateurs``, ``apt-benevoles-reguliers``);
* ``APP025`` the hours spent with the public against the hours open for mediation;
* ``APP026`` the people supported each month (``pub-personnes-par-mois``) against the hours
  spent with the public;
* ``APP027`` the equipment (``apt-postes-publics``, the public wifi of
  ``apt-equipements-complementaires``) against the ways people are received (``modalites_acces``,
  ``modalites_accompagnement``);
* ``APP028`` a travelling venue (``itinerance``, ``typologie``) against its outreach
  (``ter-permanences-exterieures``, ``ter-nombre-points-intervention``);
* ``APP029`` the Aidants Connect answers against the team and its training.

An **error** is a combination that cannot be true whatever the venue; a **warning** is one
that a reviewer should ask about, because it is unlikely but can be explained: a
travelling venue (its hours are spent at its stops), support at a distance (by phone,
outside the opening hours), appointments outside the published hours, sessions held in
other places. When a combination can be explained in one of these ways, it is a warning.

Only answers given and valid take part: a question left unanswered checks nothing, and an
unanswered number of volunteers is not zero volunteers (a check that needs it is a warning
at most). One exception: hours spent with the public need someone counted to spend them,
so hours with nobody, neither employee nor volunteer, are an error until the people are
counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from aptic_qualif.diagnostics import Diagnostic, Span
from aptic_qualif.formats import number
from aptic_qualif.hours import weekly_hours
from aptic_qualif.i18n import _, ngettext

HOURS_IN_A_WEEK = 168
"""Hours in a week: nobody spends more than this with the public in a week."""

MAX_HOURS_PER_PERSON = 48
"""The most hours a week one person is expected to spend with the public: the legal
maximum working week in France (Code du travail, article L3121-20), which also bounds a
civic-service volunteer's week. A volunteer may give more, which is why going over it is a
warning, and going over :data:`HOURS_IN_A_WEEK` an error."""

HOURS_ROUNDING = 1
"""Hours of slack when whole numbers of hours are compared with opening hours written to the
minute (``09:30-12:00`` is 2.5 hours, declared as 2 or 3)."""

OUTREACH_FACTOR = 2
"""For a venue that also works elsewhere (sessions in other places, a travelling service),
the hours open for mediation may exceed its published opening hours, since they include the
sessions held elsewhere. Beyond this many times the published hours (more than half the
mediation would happen outside them), a reviewer should ask."""

WEEKS_PER_MONTH = 52 / 12
"""Weeks in an average month: hours a week times this are hours a month."""

MAX_PEOPLE_PER_MEDIATION_HOUR = 10
"""The most *different* people a month per hour of mediation in that month that is
plausible. A one-to-one session lasts from half an hour to an hour; a workshop gathers
eight to twelve people for one to two hours, and most come back in the same month (they
count once). Ten different people for every hour of mediation would mean that nearly
everyone is seen in a few minutes, once: possible at an information desk, unlikely for
support, hence a warning."""

APPOINTMENT_ACCESS = frozenset({"prendre-rdv-en-ligne", "fiche-prescription"})
"""Ways of access (``modalites_acces``) through which people may be seen by appointment,
possibly outside the published hours."""

NO_PUBLIC = "pas-d-accueil-du-public"
REMOTE = "a-distance"
INDEPENDENT_USE = "en-autonomie"
TRAVELLING = "itinerant"
MOBILE_TYPE = "enm"
AIDANTS_CONNECT_TRAINING = "formation-aidants-connect"

Locate = Callable[[str], Span]
"""Where the answer to an item is in the application file."""


def _number(answers: Mapping[str, Any], key: str) -> int | float | None:
    value = answers.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _choices(answers: Mapping[str, Any], key: str) -> set[str]:
    value = answers.get(key)
    if isinstance(value, list):
        return {str(v) for v in value}
    if isinstance(value, str):
        return {value}
    return set()


def _hours(value: float) -> str:
    """A number of hours as a short text: ``1``, ``2,5`` (``2.5`` in English)."""
    return number(round(value, 1))


def check_coherence(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """Every contradiction between ``answers`` (the valid answers of an application, identity
    and themes together, keyed by item id), each located by ``locate``."""
    found: list[Diagnostic] = []
    for check in (
        _opening_hours,
        _team_hours,
        _mediation_and_opening,
        _people_per_hour,
        _equipment,
        _travelling,
        _aidants_connect,
    ):
        found.extend(check(answers, locate))
    return found


def _works_elsewhere(answers: Mapping[str, Any]) -> bool:
    """Whether the venue travels or holds sessions in other places."""
    return (
        answers.get("itinerance") == TRAVELLING
        or answers.get("ter-permanences-exterieures") is True
    )


def _opening_hours(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP023: ``apt-heures-ouverture`` beyond the hours ``horaires`` opens in its busiest
    week (with :data:`HOURS_ROUNDING` of slack).

    An error for a fixed venue that works nowhere else and sees nobody by appointment, when
    the hours open for mediation are more than :data:`OUTREACH_FACTOR` times the published
    hours: no workshop held now and then outside them explains that much. A warning beyond
    the published hours otherwise; for a venue that travels or holds sessions elsewhere
    (its hours open for mediation include them), a warning only beyond
    :data:`OUTREACH_FACTOR` times the published hours."""
    declared = _number(answers, "apt-heures-ouverture")
    text = answers.get("horaires")
    if declared is None or not isinstance(text, str):
        return []
    published = weekly_hours(text)
    if published is None:
        return []
    elsewhere = _works_elsewhere(answers)
    far_beyond = declared > published * OUTREACH_FACTOR + HOURS_ROUNDING
    if declared <= published + HOURS_ROUNDING or (elsewhere and not far_beyond):
        return []
    message = _(
        "{declared} h a week open for mediation (apt-heures-ouverture), but the opening "
        "hours '{text}' open at most {published} h a week"
    ).format(declared=_hours(declared), text=text, published=_hours(published))
    appointments = bool(APPOINTMENT_ACCESS & _choices(answers, "modalites_acces"))
    if elsewhere or appointments or not far_beyond:
        return [
            Diagnostic.warning(
                "APP023",
                locate("apt-heures-ouverture"),
                message,
                _(
                    "the hours open for mediation count the sessions held elsewhere and by "
                    "appointment: if they do not make up the difference, correct one of the "
                    "two answers"
                ),
            )
        ]
    return [
        Diagnostic.error(
            "APP023",
            locate("apt-heures-ouverture"),
            message,
            _(
                "a venue that works only in its premises cannot be open for mediation longer "
                "than it is open: correct the hours open for mediation or the opening hours"
            ),
        )
    ]


def _team(answers: Mapping[str, Any]) -> tuple[int, bool]:
    """The people who spend time with the public (employees and volunteers), and whether
    that count is complete (the number of volunteers was answered)."""
    staff = _number(answers, "apt-nombre-mediateurs")
    volunteers = _number(answers, "apt-benevoles-reguliers")
    return int(staff or 0) + int(volunteers or 0), volunteers is not None


def _team_hours(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP024: hours with the public and nobody to spend them (an error), more than
    :data:`HOURS_IN_A_WEEK` per person (an error) or more than
    :data:`MAX_HOURS_PER_PERSON` (a warning); a team that spends no hour with the public
    (a warning)."""
    hours = _number(answers, "apt-heures-mediation")
    if hours is None or _number(answers, "apt-nombre-mediateurs") is None:
        return []
    people, _complete = _team(answers)
    where = locate("apt-heures-mediation")
    if hours > 0 and people == 0:
        return [
            Diagnostic.error(
                "APP024",
                where,
                _(
                    "{hours} h a week spent with the public (apt-heures-mediation), but "
                    "nobody to spend them: no employee or volunteer provides mediation "
                    "(apt-nombre-mediateurs) and no regular volunteer is counted "
                    "(apt-benevoles-reguliers)"
                ).format(hours=_hours(hours)),
                _(
                    "count the people who spend this time with the public, employees and "
                    "volunteers, or correct the hours"
                ),
            )
        ]
    if people and hours > HOURS_IN_A_WEEK * people:
        return [
            Diagnostic.error(
                "APP024",
                where,
                ngettext(
                    "{hours} h a week spent with the public by {people} person: more than "
                    "the {week} h of a week",
                    "{hours} h a week spent with the public by {people} people: more than "
                    "the {week} h of a week each",
                    people,
                ).format(hours=_hours(hours), people=people, week=HOURS_IN_A_WEEK),
                _(
                    "the answer is the total of the hours each person spends with the public "
                    "in an ordinary week: check it, and the number of people"
                ),
            )
        ]
    if people and hours > MAX_HOURS_PER_PERSON * people:
        return [
            Diagnostic.warning(
                "APP024",
                where,
                ngettext(
                    "{hours} h a week spent with the public by {people} person: more than "
                    "{most} h, the longest legal working week",
                    "{hours} h a week spent with the public by {people} people: more than "
                    "{most} h each, the longest legal working week",
                    people,
                ).format(hours=_hours(hours), people=people, most=MAX_HOURS_PER_PERSON),
                _(
                    "count only the time spent with the public, not preparation or "
                    "management, and every person who spends it"
                ),
            )
        ]
    if people and hours == 0:
        return [
            Diagnostic.warning(
                "APP024",
                where,
                ngettext(
                    "no hour a week spent with the public (apt-heures-mediation), but {people} "
                    "person provides mediation",
                    "no hour a week spent with the public (apt-heures-mediation), but {people} "
                    "people provide mediation",
                    people,
                ).format(people=people),
                _(
                    "give the total of the hours these people spend with the public in an "
                    "ordinary week"
                ),
            )
        ]
    return []


def _mediation_and_opening(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP025: more hours with the public than each person could spend while the venue is
    open for mediation. An error for a fixed venue whose count of people is complete, that
    neither supports people at a distance nor sees them by appointment; otherwise a
    warning (phone support, appointments and a travelling service can explain it)."""
    hours = _number(answers, "apt-heures-mediation")
    opening = _number(answers, "apt-heures-ouverture")
    if hours is None or opening is None or _number(answers, "apt-nombre-mediateurs") is None:
        return []
    people, complete = _team(answers)
    if people == 0 or hours <= opening * people or hours > HOURS_IN_A_WEEK * people:
        return []  # nobody, or more than a week each: APP024 says it
    remote = REMOTE in _choices(answers, "modalites_accompagnement")
    if remote:
        return []  # help by phone or video is counted in the hours, not in the opening
    appointments = bool(APPOINTMENT_ACCESS & _choices(answers, "modalites_acces"))
    travelling = answers.get("itinerance") == TRAVELLING
    message = ngettext(
        "{hours} h a week spent with the public by {people} person, but the venue is open "
        "for mediation {opening} h a week (apt-heures-ouverture): at most {most} h for one "
        "person",
        "{hours} h a week spent with the public by {people} people, but the venue is open "
        "for mediation {opening} h a week (apt-heures-ouverture): at most {most} h "
        "for {people} people",
        people,
    ).format(
        hours=_hours(hours), people=people, opening=_hours(opening), most=_hours(opening * people)
    )
    if complete and not appointments and not travelling:
        return [
            Diagnostic.error(
                "APP025",
                locate("apt-heures-mediation"),
                message,
                _(
                    "count in the hours open for mediation every session held with the public, "
                    "here or elsewhere, or correct the hours spent with the public"
                ),
            )
        ]
    return [
        Diagnostic.warning(
            "APP025",
            locate("apt-heures-mediation"),
            message,
            _(
                "if people are seen by appointment outside the opening hours, count those "
                "hours in the hours open for mediation; otherwise correct one of the answers"
            ),
        )
    ]


def _people_per_hour(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP026: more than :data:`MAX_PEOPLE_PER_MEDIATION_HOUR` different people a month per
    hour of mediation in the month, people supported without any hour of mediation (unless
    the venue offers independent use), or hours of mediation and nobody supported. Always
    a warning: these are estimates."""
    people = _number(answers, "pub-personnes-par-mois")
    hours = _number(answers, "apt-heures-mediation")
    if people is None or hours is None:
        return []
    where = locate("pub-personnes-par-mois")
    if hours == 0:
        if people > 0 and INDEPENDENT_USE not in _choices(answers, "modalites_accompagnement"):
            return [
                Diagnostic.warning(
                    "APP026",
                    where,
                    ngettext(
                        "{people} person supported a month, but no hour a week spent with the "
                        "public (apt-heures-mediation)",
                        "{people} people supported a month, but no hour a week spent with the "
                        "public (apt-heures-mediation)",
                        int(people),
                    ).format(people=people),
                    _("give the hours the team spends with these people"),
                )
            ]
        return []
    if people == 0:
        return [
            Diagnostic.warning(
                "APP026",
                where,
                _(
                    "nobody supported in a month, but {hours} h a week spent with the public "
                    "(apt-heures-mediation)"
                ).format(hours=_hours(hours)),
                _("give an estimate of the different people supported in an average month"),
            )
        ]
    monthly = hours * WEEKS_PER_MONTH
    if people > MAX_PEOPLE_PER_MEDIATION_HOUR * monthly:
        return [
            Diagnostic.warning(
                "APP026",
                where,
                _(
                    "{people} different people a month for about {monthly} h of mediation "
                    "a month ({hours} h a week): more than {most} people an hour"
                ).format(
                    people=people,
                    monthly=math.floor(monthly),
                    hours=_hours(hours),
                    most=MAX_PEOPLE_PER_MEDIATION_HOUR,
                ),
                _(
                    "a person who comes several times in a month counts once; check the number "
                    "of people and the hours"
                ),
            )
        ]
    return []


def _equipment(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP027: independent use without any device or wifi for people's own, and computers or
    independent use in a venue that says it receives no public. Warnings."""
    found: list[Diagnostic] = []
    access = _choices(answers, "modalites_acces")
    forms = _choices(answers, "modalites_accompagnement")
    computers = _number(answers, "apt-postes-publics")
    wifi = "wifi-public" in _choices(answers, "apt-equipements-complementaires")
    if INDEPENDENT_USE in forms and computers == 0 and not wifi:
        found.append(
            Diagnostic.warning(
                "APP027",
                locate("modalites_accompagnement"),
                _(
                    "independent use is offered (modalites_accompagnement), but the public has "
                    "no computer or wifi to use (apt-postes-publics, "
                    "apt-equipements-complementaires)"
                ),
                _("say what people use on their own, or remove independent use"),
            )
        )
    if NO_PUBLIC in access:
        on_site = sorted(forms & {INDEPENDENT_USE})
        if computers or on_site:
            found.append(
                Diagnostic.warning(
                    "APP027",
                    locate("modalites_acces"),
                    _(
                        "the venue receives no public (modalites_acces), but it offers "
                        "computers to the public (apt-postes-publics) or independent use "
                        "(modalites_accompagnement)"
                    ),
                    _(
                        "if people come to the venue, say how they get support; otherwise "
                        "correct the equipment or the forms of support"
                    ),
                )
            )
    return found


def _travelling(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP028: a mobile digital space that says it is fixed, a travelling venue that says it
    works nowhere else regularly, or in no place at all. Warnings: a bus that visits each
    village every other month does not work « at least once a month at the same place »."""
    found: list[Diagnostic] = []
    travelling = answers.get("itinerance")
    if MOBILE_TYPE in _choices(answers, "typologie") and travelling == "fixe":
        found.append(
            Diagnostic.warning(
                "APP028",
                locate("itinerance"),
                _(
                    "the venue is a mobile digital space (typologie), but says it is fixed "
                    "(itinerance)"
                ),
                _("a bus or a van that moves from one municipality to another is travelling"),
            )
        )
    if travelling != TRAVELLING:
        return found
    if answers.get("ter-permanences-exterieures") is False:
        found.append(
            Diagnostic.warning(
                "APP028",
                locate("ter-permanences-exterieures"),
                _(
                    "the venue is travelling (itinerance), but says it does not work "
                    "regularly outside its premises (ter-permanences-exterieures)"
                ),
                _(
                    "a travelling service counts when it comes back to the same place at least "
                    "once a month"
                ),
            )
        )
    if _number(answers, "ter-nombre-points-intervention") == 0:
        found.append(
            Diagnostic.warning(
                "APP028",
                locate("ter-nombre-points-intervention"),
                _(
                    "the venue is travelling (itinerance), but works in no place at least once "
                    "a month (ter-nombre-points-intervention)"
                ),
                _("count the stops where the venue comes at least once a month"),
            )
        )
    return found


def _aidants_connect(answers: Mapping[str, Any], locate: Locate) -> list[Diagnostic]:
    """APP029: the team acts for people with Aidants Connect, but the Aidants Connect
    training is not among its trainings (the authorisation follows the training). A warning:
    the training may have been forgotten in the list."""
    if answers.get("cs-faire-pour-autrui") != "aidants-connect":
        return []
    trainings = _choices(answers, "apt-formations-mediateurs")
    if not trainings or AIDANTS_CONNECT_TRAINING in trainings:
        return []
    return [
        Diagnostic.warning(
            "APP029",
            locate("cs-faire-pour-autrui"),
            _(
                "the team acts for people with Aidants Connect, but the Aidants Connect "
                "training is not among its trainings (apt-formations-mediateurs)"
            ),
            _(
                "the authorisation follows the Aidants Connect training: tick it among the "
                "trainings"
            ),
        )
    ]
