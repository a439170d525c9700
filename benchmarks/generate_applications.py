"""Write realistic synthetic applications for the benchmarks.

Each application answers the project's questionnaire the way a real venue would: a SIRET
whose Luhn checksum is right, a postcode and an INSEE code of the same commune, answers
only to the items whose ``enable_when`` holds, every required item answered, and answers
that vary with a hidden "maturity" of the venue so that the decisions vary too (a few
venues also refuse the charter or the data-protection duties, which knocks them out).

Each venue writes its narrative answers in its own words: sentences of a shared pool, told
its own way (words left out, details of its own: its commune, a first name, a number), so
that two honest venues' answers to one question stay well apart, as real ones do. One venue
in :data:`COPY_EVERY` pastes, with a word changed, the answer of an earlier venue to one
question: the detection of copies (``review.copies``) finds it, as it would in a network.
(Drawn from the pool as they are, nearly every venue's answers were near-identical to every
other's: copies everywhere, which no network has.)

The questionnaire is walked through the project's own models, so the generator follows it
when it changes. The output is deterministic for a given seed.

    python benchmarks/generate_applications.py N OUT_DIR [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from aptic_qualif.application import ANSWERS_KEY, IDENTITY_KEY, siret_is_valid
from aptic_qualif.context import Context, load_context
from aptic_qualif.questionnaire.answers import long_answer
from aptic_qualif.questionnaire.conditions import enabled_items
from aptic_qualif.questionnaire.load import LocatedItem
from aptic_qualif.questionnaire.model import Item, Option
from aptic_qualif.yamlio import resolve_plain

REPO = Path(__file__).resolve().parent.parent


class Commune(NamedTuple):
    name: str
    postcode: str
    insee: str
    latitude: float
    longitude: float


COMMUNES: tuple[Commune, ...] = (
    Commune("Paris", "75011", "75056", 48.8589, 2.3800),
    Commune("Marseille", "13003", "13055", 43.3119, 5.3806),
    Commune("Lyon", "69007", "69123", 45.7457, 4.8422),
    Commune("Villeurbanne", "69100", "69266", 45.7719, 4.8902),
    Commune("Vénissieux", "69200", "69259", 45.6975, 4.8867),
    Commune("Toulouse", "31000", "31555", 43.6045, 1.4442),
    Commune("Nice", "06000", "06088", 43.7034, 7.2663),
    Commune("Nantes", "44000", "44109", 47.2184, -1.5536),
    Commune("Rezé", "44400", "44143", 47.1797, -1.5521),
    Commune("Montpellier", "34000", "34172", 43.6108, 3.8767),
    Commune("Strasbourg", "67000", "67482", 48.5734, 7.7521),
    Commune("Mulhouse", "68100", "68224", 47.7508, 7.3359),
    Commune("Bordeaux", "33000", "33063", 44.8378, -0.5792),
    Commune("Lille", "59000", "59350", 50.6292, 3.0573),
    Commune("Roubaix", "59100", "59512", 50.6942, 3.1746),
    Commune("Rennes", "35000", "35238", 48.1173, -1.6778),
    Commune("Reims", "51100", "51454", 49.2583, 4.0317),
    Commune("Saint-Étienne", "42000", "42218", 45.4397, 4.3872),
    Commune("Le Havre", "76600", "76351", 49.4944, 0.1079),
    Commune("Rouen", "76000", "76540", 49.4431, 1.0993),
    Commune("Grenoble", "38000", "38185", 45.1885, 5.7245),
    Commune("Dijon", "21000", "21231", 47.3220, 5.0415),
    Commune("Angers", "49000", "49007", 47.4784, -0.5632),
    Commune("Nîmes", "30000", "30189", 43.8367, 4.3601),
    Commune("Clermont-Ferrand", "63000", "63113", 45.7772, 3.0870),
    Commune("Limoges", "87000", "87085", 45.8336, 1.2611),
    Commune("Tours", "37000", "37261", 47.3941, 0.6848),
    Commune("Amiens", "80000", "80021", 49.8941, 2.2958),
    Commune("Perpignan", "66000", "66136", 42.6887, 2.8948),
    Commune("Metz", "57000", "57463", 49.1193, 6.1757),
    Commune("Nancy", "54000", "54395", 48.6921, 6.1844),
    Commune("Besançon", "25000", "25056", 47.2378, 6.0241),
    Commune("Brest", "29200", "29019", 48.3904, -4.4861),
    Commune("Orléans", "45000", "45234", 47.9030, 1.9093),
    Commune("Caen", "14000", "14118", 49.1829, -0.3707),
    Commune("Avignon", "84000", "84007", 43.9493, 4.8055),
    Commune("Poitiers", "86000", "86194", 46.5802, 0.3404),
    Commune("Pau", "64000", "64445", 43.2951, -0.3708),
    Commune("Saint-Denis", "93200", "93066", 48.9362, 2.3574),
    Commune("Montreuil", "93100", "93048", 48.8638, 2.4485),
    Commune("Aubenas", "07200", "07019", 44.6204, 4.3896),
    Commune("Privas", "07000", "07186", 44.7353, 4.5990),
    Commune("Mende", "48000", "48095", 44.5181, 3.5006),
    Commune("Rodez", "12000", "12202", 44.3506, 2.5750),
    Commune("Aurillac", "15000", "15014", 44.9264, 2.4397),
    Commune("Guéret", "23000", "23096", 46.1714, 1.8717),
    Commune("Gap", "05000", "05061", 44.5594, 6.0786),
    Commune("Digne-les-Bains", "04000", "04070", 44.0925, 6.2356),
    Commune("Foix", "09000", "09122", 42.9653, 1.6069),
    Commune("Tarbes", "65000", "65440", 43.2328, 0.0781),
    Commune("Chalon-sur-Saône", "71100", "71076", 46.7806, 4.8539),
    Commune("Laval", "53000", "53130", 48.0707, -0.7734),
    Commune("Bourg-en-Bresse", "01000", "01053", 46.2052, 5.2255),
    Commune("Troyes", "10000", "10387", 48.2973, 4.0744),
    Commune("Carcassonne", "11000", "11069", 43.2130, 2.3491),
    Commune("Ajaccio", "20000", "2A004", 41.9192, 8.7386),
    Commune("Bastia", "20200", "2B033", 42.6973, 9.4509),
    Commune("Corte", "20250", "2B096", 42.3031, 9.1512),
    Commune("Saint-Denis", "97400", "97411", -20.8789, 55.4481),
    Commune("Fort-de-France", "97200", "97209", 14.6161, -61.0588),
    Commune("Pointe-à-Pitre", "97110", "97120", 16.2411, -61.5331),
    Commune("Cayenne", "97300", "97302", 4.9224, -52.3135),
    Commune("Mamoudzou", "97600", "97611", -12.7806, 45.2278),
)

PATRONS = (
    "Les Tilleuls",
    "Jules-Verne",
    "Louise-Michel",
    "Simone-Veil",
    "Aimé-Césaire",
    "George-Sand",
    "Victor-Hugo",
    "Jean-Jaurès",
    "Marie-Curie",
    "Pierre-Mendès-France",
    "Olympe-de-Gouges",
    "La Passerelle",
    "L'Escale",
    "Le Phare",
    "La Ruche",
    "Les Glycines",
    "Les Lilas",
    "La Fabrique",
    "Le Lien",
    "La Coursive",
    "Les Capucines",
    "La Forge",
    "Le Grand Large",
    "Les Hirondelles",
)

STREETS = (
    "rue de la République",
    "avenue Jean-Jaurès",
    "place de la Mairie",
    "rue Victor-Hugo",
    "boulevard Gambetta",
    "rue des Écoles",
    "allée des Tilleuls",
    "rue du Port",
    "chemin des Vignes",
    "place du Marché",
    "rue Pasteur",
    "avenue de la Gare",
)

COMPLEMENTS = (
    "Premier étage, accès par l'ascenseur à droite de l'accueil",
    "Rez-de-chaussée, entrée côté parking",
    "Bâtiment B, porte vitrée au fond de la cour",
    "Dans les locaux de la mairie annexe",
    "Au sous-sol de la médiathèque, accès par la rampe",
)

# (typologie values, name pattern); {patron} and {commune} are filled in.
KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("bib", "muni"), "Espace numérique de la médiathèque {patron}"),
    (("epn",), "Espace public numérique de {commune}"),
    (("epn", "muni"), "Cyberbase {patron}"),
    (("cs",), "Espace numérique du centre social {patron}"),
    (("csc", "asso"), "Centre socioculturel {patron}"),
    (("rfs",), "France Services {commune}"),
    (("fablab", "asso"), "Fablab {patron}"),
    (("tiers-lieux", "asso"), "Tiers-lieu {patron}"),
    (("asso",), "Atelier numérique de l'association {patron}"),
    (("mjc",), "MJC {patron}"),
    (("mq",), "Maison de quartier {patron}"),
    (("ccas",), "Point numérique du CCAS de {commune}"),
    (("pimms",), "PIMMS Médiation {commune}"),
    (("ressourcerie", "ess"), "Ressourcerie numérique {patron}"),
)

HOURS = (
    "Mo-Fr 09:00-12:00,14:00-18:00",
    "Tu,Th,Fr 13:30-18:30; We,Sa 10:00-12:30,13:30-18:00; PH off",
    "Mo-Fr 08:30-12:00,13:30-17:00",
    "Tu-Sa 10:00-12:00,14:00-18:00",
    "We 14:00-18:00; Sa 09:30-12:30",
    "Mo,We,Fr 09:00-12:30",
    "Tu-Fr 09:30-12:30,14:00-16:30",
)

PITCHES = (
    "Postes en libre accès, aide aux démarches et ateliers pour débuter sur ordinateur ou "
    "smartphone. Gratuit, avec ou sans rendez-vous.",
    "Un lieu convivial pour apprendre à utiliser son téléphone, faire ses démarches en ligne "
    "et découvrir la création numérique, à son rythme.",
    "Accompagnement individuel aux démarches en ligne et ateliers collectifs thématiques, "
    "ouverts à toutes et à tous.",
    "Des médiateurs vous aident à créer vos comptes, à sécuriser vos données et à gagner en "
    "autonomie sur le numérique du quotidien.",
)

# Sentences for the free-text answers scored by reviewers, by item id.
NARRATIVES: dict[str, tuple[str, ...]] = {
    "apt-demarche-pedagogique": (
        "À l'accueil, le médiateur repère le besoin : ce que la personne veut faire, sur quel "
        "appareil, et ce qu'elle sait déjà faire.",
        "Pendant l'accompagnement, la personne garde les mains sur le clavier et le médiateur "
        "fait verbaliser chaque étape.",
        "Nous utilisons une grille de positionnement commune à l'équipe, inspirée du "
        "référentiel Pix.",
        "En fin de séance, la personne repart avec une fiche pas-à-pas et une proposition de "
        "suite : un atelier, un nouveau rendez-vous ou un parcours en ligne.",
        "Les ateliers collectifs comptent six personnes au plus, pour que chacun puisse pratiquer.",
        "Nous faisons avec les personnes ce dont elles ont besoin sur le moment.",
        "Le déroulé type et la grille sont joints au dossier.",
        "Chaque médiateur tient à jour le classeur de supports partagé par l'équipe.",
    ),
    "pub-adaptation-eloignes": (
        "Pour une personne qui a peur de « casser quelque chose », nous commençons par un jeu "
        "sur tablette qui fait manipuler sans enjeu.",
        "Pour les personnes qui lisent difficilement, nous utilisons des supports en FALC "
        "relus par un groupe d'usagers.",
        "Nous prenons le temps qu'il faut avec chacun et restons patients.",
        "En cas d'urgence, nous réalisons la démarche avec la personne, puis fixons un "
        "rendez-vous pour reprendre le parcours à son rythme.",
        "Si la demande est trop compliquée, nous orientons vers la maison France Services.",
        "Nous orientons si elles le souhaitent les personnes vers l'atelier "
        "socio-linguistique de la maison de quartier.",
        "Chaque trimestre, l'équipe fait le point sur les situations où nos adaptations n'ont "
        "pas suffi.",
    ),
    "pub-suivi-progression": (
        "Les acquis de chaque personne suivie sont notés à chaque séance dans un dossier "
        "minimal : prénom, compétences acquises, prochaine étape.",
        "La personne en est informée et les données sont supprimées un an après la dernière venue.",
        "Au début et à la fin d'un parcours, elle remplit avec nous une auto-évaluation "
        "inspirée du CRCN.",
        "Nous ne tenons pas de suivi écrit ; nous reconnaissons les habitués.",
        "Les résultats anonymisés sont présentés chaque année au comité d'usagers.",
        "Le suivi se fait dans l'outil de la Coop de la médiation numérique.",
    ),
    "ter-besoins-territoire": (
        "Selon l'analyse des besoins sociaux du CCAS, près d'un foyer sur trois n'a pas "
        "d'ordinateur dans les quartiers prioritaires.",
        "Les démarches de logement et de CAF concentrent les demandes.",
        "Le lieu le plus proche qui propose de la médiation est à quarante minutes en voiture, "
        "et il n'y a pas de transport en commun.",
        "Nous animons le volet « jeunes et parents » de la feuille de route départementale.",
        "La couverture mobile est mauvaise dans les hameaux, ce qui rend notre connexion "
        "précieuse.",
        "Le diagnostic partagé avec la commune a montré un manque d'offre le samedi.",
        "Beaucoup d'habitants âgés vivent seuls et se déplacent difficilement.",
    ),
    "inn-participation-usagers": (
        "Un comité d'usagers se réunit tous les deux mois et choisit le programme des ateliers.",
        "Des bénévoles, dont d'anciens participants, animent des ateliers d'entraide.",
        "Les adolescents du club de programmation présentent leurs jeux lors de la fête du "
        "quartier.",
        "Nous demandons l'avis des personnes à la fin de chaque atelier.",
        "Les horaires du samedi ont été ouverts à la demande des habitants.",
    ),
    "inn-experimentation-recit": (
        "En 2024, nous avons testé pendant un trimestre des soirées parents-adolescents "
        "autour des réseaux sociaux.",
        "Sur six soirées, une cinquantaine de familles sont venues.",
        "Les questionnaires montrent que les parents ont surtout apprécié d'échanger avec "
        "leurs enfants.",
        "Nous avons prêté des tablettes à domicile pendant un mois à des personnes isolées.",
        "Nous avons décidé de poursuivre et de publier la fiche d'animation sous licence libre.",
        "L'expérience n'a pas marché comme prévu : peu de personnes sont venues, nous avons "
        "changé d'horaire.",
    ),
    "cs-adaptation-besoin-specifique": (
        "Un homme sourd, qui communique en langue des signes, devait créer son compte ameli.",
        "Nous avons réservé un créneau avec un service de visio-interprétation en LSF.",
        "Nous avons préparé un pas-à-pas avec des captures d'écran annotées de pictogrammes.",
        "Il a créé son compte lui-même en deux séances et revient désormais seul.",
        "Une dame malvoyante souhaitait lire ses courriels : nous avons réglé l'agrandissement "
        "et la lecture vocale de son téléphone.",
        "Deux médiateurs ont ensuite suivi une initiation à la LSF.",
    ),
}

GENERIC_SENTENCES = (
    "L'équipe s'appuie sur les ressources de la médiation numérique et les adapte.",
    "Nous faisons le point chaque mois en réunion d'équipe.",
    "Les personnes accompagnées sont associées au choix des activités.",
    "Nous travaillons avec les partenaires sociaux du territoire.",
)

PASS_ISSUERS = (
    "Pass numériques du département",
    "Pass numériques de la métropole et du CCAS de la commune",
    "Pass numériques de la CAF",
    "Pass numériques de l'intercommunalité",
)

PAIRED = {"longitude": "latitude"}
"""Items answered exactly when another one is."""

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*")
_YAML11_SPECIAL = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
)  # never written plain, so that any YAML reader reads them as text
_FOLD_AT = 72


@dataclass(frozen=True)
class Venue:
    """The hidden profile an application is written from."""

    index: int
    maturity: float
    """0 (a venue starting out) to 1 (an experienced one): drives most answers."""
    commune: Commune
    kinds: tuple[str, ...]
    name: str
    slug: str
    travelling: bool


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def luhn_complete(payload: str) -> str:
    """``payload`` followed by the digit that makes its Luhn checksum right."""
    return next(payload + d for d in "0123456789" if luhn_ok(payload + d))


def make_siret(rng: random.Random, public: bool) -> str:
    """A SIRET with a valid SIREN (Luhn) and a valid whole (Luhn on 14 digits)."""
    while True:
        first = "2" if public else rng.choice("3456789")
        siren = luhn_complete(first + "".join(rng.choice("0123456789") for _ in range(7)))
        siret = luhn_complete(siren + f"{rng.randint(1, 299):04d}")
        if siret_is_valid(siret):
            return siret


def make_venue(index: int, rng: random.Random) -> Venue:
    commune = rng.choice(COMMUNES)
    travelling = rng.random() < 0.08
    if travelling:
        kinds: tuple[str, ...] = ("enm", "asso")
        pattern = "Bus numérique {patron}"
    else:
        kinds, pattern = rng.choice(KINDS)
    name = pattern.format(patron=rng.choice(PATRONS), commune=commune.name)
    # Most venues are middling; a few are starting out or very experienced.
    maturity = min(1.0, max(0.0, rng.betavariate(2.6, 1.9)))
    return Venue(index, maturity, commune, kinds, name, slugify(name), travelling)


COPY_EVERY = 40
"""One venue in this many pastes an earlier venue's answer to one question."""
FIRST_NAMES = ("Amina", "Bruno", "Chloé", "David", "Élise", "Farid", "Gaëlle", "Hugo", "Inès")


def in_own_words(sentence: str, venue: Venue, rng: random.Random) -> str:
    """``sentence`` as ``venue`` would write it: about a third of its words left out, and one
    or two details of its own put in."""
    words = sentence.split()
    kept = words[:1] + [word for word in words[1:] if rng.random() > 0.35]
    details = (
        f"à {venue.commune.name}",
        f"avec {rng.choice(FIRST_NAMES)}",
        f"{rng.randint(2, 60)} personnes",
        f"depuis {rng.randint(2008, 2025)}",
        venue.name,
    )
    for detail in rng.sample(details, rng.randint(1, 2)):
        kept.insert(rng.randint(1, len(kept)), detail)
    return " ".join(kept)


def narrative(item_id: str, venue: Venue, rng: random.Random) -> str:
    pool = NARRATIVES.get(item_id, GENERIC_SENTENCES)
    count = 1 + round(venue.maturity * (len(pool) - 1) * rng.uniform(0.5, 1.0))
    chosen = rng.sample(pool, min(count, len(pool)))
    return " ".join(in_own_words(sentence, venue, rng) for sentence in chosen)


def paste(text: str, rng: random.Random) -> str:
    """An answer pasted from another venue, one word changed."""
    words = text.split()
    words[rng.randrange(len(words))] = rng.choice(("notre", "chaque", "toujours", "aussi"))
    return " ".join(words)


def identity_text(item_id: str, venue: Venue, rng: random.Random) -> str | None:
    commune = venue.commune
    if item_id == "nom":
        return venue.name
    if item_id == "adresse":
        return f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    if item_id == "complement_adresse":
        return rng.choice(COMPLEMENTS)
    if item_id == "commune":
        return commune.name
    if item_id == "horaires":
        return rng.choice(HOURS)
    if item_id == "communes_itinerance":
        prefix = commune.insee[:3] if commune.insee.startswith("97") else commune.insee[:2]
        width = 5 - len(prefix)
        codes = {prefix + f"{rng.randint(1, 10**width - 1):0{width}d}" for _ in range(8)}
        return ", ".join(sorted(codes))
    if item_id == "presentation_resume":
        return rng.choice(PITCHES)
    if item_id == "pub-pass-emetteurs":
        return rng.choice(PASS_ISSUERS)
    return None


def scored_index(count: int, maturity: float, rng: random.Random) -> int:
    """An index in 0..count-1 that grows with ``maturity``, with some noise."""
    guess = round(maturity * (count - 1) + rng.gauss(0, 0.8))
    return min(count - 1, max(0, guess))


def answer_choice(item: Item, venue: Venue, rng: random.Random) -> str:
    options = list(item.options or ())
    if item.id == "itinerance":
        return "itinerant" if venue.travelling else "fixe"
    if all(o.points is None for o in options):
        return rng.choice(options).value
    ranked = sorted(options, key=lambda o: o.points or 0.0)
    return ranked[scored_index(len(ranked), venue.maturity, rng)].value


def answer_choices(item: Item, venue: Venue, rng: random.Random) -> list[str]:
    options: list[Option] = list(item.options or ())
    if item.id == "typologie":
        known = {o.value for o in options}
        return [k for k in venue.kinds if k in known] or [options[0].value]
    plain = [o for o in options if not o.exclusive and not o.not_applicable]
    exclusive = [o for o in options if o.exclusive]
    rate = 0.08 + 0.75 * venue.maturity**1.3
    chosen = [o.value for o in plain if rng.random() < rate]
    if not chosen:
        if exclusive and rng.random() < 0.8:
            return [exclusive[0].value]
        chosen = [rng.choice(plain).value] if plain else [options[0].value]
    return chosen


def answer_number(item: Item, venue: Venue, rng: random.Random) -> int | float:
    low = int(item.min) if item.min is not None else 0
    high = int(item.max) if item.max is not None else low + 100
    brackets = sorted(item.brackets or (), key=lambda b: b.min)
    if brackets:
        position = scored_index(len(brackets), venue.maturity, rng)
        start = int(brackets[position].min)
        end = (
            int(brackets[position + 1].min) - 1
            if position + 1 < len(brackets)
            else max(start + 3, start * 3)
        )
        value = rng.randint(max(start, low), max(min(end, high), max(start, low)))
    else:
        value = rng.randint(low, min(high, low + 50))
    return value if item.type == "integer" else float(value)


def answer_services(item: Item, venue: Venue, rng: random.Random, ctx: Context) -> list[str]:
    offered = [
        s.id
        for s in ctx.catalogue.services.values()
        if s.active and (item.levels is None or s.level in item.levels)
    ]
    count = round(len(offered) * (0.05 + 0.55 * venue.maturity) + rng.gauss(0, 2))
    picked = set(rng.sample(offered, min(len(offered), max(1, count))))
    return [s for s in offered if s in picked]


def answer_item(
    located: LocatedItem,
    venue: Venue,
    rng: random.Random,
    ctx: Context,
    knockout_items: frozenset[str],
) -> Any:
    """A plausible answer to one item (its conditions are settled afterwards)."""
    item = located.item
    kind = item.type
    commune = venue.commune
    if kind == "siret":
        return make_siret(rng, public=bool({"bib", "muni", "ccas", "rfs"} & set(venue.kinds)))
    if kind == "postcode":
        return commune.postcode
    if kind == "insee_code":
        return commune.insee
    if kind == "phone":
        return "+33" + rng.choice("123459") + f"{rng.randint(0, 99_999_999):08d}"
    if kind == "email":
        return f"{rng.choice(('contact', 'accueil', 'numerique'))}@{venue.slug}.example.org"
    if kind == "url":
        if item.id == "fiche_acces_libre":
            return (
                f"https://acceslibre.beta.gouv.fr/app/{slugify(commune.name)}/a/"
                f"espace-numerique/erp/{venue.slug}/"
            )
        if located.is_identity:
            return f"https://{venue.slug}.example.org"
        return f"https://ressources.example.org/{venue.slug}/atelier-{rng.randint(1, 40)}"
    if kind == "date":
        return (date(2026, 1, 1) - timedelta(days=rng.randint(0, 900))).isoformat()
    if kind == "boolean":
        if item.id in knockout_items:
            return rng.random() > 0.02
        if item.points_if_true is None:
            return rng.random() < 0.8
        return rng.random() < 0.15 + 0.75 * venue.maturity
    if kind in {"integer", "decimal"}:
        if item.id == "latitude":
            return round(commune.latitude + rng.uniform(-0.01, 0.01), 4)
        if item.id == "longitude":
            return round(commune.longitude + rng.uniform(-0.01, 0.01), 4)
        return answer_number(item, venue, rng)
    if kind == "single_choice":
        return answer_choice(item, venue, rng)
    if kind == "multiple_choice":
        return answer_choices(item, venue, rng)
    if kind == "services":
        return answer_services(item, venue, rng, ctx)
    text = identity_text(item.id, venue, rng)
    return text if text is not None else narrative(item.id, venue, rng)


def answers_for(
    venue: Venue, rng: random.Random, ctx: Context, knockout_items: frozenset[str]
) -> dict[str, Any]:
    """Every answer of one application, keyed by item id, in questionnaire order."""
    answers: dict[str, Any] = {}
    for located in ctx.questionnaire.items:
        item = located.item
        forced = item.required or (item.id == "communes_itinerance" and venue.travelling)
        partner = PAIRED.get(item.id)
        if partner is not None:
            if partner not in answers:
                continue
        elif not forced and rng.random() > 0.45 + 0.5 * venue.maturity:
            continue  # an optional question left aside
        answers[item.id] = answer_item(located, venue, rng, ctx, knockout_items)
    # Keep only the answers to items that apply; an item that does not apply counts as
    # unanswered for the conditions of later ones, so one pass settles everything.
    enabled = enabled_items([located.item for located in ctx.questionnaire.items], answers)
    return {key: value for key, value in answers.items() if key in enabled}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and resolve_plain(text) == text
        and text.lower() not in _YAML11_SPECIAL
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and not text[0].isdigit()  # 07200 is a number to a YAML 1.1 reader
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def emit(key: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, list):
        return [f"{indent}{key}:", *(f"{indent}  - {scalar(v)}" for v in value)]
    if isinstance(value, str) and len(value) > _FOLD_AT and " " in value:
        lines = textwrap.wrap(
            value, width=88 - len(indent), break_long_words=False, break_on_hyphens=False
        )
        return [f"{indent}{key}: >-", *(f"{indent}  {line}" for line in lines)]
    return [f"{indent}{key}: {scalar(value)}"]


def render(venue: Venue, answers: dict[str, Any], ctx: Context, seed: int) -> str:
    loaded = ctx.questionnaire
    url = loaded.questionnaire.schema_url
    lines = [f"# yaml-language-server: $schema={url}", "#"] if url else []
    lines += [
        f"# Candidature synthétique n° {venue.index} (graine {seed}), écrite par "
        "benchmarks/generate_applications.py :",
        f"# {venue.commune.name} ({venue.commune.postcode}). Le SIRET et les coordonnées "
        "sont inventés.",
        f"questionnaire: {loaded.reference}",
        f"date: 2026-{1 + venue.index % 12:02d}-{1 + venue.index % 28:02d}",
        "",
        f"{IDENTITY_KEY}:",
    ]
    lines += [
        line
        for located in loaded.identity
        if located.id in answers
        for line in emit(located.id, answers[located.id], "  ")
    ]
    lines += ["", f"{ANSWERS_KEY}:"]
    themes = loaded.questionnaire.themes
    for position, theme_id in enumerate(themes, start=1):
        title = loaded.themes[theme_id].title.fr
        lines += ["", f"  # ── {position}/{len(themes)} {title} ──"]
        for located in loaded.theme_items(theme_id):
            if located.id in answers:
                lines += emit(located.id, answers[located.id], "  ")
    return "\n".join(lines) + "\n"


def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` synthetic applications to ``out_dir``; the same seed writes the same files."""
    ctx = load_context(REPO)
    rng = random.Random(seed)
    # Items a knock-out or a requirement looks at: nearly every real venue meets them.
    knockout_items = frozenset(
        k.item for k in (ctx.policy.knockouts if ctx.policy else ()) if k.item is not None
    ) | frozenset(r.item for r in (ctx.policy.requirements if ctx.policy else ()))
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    written = [
        located.id
        for located in ctx.questionnaire.items
        if long_answer(located) and not located.is_identity
    ]
    earlier: dict[str, str] = {}
    """The answer of the latest venue to each written question."""
    for index in range(1, n + 1):
        venue = make_venue(index, rng)
        answers = answers_for(venue, rng, ctx, knockout_items)
        answered = [item for item in written if isinstance(answers.get(item), str)]
        pasted = [item for item in answered if item in earlier]
        if index % COPY_EVERY == 0 and pasted:
            item = rng.choice(pasted)
            answers[item] = paste(earlier[item], rng)
        earlier.update((item, answers[item]) for item in answered)
        path = out_dir / f"candidature-{index:05d}-{venue.slug[:40].strip('-')}.yaml"
        path.write_text(render(venue, answers, ctx, seed), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, metavar="N", help="number of applications")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = generate(args.n, args.out_dir, args.seed)
    print(f"{len(paths)} applications written to {args.out_dir}")


if __name__ == "__main__":
    main()
