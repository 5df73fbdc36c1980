"""Audit the report's headline figures against its own details.

Each ``qkg:DeclaredFigure`` in the graph (a figure as the report states it) is recomputed from the detailed
facts (annex entries, mission legs, memberships...) by the check registered for its indicator. The verdict is
one of ``agrees``, ``disagrees``, ``ambiguous``, ``not reproducible`` or ``not checkable``, always with the
reason and the figures behind it.

>>> sorted(CHECKS)[:3]
['external-partners', 'forum-participations', 'forums']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from qkg.graph.errors import N_
from qkg.graph.serving.results import term_text
from qkg.graph.serving.store import Store
from qkg.ontology import sparql_prefixes
from qkg.ontology.curies import short

__all__ = [
    "Finding",
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


def _say(message: str, **params) -> tuple[str, dict]:
    """A reason: its catalogue message and the values of its placeholders."""
    return message, params


def _count(q: Q, where: str) -> int:
    rows = q(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"].value) if rows else 0


def _simple(where: str, noun: str) -> Callable[[Q, float], tuple]:
    def check(q: Q, stated: float) -> tuple:
        n = _count(q, where)
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


def _category(cat: str) -> Callable[[Q, float], tuple]:
    nouns = {
        "courtesy": N_("courtesy receptions in the annex"),
        "collaboration": N_("collaboration receptions in the annex"),
        "strategic": N_("strategic receptions in the annex"),
    }
    return _simple(f"?x a qkg:Reception ; qkg:category qkgd:cat-{cat} .", nouns[cat])


def _mission_cities(q: Q, stated: float) -> tuple:
    distinct = _count(q, "?m a qkg:Mission ; qkg:leg/qkg:legCity ?x .")
    stops = _count(q, "?m a qkg:Mission ; qkg:leg ?x .")
    repeated = _french_labels(
        q, "?m qkg:leg/qkg:legCity ?c . ?c rdfs:label ?label .", group_by="?c", having="COUNT(DISTINCT ?m) > 1"
    )
    working = _count(
        q, "?m a qkg:Mission ; qkg:leg ?l . ?l qkg:legCity ?x . FILTER NOT EXISTS { ?l qkg:legKind qkgd:leg-transit }"
    )
    working_countries = _count(
        q,
        "?m a qkg:Mission ; qkg:leg ?l . ?l qkg:legCity/qkg:country ?x ."
        " FILTER NOT EXISTS { ?l qkg:legKind qkgd:leg-transit }",
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


def _participations(q: Q, stated: float) -> tuple:
    meetings = q("""SELECT DISTINCT ?x ?label ?forum WHERE {
        ?x a qkg:NetworkMeeting ; qkg:organiser ?forum ; rdfs:label ?label . FILTER(lang(?label) = 'fr')
        ?mem org:member qkgd:ville-de-quebec ; org:organization ?forum .
        { ?x qkg:participant qkgd:ville-de-quebec } UNION { ?x qkg:participant ?post . ?post org:postIn qkgd:ville-de-quebec }
        } ORDER BY ?label""")
    unstated = q("""SELECT DISTINCT ?x ?label WHERE {
        ?x a qkg:NetworkMeeting ; qkg:organiser ?forum ; rdfs:label ?label . FILTER(lang(?label) = 'fr')
        ?mem org:member qkgd:ville-de-quebec ; org:organization ?forum .
        FILTER NOT EXISTS { ?x qkg:participant qkgd:ville-de-quebec }
        FILTER NOT EXISTS { ?x qkg:participant ?post . ?post org:postIn qkgd:ville-de-quebec } }""")
    n = len({r["x"].value for r in meetings})
    via_missions = _count(q, "?x a qkg:NetworkMeeting . ?l qkg:legPurpose ?x . ?m qkg:leg ?l .")
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


def _new_agreements(q: Q, stated: float, figure: str) -> tuple:
    listed = _count(q, f"<{figure}> qkg:enumerates ?x . ?x a qkg:Agreement .")
    concluded = q("""SELECT DISTINCT ?x ?label WHERE {
        ?x a qkg:Agreement ; qkg:party qkgd:ville-de-quebec ; schema:startDate ?d ; rdfs:label ?label .
        FILTER(lang(?label) = 'fr' && STRSTARTS(STR(?d), '2024')) } ORDER BY ?label""")
    n = len({r["x"].value for r in concluded})
    extra = [
        r["label"].value
        for r in q(f"""SELECT DISTINCT ?label WHERE {{
        ?x a qkg:Agreement ; qkg:party qkgd:ville-de-quebec ; schema:startDate ?d ; rdfs:label ?label .
        FILTER(lang(?label) = 'fr' && STRSTARTS(STR(?d), '2024'))
        FILTER NOT EXISTS {{ <{figure}> qkg:enumerates ?x }} }}""")
    ]
    details = {"listed_with_the_figure": listed, "city_agreements_starting_2024": n, "not_in_the_list": extra}
    if n == stated and listed == stated:
        return n, "agrees", _say(N_("{n} new agreements, all listed"), n=n), details
    return (
        n,
        "ambiguous",
        _say(
            N_(
                "the headline lists {listed} agreements, but the details show {n} agreements the City entered in"
                " 2024 (also: {extra}); the report does not say whether the extra one counts"
            )
            if extra
            else N_(
                "the headline lists {listed} agreements, but the details show {n} agreements the City entered in"
                " 2024; the report does not say whether the extra one counts"
            ),
            listed=listed,
            n=n,
            extra="; ".join(extra),
        ),
        details,
    )


def _partners(q: Q, stated: float) -> tuple:
    entries = _count(q, "?x a qkg:PartnerEntry .")
    orgs = _count(q, "?e a qkg:PartnerEntry ; qkg:partnerOrganisation ?x .")
    multi = _french_labels(
        q,
        "?e a qkg:PartnerEntry ; rdfs:label ?label ; qkg:partnerOrganisation ?o .",
        group_by="?e",
        having="COUNT(?o) > 1",
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


def _not_checkable(q: Q, stated: float) -> tuple:
    return None, "not checkable", _say(N_("the report does not list the items behind this figure")), {}


CHECKS: dict[str, Callable] = {
    "receptions": _simple("?x a qkg:Reception .", N_("receptions in the annex")),
    "receptions-courtesy": _category("courtesy"),
    "receptions-collaboration": _category("collaboration"),
    "receptions-strategic": _category("strategic"),
    "missions": _simple("?x a qkg:Mission .", N_("missions in the annex")),
    "mission-countries": _simple(
        "?m a qkg:Mission ; qkg:leg/qkg:legCity/qkg:country ?x .", N_("countries in the missions annex")
    ),
    "mission-cities": _mission_cities,
    "forums": _simple(
        "?m org:member qkgd:ville-de-quebec ; org:organization ?x ; org:role qkgd:role-member . ?x a qkg:CityNetwork .",
        N_("forums with a City membership"),
    ),
    "forum-participations": _participations,
    "new-agreements": _new_agreements,
    "external-partners": _partners,
    "internal-services": _not_checkable,
}


def audit(store: Store) -> list[Finding]:
    """Audit every declared figure of ``store`` (a built graph); unknown indicators are reported too."""
    prefixes = sparql_prefixes()

    def q(text: str) -> list:
        return list(store.select(prefixes + "\n" + text))

    figures = q("""SELECT ?f ?notation ?label ?fr ?value WHERE {
        ?f a qkg:DeclaredFigure ; qkg:indicator ?i ; qkg:statedValue ?value .
        ?i skos:notation ?notation ; skos:prefLabel ?label . FILTER(lang(?label) = 'en')
        OPTIONAL { ?i skos:prefLabel ?fr FILTER(lang(?fr) = 'fr') } } ORDER BY ?notation""")
    findings = []
    for row in figures:
        notation, stated = row["notation"].value, float(row["value"].value)
        labels = {"en": row["label"].value, **({"fr": row["fr"].value} if row["fr"] is not None else {})}
        check = CHECKS.get(notation)
        figure = row["f"].value
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
                )
            )
            continue
        out = check(q, stated, figure) if notation == "new-agreements" else check(q, stated)
        measured, verdict, (message, params), details = out
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
