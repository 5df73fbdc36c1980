"""Audit the report's headline figures against its own details.

Each ``qkg:DeclaredFigure`` in the graph (a figure as the report states it) is recomputed from the detailed
facts (annex entries, mission legs, memberships...) by the check registered for its indicator. The verdict is
one of ``agrees``, ``disagrees``, ``ambiguous``, ``not reproducible`` or ``not checkable``, always with the
reason and the figures behind it.

Each figure is audited against the details of its own report year: a figure stated in a graph of ``data/2025/``
(tagged ``dct:temporal "2025"`` in the build record) counts the missions, receptions, entries... that the 2025
files state (:class:`Scope`: the counted node's defining triple is read in one of that year's graphs), so adding
a year never changes the verdicts of another. A figure stated outside any year graph (a flat data folder) is
audited against the whole graph, as before years existed. One query per check and figure: a few dozen queries
per report year, whatever the size of the graph.

>>> sorted(CHECKS)[:3]
['external-partners', 'forum-participations', 'forums']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from qkg.graph.errors import N_
from qkg.graph.named_graphs import BUILD_GRAPH, INFERRED_GRAPH, YEAR_TAG
from qkg.graph.serving.results import term_text
from qkg.graph.serving.store import Store
from qkg.ontology import sparql_prefixes
from qkg.ontology.curies import short

__all__ = [
    "Finding",
    "Scope",
    "CHECKS",
    "audit",
    "findings_as_json",
    "FactProblem",
    "FactAudit",
    "audit_facts",
    "BACKGROUND_GRAPH_PREFIX",
    "FACT_AUDIT_LIMIT",
]

Q = Callable[[str], list]


@dataclass(frozen=True)
class Finding:
    """The audit of one headline figure."""

    indicator: str
    label: str
    stated: float | None
    measured: float | None
    verdict: str
    reason: str
    figure: str
    details: dict = field(default_factory=dict)
    #: ``reason`` as an English message with ``{placeholders}`` (a Babel catalogue id) and their values, so a
    #: page can show it in its language; the indicator's label by language.
    message: str = ""
    params: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    #: The report year whose figure this is (its graph's ``dct:temporal``), None for a figure of no year.
    year: str | None = None


@dataclass(frozen=True)
class Scope:
    """Where a check reads the details of one figure: the named graphs of its report year (none: the whole graph).

    >>> print(Scope().stated("?x a qkg:Mission"))
    ?x a qkg:Mission .
    >>> print(Scope("2025", ("https://w3id.org/qkg/id/graph-2025-missions",)).stated("?x a qkg:Mission"))
    { SELECT DISTINCT ?x WHERE { VALUES ?g_ { <https://w3id.org/qkg/id/graph-2025-missions> } GRAPH ?g_ { ?x a qkg:Mission } } }
    """

    year: str | None = None
    graphs: tuple[str, ...] = ()

    def stated(self, block: str) -> str:
        """``block`` (triple patterns) as the year's files state it: read in one of the year's graphs, each
        solution once (a node two files of the year type is counted once); the plain pattern with no year."""
        if self.year is None:
            return f"{block} ."
        names = sorted(set(re.findall(r"\?\w+", block)))
        values = " ".join(f"<{g}>" for g in self.graphs)
        return f"{{ SELECT DISTINCT {' '.join(names)} WHERE {{ VALUES ?g_ {{ {values} }} GRAPH ?g_ {{ {block} }} }} }}"


def _say(message: str, **params) -> tuple[str, dict]:
    """A reason: its catalogue message and the values of its placeholders."""
    return message, params


def _count(q: Q, where: str) -> int:
    rows = q(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value) if rows else 0


def _simple(where: Callable[[Scope], str], noun: str) -> Callable[..., tuple]:
    """A count of the nodes ``where(scope)`` binds to ``?x``, against the stated figure."""

    def check(q: Q, stated: float, scope: Scope, figure: str) -> tuple:
        n = _count(q, where(scope))
        if n == stated:
            return n, "agrees", _say(N_("{n} {noun}, as stated"), n=n, noun=noun), {}
        return (
            n,
            "disagrees",
            _say(N_("the details list {n} {noun}, the headline says {stated}"), n=n, noun=noun, stated=f"{stated:g}"),
            {},
        )

    return check


def _french_labels(q: Q, where: str, *, group_by: str, having: str) -> list[str]:
    """The French ``?label`` of each group of ``where`` (grouped by ``group_by``) that passes ``having``."""
    rows = q(
        f"SELECT ?label WHERE {{ {where} FILTER(lang(?label)='fr') }} GROUP BY {group_by} ?label HAVING ({having})"
    )
    return [r["label"].value for r in rows]


def _category(cat: str) -> Callable[..., tuple]:
    nouns = {
        "courtesy": N_("courtesy receptions in the annex"),
        "collaboration": N_("collaboration receptions in the annex"),
        "strategic": N_("strategic receptions in the annex"),
    }
    return _simple(
        lambda s: s.stated("?x a qkg:Reception") + " " + s.stated(f"?x qkg:category qkgd:cat-{cat}"), nouns[cat]
    )


def _mission_legs(s: Scope) -> str:
    """The missions of the scope and their legs (``?m``, ``?l``), both as the year's files state them."""
    return s.stated("?m a qkg:Mission") + " " + s.stated("?m qkg:leg ?l")


def _mission_cities(q: Q, stated: float, s: Scope, figure: str) -> tuple:
    distinct = _count(q, f"{_mission_legs(s)} ?l qkg:legCity ?x .")
    stops = _count(q, s.stated("?m a qkg:Mission") + " " + s.stated("?m qkg:leg ?x"))
    repeated = _french_labels(
        q,
        s.stated("?m qkg:leg ?l") + " ?l qkg:legCity ?c . ?c rdfs:label ?label .",
        group_by="?c",
        having="COUNT(DISTINCT ?m) > 1",
    )
    working = _count(
        q, f"{_mission_legs(s)} ?l qkg:legCity ?x . FILTER NOT EXISTS {{ ?l qkg:legKind qkgd:leg-transit }}"
    )
    working_countries = _count(
        q,
        f"{_mission_legs(s)} ?l qkg:legCity/qkg:country ?x . FILTER NOT EXISTS {{ ?l qkg:legKind qkgd:leg-transit }}",
    )
    details = {
        "distinct_cities": distinct,
        "stops": stops,
        "cities_visited_twice": repeated,
        "cities_without_transit_stops": working,
        "countries_without_transit_stops": working_countries,
    }
    if distinct == stated:
        return distinct, "agrees", _say(N_("{n} distinct cities in the missions annex"), n=distinct), details
    return (
        distinct,
        "disagrees",
        _say(
            N_(
                "the missions annex names {distinct} distinct cities in {stops} stops ({twice} twice), not {stated};"
                " leaving out transit stops gives {working} cities but {countries} countries, so no rule found in the"
                " report reproduces both the city and the country figures"
            )
            if repeated
            else N_(
                "the missions annex names {distinct} distinct cities in {stops} stops, not {stated}; leaving out"
                " transit stops gives {working} cities but {countries} countries, so no rule found in the report"
                " reproduces both the city and the country figures"
            ),
            distinct=distinct,
            stops=stops,
            twice=", ".join(repeated),
            stated=f"{stated:g}",
            working=working,
            countries=working_countries,
        ),
        details,
    )


def _participations(q: Q, stated: float, s: Scope, figure: str) -> tuple:
    meeting = s.stated("?x a qkg:NetworkMeeting")
    meetings = q(f"""SELECT DISTINCT ?x ?label ?forum WHERE {{
        {meeting} ?x qkg:organiser ?forum ; rdfs:label ?label . FILTER(lang(?label) = 'fr')
        ?mem org:member qkgd:ville-de-quebec ; org:organization ?forum .
        {{ ?x qkg:participant qkgd:ville-de-quebec }} UNION {{ ?x qkg:participant ?post . ?post org:postIn qkgd:ville-de-quebec }}
        }} ORDER BY ?label""")
    unstated = q(f"""SELECT DISTINCT ?x ?label WHERE {{
        {meeting} ?x qkg:organiser ?forum ; rdfs:label ?label . FILTER(lang(?label) = 'fr')
        ?mem org:member qkgd:ville-de-quebec ; org:organization ?forum .
        FILTER NOT EXISTS {{ ?x qkg:participant qkgd:ville-de-quebec }}
        FILTER NOT EXISTS {{ ?x qkg:participant ?post . ?post org:postIn qkgd:ville-de-quebec }} }}""")
    n = len({r["x"].value for r in meetings})
    via_missions = _count(q, f"{meeting} ?l qkg:legPurpose ?x . " + s.stated("?m qkg:leg ?l"))
    details = {
        "documented": [r["label"].value for r in meetings],
        "served_by_missions": via_missions,
        "participation_not_stated": [r["label"].value for r in unstated],
    }
    if n == stated:
        return n, "agrees", _say(N_("{n} documented participations"), n=n), details
    ceiling = n + len(unstated)
    return (
        n,
        "not reproducible",
        _say(
            N_(
                "the report documents {n} participations in meetings of the City's forums ({via} through the"
                " missions annex); at most {ceiling} if meetings where the City's presence is not stated are"
                " counted; the headline says {stated}"
            ),
            n=n,
            via=via_missions,
            ceiling=ceiling,
            stated=f"{stated:g}",
        ),
        details,
    )


#: The year of the agreements a figure of no report year counts (the first report's).
_DEFAULT_AGREEMENT_YEAR = "2024"


def _new_agreements(q: Q, stated: float, s: Scope, figure: str) -> tuple:
    year = s.year or _DEFAULT_AGREEMENT_YEAR
    enumerated = s.stated(f"<{figure}> qkg:enumerates ?x")
    listed = _count(q, f"{enumerated} ?x a qkg:Agreement .")
    city = (
        s.stated("?x a qkg:Agreement")
        + " ?x qkg:party qkgd:ville-de-quebec ; schema:startDate ?d ; rdfs:label ?label ."
    )
    concluded = q(f"""SELECT DISTINCT ?x ?label WHERE {{
        {city} FILTER(lang(?label) = 'fr' && STRSTARTS(STR(?d), '{year}')) }} ORDER BY ?label""")
    n = len({r["x"].value for r in concluded})
    extra = [
        r["label"].value
        for r in q(f"""SELECT DISTINCT ?label WHERE {{
        {city} FILTER(lang(?label) = 'fr' && STRSTARTS(STR(?d), '{year}'))
        FILTER NOT EXISTS {{ {enumerated} }} }}""")
    ]
    details = {"listed_with_the_figure": listed, f"city_agreements_starting_{year}": n, "not_in_the_list": extra}
    if n == stated and listed == stated:
        return n, "agrees", _say(N_("{n} new agreements, all listed"), n=n), details
    return (
        n,
        "ambiguous",
        _say(
            N_(
                "the headline lists {listed} agreements, but the details show {n} agreements the City entered in"
                " {year} (also: {extra}); the report does not say whether the extra one counts"
            )
            if extra
            else N_(
                "the headline lists {listed} agreements, but the details show {n} agreements the City entered in"
                " {year}; the report does not say whether the extra one counts"
            ),
            listed=listed,
            n=n,
            year=year,
            extra="; ".join(extra),
        ),
        details,
    )


def _partners(q: Q, stated: float, s: Scope, figure: str) -> tuple:
    entry = s.stated("?e a qkg:PartnerEntry")
    entries = _count(q, s.stated("?x a qkg:PartnerEntry"))
    orgs = _count(q, f"{entry} ?e qkg:partnerOrganisation ?x .")
    multi = _french_labels(
        q,
        f"{entry} ?e rdfs:label ?label ; qkg:partnerOrganisation ?o .",
        group_by="?e",
        having="COUNT(DISTINCT ?o) > 1",
    )
    details = {"entries": entries, "organisations": orgs, "entries_naming_several": multi}
    if entries == stated:
        if orgs == entries:
            return entries, "agrees", _say(N_("{entries} entries, as stated"), entries=entries), details
        reason = _say(
            N_("{entries} entries, as stated; they name {orgs} organisations ({multi} names more than one)"),
            entries=entries,
            orgs=orgs,
            multi="; ".join(multi),
        )
        return entries, "agrees", reason, details
    return (
        entries,
        "disagrees",
        _say(
            N_("the annex has {entries} entries ({orgs} organisations), not {stated}"),
            entries=entries,
            orgs=orgs,
            stated=f"{stated:g}",
        ),
        details,
    )


def _not_checkable(q: Q, stated: float, s: Scope, figure: str) -> tuple:
    return None, "not checkable", _say(N_("the report does not list the items behind this figure")), {}


#: ``check(q, stated, scope, figure)`` per indicator: ``(measured, verdict, (message, params), details)``.
CHECKS: dict[str, Callable] = {
    "receptions": _simple(lambda s: s.stated("?x a qkg:Reception"), N_("receptions in the annex")),
    "receptions-courtesy": _category("courtesy"),
    "receptions-collaboration": _category("collaboration"),
    "receptions-strategic": _category("strategic"),
    "missions": _simple(lambda s: s.stated("?x a qkg:Mission"), N_("missions in the annex")),
    "mission-countries": _simple(
        lambda s: f"{_mission_legs(s)} ?l qkg:legCity/qkg:country ?x .", N_("countries in the missions annex")
    ),
    "mission-cities": _mission_cities,
    "forums": _simple(
        lambda s: (
            s.stated("?m org:member qkgd:ville-de-quebec")
            + " ?m org:organization ?x ; org:role qkgd:role-member . ?x a qkg:CityNetwork ."
        ),
        N_("forums with a City membership"),
    ),
    "forum-participations": _participations,
    "new-agreements": _new_agreements,
    "external-partners": _partners,
    "internal-services": _not_checkable,
}

# The declared figures, each with the graph that states it and that graph's report year (unbound: no year).
_FIGURES = f"""SELECT DISTINCT ?f ?g ?year ?notation ?label ?fr ?value WHERE {{
    GRAPH ?g {{ ?f qkg:indicator ?i ; qkg:statedValue ?value }} FILTER(?g != <{INFERRED_GRAPH}>)
    ?f a qkg:DeclaredFigure .
    OPTIONAL {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }} BIND(STR(?y) AS ?year)
    ?i skos:notation ?notation ; skos:prefLabel ?label . FILTER(lang(?label) = 'en')
    OPTIONAL {{ ?i skos:prefLabel ?fr FILTER(lang(?fr) = 'fr') }} }} ORDER BY ?year ?notation ?f ?g"""


def audit(store: Store, *, year: str | None = None) -> list[Finding]:
    """Audit every declared figure of ``store`` (a built graph), each against the details of its own report year
    (``year``: only that year's figures); unknown indicators are reported too."""
    prefixes = sparql_prefixes()

    def q(text: str) -> list:
        return list(store.select(prefixes + "\n" + text))

    by_year: dict[str, list[str]] = {}
    for row in store.select(f"SELECT ?g ?y WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?g <{YEAR_TAG}> ?y }} }}"):
        by_year.setdefault(row[1].value, []).append(row[0].value)
    scopes = {y: Scope(y, tuple(sorted(graphs))) for y, graphs in by_year.items()}
    findings = []
    seen: set[tuple] = set()
    for row in q(_FIGURES):
        notation, stated, figure = row["notation"].value, float(row["value"].value), row["f"].value
        figure_year = row["year"].value if row["year"] is not None else None
        # a figure two graphs of one year state (or two graphs of no year) is one finding
        if (figure, figure_year, stated, notation) in seen or (year is not None and figure_year != year):
            continue
        seen.add((figure, figure_year, stated, notation))
        labels = {"en": row["label"].value, **({"fr": row["fr"].value} if row["fr"] is not None else {})}
        check = CHECKS.get(notation)
        if check is None:
            findings.append(
                Finding(
                    notation,
                    row["label"].value,
                    stated,
                    None,
                    "not checkable",
                    "no check is registered for this indicator",
                    short(figure),
                    message=N_("no check is registered for this indicator"),
                    labels=labels,
                    year=figure_year,
                )
            )
            continue
        scope = scopes.get(figure_year) if figure_year is not None else Scope()
        measured, verdict, (message, params), details = check(q, stated, scope or Scope(), figure)
        # a placeholder naming a noun phrase ({noun}) is itself a catalogue message
        findings.append(
            Finding(
                notation,
                row["label"].value,
                stated,
                measured,
                verdict,
                message.format(**params),
                short(figure),
                details,
                message=message,
                params=params,
                labels=labels,
                year=figure_year,
            )
        )
    return findings


def findings_as_json(findings: list[Finding]) -> list[dict]:
    """Plain dicts, for ``--format json`` and the API."""
    return [asdict(f) for f in findings]


# ---- fact audit (``qkg audit --facts``) ---------------------------------------------------------------

#: Named graphs whose name starts with this hold background facts (``data/background/*.ttl``), never the report's.
BACKGROUND_GRAPH_PREFIX = "https://w3id.org/qkg/id/graph-background-"
#: At most this many facts are listed per check (the counts are always exact).
FACT_AUDIT_LIMIT = 200


@dataclass(frozen=True)
class FactProblem:
    """One report-graph fact the audit rejects: which check, the graph, and the triple."""

    check: str
    graph: str
    subject: str
    predicate: str
    object: str


@dataclass(frozen=True)
class FactAudit:
    """The result of :func:`audit_facts`: exact counts per check and the first problems of each."""

    report_graphs: list[str]
    counts: dict[str, int]
    problems: list[FactProblem]

    @property
    def ok(self) -> bool:
        return not any(self.counts.values())


# A report graph: a named graph, not background, in which some subject is derived from a report section.
_REPORT_GRAPHS = """SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?s prov:wasDerivedFrom ?sec }
  GRAPH ?any { ?sec a qkg:ReportSection }
  FILTER(!STRSTARTS(STR(?g), "%(bg)s")) } ORDER BY ?g"""

# A fact with no section: its subject carries no prov:wasDerivedFrom in the same graph (sections and the
# report themselves excepted), unless it is a blank node hanging from a derived subject of that graph
# (an interval of a term, for example).
_UNSOURCED = """WHERE {
  GRAPH <%(g)s> { ?s ?p ?o }
  FILTER NOT EXISTS { GRAPH <%(g)s> { ?s prov:wasDerivedFrom ?sec } }
  FILTER NOT EXISTS { GRAPH <%(g)s> { ?s a ?kind } FILTER(?kind IN (qkg:ReportSection, qkg:Report)) }
  FILTER NOT EXISTS { FILTER(isBlank(?s)) GRAPH <%(g)s> { ?parent (!rdf:type)+ ?s . ?parent prov:wasDerivedFrom ?d } }
}"""

# A fact whose subject is only background: the subject is typed in no report graph, but described in a
# background graph.
_BACKGROUND_ONLY = """WHERE {
  GRAPH <%(g)s> { ?s ?p ?o }
  FILTER(!isBlank(?s))
  FILTER NOT EXISTS { VALUES ?rg { %(report)s } GRAPH ?rg { ?s a ?t } }
  FILTER EXISTS { GRAPH ?bg { ?s ?bp ?bo } FILTER(STRSTARTS(STR(?bg), "%(bg)s")) }
}"""


def audit_facts(store: Store, *, limit: int = FACT_AUDIT_LIMIT) -> FactAudit:
    """Check every fact of the report graphs of ``store``: each has a section (``prov:wasDerivedFrom`` on its
    subject, in its own graph) and none is about an entity that only the background describes."""
    prefixes = sparql_prefixes()

    def q(text: str) -> list:
        return list(store.select(prefixes + "\n" + text, union=False))

    graphs = [r["g"].value for r in q(_REPORT_GRAPHS % {"bg": BACKGROUND_GRAPH_PREFIX})]
    counts = {"no-section": 0, "background-subject": 0}
    problems: list[FactProblem] = []
    report = " ".join(f"<{g}>" for g in graphs)
    for g in graphs:
        for check, where in (("no-section", _UNSOURCED), ("background-subject", _BACKGROUND_ONLY)):
            body = where % {"g": g, "bg": BACKGROUND_GRAPH_PREFIX, "report": report}
            counts[check] += int(q(f"SELECT (COUNT(*) AS ?n) {body}")[0]["n"].value)
            room = limit - sum(1 for p in problems if p.check == check)
            if room > 0:
                for r in q(f"SELECT ?s ?p ?o {body} ORDER BY ?s ?p ?o LIMIT {room}"):
                    problems.append(
                        FactProblem(check, short(g), term_text(r["s"]), term_text(r["p"]), term_text(r["o"]))
                    )
    return FactAudit([short(g) for g in graphs], counts, problems)
