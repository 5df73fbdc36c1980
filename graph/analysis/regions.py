"""Countries to continents, kept in code: the graph has countries (``qkg:Country``) but no continents.

A country is matched by its IRI's local name (the French slug the data uses, ``qkgd:suisse``), then by its
French or English label, then by its Wikidata id. An unknown country maps to ``None`` (shown as "?"), never
to a guess. Continents follow the usual six-continent split used in French (Amérique du Nord includes
Central America and the Caribbean).

>>> continent_of("https://w3id.org/qkg/id/suisse")
'Europe'
>>> continent_of("https://w3id.org/qkg/id/x", labels=("Ecuador",))
'Amérique du Sud'
>>> continent_of("https://w3id.org/qkg/id/atlantis") is None
True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["CONTINENTS", "COUNTRY_CONTINENT", "continent_name", "continent_of"]

EU, NA, SA, AF, AS, OC = "Europe", "Amérique du Nord", "Amérique du Sud", "Afrique", "Asie", "Océanie"
#: The continents, in display order.
CONTINENTS = (NA, SA, EU, AF, AS, OC)
#: Each continent's name in English (the French names above are also its identifiers: ``continent:Europe``).
ENGLISH = {EU: "Europe", NA: "North America", SA: "South America", AF: "Africa", AS: "Asia", OC: "Oceania"}


def continent_name(continent: str, lang: str) -> str:
    """A continent (one of :data:`CONTINENTS`) named in ``lang``.

    >>> continent_name("Amérique du Nord", "en"), continent_name("Amérique du Nord", "fr")
    ('North America', 'Amérique du Nord')
    """
    return ENGLISH.get(continent, continent) if lang == "en" else continent


_TABLE = {
    EU: "albanie allemagne andorre autriche belgique bielorussie bosnie-herzegovine bulgarie chypre croatie "
    "danemark espagne estonie finlande france grece hongrie irlande islande italie kosovo lettonie "
    "liechtenstein lituanie luxembourg macedoine-du-nord malte moldavie monaco montenegro norvege pays-bas "
    "pologne portugal republique-tcheque tchequie roumanie royaume-uni russie saint-marin serbie slovaquie "
    "slovenie suede suisse ukraine vatican armenie georgie azerbaidjan | albania germany andorra austria "
    "belgium belarus bosnia-and-herzegovina bulgaria cyprus croatia denmark spain estonia finland greece "
    "hungary ireland iceland italy latvia lithuania macedonia malta moldova montenegro norway netherlands "
    "poland romania united-kingdom russia san-marino serbia slovakia slovenia sweden switzerland ukraine "
    "czech-republic czechia vatican-city armenia georgia azerbaijan",
    NA: "canada etats-unis mexique guatemala belize honduras salvador el-salvador nicaragua costa-rica panama "
    "cuba haiti republique-dominicaine jamaique bahamas barbade trinite-et-tobago martinique guadeloupe "
    "saint-pierre-et-miquelon groenland | united-states usa mexico dominican-republic jamaica barbados "
    "trinidad-and-tobago greenland",
    SA: "argentine bolivie bresil chili colombie equateur guyana guyane paraguay perou suriname uruguay "
    "venezuela | argentina bolivia brazil chile colombia ecuador peru",
    AF: "afrique-du-sud algerie angola benin botswana burkina-faso burundi cameroun cap-vert centrafrique "
    "comores congo rdc republique-democratique-du-congo cote-d-ivoire djibouti egypte erythree eswatini "
    "ethiopie gabon gambie ghana guinee guinee-bissau guinee-equatoriale kenya lesotho liberia libye "
    "madagascar malawi mali maroc maurice mauritanie mozambique namibie niger nigeria ouganda rwanda "
    "sao-tome-et-principe senegal seychelles sierra-leone somalie soudan soudan-du-sud tanzanie tchad togo "
    "tunisie zambie zimbabwe | south-africa algeria cameroon cape-verde ivory-coast egypt ethiopia "
    "morocco mauritius mauritania tunisia uganda",
    AS: "afghanistan arabie-saoudite bahrein bangladesh bhoutan birmanie brunei cambodge chine coree-du-sud "
    "coree-du-nord emirats-arabes-unis inde indonesie irak iran israel japon jordanie kazakhstan "
    "kirghizistan koweit laos liban malaisie maldives mongolie nepal oman ouzbekistan pakistan palestine "
    "philippines qatar singapour sri-lanka syrie tadjikistan taiwan thailande timor-oriental turkmenistan "
    "turquie vietnam yemen hong-kong | saudi-arabia china south-korea korea north-korea "
    "united-arab-emirates india indonesia iraq japan jordan lebanon malaysia mongolia singapore syria "
    "thailand turkey viet-nam",
    OC: "australie nouvelle-zelande fidji papouasie-nouvelle-guinee samoa tonga vanuatu polynesie-francaise "
    "nouvelle-caledonie | australia new-zealand fiji papua-new-guinea french-polynesia new-caledonia",
}
#: Normalised country name or slug -> continent.
COUNTRY_CONTINENT: dict[str, str] = {
    name: continent for continent, names in _TABLE.items() for name in names.replace("|", " ").split()
}
# Wikidata ids of the countries most likely in the data (background facts carry them).
_WIKIDATA = {
    "Q16": NA,
    "Q30": NA,
    "Q96": NA,
    "Q142": EU,
    "Q39": EU,
    "Q29": EU,
    "Q31": EU,
    "Q45": EU,
    "Q36": EU,
    "Q224": EU,
    "Q38": EU,
    "Q183": EU,
    "Q145": EU,
    "Q27": EU,
    "Q33": EU,
    "Q155": SA,
    "Q414": SA,
    "Q77": SA,
    "Q736": SA,
    "Q408": OC,
    "Q1028": AF,
    "Q1009": AF,
    "Q17": AS,
    "Q148": AS,
}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out = "".join(c if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p)


def continent_of(country_iri: str, *, labels: Iterable[str] = (), wikidata: str | None = None) -> str | None:
    """The continent of a country, from its IRI's local name, its labels or its Wikidata id; else None."""
    local = country_iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    for key in (local, *labels):
        hit = COUNTRY_CONTINENT.get(_slug(key))
        if hit:
            return hit
    return _WIKIDATA.get(wikidata or "")
