"""Tiny RDF graphs with known answers, built through the real build (checks + inference) into a store.

Shared by the network, metrics, complementarity and API tests (no test in this module).

``STAR``: ``hub`` signs one agreement with each of ``a``, ``b``, ``c``, ``d`` -> a star K1,4.
``PATH``: ``p1 - p2 - p3 - p4 - p5``, each link a different kind of fact -> a path P5.
``CLIQUES``: ``x1..x4`` at one event, ``y1..y4`` at another, ``x1`` and ``y1`` sign an agreement -> two K4
joined by a bridge. ``EXTRAS``: posts, units, places, themes, dates, provenance, a committee.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from qkg.graph.building.pipeline import Source, build
from qkg.graph.serving.store import open_read_only

__all__ = ["PREFIXES", "STAR", "PATH", "CLIQUES", "EXTRAS", "build_store", "D"]

D = "https://w3id.org/qkg/id/"

PREFIXES = """\
@prefix qkg: <https://w3id.org/qkg/def#> . @prefix qkgd: <https://w3id.org/qkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
qkgd:rep a qkg:Report ; rdfs:label "Rapport test"@fr .
qkgd:sec-a a qkg:ReportSection ; rdfs:label "Section A"@fr , "Section A (en)"@en .
qkgd:sec-annex a qkg:ReportSection ; rdfs:label "Annexe : ententes"@fr .
"""


def _orgs(*names: str) -> str:
    return "".join(f'qkgd:{n} a qkg:Organisation ; rdfs:label "{n.upper()}"@fr .\n' for n in names)


def _agreement(name: str, *parties: str, item: int | None = None, extra: str = "") -> str:
    ps = " , ".join(f"qkgd:{p}" for p in parties)
    annex = f" ; qkg:annexItem {item}" if item else ""
    return (
        f'qkgd:{name} a qkg:Agreement ; rdfs:label "Entente {name}"@fr ; qkg:party {ps} ; '
        f"qkg:agreementType qkgd:type-collaboration-protocol ; prov:wasDerivedFrom qkgd:sec-annex{annex}{extra} .\n"
    )


def _event(name: str, *participants: str, extra: str = "") -> str:
    ps = " , ".join(f"qkgd:{p}" for p in participants)
    return (
        f'qkgd:{name} a qkg:Event ; rdfs:label "Événement {name}"@fr ; qkg:participant {ps} ; '
        f"prov:wasDerivedFrom qkgd:sec-a{extra} .\n"
    )


STAR = (
    PREFIXES
    + _orgs("hub", "a", "b", "c", "d")
    + "".join(_agreement(f"ag-{x}", "hub", x, item=i) for i, x in enumerate("abcd", start=1))
)

PATH = (
    PREFIXES
    + _orgs("p1", "p2", "p3", "p4", "p5")
    + _agreement("ag-12", "p1", "p2")
    + _event("ev-23", "p2", "p3")
    + _agreement("ag-34", "p3", "p4")
    + """qkgd:m-45 a org:Membership ; org:member qkgd:p4 ; org:organization qkgd:p5 ; org:role qkgd:role-member ;
    prov:wasDerivedFrom qkgd:sec-a .\n"""
)

CLIQUES = (
    PREFIXES
    + _orgs(*[f"x{i}" for i in range(1, 5)], *[f"y{i}" for i in range(1, 5)])
    + _event("ev-x", "x1", "x2", "x3", "x4")
    + _event("ev-y", "y1", "y2", "y3", "y4")
    + _agreement("ag-xy", "x1", "y1")
)

EXTRAS = (
    PREFIXES
    + """
qkgd:fr a qkg:Country ; rdfs:label "France"@fr . qkgd:suisse a qkg:Country ; rdfs:label "Suisse"@fr .
qkgd:canada a qkg:Country ; rdfs:label "Canada"@fr .
qkgd:paris a qkg:City ; rdfs:label "Paris"@fr ; qkg:country qkgd:fr .
qkgd:lausanne a qkg:City ; rdfs:label "Lausanne"@fr ; qkg:country qkgd:suisse .
qkgd:quebec a qkg:City ; rdfs:label "Québec"@fr ; qkg:country qkgd:canada .
qkgd:theme-sante a skos:Concept ; skos:prefLabel "Santé durable"@fr .
qkgd:theme-culture a skos:Concept ; skos:prefLabel "Culture"@fr .
qkgd:ville-de-quebec a qkg:LocalGovernment ; rdfs:label "Ville de Québec"@fr ; qkg:jurisdiction qkgd:quebec .
qkgd:ville-de-lausanne a qkg:LocalGovernment ; rdfs:label "Ville de Lausanne"@fr ; qkg:jurisdiction qkgd:lausanne .
qkgd:maire a qkg:Post ; rdfs:label "Maire de Québec"@fr ; org:postIn qkgd:ville-de-quebec .
qkgd:maire-lausanne a qkg:Post ; rdfs:label "Syndic de Lausanne"@fr ; org:postIn qkgd:ville-de-lausanne .
qkgd:forum a qkg:CityNetwork ; rdfs:label "Forum"@fr ; qkg:basedIn qkgd:paris .
qkgd:forum-board a qkg:OrganisationalUnit ; rdfs:label "CA du forum"@fr ; org:unitOf qkgd:forum .
qkgd:qi a qkg:Organisation ; rdfs:label "Québec International"@fr ; qkg:basedIn qkgd:quebec .
qkgd:innov a qkg:Organisation ; rdfs:label "Innov"@fr ; qkg:basedIn qkgd:lausanne ; qkg:theme qkgd:theme-culture .
qkgd:ul a qkg:AcademicInstitution ; rdfs:label "Université"@fr .
qkgd:mrif a qkg:RegionalGovernment ; rdfs:label "MRIF"@fr .
qkgd:comite a qkg:Committee ; rdfs:label "Comité"@fr .
qkgd:cm1 a org:Membership ; org:member qkgd:ville-de-quebec ; org:organization qkgd:comite ; org:role qkgd:role-coordinator ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:cm2 a org:Membership ; org:member qkgd:qi ; org:organization qkgd:comite ; org:role qkgd:role-member ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:cm3 a org:Membership ; org:member qkgd:ul ; org:organization qkgd:comite ; org:role qkgd:role-member ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:cm4 a org:Membership ; org:member qkgd:mrif ; org:organization qkgd:comite ; org:role qkgd:role-member ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:bm1 a org:Membership ; org:member qkgd:maire ; org:organization qkgd:forum-board ; org:role qkgd:role-chair ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:bm2 a org:Membership ; org:member qkgd:maire-lausanne ; org:organization qkgd:forum-board ; org:role qkgd:role-board-member ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:ag-qi-innov a qkg:Agreement ; rdfs:label "Entente QI–Innov"@fr ; qkg:party qkgd:qi , qkgd:innov ;
    qkg:facilitator qkgd:ville-de-quebec ; qkg:agreementType qkgd:type-cooperation-agreement ;
    qkg:theme qkgd:theme-sante ; prov:wasDerivedFrom qkgd:sec-annex ; qkg:annexItem 7 .
qkgd:conf a qkg:Event , qkg:Reception ; rdfs:label "Conférence santé"@fr ; qkg:category qkgd:cat-strategic ;
    qkg:funder qkgd:mrif , qkgd:ville-de-quebec , qkgd:ul ; qkg:location qkgd:quebec ; qkg:theme qkgd:theme-sante ;
    schema:startDate "2024-12-03"^^xsd:date ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:old a qkg:Event ; rdfs:label "Ancien"@fr ; qkg:participant qkgd:qi , qkgd:ul ; schema:startDate "2019"^^xsd:gYear ;
    qkg:location qkgd:paris ; qkg:theme qkgd:theme-culture ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:mission-1 a qkg:Mission ; rdfs:label "Mission 1"@fr ; qkg:missionLeader qkgd:maire ; qkg:leg qkgd:mission-1-leg-1 ;
    prov:wasDerivedFrom qkgd:sec-a ; qkg:annexItem 1 .
qkgd:mission-1-leg-1 a qkg:MissionLeg ; qkg:legOrder 1 ; qkg:legCity qkgd:lausanne ; prov:wasDerivedFrom qkgd:sec-a .
qkgd:pe-1 a qkg:PartnerEntry ; rdfs:label "Entrée 1"@fr ; qkg:partnerOrganisation qkgd:qi , qkgd:innov ; qkg:annexItem 1 ;
    prov:wasDerivedFrom qkgd:sec-annex .
"""
)


def build_store(tmp: Path, ttl: str, name: str = "fixture") -> ox.Store:
    """Build ``ttl`` (Turtle) like ``qkg build`` does (checks and inference, no SHACL) and open it read-only."""
    src = tmp / f"{name}.ttl"
    src.write_text(ttl, encoding="utf-8")
    result = build([Source(src, D + f"graph-test-{name}")], data_dir=tmp / f"{name}-data", shacl=False)
    return open_read_only(result.path)
