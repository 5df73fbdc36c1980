"""The ontology's IRIs as constants for code; a test checks each is declared in ``qkg.ttl``.

>>> str(Mission)
'https://w3id.org/qkg/def#Mission'
"""
from __future__ import annotations

from qkg.ontology import QKG

__all__ = [
    "CLASSES", "OBJECT_PROPERTIES", "DATATYPE_PROPERTIES",
    "Place", "City", "Region", "Country", "Organisation", "PublicAdministration", "LocalGovernment",
    "RegionalGovernment", "NationalGovernment", "DiplomaticRepresentation", "InternationalOrganisation",
    "CityNetwork", "OrganisationalUnit", "Committee", "Company", "AcademicInstitution", "Group", "Post",
    "Person", "Activity", "Reception", "CourtesyReception", "CollaborationReception", "StrategicReception",
    "Mission", "MissionLeg", "NetworkMeeting", "Event", "Project", "Agreement", "PartnerEntry", "Report",
    "ReportSection", "DeclaredFigure", "ContributedActivity", "ContributedSheet", "activityKind",
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
    "ReportSection", "DeclaredFigure", "ContributedActivity", "ContributedSheet",
)
OBJECT_PROPERTIES = (
    "locatedIn", "country", "jurisdiction", "basedIn", "origin", "participant", "missionLeader", "visitor",
    "organiser", "host", "coOrganiser", "funder", "fundedUnder", "location", "framework", "alongside",
    "outcome", "category", "theme", "axis", "sector", "leg", "legCity", "legPurpose", "legKind",
    "destination", "countryVisited", "party", "facilitator", "agreementType", "implements",
    "establishedUnder", "twinnedWith", "memberOf", "partnerOrganisation", "indicator", "enumerates",
    "section", "activityKind",
)
DATATYPE_PROPERTIES = (
    "annexItem", "legOrder", "participantCount", "participantCountQualifier", "economicImpactCAD",
    "statedValue", "page", "wikidata",
)

# Explicit constants (not generated at import time), so editors and linters see them.
# classes
Place = QKG.Place
City = QKG.City
Region = QKG.Region
Country = QKG.Country
Organisation = QKG.Organisation
PublicAdministration = QKG.PublicAdministration
LocalGovernment = QKG.LocalGovernment
RegionalGovernment = QKG.RegionalGovernment
NationalGovernment = QKG.NationalGovernment
DiplomaticRepresentation = QKG.DiplomaticRepresentation
InternationalOrganisation = QKG.InternationalOrganisation
CityNetwork = QKG.CityNetwork
OrganisationalUnit = QKG.OrganisationalUnit
Committee = QKG.Committee
Company = QKG.Company
AcademicInstitution = QKG.AcademicInstitution
Group = QKG.Group
Post = QKG.Post
Person = QKG.Person
Activity = QKG.Activity
Reception = QKG.Reception
CourtesyReception = QKG.CourtesyReception
CollaborationReception = QKG.CollaborationReception
StrategicReception = QKG.StrategicReception
Mission = QKG.Mission
MissionLeg = QKG.MissionLeg
NetworkMeeting = QKG.NetworkMeeting
Event = QKG.Event
Project = QKG.Project
Agreement = QKG.Agreement
PartnerEntry = QKG.PartnerEntry
Report = QKG.Report
ReportSection = QKG.ReportSection
DeclaredFigure = QKG.DeclaredFigure
ContributedActivity = QKG.ContributedActivity
ContributedSheet = QKG.ContributedSheet
# object properties
locatedIn = QKG.locatedIn
activityKind = QKG.activityKind
country = QKG.country
jurisdiction = QKG.jurisdiction
basedIn = QKG.basedIn
origin = QKG.origin
participant = QKG.participant
missionLeader = QKG.missionLeader
visitor = QKG.visitor
organiser = QKG.organiser
host = QKG.host
coOrganiser = QKG.coOrganiser
funder = QKG.funder
fundedUnder = QKG.fundedUnder
location = QKG.location
framework = QKG.framework
alongside = QKG.alongside
outcome = QKG.outcome
category = QKG.category
theme = QKG.theme
axis = QKG.axis
sector = QKG.sector
leg = QKG.leg
legCity = QKG.legCity
legPurpose = QKG.legPurpose
legKind = QKG.legKind
destination = QKG.destination
countryVisited = QKG.countryVisited
party = QKG.party
facilitator = QKG.facilitator
agreementType = QKG.agreementType
implements = QKG.implements
establishedUnder = QKG.establishedUnder
twinnedWith = QKG.twinnedWith
memberOf = QKG.memberOf
partnerOrganisation = QKG.partnerOrganisation
indicator = QKG.indicator
enumerates = QKG.enumerates
section = QKG.section
# datatype properties
annexItem = QKG.annexItem
legOrder = QKG.legOrder
participantCount = QKG.participantCount
participantCountQualifier = QKG.participantCountQualifier
economicImpactCAD = QKG.economicImpactCAD
statedValue = QKG.statedValue
page = QKG.page
wikidata = QKG.wikidata
