"""The ontology's IRIs as constants for code; a test checks each is declared in ``qkg.ttl``.

>>> str(Mission)
'https://w3id.org/qkg/def#Mission'
"""
from __future__ import annotations

from ontology import QKG

__all__ = [
    "CLASSES", "OBJECT_PROPERTIES", "DATATYPE_PROPERTIES",
    "Place", "City", "Region", "Country", "Organisation", "PublicAdministration", "LocalGovernment",
    "RegionalGovernment", "NationalGovernment", "DiplomaticRepresentation", "InternationalOrganisation",
    "CityNetwork", "OrganisationalUnit", "Committee", "Company", "AcademicInstitution", "Group", "Post",
    "Person", "Activity", "Reception", "CourtesyReception", "CollaborationReception", "StrategicReception",
    "Mission", "MissionLeg", "NetworkMeeting", "Event", "Project", "Agreement", "PartnerEntry", "Report",
    "ReportSection", "DeclaredFigure",
    "locatedIn", "country", "jurisdiction", "basedIn", "origin", "participant", "missionLeader", "visitor",
    "organiser", "host", "coOrganiser", "funder", "fundedUnder", "location", "framework", "alongside",
    "outcome", "category", "theme", "axis", "sector", "leg", "legCity", "legPurpose", "legKind",
    "destination", "countryVisited", "party", "facilitator", "agreementType", "implements",
    "establishedUnder", "twinnedWith", "memberOf", "partnerOrganisation", "indicator", "enumerates",
    "section", "annexItem", "legOrder", "participantCount", "participantCountQualifier",
    "economicImpactCAD", "statedValue", "page", "wikidata",
]

CLASSES = (
    "Place", "City", "Region", "Country", "Organisation", "PublicAdministration", "LocalGovernment",
    "RegionalGovernment", "NationalGovernment", "DiplomaticRepresentation", "InternationalOrganisation",
    "CityNetwork", "OrganisationalUnit", "Committee", "Company", "AcademicInstitution", "Group", "Post",
    "Person", "Activity", "Reception", "CourtesyReception", "CollaborationReception", "StrategicReception",
    "Mission", "MissionLeg", "NetworkMeeting", "Event", "Project", "Agreement", "PartnerEntry", "Report",
    "ReportSection", "DeclaredFigure",
)
OBJECT_PROPERTIES = (
    "locatedIn", "country", "jurisdiction", "basedIn", "origin", "participant", "missionLeader", "visitor",
    "organiser", "host", "coOrganiser", "funder", "fundedUnder", "location", "framework", "alongside",
    "outcome", "category", "theme", "axis", "sector", "leg", "legCity", "legPurpose", "legKind",
    "destination", "countryVisited", "party", "facilitator", "agreementType", "implements",
    "establishedUnder", "twinnedWith", "memberOf", "partnerOrganisation", "indicator", "enumerates",
    "section",
)
DATATYPE_PROPERTIES = (
    "annexItem", "legOrder", "participantCount", "participantCountQualifier", "economicImpactCAD",
    "statedValue", "page", "wikidata",
)

for _name in CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES:
    globals()[_name] = QKG[_name]
del _name
