"""OWL 2 RL materialisation, compiled from the ontology into SPARQL and run inside Oxigraph.

Why not owlrl? It is pure Python and re-derives everything (including ``owl:sameAs`` reflexivity) on every
run: fine for the 2024 graph, hopeless at a million triples. The axioms qkg actually uses form a small
OWL 2 RL profile, so each one becomes a SPARQL CONSTRUCT run by Oxigraph's engine, repeated to a fixpoint:

========================  ===========================  ==========================================
axiom                     OWL 2 RL rule                 compiled to
========================  ===========================  ==========================================
rdfs:subClassOf           cax-sco                       ``?x a C`` => ``?x a S`` (closure precomputed)
owl:equivalentClass       cax-eqc1/2                    both directions, named classes
rdfs:subPropertyOf        prp-spo1                      ``?s p ?o`` => ``?s P ?o`` (closure precomputed)
owl:inverseOf             prp-inv1/2                    both directions
owl:SymmetricProperty     prp-symp
owl:TransitiveProperty    prp-trp                       one property path ``p+``
owl:propertyChainAxiom    prp-spo2                      chains of length 2..n
C = I ∩ ∃p.{v}            cls-int1 + cls-hv1            ``?x a I ; p v`` => ``?x a C``
========================  ===========================  ==========================================

The property rules are Datalog rules (atoms with a constant predicate) evaluated **semi-naively**
(:func:`materialise`): the first round reads the whole graph, every later round starts only from the triples
the previous round added, and a rule fires only when a new triple has the predicate of one of its atoms. Only
the rules the ontology's axioms call for exist at all. On the embedded store (a build's), each round is a set of
CONSTRUCT queries run by Oxigraph (anti-joins that leave out what is known) and loaded at once, with no Python
object per triple; on another store, the joins are evaluated in Python.

Two domain rules follow (documented in the ontology): twinning agreements give ``qkg:twinnedWith`` and
``org:Membership`` nodes give ``qkg:memberOf``; dated nodes get an OWL-Time description (``time:hasTime``)
whose position keeps the literal's precision (``time:inXSDDate`` / ``inXSDgYearMonth`` / ``inXSDgYear``).

Inferred triples go to one named graph, :data:`INFERRED_GRAPH`, so they are never confused with asserted ones.
A test checks the result against owlrl on the 2024 graph.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from qkg.graph.errors import N_, NP_, BuildError, DataError, Message
from qkg.graph.named_graphs import INFERRED_GRAPH
from qkg.graph.serving import terms
from qkg.graph.serving.backends.oxigraph import OxigraphStore
from qkg.graph.serving.store import Store
from qkg.ontology import PREFIXES
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

__all__ = ["INFERRED_GRAPH", "Rule", "compile_rules", "materialise"]

_INFERRED = terms.NamedNode(INFERRED_GRAPH)


Atom = tuple[str, str, str]
"""A triple pattern ``(subject, predicate, object)``: ``"?x"`` is a variable, anything else an IRI."""


@dataclass(frozen=True)
class Rule:
    """One inference rule: a name (for progress and tests) and a SPARQL CONSTRUCT over the union graph.

    ``stage`` says when it runs (see :func:`materialise`): ``"property"`` rules repeat to a fixpoint,
    ``"class"`` rules (``source`` class => ``targets`` superclasses) run as one pass in Python, ``"defined"``
    rules after them, and ``"once"`` rules (which read only asserted data) a single time.

    A property rule also carries its ``body`` and ``head`` atoms (and pairs of body variables that must
    differ, ``distinct``): :func:`materialise` evaluates those, semi-naively; ``construct`` says the same in
    SPARQL, for reading.
    """

    name: str
    construct: str
    stage: str = "property"
    source: str = ""
    targets: tuple[str, ...] = ()
    body: tuple[Atom, ...] = ()
    head: tuple[Atom, ...] = ()
    distinct: tuple[tuple[str, str], ...] = ()
    templates: tuple[str, ...] = ()
    where: str = ""


def once(name: str, templates: list[str], where: str) -> Rule:
    """A rule run once (see :func:`materialise`): ``templates`` (triple patterns) for each solution of ``where``.

    >>> once("t", ["?x <http://e/q> ?y", "?y <http://e/r> ?x"], "?x <http://e/p> ?y").construct
    'CONSTRUCT { ?x <http://e/q> ?y . ?y <http://e/r> ?x } WHERE { ?x <http://e/p> ?y }'
    """
    return Rule(
        name,
        f"CONSTRUCT {{ {' . '.join(templates)} }} WHERE {{ {where} }}",
        stage="once",
        templates=tuple(templates),
        where=where,
    )


def datalog(name: str, body: list[Atom], head: list[Atom], *, distinct: tuple[tuple[str, str], ...] = ()) -> Rule:
    """A property rule from its atoms (its SPARQL CONSTRUCT is derived from them).

    >>> r = datalog("p->q", [("?s", "http://e/p", "?o")], [("?o", "http://e/q", "?s")])
    >>> r.construct
    'CONSTRUCT { ?o <http://e/q> ?s } WHERE { ?s <http://e/p> ?o }'
    """

    def text(atoms):
        return " . ".join(" ".join(t if t.startswith("?") else f"<{t}>" for t in atom) for atom in atoms)

    filters = "".join(f" FILTER({a} != {b})" for a, b in distinct)
    return Rule(
        name,
        f"CONSTRUCT {{ {text(head)} }} WHERE {{ {text(body)}{filters} }}",
        body=tuple(body),
        head=tuple(head),
        distinct=distinct,
    )


@dataclass
class _Closure:
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, a: str, b: str) -> None:
        if a != b:
            self.edges[a].add(b)

    def supers(self, a: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.edges.get(a, ()))
        while todo:
            x = todo.pop()
            if x not in seen and x != a:
                seen.add(x)
                todo.extend(self.edges.get(x, ()))
        return seen


def _iri(term: URIRef) -> str:
    return f"<{term}>"


def compile_rules(ontology: Graph) -> list[Rule]:
    """Compile the ontology's axioms into SPARQL CONSTRUCT rules.

    Parameters
    ----------
    ontology : rdflib.Graph
        The TBox (``ontology.load_ontology()``).

    Returns
    -------
    list of Rule

    Examples
    --------
    >>> from qkg.ontology import load_ontology
    >>> names = [r.name for r in compile_rules(load_ontology())]
    >>> "chain:destination" in names and "hasValue:CourtesyReception" in names
    True
    """
    classes, props = _Closure(), _Closure()
    for child, parent in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            classes.add(str(child), str(parent))
    for child, parent in ontology.subject_objects(OWL.equivalentClass):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            classes.add(str(child), str(parent))
            classes.add(str(parent), str(child))
    for child, parent in ontology.subject_objects(RDFS.subPropertyOf):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            props.add(str(child), str(parent))
    for child, parent in ontology.subject_objects(OWL.equivalentProperty):
        props.add(str(child), str(parent))
        props.add(str(parent), str(child))

    rules: list[Rule] = []
    for sub in sorted(props.edges):
        rules.append(
            datalog(
                f"subProperty:{_local(sub)}",
                [("?s", sub, "?o")],
                [("?s", sup, "?o") for sup in sorted(props.supers(sub))],
            )
        )
    for p, q in ontology.subject_objects(OWL.inverseOf):
        rules.append(datalog(f"inverse:{_local(p)}", [("?s", str(p), "?o")], [("?o", str(q), "?s")]))
        rules.append(datalog(f"inverse:{_local(q)}", [("?s", str(q), "?o")], [("?o", str(p), "?s")]))
    for p in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        rules.append(datalog(f"symmetric:{_local(p)}", [("?s", str(p), "?o")], [("?o", str(p), "?s")]))
    for p in ontology.subjects(RDF.type, OWL.TransitiveProperty):
        rules.append(
            datalog(f"transitive:{_local(p)}", [("?s", str(p), "?m"), ("?m", str(p), "?o")], [("?s", str(p), "?o")])
        )
    for p, chain in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = [str(step) for step in Collection(ontology, chain)]
        rules.append(
            datalog(
                f"chain:{_local(p)}",
                [(f"?x{i}", step, f"?x{i + 1}") for i, step in enumerate(steps)],
                [("?x0", str(p), f"?x{len(steps)}")],
            )
        )
    for defined, expr in ontology.subject_objects(OWL.equivalentClass):
        if not isinstance(expr, BNode):
            continue
        members = ontology.value(expr, OWL.intersectionOf)
        if members is None:
            continue
        patterns = []
        for m in Collection(ontology, members):
            if isinstance(m, URIRef):
                patterns.append(f"?x a <{m}>")
            elif (m, OWL.hasValue, None) in ontology:
                prop, value = ontology.value(m, OWL.onProperty), ontology.value(m, OWL.hasValue)
                patterns.append(f"?x <{prop}> {_term(value)}")
            else:
                raise DataError(
                    N_("ontology/: the definition of {defined} uses a class expression the rules cannot compile"),
                    file="ontology/",
                    hint=N_("define the class as an owl:intersectionOf named classes and owl:hasValue restrictions"),
                    fields={"defined": defined},
                )
        rules.append(
            Rule(
                f"hasValue:{_local(defined)}",
                f"CONSTRUCT {{ ?x a <{defined}> }} WHERE {{ {' . '.join(patterns)} }}",
                stage="defined",
            )
        )
    for c in sorted(classes.edges):
        heads = " , ".join(f"<{s}>" for s in sorted(classes.supers(c)))
        rules.append(
            Rule(
                f"subClass:{_local(c)}",
                f"CONSTRUCT {{ ?x a {heads} }} WHERE {{ ?x a <{c}> }}",
                stage="class",
                source=c,
                targets=tuple(sorted(classes.supers(c))),
            )
        )
    rules.extend(_domain_rules())
    return rules


def _domain_rules() -> list[Rule]:
    q, d, org = PREFIXES["qkg"], PREFIXES["qkgd"], PREFIXES["org"]
    time, schema, xsd = PREFIXES["time"], PREFIXES["schema"], PREFIXES["xsd"]
    rules = [
        datalog(
            "twinning",
            [("?e", f"{q}agreementType", f"{d}type-twinning"), ("?e", f"{q}party", "?a"), ("?e", f"{q}party", "?b")],
            [("?a", f"{q}twinnedWith", "?b")],
            distinct=(("?a", "?b"),),
        ),
        datalog(
            "membership",
            [
                ("?m", str(RDF.type), f"{org}Membership"),
                ("?m", f"{org}member", "?a"),
                ("?m", f"{org}organization", "?o"),
            ],
            [("?a", f"{q}memberOf", "?o"), ("?o", f"{org}hasMember", "?a")],
        ),
    ]
    positions = {"date": "inXSDDate", "gYearMonth": "inXSDgYearMonth", "gYear": "inXSDgYear"}
    for kind, position in positions.items():
        for end, date, point in (("start", "startDate", "hasBeginning"), ("end", "endDate", "hasEnd")):
            rules.append(
                once(
                    f"time:{end}:{kind}",
                    [
                        f"?x <{time}hasTime> ?t",
                        f"?t a <{time}Interval>",
                        f"?t <{time}{point}> ?b",
                        f"?b a <{time}Instant>",
                        f"?b <{time}{position}> ?d",
                    ],
                    f"?x <{schema}{date}> ?d . FILTER(datatype(?d) = <{xsd}{kind}>)"
                    f" BIND(IRI(CONCAT(STR(?x), '-time')) AS ?t) BIND(IRI(CONCAT(STR(?x), '-{end}')) AS ?b)",
                )
            )
    return rules


def _local(iri: str | Node) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _term(value) -> str:
    return value.n3()


def materialise(
    store: Store,
    rules: list[Rule],
    *,
    max_rounds: int = 12,
    progress: Callable[[str], None] | None = None,
    before_write: Callable[[], None] | None = None,
) -> int:
    """Apply ``rules`` to ``store`` until nothing new is derived; return the number of inferred triples.

    Inferred triples are written to :data:`INFERRED_GRAPH`. The order avoids re-deriving what is known:

    1. property rules (sub-properties, inverses, symmetry, transitivity, chains, the domain rules) repeat
       until a round adds nothing; they never depend on inferred types. Semi-naive: round 1 reads the whole
       graph; round *n* joins only the triples new in round *n-1* (each in turn as any one atom of a rule,
       the other atoms read from the whole graph), and skips every rule none of whose atoms has the
       predicate of a new triple;
    2. ``once`` rules (OWL-Time descriptions of asserted dates) run a single time;
    3. class rules run as one pass: every ``(entity, class)`` pair is read once and each class's complete
       superclass closure is added, so no later round is needed;
    4. defined classes (``owl:hasValue``) are classified, then step 3 runs again for what they added.

    ``before_write`` is called then, before a store held in memory is written to disk (the build's checks, run
    in a thread beside the inference, end there: they read the store in memory).

    Examples
    --------
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s = OxigraphStore()
    >>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode("http://e/p"), terms.NamedNode("http://e/b"))])
    >>> r = Rule("p->q", "CONSTRUCT { ?s <http://e/q> ?o } WHERE { ?s <http://e/p> ?o }")
    >>> materialise(s, [r])
    1
    >>> t = datalog("p+", [("?x", "http://e/p", "?y"), ("?y", "http://e/p", "?z")], [("?x", "http://e/p", "?z")])
    >>> s.add([terms.Quad(terms.NamedNode("http://e/b"), terms.NamedNode("http://e/p"), terms.NamedNode("http://e/c"))])
    >>> materialise(s, [t])
    1
    """
    say = progress or (lambda _msg: None)
    by_stage: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_stage[rule.stage].append(rule)
    total = _property_fixpoint(store, by_stage["property"], max_rounds=max_rounds, say=say)
    native = isinstance(store, OxigraphStore)  # the embedded store: the time descriptions run inside it
    # rules with head templates whose subjects are variables run in the engine; others in Python
    in_engine = [r for r in by_stage["once"] if native and r.templates and all(t.startswith("?") for t in r.templates)]
    added = (
        _add_native(store, [_once_query(r) for r in in_engine]) if in_engine and isinstance(store, OxigraphStore) else 0
    )
    added += sum(len(_apply(store, r, count=False)) for r in by_stage["once"] if r not in in_engine)
    say(
        Message(
            NP_(
                "inference: time descriptions: +{triples} triple",
                "inference: time descriptions: +{triples} triples",
                "triples",
            ),
            triples=added,
        )
    )
    total += added
    supers = {r.source: r.targets for r in by_stage["class"]}
    added = _classify(store, supers)  # in Python: 2x less CPU than a CONSTRUCT over (class, superclass) pairs
    say(
        Message(
            NP_(
                "inference: class closure: +{triples} triple", "inference: class closure: +{triples} triples", "triples"
            ),
            triples=added,
        )
    )
    total += added
    defined = [q for rule in by_stage["defined"] for q in _apply(store, rule, count=False)]
    added = len(defined)
    if defined:  # the superclasses of the newly classified entities only
        added += _classify(store, supers, subjects={q.subject for q in defined})
    say(
        Message(
            NP_(
                "inference: defined classes: +{triples} triple",
                "inference: defined classes: +{triples} triples",
                "triples",
            ),
            triples=added,
        )
    )
    if before_write is not None:
        before_write()  # the build's checks, run beside the inference on the store held in memory, end first
    if isinstance(store, OxigraphStore) and store.held_in_memory:
        started, cpu = time.perf_counter(), time.process_time()
        store.write_to_disk()  # asserted and inferred, at once (see OxigraphStore.hold_in_memory)
        say(
            Message(
                N_("inference: store written to disk ({seconds:.2f} s, CPU {cpu:.2f} s)"),
                seconds=time.perf_counter() - started,
                cpu=time.process_time() - cpu,
            )
        )
    return total + added


Triple = tuple  # (subject, predicate, object) pyoxigraph terms


def _property_fixpoint(store: Store, rules: list[Rule], *, max_rounds: int, say: Callable[[str], None]) -> int:
    if isinstance(store, OxigraphStore) and all(r.body for r in rules):
        return _property_fixpoint_native(store, rules, max_rounds=max_rounds, say=say)
    datalog_rules = [r for r in rules if r.body]
    sparql_rules = [r for r in rules if not r.body]  # given as CONSTRUCT only: evaluated naively each round
    nodes: dict[str, terms.NamedNode] = {}
    delta: dict[str, list[Triple]] | None = None  # new triples of the last round, by predicate; None: round 1
    total = 0
    for round_no in range(1, max_rounds + 1):
        derived: set[Triple] = set()
        fired = 0
        for rule in datalog_rules:
            if delta is None:
                drivers = [(0, _scan(store, rule.body[0], nodes))]
            else:
                drivers = [(i, delta[atom[1]]) for i, atom in enumerate(rule.body) if atom[1] in delta]
            for position, triples in drivers:
                fired += 1
                _fire(store, rule, position, triples, nodes, derived)
        new = [t for t in derived if not _present_triple(store, t)]
        for rule in sparql_rules:
            fired += 1
            new.extend((t.subject, t.predicate, t.object) for t in store.construct(rule.construct))
            new = list(dict.fromkeys(t for t in new if not _present_triple(store, t)))
        _write(store, [terms.Quad(s, p, o, _INFERRED) for s, p, o in new])
        total += len(new)
        say(
            Message(
                N_("inference: property round {round}: {fired}, +{triples}"),
                round=round_no,
                fired=Message(NP_("{n} rule firing", "{n} rule firings"), n=fired),
                triples=Message(NP_("{n} triple", "{n} triples"), n=len(new)),
            )
        )
        if not new:
            return total
        delta = defaultdict(list)
        for t in new:
            delta[t[1].value].append(t)
    raise BuildError(
        N_("property inference did not reach a fixpoint in {rounds} rounds"),
        hint=N_(
            "look for a property chain or transitive property that keeps deriving new triples in ontology/qkg.ttl, "
            "or raise max_rounds"
        ),
        fields={"rounds": max_rounds},
    )


#: The triples the last property round added (also in :data:`INFERRED_GRAPH`): what the next round starts from.
#: A working graph of the build, dropped when the fixpoint is reached.
DELTA_GRAPH = INFERRED_GRAPH + "-delta"


def _property_fixpoint_native(
    store: OxigraphStore, rules: list[Rule], *, max_rounds: int, say: Callable[[str], None]
) -> int:
    """:func:`_property_fixpoint` inside Oxigraph, with no Python object per triple: each rule's head (and,
    after round 1, each of its atoms whose predicate the last round added, matched in the last round's triples
    only) is one CONSTRUCT that leaves out the triples already present (:func:`_rule_queries`). A round's
    answers are loaded at once into :data:`INFERRED_GRAPH`; the next round reads them there when the graph held
    nothing before (round 1), else from a copy in :data:`DELTA_GRAPH`.
    """
    total = 0
    predicates: set[str] | None = None  # the predicates of the last round's triples; None: round 1
    delta = DELTA_GRAPH
    first_fills = not store.ask(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}", union=False)
    try:
        for round_no in range(1, max_rounds + 1):
            queries = []
            for rule in rules:
                if predicates is None:
                    queries.extend(_rule_queries(rule))
                else:
                    for i, atom in enumerate(rule.body):
                        if atom[1] in predicates:
                            queries.extend(_rule_queries(rule, position=i, delta=delta))
            # every answer of the round first (read from the store as the last round left it), then the loads
            data = b"".join(store.construct_ntriples(query) for query in queries)
            store.drop(DELTA_GRAPH)
            if round_no == 1 and first_fills:
                delta = INFERRED_GRAPH  # round 1's triples are all the graph holds: round 2 reads them there
            else:
                delta = DELTA_GRAPH
                if data:
                    store.load(data, format="ntriples", graph=DELTA_GRAPH)
            if data:
                store.load(data, format="ntriples", graph=INFERRED_GRAPH)
            del data
            rows = store.select(
                f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{delta}> {{ ?s ?p ?o }} }} GROUP BY ?p", union=False
            )
            counts = {row["p"].value: int(row["n"].value) for row in rows}
            added = sum(counts.values())
            total += added
            say(
                Message(
                    N_("inference: property round {round}: {queries}, +{triples}"),
                    round=round_no,
                    queries=Message(NP_("{n} query", "{n} queries"), n=len(queries)),
                    triples=Message(NP_("{n} triple", "{n} triples"), n=added),
                )
            )
            if not added:
                return total
            predicates = set(counts)
    finally:
        store.drop(DELTA_GRAPH)
    raise BuildError(
        N_("property inference did not reach a fixpoint in {rounds} rounds"),
        hint=N_(
            "look for a property chain or transitive property that keeps deriving new triples in ontology/qkg.ttl, "
            "or raise max_rounds"
        ),
        fields={"rounds": max_rounds},
    )


def _rule_queries(rule: Rule, *, position: int | None = None, delta: str = "") -> list[str]:
    """A property rule as CONSTRUCT queries, one per head atom, of its triples absent from the store (an
    anti-join, ``MINUS``: 2-3x less CPU in Oxigraph than an ``EXISTS`` test per solution); with ``position``,
    that body atom is matched in the graph ``delta`` only (semi-naive evaluation).

    >>> r = datalog("p->q", [("?s", "http://e/p", "?o")], [("?o", "http://e/q", "?s")])
    >>> print(_rule_queries(r, position=0, delta="http://e/d")[0])
    CONSTRUCT { ?o <http://e/q> ?s } WHERE { GRAPH <http://e/d> { ?s <http://e/p> ?o } MINUS { ?o <http://e/q> ?s } }
    """

    def text(atom: tuple[str, ...]) -> str:
        return " ".join(t if t.startswith("?") else f"<{t}>" for t in atom)

    body = " . ".join(
        f"GRAPH <{delta}> {{ {text(atom)} }}" if i == position else text(atom) for i, atom in enumerate(rule.body)
    )
    filters = "".join(f" FILTER({a} != {b})" for a, b in rule.distinct)
    return [f"CONSTRUCT {{ {text(h)} }} WHERE {{ {body}{filters} MINUS {{ {text(h)} }} }}" for h in rule.head]


def _node(value: str, nodes: dict[str, terms.NamedNode]):
    """A pattern position: ``None`` for a variable, else the IRI's node."""
    if value.startswith("?"):
        return None
    node = nodes.get(value)
    if node is None:
        node = nodes[value] = terms.NamedNode(value)
    return node


def _scan(store: Store, atom: Atom, nodes: dict) -> Iterable[Triple]:
    for q in store.quads(_node(atom[0], nodes), _node(atom[1], nodes), _node(atom[2], nodes), None):
        yield q.subject, q.predicate, q.object


def _bind(atom: Atom, triple: Triple, binding: dict) -> dict | None:
    """Extend ``binding`` so that ``atom`` matches ``triple``; None if it cannot."""
    out = binding
    for pattern, value in ((atom[0], triple[0]), (atom[2], triple[2])):
        if pattern.startswith("?"):
            bound = out.get(pattern)
            if bound is None:
                if out is binding:
                    out = dict(binding)
                out[pattern] = value
            elif bound != value:
                return None
        elif not (isinstance(value, terms.NamedNode) and value.value == pattern):
            return None
    return out


def _fire(store: Store, rule: Rule, position: int, triples: Iterable[Triple], nodes: dict, out: set) -> None:
    """Every head triple of ``rule`` with the atom at ``position`` matched by one of ``triples``."""
    rest = [atom for i, atom in enumerate(rule.body) if i != position]
    heads = [(a[0], _node(a[1], nodes), a[2]) for a in rule.head]
    for triple in triples:
        binding = _bind(rule.body[position], triple, {})
        if binding is None:
            continue
        for full in _join(store, rest, binding, nodes):
            if any(full[a] == full[b] for a, b in rule.distinct):
                continue
            for s, p, o in heads:
                subject = full[s] if s.startswith("?") else _node(s, nodes)
                if isinstance(subject, terms.Literal):
                    continue  # an inverse of a literal-valued fact has no subject
                out.add((subject, p, full[o] if o.startswith("?") else _node(o, nodes)))


def _join(store: Store, atoms: list[Atom], binding: dict, nodes: dict):
    if not atoms:
        yield binding
        return
    atom, rest = atoms[0], atoms[1:]
    s = binding.get(atom[0]) if atom[0].startswith("?") else _node(atom[0], nodes)
    o = binding.get(atom[2]) if atom[2].startswith("?") else _node(atom[2], nodes)
    if isinstance(s, terms.Literal):
        return
    for q in store.quads(s, _node(atom[1], nodes), o, None):
        extended = _bind(atom, (q.subject, q.predicate, q.object), binding)
        if extended is not None:
            yield from _join(store, rest, extended, nodes)


def _present_triple(store: Store, t: Triple) -> bool:
    for _ in store.quads(t[0], t[1], t[2], None):
        return True
    return False


#: Above this many quads, inferred triples are written with ``bulk_extend`` (sorted files ingested at once,
#: several times faster than a transaction; the staging store has no other writer).
_BULK_QUADS = 20_000


def _write(store: Store, quads: list[terms.Quad]) -> None:
    if len(quads) > _BULK_QUADS and hasattr(store, "bulk_add"):  # the embedded store a build writes
        store.bulk_add(quads)
    elif quads:
        store.add(quads)


def _apply(store: Store, rule: Rule, *, count: bool = True):
    """Run ``rule``'s CONSTRUCT once and add what is new; return how many (or, ``count=False``, the new quads)."""
    found = dict.fromkeys(
        terms.Quad(t.subject, t.predicate, t.object, _INFERRED) for t in store.construct(rule.construct)
    )
    fresh = [q for q in found if not _present(store, q)]
    _write(store, fresh)
    return len(fresh) if count else fresh


_TYPE = terms.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _classify(store: Store, supers: dict[str, tuple[str, ...]], *, subjects=None) -> int:
    """Add every superclass of every typed entity (or of ``subjects`` only) in one pass over their types."""
    known: dict = defaultdict(set)
    if subjects is None:
        quads = store.quads(None, _TYPE, None, None)
    else:
        quads = (q for subject in subjects for q in store.quads(subject, _TYPE, None, None))
    for quad in quads:
        if isinstance(quad.object, terms.NamedNode):
            known[quad.subject].add(quad.object.value)
    nodes = {c: terms.NamedNode(c) for targets in supers.values() for c in targets}
    new = []
    for subject, classes in known.items():
        wanted: set[str] = set()
        for c in classes:
            wanted.update(supers.get(c, ()))
        for c in wanted - classes:
            new.append(terms.Quad(subject, _TYPE, nodes[c], _INFERRED))
    _write(store, new)
    return len(new)


def _once_query(rule: Rule) -> str:
    """A ``once`` rule as one CONSTRUCT that leaves out each head triple already present (in any graph): what
    :func:`_apply` checks one by one in Python, asked of the engine instead.

    Each head's subject is replaced by a variable bound only when that triple is absent (``IF(EXISTS ...)``;
    an unbound variable drops the triple from the answer), so the rule's body is evaluated once.

    >>> print(_once_query(once("t", ["?x <http://e/q> ?y"], "?x <http://e/p> ?y")))
    CONSTRUCT { ?_new0 <http://e/q> ?y } WHERE { ?x <http://e/p> ?y BIND(IF(EXISTS { ?x <http://e/q> ?y }, ?_never, ?x) AS ?_new0) }
    """
    heads, binds = [], []
    for i, template in enumerate(rule.templates):
        subject, rest = template.split(None, 1)
        heads.append(f"?_new{i} {rest}")
        binds.append(f"BIND(IF(EXISTS {{ {template} }}, ?_never, {subject}) AS ?_new{i})")
    return f"CONSTRUCT {{ {' . '.join(heads)} }} WHERE {{ {rule.where} {' '.join(binds)} }}"


def _inferred_size(store: Store) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}", union=False)
    return int(rows[0]["n"].value)


def _add_native(store: OxigraphStore, queries: list[str]) -> int:
    """Add the answers of CONSTRUCT ``queries`` to :data:`INFERRED_GRAPH` without a Python object per triple
    (serialised and loaded by pyoxigraph, in bulk when large); return how many triples the graph gained.

    Blank nodes would be renamed by the load: a query must not produce any (the callers keep to IRIs).
    """
    before = _inferred_size(store)
    # every answer first, then one load: a triple two queries both produce is stored once all the same
    data = b"".join(store.construct_ntriples(query) for query in queries)
    if data:
        store.load(data, format="ntriples", graph=INFERRED_GRAPH)
    return _inferred_size(store) - before


def _present(store: Store, quad: terms.Quad) -> bool:
    for _ in store.quads(quad.subject, quad.predicate, quad.object, None):
        return True
    return False
