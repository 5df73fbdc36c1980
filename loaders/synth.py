"""Synthetic partnership graphs in qkg's own ontology, for load tests, benchmarks and demos.

:func:`generate` streams N-Triples lines describing a plausible, deterministic world: countries (real names and
coordinate boxes), regions, cities with coordinates, one local government per city, city networks with
``org:Membership`` nodes, international organisations, companies, academic institutions, diplomatic
representations, posts, and the activities that link them (receptions, missions made of ordered legs, network
meetings, events, agreements). Degrees are skewed like real ones: a few hub cities, organisations and themes
take a large share of the links (a Zipf-like draw, :func:`_skewed`).

Every fact-bearing node (activity, leg, agreement, membership) cites ``prov:wasDerivedFrom`` a section of one
synthetic report (``qkgd:synth-report``, one section per year 2015-2026); every entity has ``rdfs:label`` in
French and English, and many names carry accents (é, è, ç, ô) for accent-insensitive search tests. IRIs are
flat: ``qkgd:synth-<kind>-<n>``; themes are ``qkgd:theme-synth-<n>`` in ``qkgd:scheme-synth-themes``.

Size and determinism
--------------------
The output has the requested number of triples within 2 % (within 5 triples in practice): the entities
take a fixed share of the budget, then activities are drawn until it is spent. One ``random.Random(seed)``
drives every choice and nothing depends on set or dict iteration order, so the same ``(triples, seed)`` gives
byte-identical output on every machine and Python version that keeps ``random``'s documented reproducibility.
No triple is emitted twice, so the count of lines is the count of distinct triples a store will hold.

Memory does not grow with the output: lines are streamed; the only per-entity state is a few arrays of small
integers (city -> country, organisation -> city, network -> members), about 10 bytes per entity.

Examples
--------
>>> lines = list(generate(2_000, seed=7))
>>> abs(len(lines) - 2_000) <= 40
True
>>> lines == list(generate(2_000, seed=7))
True
>>> any("synth-mission-0>" in line and "#missionLeader>" in line for line in lines)
True
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import time
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from random import Random
from typing import ClassVar

from qkg import ontology as _onto
from qkg.graph.building.export import atomic_writer
from qkg.graph.errors import N_, Message
from qkg.ontology import DCT, GEO, ORG, PROV, QKG, QKGD, SCHEMA

__all__ = ["Summary", "generate", "generate_quads", "write", "parse_size", "MIN_TRIPLES", "YEARS", "KINDS"]

#: The smallest graph :func:`generate` makes (below this, every kind of node no longer fits).
MIN_TRIPLES = 500
#: The years the activities span (one report section per year).
YEARS = tuple(range(2015, 2027))
#: The kinds of node counted by :class:`Summary`, in report order, each with its line in the summary.
KINDS = {
    "countries": N_("{n:,} countries"),
    "regions": N_("{n:,} regions"),
    "cities": N_("{n:,} cities"),
    "local_governments": N_("{n:,} local governments"),
    "networks": N_("{n:,} networks"),
    "international_organisations": N_("{n:,} international organisations"),
    "companies": N_("{n:,} companies"),
    "academic_institutions": N_("{n:,} academic institutions"),
    "diplomatic_representations": N_("{n:,} diplomatic representations"),
    "posts": N_("{n:,} posts"),
    "memberships": N_("{n:,} memberships"),
    "receptions": N_("{n:,} receptions"),
    "missions": N_("{n:,} missions"),
    "legs": N_("{n:,} legs"),
    "meetings": N_("{n:,} meetings"),
    "events": N_("{n:,} events"),
    "agreements": N_("{n:,} agreements"),
    "themes": N_("{n:,} themes"),
    "sections": N_("{n:,} sections"),
}


@dataclass
class Summary:
    """What a generation produced: the number of triples and of nodes by kind (see :data:`KINDS`)."""

    triples: int = 0
    entities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    seconds: float = 0.0

    def line(self) -> Message:
        """One line for humans: ``20,004 triples: 322 cities, 118 receptions, ... (0.21 s)``, a
        :class:`~qkg.graph.errors.Message` that the command line gives in its reader's language.

        >>> Summary(1200, {"cities": 3, "themes": 0, "sections": 1200}, 0.25).line()
        '1,200 triples: 3 cities, 1,200 sections (0.25 s)'
        """
        kinds = Message.joined(Message(KINDS[k], n=n) for k, n in self.entities.items() if n)
        return Message(
            N_("{triples:,} triples: {kinds} ({seconds:.2f} s)"),
            triples=self.triples,
            kinds=kinds,
            seconds=self.seconds,
        )


# ---------------------------------------------------------------------------------------------------------
# Terms, written once as N-Triples tokens
# ---------------------------------------------------------------------------------------------------------


def _t(ns, local: str) -> str:
    return f"<{ns[local]}>"


_ID = str(QKGD)
_A = _t(_onto.RDF, "type")
_LABEL = _t(_onto.RDFS, "label")
_PREF = _t(_onto.SKOS, "prefLabel")
_IN_SCHEME = _t(_onto.SKOS, "inScheme")
_CONCEPT, _SCHEME = _t(_onto.SKOS, "Concept"), _t(_onto.SKOS, "ConceptScheme")
_DERIVED = _t(PROV, "wasDerivedFrom")
_PART_OF = _t(DCT, "isPartOf")
_START, _END = _t(SCHEMA, "startDate"), _t(SCHEMA, "endDate")
_LAT, _LONG = _t(GEO, "lat"), _t(GEO, "long")
_POST_IN, _MEMBER, _ORGANIZATION, _ROLE = (_t(ORG, x) for x in ("postIn", "member", "organization", "role"))
_MEMBERSHIP = _t(ORG, "Membership")
_Q = {
    name: _t(QKG, name)
    for name in (
        "Country",
        "Region",
        "City",
        "LocalGovernment",
        "CityNetwork",
        "InternationalOrganisation",
        "Company",
        "AcademicInstitution",
        "DiplomaticRepresentation",
        "Post",
        "Reception",
        "Mission",
        "MissionLeg",
        "NetworkMeeting",
        "Event",
        "Agreement",
        "Report",
        "ReportSection",
        "country",
        "locatedIn",
        "jurisdiction",
        "basedIn",
        "sector",
        "category",
        "visitor",
        "origin",
        "host",
        "theme",
        "missionLeader",
        "leg",
        "legOrder",
        "legCity",
        "legKind",
        "organiser",
        "participant",
        "location",
        "participantCount",
        "agreementType",
        "party",
    )
}
_XSD_DATE, _XSD_YEAR, _XSD_INT, _XSD_DEC = (f"^^<{_onto.XSD[x]}>" for x in ("date", "gYear", "integer", "decimal"))


def _iri(local: str) -> str:
    return f"<{_ID}{local}>"


_UNSAFE = re.compile(r'[\\"\n\r]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _quote(text: str) -> str:
    """The N-Triples string for ``text`` (escaping is rare: generated names hold no quote or backslash)."""
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(lambda m: _ESCAPES[m.group()], text)
    return f'"{text}"'


def _fr(text: str) -> str:
    return _quote(text) + "@fr"


def _en(text: str) -> str:
    return _quote(text) + "@en"


def _labels(s: str, fr: str, en: str, prop: str = _LABEL) -> list[str]:
    return [f"{s} {prop} {_fr(fr)} .\n", f"{s} {prop} {_en(en)} .\n"]


def _ascii(text: str) -> str:
    """Strip accents (``Lévis`` -> ``Levis``), as English usage often does."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# ---------------------------------------------------------------------------------------------------------
# The world's vocabulary: real countries with coordinate boxes, name parts, themes
# ---------------------------------------------------------------------------------------------------------

#: (French name, English name, lat min, lat max, long min, long max); the order is the countries' weight
#: (Zipf-like: France, the United States, Canada... host most cities, as in the City's real relations).
COUNTRIES = (
    ("France", "France", 43.5, 49.5, -1.0, 6.5),
    ("États-Unis", "United States", 30.0, 47.0, -120.0, -75.0),
    ("Canada", "Canada", 43.0, 53.0, -123.0, -64.0),
    ("Belgique", "Belgium", 49.6, 51.3, 2.6, 6.2),
    ("Suisse", "Switzerland", 46.0, 47.7, 6.0, 10.0),
    ("Espagne", "Spain", 37.0, 43.3, -8.5, 2.5),
    ("Mexique", "Mexico", 16.0, 30.0, -110.0, -88.0),
    ("Maroc", "Morocco", 30.0, 35.5, -9.5, -2.0),
    ("Portugal", "Portugal", 37.2, 41.8, -8.8, -6.5),
    ("Italie", "Italy", 38.5, 46.0, 8.0, 16.5),
    ("Allemagne", "Germany", 47.5, 54.5, 6.5, 14.5),
    ("Royaume-Uni", "United Kingdom", 50.5, 55.5, -4.5, 1.0),
    ("Sénégal", "Senegal", 12.5, 16.5, -17.0, -11.5),
    ("Côte d'Ivoire", "Côte d'Ivoire", 5.2, 10.5, -8.5, -2.7),
    ("Brésil", "Brazil", -30.0, -3.0, -60.0, -35.0),
    ("Japon", "Japan", 33.0, 43.0, 130.5, 145.0),
    ("Chine", "China", 22.0, 41.0, 100.0, 122.0),
    ("Pologne", "Poland", 49.5, 54.3, 14.5, 23.5),
    ("Croatie", "Croatia", 42.6, 46.3, 13.8, 19.0),
    ("Équateur", "Ecuador", -4.5, 1.0, -80.5, -75.5),
    ("Argentine", "Argentina", -45.0, -22.0, -70.0, -58.0),
    ("Uruguay", "Uruguay", -34.8, -30.2, -58.3, -53.3),
    ("Irlande", "Ireland", 51.8, 54.8, -9.8, -6.2),
    ("Finlande", "Finland", 60.2, 65.0, 22.0, 29.5),
    ("Cameroun", "Cameroon", 2.2, 12.8, 9.0, 16.0),
    ("Australie", "Australia", -38.5, -17.0, 115.0, 153.0),
    ("Pays-Bas", "Netherlands", 51.5, 53.2, 4.0, 6.8),
    ("Tunisie", "Tunisia", 33.0, 37.2, 8.3, 11.0),
    ("Algérie", "Algeria", 33.0, 36.8, -1.5, 8.5),
    ("Bénin", "Benin", 6.3, 12.0, 1.0, 3.8),
    ("Haïti", "Haiti", 18.1, 19.9, -74.3, -71.7),
    ("Pérou", "Peru", -17.0, -4.0, -80.0, -70.0),
    ("Chili", "Chile", -42.0, -18.5, -73.0, -69.5),
    ("Colombie", "Colombia", 1.0, 11.0, -77.5, -70.0),
    ("Corée du Sud", "South Korea", 34.8, 38.2, 126.3, 129.4),
    ("Viêt Nam", "Vietnam", 9.0, 22.5, 103.0, 109.0),
    ("Norvège", "Norway", 58.0, 63.5, 5.5, 12.0),
    ("Suède", "Sweden", 55.5, 63.0, 12.0, 18.5),
    ("Danemark", "Denmark", 54.8, 57.5, 8.2, 12.5),
    ("Autriche", "Austria", 46.5, 48.8, 9.8, 16.9),
    ("Hongrie", "Hungary", 45.8, 48.5, 16.2, 22.8),
    ("Tchéquie", "Czechia", 48.6, 51.0, 12.2, 18.8),
    ("Grèce", "Greece", 37.0, 41.0, 20.8, 26.0),
    ("Roumanie", "Romania", 44.0, 48.0, 21.0, 28.0),
    ("Égypte", "Egypt", 24.0, 31.3, 25.5, 34.0),
    ("Burkina Faso", "Burkina Faso", 9.5, 15.0, -5.5, 2.3),
    ("Mali", "Mali", 11.0, 20.0, -11.5, 4.0),
    ("Madagascar", "Madagascar", -25.0, -12.0, 43.5, 50.0),
    ("Inde", "India", 9.0, 30.0, 72.0, 88.0),
    ("Émirats arabes unis", "United Arab Emirates", 22.8, 26.0, 51.5, 56.3),
    ("Nouvelle-Zélande", "New Zealand", -46.0, -35.0, 167.0, 178.0),
)

_PREFIXES = (
    "",
    "Saint-",
    "Sainte-",
    "Mont-",
    "Val-",
    "Port-",
    "Lac-",
    "Pointe-",
    "Fort-",
    "Bourg-",
    "Île-",
    "Côte-",
    "Cap-",
    "Pont-",
    "Champ-",
    "Bois-",
)
_ROOTS = (
    "Ambérieu",
    "Bérénice",
    "Château",
    "Compiègne",
    "Gaspé",
    "Lévis",
    "Montréjeau",
    "Orléa",
    "Pézenas",
    "Rochefort",
    "Sète",
    "Valcourt",
    "Besançon",
    "Alençon",
    "Mâcon",
    "Beaune",
    "Côme",
    "Rhône",
    "Aurèle",
    "Bécancour",
    "Chênaie",
    "Drôme",
    "Étienne",
    "Fénelon",
    "Gérard",
    "Hélène",
    "Isère",
    "Joliette",
    "Kénogami",
    "Lorème",
    "Méribel",
    "Nérac",
    "Orée",
    "Pâquerette",
    "Rémi",
    "Séverin",
    "Thérèse",
    "Ursule",
    "Vénus",
    "Wendake",
    "Yvré",
    "Zélie",
    "Barcelos",
    "Coimbra",
    "Tavira",
    "Lugano",
    "Verona",
    "Brugge",
    "Kraków",
    "Porto",
    "Malmö",
    "Ålesund",
    "Łódź",
    "Zürich",
    "Göteborg",
    "Sevilla",
    "Córdoba",
    "Málaga",
    "Cádiz",
    "François",
)
_SUFFIXES = (
    "",
    "-sur-Mer",
    "-les-Bains",
    "-du-Lac",
    "-en-Forêt",
    "-la-Côte",
    "-le-Château",
    "-des-Prés",
    "-sur-Loire",
    "-de-l'Île",
    "-d'Orléans",
    "-aux-Pins",
    "-la-Rivière",
    "-du-Nord",
    "-du-Sud",
    "-l'Étang",
)
_REGION_KINDS = (
    ("Région de ", "Region of "),
    ("Province de ", "Province of "),
    ("Comté de ", "County of "),
    ("Département de ", "Department of "),
    ("Canton de ", "Canton of "),
    ("État de ", "State of "),
)
_NETWORK_HEADS = (
    ("Association", "Association"),
    ("Alliance", "Alliance"),
    ("Réseau", "Network"),
    ("Conférence", "Conference"),
    ("Forum", "Forum"),
    ("Union", "Union"),
    ("Ligue", "League"),
    ("Organisation", "Organisation"),
)
_NETWORK_TOPICS = (
    ("francophones", "Francophone"),
    ("portuaires", "Port"),
    ("d'hiver", "Winter"),
    ("du patrimoine", "Heritage"),
    ("créatives", "Creative"),
    ("intelligentes", "Smart"),
    ("côtières", "Coastal"),
    ("nordiques", "Nordic"),
    ("éducatrices", "Learning"),
    ("durables", "Sustainable"),
    ("olympiques", "Olympic"),
    ("fluviales", "River"),
    ("du Saint-Laurent", "St. Lawrence"),
    ("historiques", "Historic"),
    ("sûres", "Safe"),
    ("vertes", "Green"),
)
_AREAS = (
    ("", ""),
    (" d'Europe", " of Europe"),
    (" des Amériques", " of the Americas"),
    (" d'Afrique", " of Africa"),
    (" d'Asie", " of Asia"),
    (" du Pacifique", " of the Pacific"),
    (" de la Méditerranée", " of the Mediterranean"),
    (" de l'Atlantique", " of the Atlantic"),
)
_IO_HEADS = (
    ("Organisation internationale", "International Organisation"),
    ("Agence", "Agency"),
    ("Institut", "Institute"),
    ("Centre", "Centre"),
    ("Fonds", "Fund"),
    ("Programme", "Programme"),
    ("Bureau", "Office"),
    ("Observatoire", "Observatory"),
)
_IO_TOPICS = (
    ("pour la coopération urbaine", "for Urban Cooperation"),
    ("de l'eau", "for Water"),
    ("du tourisme", "for Tourism"),
    ("pour l'éducation", "for Education"),
    ("de la santé", "for Health"),
    ("du climat", "for Climate"),
    ("pour le développement", "for Development"),
    ("des océans", "for the Oceans"),
    ("du numérique", "for Digital Affairs"),
    ("pour la paix", "for Peace"),
    ("de l'énergie", "for Energy"),
    ("de la francophonie", "for the Francophonie"),
    ("des forêts", "for Forests"),
    ("du commerce équitable", "for Fair Trade"),
    ("de la culture", "for Culture"),
    ("de la sécurité alimentaire", "for Food Security"),
)
_CO_A = (
    "Boréa",
    "Lauren",
    "Hélio",
    "Nordé",
    "Cèdre",
    "Fleuvo",
    "Aurora",
    "Saguen",
    "Mistral",
    "Estuar",
    "Polaris",
    "Gaïa",
    "Océa",
    "Érable",
    "Tundra",
    "Vertex",
)
_CO_B = (
    "lis",
    "tek",
    "via",
    "nergie",
    "com",
    "gène",
    "tis",
    "rama",
    "sphère",
    "média",
    "logic",
    "tronic",
    "nova",
    "mar",
    "bio",
    "flux",
)
_CO_C = (
    (" inc.", " Inc."),
    (" ltée", " Ltd."),
    (" SA", " SA"),
    (" GmbH", " GmbH"),
    (" Technologies", " Technologies"),
    (" Solutions", " Solutions"),
    (" Industries", " Industries"),
    (" Groupe", " Group"),
    (" & Associés", " & Partners"),
    (" Conseil", " Consulting"),
    (" Ingénierie", " Engineering"),
    (" Énergie", " Energy"),
    (" Aérospatiale", " Aerospace"),
    (" Santé", " Health"),
    (" Logistique", " Logistics"),
    (" Design", " Design"),
)
_ACADEMIC = (
    ("Université de {}", "University of {}"),
    ("École polytechnique de {}", "Polytechnic School of {}"),
    ("Institut de recherche de {}", "{} Research Institute"),
    ("Collège de {}", "{} College"),
    ("École des hautes études de {}", "{} School of Advanced Studies"),
    ("Centre de recherche en santé de {}", "{} Health Research Centre"),
)
_DIPLO = (
    ("Consulat général de {} à {}", "Consulate General of {} in {}"),
    ("Ambassade de {} à {}", "Embassy of {} in {}"),
    ("Délégation de {} à {}", "Delegation of {} in {}"),
    ("Bureau commercial de {} à {}", "Trade Office of {} in {}"),
)
_POSTS = (
    ("Maire de {}", "Mayor of {}"),
    ("Conseillère responsable des relations internationales ({})", "Councillor for international relations ({})"),
    ("Directeur des relations internationales ({})", "Director of international relations ({})"),
)
_THEMES = (
    ("Économie", "Economy"),
    ("Éducation", "Education"),
    ("Santé", "Health"),
    ("Sécurité civile", "Civil security"),
    ("Développement durable", "Sustainable development"),
    ("Patrimoine", "Heritage"),
    ("Culture", "Culture"),
    ("Tourisme", "Tourism"),
    ("Mobilité durable", "Sustainable mobility"),
    ("Francophonie", "Francophonie"),
    ("Innovation", "Innovation"),
    ("Numérique", "Digital"),
    ("Énergie", "Energy"),
    ("Climat", "Climate"),
    ("Eau", "Water"),
    ("Hiver", "Winter"),
    ("Sport", "Sport"),
    ("Aérospatiale", "Aerospace"),
    ("Agroalimentaire", "Agri-food"),
    ("Logement", "Housing"),
    ("Urbanisme", "Urban planning"),
    ("Démocratie locale", "Local democracy"),
    ("Jeunesse", "Youth"),
    ("Aînés", "Older adults"),
    ("Inclusion", "Inclusion"),
    ("Immigration", "Immigration"),
    ("Commerce", "Trade"),
    ("Port et fleuve", "Port and river"),
    ("Recherche", "Research"),
    ("Intelligence artificielle", "Artificial intelligence"),
    ("Arts de la scène", "Performing arts"),
    ("Gastronomie", "Gastronomy"),
    ("Forêts", "Forests"),
    ("Biodiversité", "Biodiversity"),
    ("Transport collectif", "Public transit"),
    ("Sécurité alimentaire", "Food security"),
    ("Gouvernance", "Governance"),
    ("Relations autochtones", "Indigenous relations"),
    ("Égalité des genres", "Gender equality"),
    ("Résilience", "Resilience"),
)
_THEME_ASPECTS = (
    ("", ""),
    (" : volet local", ": local track"),
    (" : coopération", ": cooperation"),
    (" : financement", ": funding"),
    (" : recherche", ": research"),
    (" : formation", ": training"),
    (" : réseaux", ": networks"),
    (" : données", ": data"),
    (" : jeunesse", ": youth"),
    (" : entreprises", ": business"),
)
_MEETINGS = (
    ("Assemblée générale {1} de {0}", "{0} general assembly {1}"),
    ("Conseil d'administration {1} de {0}", "{0} board meeting {1}"),
    ("Congrès {1} de {0}", "{0} congress {1}"),
    ("Conférence annuelle {1} de {0}", "{0} annual conference {1}"),
    ("Comité exécutif {1} de {0}", "{0} executive committee {1}"),
)
_EVENTS = (
    ("Forum international {} : {}", "{} international forum: {}"),
    ("Sommet {} : {}", "{} summit: {}"),
    ("Colloque {} : {}", "{} symposium: {}"),
    ("Salon {} : {}", "{} fair: {}"),
    ("Festival {} : {}", "{} festival: {}"),
)
_AGREEMENT_NAMES = {
    "type-twinning": ("Jumelage", "Twinning"),
    "type-collaboration-protocol": ("Protocole de collaboration", "Collaboration protocol"),
    "type-joint-declaration": ("Déclaration commune", "Joint declaration"),
    "type-accession": ("Adhésion", "Accession"),
    "type-cooperation-programme": ("Programme de coopération", "Cooperation programme"),
    "type-territorial-partnership": ("Partenariat territorial", "Territorial partnership"),
    "type-cooperation-agreement": ("Entente de coopération", "Cooperation agreement"),
    "type-municipal-diplomacy": ("Entente de diplomatie municipale", "Municipal diplomacy agreement"),
    "type-government-city": ("Entente gouvernement-Ville", "Government-City agreement"),
}
_SECTOR = {
    "network": "sector-governmental",
    "io": "sector-governmental",
    "company": "sector-economic",
    "academic": "sector-academic",
    "diplo": "sector-diplomatic",
}


class _Choice:
    """A weighted choice whose cumulative table is computed once (``random.choices`` rebuilds it per call)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs) -> None:
        pairs = tuple(pairs)
        self.items = tuple(item for item, _ in pairs)
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


_CATEGORIES = _Choice((("cat-courtesy", 50), ("cat-collaboration", 35), ("cat-strategic", 15)))
_AGREEMENT_TYPES = _Choice(
    (
        ("type-twinning", 14),
        ("type-collaboration-protocol", 22),
        ("type-joint-declaration", 12),
        ("type-accession", 8),
        ("type-cooperation-programme", 14),
        ("type-territorial-partnership", 8),
        ("type-cooperation-agreement", 14),
        ("type-municipal-diplomacy", 5),
        ("type-government-city", 3),
    )
)
_ROLES = _Choice((("role-member", 90), ("role-coordinator", 6), ("role-signatory", 4)))
#: The kinds of activity by frequency (receptions are the most common, as in the report).
_ACTIVITIES = _Choice((("reception", 40), ("mission", 12), ("meeting", 14), ("event", 14), ("agreement", 20)))
_YEARS = _Choice((year, year - YEARS[0] + 4) for year in YEARS)  # activity grows over the years
_VISITORS = _Choice((("lg", 40), ("post", 20), ("diplo", 15), ("company", 10), ("academic", 10), ("io", 5)))
_ORGANISERS = _Choice((("lg", 35), ("io", 20), ("academic", 25), ("company", 20)))
_PARTIES = _Choice((("lg", 50), ("academic", 15), ("company", 10), ("io", 15), ("network", 10)))
_TWINS = _Choice((("lg", 1),))
_VISITOR_COUNT = _Choice(((1, 70), (2, 22), (3, 8)))
_THEME_COUNT = _Choice(((1, 65), (2, 35)))
_LEG_COUNT = _Choice(((1, 30), (2, 30), (3, 20), (4, 12), (5, 8)))
_PARTY_COUNT = _Choice(((2, 70), (3, 20), (4, 10)))


def _cycle_name(i: int, salt: int, radices: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """Map ``i`` to distinct digits in mixed radix ``radices`` (a scrambled bijection), plus a block number."""
    n = 1
    for r in radices:
        n *= r
    block, j = divmod(i, n)
    j = (j * 7919 + salt) % n  # 7919 is prime and divides none of the products used here
    digits = []
    for r in reversed(radices):
        j, d = divmod(j, r)
        digits.append(d)
    return tuple(reversed(digits)), block


def _numbered(name: str, block: int) -> str:
    return name if block == 0 else f"{name} {block + 1}"


# ---------------------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------------------


def _skewed(rng: Random, n: int, power: float = 2.2) -> int:
    """An index in ``range(n)`` drawn with a heavy head: index 0 is the biggest hub.

    ``int(n * u ** power)``: with ``power = 2.2`` the first 1 % of the items take about 12 % of the draws
    and the first 10 % about 35 %, the long tail of a real partnership graph.
    """
    return int(n * rng.random() ** power)


@dataclass
class _Plan:
    countries: int
    regions: int
    cities: int
    networks: int
    ios: int
    companies: int
    academics: int
    diplos: int
    posts: int
    memberships: int
    themes: int

    @classmethod
    def for_size(cls, triples: int) -> _Plan:
        # About 30 % of the budget goes to places and agents (18.5 triples per city with its government, a
        # share of a region, organisations and posts), 9 % to memberships; activities take the rest.
        cities = max(6, round(triples * 0.30 / 18.5))
        orgs = max(5, cities // 2)
        return cls(
            countries=min(len(COUNTRIES), max(5, triples // 400)),
            regions=max(2, cities // 8),
            cities=cities,
            networks=max(2, round(orgs * 0.08)),
            ios=max(1, round(orgs * 0.07)),
            companies=max(1, round(orgs * 0.40)),
            academics=max(1, round(orgs * 0.25)),
            diplos=max(1, round(orgs * 0.20)),
            posts=3 * max(1, cities // 6),
            memberships=max(4, round(triples * 0.09 / 9)),
            themes=min(len(_THEMES) * len(_THEME_ASPECTS), max(10, triples // 2000)),
        )


class _World:
    """The entities, their names and the few integer arrays that tie them together."""

    def __init__(self, plan: _Plan, rng: Random, seed: int) -> None:
        self.plan, self.rng = plan, rng
        self.salt = (seed * 2654435761) & 0xFFFFFFFF
        self.city_country = array("H")  # city -> country
        self.org_city: dict[str, array] = {}  # organisation kind -> (organisation -> seat city)
        self.diplo_country = array("H")  # diplomatic representation -> represented country
        self.members: list[array] = []  # network -> member local governments (= cities)

    # -- names ---------------------------------------------------------------------------------------------
    def city_name(self, i: int) -> tuple[str, str]:
        (p, r, s), block = _cycle_name(i, self.salt, (len(_PREFIXES), len(_ROOTS), len(_SUFFIXES)))
        fr = _numbered(_PREFIXES[p] + _ROOTS[r] + _SUFFIXES[s], block)
        return fr, (_ascii(fr) if (i * 31 + self.salt) % 3 == 0 else fr)

    def region_name(self, i: int) -> tuple[str, str]:
        (k, r, s), block = _cycle_name(i, self.salt + 101, (len(_REGION_KINDS), len(_ROOTS), 4))
        root = _numbered(_ROOTS[r] + ("", "-Orientale", "-Centre", "-Maritime")[s], block)
        return _REGION_KINDS[k][0] + root, _REGION_KINDS[k][1] + root

    def lg_name(self, i: int) -> tuple[str, str]:
        fr, en = self.city_name(i)
        return f"Ville de {fr}", f"City of {en}"

    def post_name(self, i: int) -> tuple[str, str]:
        fr, en = self.city_name(i // 3)
        pattern_fr, pattern_en = _POSTS[i % 3]
        return pattern_fr.format(fr), pattern_en.format(en)

    def org_name(self, kind: str, i: int) -> tuple[str, str]:
        if kind == "network":
            (h, t, a), block = _cycle_name(i, self.salt, (len(_NETWORK_HEADS), len(_NETWORK_TOPICS), len(_AREAS)))
            fr = f"{_NETWORK_HEADS[h][0]} des villes {_NETWORK_TOPICS[t][0]}{_AREAS[a][0]}"
            en = f"{_NETWORK_TOPICS[t][1]} Cities {_NETWORK_HEADS[h][1]}{_AREAS[a][1]}"
        elif kind == "io":
            (h, t, a), block = _cycle_name(i, self.salt, (len(_IO_HEADS), len(_IO_TOPICS), len(_AREAS)))
            fr = f"{_IO_HEADS[h][0]} {_IO_TOPICS[t][0]}{_AREAS[a][0]}"
            en = f"{_IO_HEADS[h][1]} {_IO_TOPICS[t][1]}{_AREAS[a][1]}"
        elif kind == "company":
            (x, y, z), block = _cycle_name(i, self.salt, (len(_CO_A), len(_CO_B), len(_CO_C)))
            fr, en = _CO_A[x] + _CO_B[y] + _CO_C[z][0], _CO_A[x] + _CO_B[y] + _CO_C[z][1]
        elif kind == "academic":
            city = self.org_city["academic"][i]
            city_fr, city_en = self.city_name(city)
            pattern = _ACADEMIC[i % 3 + 3 * (city % 2)]
            return pattern[0].format(city_fr), pattern[1].format(city_en)
        else:  # diplomatic representation: of a country, seated in a city
            country = COUNTRIES[self.diplo_country[i]]
            city_fr, city_en = self.city_name(self.org_city["diplo"][i])
            pattern = _DIPLO[i % len(_DIPLO)]
            return pattern[0].format(country[0], city_fr), pattern[1].format(country[1], city_en)
        return _numbered(fr, block), _numbered(en, block)

    def theme_name(self, i: int) -> tuple[str, str]:
        base, aspect = _THEMES[i % len(_THEMES)], _THEME_ASPECTS[i // len(_THEMES)]
        return base[0] + aspect[0], base[1] + aspect[1]

    # -- agents ----------------------------------------------------------------------------------------------
    def agent(self, kind: str, i: int) -> tuple[str, int]:
        """The IRI of agent ``i`` of ``kind`` and its home city."""
        if kind == "lg":
            return _iri(f"synth-lg-{i}"), i
        if kind == "post":
            return _iri(f"synth-post-{i}"), i // 3
        return _iri(f"synth-{kind}-{i}"), self.org_city[kind][i]


_ORG_KINDS = (
    ("network", "CityNetwork", "networks"),
    ("io", "InternationalOrganisation", "international_organisations"),
    ("company", "Company", "companies"),
    ("academic", "AcademicInstitution", "academic_institutions"),
    ("diplo", "DiplomaticRepresentation", "diplomatic_representations"),
)


def generate(triples: int, *, seed: int = 0, summary: Summary | None = None) -> Iterator[str]:
    """Yield the N-Triples lines (see :func:`_groups` for the groups they come in)."""
    for lines in _groups(triples, seed=seed, summary=summary):
        yield from lines


def generate_quads(triples: int, *, seed: int = 0, summary: Summary | None = None) -> Iterator[str]:
    """Yield the same statements as :func:`generate` as N-Quads lines, each in the named graph of its year.

    An activity (with its legs, themes and parties) and a membership go into ``qkgd:graph-<year>-synth``, the
    year of the report section it cites, as the files of ``data/<year>/`` do; the rest (places, organisations,
    posts, themes, the report and its sections) into ``qkgd:graph-background-synth``. The build tags each
    ``graph-<year>-...`` graph with its year, so the ``year`` parameter of the canned queries and pages has
    twelve years to choose from.

    >>> quads = list(generate_quads(2_000, seed=7))
    >>> [q.split(" ")[:3] for q in quads] == [t.split(" ")[:3] for t in generate(2_000, seed=7)]
    True
    >>> sorted({q.rsplit(" ", 2)[-2].rsplit("/", 1)[-1] for q in quads})[:2]
    ['graph-2015-synth>', 'graph-2016-synth>']
    """
    background = f" {_iri('graph-background-synth')} .\n"
    for lines in _groups(triples, seed=seed, summary=summary):
        match = _CITED_YEAR.search("".join(line for line in lines if _DERIVED in line))
        suffix = f" {_iri(f'graph-{match.group(1)}-synth')} .\n" if match else background
        yield from (line[:-3] + suffix for line in lines)


def _groups(triples: int, *, seed: int = 0, summary: Summary | None = None) -> Iterator[list[str]]:
    """Yield the N-Triples lines (each ending with a newline) of a synthetic partnership graph.

    Parameters
    ----------
    triples : int
        The size wanted; the output has this many lines (distinct triples) within 2 %. At least
        :data:`MIN_TRIPLES`.
    seed : int, keyword-only
        The seed of the one ``random.Random`` that drives every choice: same seed and size, same lines.
    summary : Summary, optional
        Filled in as the lines are produced (triples and nodes by kind); complete once the iterator is exhausted.

    Yields
    ------
    list of str
        The N-Triples lines (UTF-8 text, each with a trailing ``\\n``) of one item: an entity, or an activity
        with its legs, themes and parties.

    Raises
    ------
    ValueError
        ``triples`` is below :data:`MIN_TRIPLES`.

    Examples
    --------
    >>> s = Summary()
    >>> n = sum(1 for _ in generate(5_000, seed=1, summary=s))
    >>> n == s.triples and abs(n - 5_000) <= 100
    True
    >>> s.entities["missions"] > 0 and s.entities["legs"] >= s.entities["missions"]
    True
    """
    if triples < MIN_TRIPLES:
        raise ValueError(f"a synthetic graph needs at least {MIN_TRIPLES} triples (asked for {triples})")
    summary = summary if summary is not None else Summary()
    started = time.perf_counter()
    rng = Random(seed)
    plan = _Plan.for_size(triples)
    world = _World(plan, rng, seed)
    count = summary.entities
    emitted = 0
    for lines in _entities(world, count):
        emitted += len(lines)
        summary.triples = emitted
        yield lines
    activities = _Activities(world, count)
    while True:
        remaining = triples - emitted
        if remaining < 4:  # the smallest activity has 9 triples; overshooting by 5 is allowed
            break
        for _attempt in range(60):  # near the end, draw until an activity fits the budget
            kind, lines = activities.draw()
            if len(lines) <= remaining + 5:
                activities.commit(kind)
                break
        else:
            break
        emitted += len(lines)
        summary.triples = emitted
        yield lines
    summary.seconds = time.perf_counter() - started


def _section(year: int) -> str:
    return _iri(f"synth-section-{year}")


#: The year of the section a group of lines cites (its ``prov:wasDerivedFrom`` lines), for :func:`generate_quads`.
_CITED_YEAR = re.compile(r"synth-section-(\d{4})>")


def _entities(w: _World, count: dict[str, int]) -> Iterator[list[str]]:
    """The fixed part: report and sections, themes, places, governments, organisations, posts, memberships."""
    rng, plan = w.rng, w.plan
    report = _iri("synth-report")
    yield [
        f"{report} {_A} {_Q['Report']} .\n",
        *_labels(
            report, "Rapport synthétique des relations internationales", "Synthetic international relations report"
        ),
    ]
    for year in YEARS:
        s = _section(year)
        yield [
            f"{s} {_A} {_Q['ReportSection']} .\n",
            f"{s} {_PART_OF} {report} .\n",
            *_labels(
                s,
                f"Activités internationales {year} (section synthétique)",
                f"International activities {year} (synthetic section)",
            ),
        ]
        count["sections"] += 1

    scheme = _iri("scheme-synth-themes")
    yield [f"{scheme} {_A} {_SCHEME} .\n", *_labels(scheme, "Thèmes synthétiques", "Synthetic themes", _PREF)]
    for i in range(plan.themes):
        c = _iri(f"theme-synth-{i}")
        yield [f"{c} {_A} {_CONCEPT} .\n", f"{c} {_IN_SCHEME} {scheme} .\n", *_labels(c, *w.theme_name(i), _PREF)]
        count["themes"] += 1

    for i in range(plan.countries):
        fr, en = COUNTRIES[i][:2]
        c = _iri(f"synth-country-{i}")
        yield [f"{c} {_A} {_Q['Country']} .\n", *_labels(c, fr, en)]
        count["countries"] += 1

    regions_of: list[list[int]] = [[] for _ in range(plan.countries)]
    for i in range(plan.regions):
        country = _skewed(rng, plan.countries, 1.6)
        regions_of[country].append(i)
        r = _iri(f"synth-region-{i}")
        yield [
            f"{r} {_A} {_Q['Region']} .\n",
            *_labels(r, *w.region_name(i)),
            f"{r} {_Q['country']} {_iri(f'synth-country-{country}')} .\n",
        ]
        count["regions"] += 1

    for i in range(plan.cities):
        country = _skewed(rng, plan.countries, 1.6)
        box = COUNTRIES[country]
        lat, long = rng.uniform(box[2], box[3]), rng.uniform(box[4], box[5])
        w.city_country.append(country)
        c = _iri(f"synth-city-{i}")
        lines = [
            f"{c} {_A} {_Q['City']} .\n",
            *_labels(c, *w.city_name(i)),
            f"{c} {_Q['country']} {_iri(f'synth-country-{country}')} .\n",
            f'{c} {_LAT} "{lat:.4f}"{_XSD_DEC} .\n',
            f'{c} {_LONG} "{long:.4f}"{_XSD_DEC} .\n',
        ]
        if regions_of[country] and rng.random() < 0.8:
            region = regions_of[country][rng.randrange(len(regions_of[country]))]
            lines.append(f"{c} {_Q['locatedIn']} {_iri(f'synth-region-{region}')} .\n")
        g = _iri(f"synth-lg-{i}")
        lines += [
            f"{g} {_A} {_Q['LocalGovernment']} .\n",
            *_labels(g, *w.lg_name(i)),
            f"{g} {_Q['jurisdiction']} {c} .\n",
            f"{g} {_Q['basedIn']} {c} .\n",
        ]
        count["cities"] += 1
        count["local_governments"] += 1
        yield lines

    for kind, cls, key in _ORG_KINDS:
        n = getattr(
            plan,
            {"network": "networks", "io": "ios", "company": "companies", "academic": "academics", "diplo": "diplos"}[
                kind
            ],
        )
        cities = w.org_city[kind] = array("I")
        used: set[tuple[int, int]] = set()
        for i in range(n):
            if kind == "academic":
                city = min(i // 3, plan.cities - 1)
            elif kind == "diplo":
                for _try in range(20):  # one representation per (country, city), seated abroad
                    city, country = _skewed(rng, plan.cities), _skewed(rng, plan.countries, 1.6)
                    if country != w.city_country[city] and (country, city) not in used:
                        break
                used.add((country, city))
                w.diplo_country.append(country)
            else:
                city = _skewed(rng, plan.cities)
            cities.append(city)
            o = _iri(f"synth-{kind}-{i}")
            lines = [
                f"{o} {_A} {_Q[cls]} .\n",
                *_labels(o, *w.org_name(kind, i)),
                f"{o} {_Q['basedIn']} {_iri(f'synth-city-{city}')} .\n",
                f"{o} {_Q['sector']} {_iri(_SECTOR[kind])} .\n",
            ]
            if kind == "diplo":
                lines.append(f"{o} {_Q['jurisdiction']} {_iri(f'synth-country-{w.diplo_country[i]}')} .\n")
            count[key] += 1
            yield lines

    for i in range(plan.posts):
        p = _iri(f"synth-post-{i}")
        yield [
            f"{p} {_A} {_Q['Post']} .\n",
            *_labels(p, *w.post_name(i)),
            f"{p} {_POST_IN} {_iri(f'synth-lg-{i // 3}')} .\n",
        ]
        count["posts"] += 1

    # Memberships: network sizes fall off like 1/rank; members are drawn with a heavy head (hub cities
    # belong to many networks), without repeats within a network.
    weights = [1.0 / (j + 1) for j in range(plan.networks)]
    total_w = sum(weights)
    n_lg = plan.cities
    m = 0
    for j in range(plan.networks):
        size = min(n_lg, max(2, round(plan.memberships * weights[j] / total_w)))
        members, seen = array("I"), set()
        tries = 0
        while len(members) < size and tries < 4 * size + 20:
            tries += 1
            lg = _skewed(rng, n_lg, 1.6)
            if lg not in seen:
                seen.add(lg)
                members.append(lg)
        w.members.append(members)
        network_fr, network_en = w.org_name("network", j)
        for rank, lg in enumerate(members):
            role = "role-chair" if rank == 0 else "role-board-member" if rank <= 2 else _ROLES(rng)
            year = rng.choice(YEARS)
            node = _iri(f"synth-membership-{m}")
            lg_fr, lg_en = w.lg_name(lg)
            yield [
                f"{node} {_A} {_MEMBERSHIP} .\n",
                *_labels(node, f"Adhésion de {lg_fr} à {network_fr}", f"{lg_en} membership of {network_en}"),
                f"{node} {_MEMBER} {_iri(f'synth-lg-{lg}')} .\n",
                f"{node} {_ORGANIZATION} {_iri(f'synth-network-{j}')} .\n",
                f"{node} {_ROLE} {_iri(role)} .\n",
                f'{node} {_START} "{year}"{_XSD_YEAR} .\n',
                f"{node} {_DERIVED} {_section(year)} .\n",
            ]
            m += 1
            count["memberships"] += 1


class _Activities:
    """Draws one activity at a time (its lines), numbered by kind; :meth:`commit` keeps the last one drawn."""

    _COUNT_KEY: ClassVar[dict[str, str]] = {
        "reception": "receptions",
        "mission": "missions",
        "meeting": "meetings",
        "event": "events",
        "agreement": "agreements",
    }

    def __init__(self, world: _World, count: dict[str, int]) -> None:
        self.w, self.rng, self.count = world, world.rng, count
        self.next = dict.fromkeys(_ACTIVITIES.items, 0)
        self.next_leg = 0
        self.pending_legs = 0
        self._day0 = {y: _dt.date(y, 1, 1).toordinal() for y in YEARS}
        self._n = {
            "lg": world.plan.cities,
            "post": world.plan.posts,
            "diplo": world.plan.diplos,
            "company": world.plan.companies,
            "academic": world.plan.academics,
            "io": world.plan.ios,
            "network": world.plan.networks,
        }

    def draw(self) -> tuple[str, list[str]]:
        kind = _ACTIVITIES(self.rng)
        return kind, getattr(self, "_" + kind)(self.next[kind])

    def commit(self, kind: str) -> None:
        self.next[kind] += 1
        self.count[self._COUNT_KEY[kind]] += 1
        if kind == "mission":
            self.next_leg += self.pending_legs
            self.count["legs"] += self.pending_legs

    # -- helpers ---------------------------------------------------------------------------------------------
    def _year(self) -> int:
        return _YEARS(self.rng)

    def _date(self, year: int) -> str:
        days = 366 if year % 4 == 0 else 365
        return _dt.date.fromordinal(self._day0[year] + self.rng.randrange(days)).isoformat()

    def _theme(self) -> str:
        return _iri(f"theme-synth-{_skewed(self.rng, self.w.plan.themes, 1.8)}")

    def _agent(self, kinds: _Choice | None = None) -> tuple[str, str, int]:
        kind = (kinds or _VISITORS)(self.rng)
        i = _skewed(self.rng, self._n[kind])
        iri, city = self.w.agent(kind, i)
        return kind, iri, city

    def _common(self, s: str, cls: str, fr: str, en: str, year: int, date: str | None) -> list[str]:
        lines = [f"{s} {_A} {_Q[cls]} .\n", *_labels(s, fr, en)]
        if date is not None:
            lines.append(f'{s} {_START} "{date}"{_XSD_DATE} .\n')
        lines.append(f"{s} {_DERIVED} {_section(year)} .\n")
        return lines

    # -- the activities --------------------------------------------------------------------------------------
    def _reception(self, n: int) -> list[str]:
        rng, w = self.rng, self.w
        host = _skewed(rng, w.plan.cities, 3.0)  # a few cities host most receptions
        year = self._year()
        visitors: list[str] = []
        origin_city: int | None = None
        for _ in range(_VISITOR_COUNT(rng)):
            _kind, iri, city = self._agent()
            if iri in visitors or city == host:
                continue
            visitors.append(iri)
            origin_city = city if origin_city is None else origin_city
        if origin_city is None:  # every draw was the host itself: invite the next city's government
            origin_city = (host + 1) % w.plan.cities
            visitors.append(_iri(f"synth-lg-{origin_city}"))
        origin_fr, origin_en = w.city_name(origin_city)
        s = _iri(f"synth-reception-{n}")
        category = _CATEGORIES(rng)
        lines = self._common(
            s,
            "Reception",
            f"Accueil d'une délégation de {origin_fr}",
            f"Reception of a delegation from {origin_en}",
            year,
            self._date(year),
        )
        lines += [
            f"{s} {_Q['category']} {_iri(category)} .\n",
            f"{s} {_Q['host']} {_iri(f'synth-lg-{host}')} .\n",
            f"{s} {_Q['origin']} {_iri(f'synth-city-{origin_city}')} .\n",
        ]
        lines += [f"{s} {_Q['visitor']} {v} .\n" for v in visitors]
        lines += [f"{s} {_Q['theme']} {t} .\n" for t in self._themes(_THEME_COUNT(rng))]
        return lines

    def _themes(self, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k):
            t = self._theme()
            if t not in out:
                out.append(t)
        return out

    def _mission(self, n: int) -> list[str]:
        rng, w = self.rng, self.w
        leader = _skewed(rng, w.plan.posts, 2.5)
        home = leader // 3
        year = self._year()
        legs: list[int] = []
        for _ in range(_LEG_COUNT(rng)):
            city = _skewed(rng, w.plan.cities, 1.8)
            if city == home or (legs and legs[-1] == city):
                continue
            legs.append(city)
        if not legs:
            legs.append((home + 1) % w.plan.cities)
        first_fr, first_en = w.city_name(legs[0])
        home_fr, home_en = w.city_name(home)
        s = _iri(f"synth-mission-{n}")
        lines = self._common(
            s,
            "Mission",
            f"Mission de {home_fr} à {first_fr} ({year})",
            f"{home_en} mission to {first_en} ({year})",
            year,
            self._date(year),
        )
        lines += [
            f"{s} {_Q['missionLeader']} {_iri(f'synth-post-{leader}')} .\n",
            f"{s} {_Q['theme']} {self._theme()} .\n",
        ]
        for order, city in enumerate(legs, start=1):
            leg = _iri(f"synth-leg-{self.next_leg + order - 1}")
            city_fr, city_en = w.city_name(city)
            kind = "leg-transit" if len(legs) > 1 and rng.random() < 0.2 else "leg-working"
            lines += [
                f"{s} {_Q['leg']} {leg} .\n",
                f"{leg} {_A} {_Q['MissionLeg']} .\n",
                *_labels(leg, f"Étape {order} de la mission {n} : {city_fr}", f"Mission {n}, leg {order}: {city_en}"),
                f'{leg} {_Q["legOrder"]} "{order}"{_XSD_INT} .\n',
                f"{leg} {_Q['legCity']} {_iri(f'synth-city-{city}')} .\n",
                f"{leg} {_Q['legKind']} {_iri(kind)} .\n",
                f"{leg} {_DERIVED} {_section(year)} .\n",
            ]
        self.pending_legs = len(legs)
        return lines

    def _meeting(self, n: int) -> list[str]:
        rng, w = self.rng, self.w
        j = _skewed(rng, w.plan.networks, 1.5)
        members = w.members[j]
        year = self._year()
        k = min(len(members), 2 + int(10 * rng.random() ** 2.5))
        picked = [members[x] for x in rng.sample(range(len(members)), k)]
        location = picked[0] if picked else _skewed(rng, w.plan.cities)
        network_fr, network_en = w.org_name("network", j)
        pattern = _MEETINGS[rng.randrange(len(_MEETINGS))]
        s = _iri(f"synth-meeting-{n}")
        lines = self._common(
            s,
            "NetworkMeeting",
            pattern[0].format(network_fr, year),
            pattern[1].format(network_en, year),
            year,
            self._date(year),
        )
        lines += [
            f"{s} {_Q['organiser']} {_iri(f'synth-network-{j}')} .\n",
            f"{s} {_Q['location']} {_iri(f'synth-city-{location}')} .\n",
            f"{s} {_Q['theme']} {self._theme()} .\n",
        ]
        lines += [f"{s} {_Q['participant']} {_iri(f'synth-lg-{lg}')} .\n" for lg in picked]
        return lines

    def _event(self, n: int) -> list[str]:
        rng, w = self.rng, self.w
        _kind, organiser, city = self._agent(_ORGANISERS)
        year = self._year()
        theme = _skewed(rng, w.plan.themes, 1.8)
        theme_fr, theme_en = w.theme_name(theme)
        city_fr, city_en = w.city_name(city)
        pattern = _EVENTS[rng.randrange(len(_EVENTS))]
        s = _iri(f"synth-event-{n}")
        lines = self._common(
            s,
            "Event",
            pattern[0].format(f"de {city_fr}", theme_fr.lower()),
            pattern[1].format(city_en, theme_en.lower()),
            year,
            self._date(year),
        )
        lines += [
            f"{s} {_Q['organiser']} {organiser} .\n",
            f"{s} {_Q['location']} {_iri(f'synth-city-{city}')} .\n",
            f"{s} {_Q['theme']} {_iri(f'theme-synth-{theme}')} .\n",
            f'{s} {_Q["participantCount"]} "{int(20 + 5000 * rng.random() ** 3)}"{_XSD_INT} .\n',
        ]
        participants: list[str] = []
        for _ in range(1 + int(6 * rng.random() ** 2)):
            _kind, iri, _city = self._agent()
            if iri != organiser and iri not in participants:
                participants.append(iri)
        lines += [f"{s} {_Q['participant']} {p} .\n" for p in participants]
        return lines

    def _agreement(self, n: int) -> list[str]:
        rng, w = self.rng, self.w
        agreement_type = _AGREEMENT_TYPES(rng)
        parties: list[tuple[str, int]] = []
        first = _skewed(rng, w.plan.cities, 2.5)
        parties.append((_iri(f"synth-lg-{first}"), first))
        twinning = agreement_type == "type-twinning"
        wanted = 2 if twinning else _PARTY_COUNT(rng)
        kinds = _TWINS if twinning else _PARTIES
        for _ in range(12):
            if len(parties) >= wanted:
                break
            _kind, iri, city = self._agent(kinds)
            if all(iri != p for p, _ in parties):
                parties.append((iri, city))
        if len(parties) < 2:  # the draws kept hitting the first party: take the next city's government
            other = (first + 1) % w.plan.cities
            parties.append((_iri(f"synth-lg-{other}"), other))
        a_fr, a_en = w.city_name(parties[0][1])
        b_fr, b_en = w.city_name(parties[1][1])
        type_fr, type_en = _AGREEMENT_NAMES[agreement_type]
        more_fr, more_en = (" et autres", " and others") if len(parties) > 2 else ("", "")
        year = self._year()
        s = _iri(f"synth-agreement-{n}")
        lines = [
            f"{s} {_A} {_Q['Agreement']} .\n",
            *_labels(s, f"{type_fr} {a_fr} – {b_fr}{more_fr} ({year})", f"{type_en} {a_en} – {b_en}{more_en} ({year})"),
            f"{s} {_Q['agreementType']} {_iri(agreement_type)} .\n",
            f'{s} {_START} "{year}"{_XSD_YEAR} .\n',
        ]
        if rng.random() < 0.4:
            lines.append(f'{s} {_END} "{year + rng.randint(2, 10)}"{_XSD_YEAR} .\n')
        lines += [f"{s} {_Q['party']} {p} .\n" for p, _ in parties]
        lines += [f"{s} {_Q['theme']} {self._theme()} .\n", f"{s} {_DERIVED} {_section(year)} .\n"]
        return lines


# ---------------------------------------------------------------------------------------------------------
# Files and sizes
# ---------------------------------------------------------------------------------------------------------


def write(
    path: str | os.PathLike[str], triples: int, *, seed: int = 0, progress: Callable[[int], None] | None = None
) -> Summary:
    """Write a synthetic graph to ``path``, atomically, and return its :class:`Summary`.

    A ``.nq`` path gets N-Quads, each statement in the named graph of its year (:func:`generate_quads`): the
    build tags those graphs with their years. Any other path gets N-Triples (:func:`generate`), one graph with
    no year.

    The lines stream to a temporary file in the same folder, which is renamed onto ``path`` once complete:
    a reader sees the old file or the new one, never half of one; an error leaves no temporary file behind.

    Parameters
    ----------
    path : path-like
        The output file (``.nt``); its folder is created if needed.
    triples, seed : int
        As for :func:`generate`.
    progress : callable, optional
        Called with the number of triples written so far, every 100,000 triples.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "s.nt"
    >>> s = write(out, 1_000, seed=3)
    >>> len(out.read_text(encoding="utf-8").splitlines()) == s.triples
    True
    """
    started = time.perf_counter()
    summary = Summary()
    with atomic_writer(path) as fh:
        chunk: list[str] = []
        lines = generate_quads if os.fspath(path).endswith(".nq") else generate
        for line in lines(triples, seed=seed, summary=summary):
            chunk.append(line)
            if len(chunk) == 100_000:
                fh.write("".join(chunk).encode("utf-8"))
                chunk.clear()
                if progress:
                    progress(summary.triples)
        fh.write("".join(chunk).encode("utf-8"))
    summary.seconds = time.perf_counter() - started
    return summary


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$")


def parse_size(text: str | int) -> int:
    """Read a size such as ``20000``, ``20_000``, ``100k``, ``1M`` or ``2.5m``.

    Examples
    --------
    >>> [parse_size(s) for s in ("20000", "20_000", "100k", "1M", "2.5m")]
    [20000, 20000, 100000, 1000000, 2500000]
    >>> parse_size("lots")
    Traceback (most recent call last):
    ...
    ValueError: 'lots' is not a size: write a number of triples, e.g. 20000, 100k or 1M
    """
    if isinstance(text, int):
        return text
    match = _SIZE.match(str(text).replace("_", "").replace(",", ""))
    if not match:
        raise ValueError(f"{text!r} is not a size: write a number of triples, e.g. 20000, 100k or 1M")
    number, unit = match.groups()
    return round(float(number) * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[unit.lower()])
