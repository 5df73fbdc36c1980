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

Two domain rules follow (documented in the ontology): twinning agreements give ``qkg:twinnedWith`` and
``org:Membership`` nodes give ``qkg:memberOf``; dated nodes get an OWL-Time description (``time:hasTime``)
whose position keeps the literal's precision (``time:inXSDDate`` / ``inXSDgYearMonth`` / ``inXSDgYear``).

Inferred triples go to one named graph, :data:`INFERRED_GRAPH`, so they are never confused with asserted ones.
A test checks the result against owlrl on the 2024 graph.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from collections.abc import Callable

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from qkg.graph.errors import BuildError, DataError
from qkg.graph.named_graphs import INFERRED_GRAPH
from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from qkg.ontology import QKGD

__all__ = ["INFERRED_GRAPH", "Rule", "compile_rules", "materialise"]

_INFERRED = terms.NamedNode(INFERRED_GRAPH)


@dataclass(frozen=True)
class Rule:
    """One inference rule: a name (for progress and tests) and a SPARQL CONSTRUCT over the union graph.

    ``stage`` says when it runs (see :func:`materialise`): ``"property"`` rules repeat to a fixpoint,
    ``"class"`` rules (``source`` class => ``targets`` superclasses) run as one pass in Python, ``"defined"``
    rules after them, and ``"once"`` rules (which read only asserted data) a single time.
    """

    name: str
    construct: str
    stage: str = "property"
    source: str = ""
    targets: tuple[str, ...] = ()


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
    for c, s in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(s, URIRef):
            classes.add(str(c), str(s))
    for c, s in ontology.subject_objects(OWL.equivalentClass):
        if isinstance(c, URIRef) and isinstance(s, URIRef):
            classes.add(str(c), str(s))
            classes.add(str(s), str(c))
    for p, s in ontology.subject_objects(RDFS.subPropertyOf):
        if isinstance(p, URIRef) and isinstance(s, URIRef):
            props.add(str(p), str(s))
    for p, s in ontology.subject_objects(OWL.equivalentProperty):
        props.add(str(p), str(s))
        props.add(str(s), str(p))

    rules: list[Rule] = []
    for p in sorted(props.edges):
        heads = " ; ".join(f"<{s}> ?o" for s in sorted(props.supers(p)))
        rules.append(Rule(f"subProperty:{_local(p)}", f"CONSTRUCT {{ ?s {heads} }} WHERE {{ ?s <{p}> ?o }}"))
    for p, q in ontology.subject_objects(OWL.inverseOf):
        rules.append(Rule(f"inverse:{_local(p)}", f"CONSTRUCT {{ ?o <{q}> ?s }} WHERE {{ ?s <{p}> ?o }}"))
        rules.append(Rule(f"inverse:{_local(q)}", f"CONSTRUCT {{ ?o <{p}> ?s }} WHERE {{ ?s <{q}> ?o }}"))
    for p in ontology.subjects(RDF.type, OWL.SymmetricProperty):
        rules.append(Rule(f"symmetric:{_local(p)}", f"CONSTRUCT {{ ?o <{p}> ?s }} WHERE {{ ?s <{p}> ?o }}"))
    for p in ontology.subjects(RDF.type, OWL.TransitiveProperty):
        rules.append(Rule(f"transitive:{_local(p)}",
                          f"CONSTRUCT {{ ?s <{p}> ?o }} WHERE {{ ?s <{p}> ?m . ?m <{p}>+ ?o }}"))
    for p, chain in ontology.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(ontology, chain))
        body = " . ".join(f"?x{i} <{step}> ?x{i + 1}" for i, step in enumerate(steps))
        rules.append(Rule(f"chain:{_local(p)}", f"CONSTRUCT {{ ?x0 <{p}> ?x{len(steps)} }} WHERE {{ {body} }}"))
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
                raise DataError(f"ontology/: the definition of {defined} uses a class expression the rules "
                                "cannot compile", file="ontology/",
                                hint="define the class as an owl:intersectionOf named classes and "
                                     "owl:hasValue restrictions")
        rules.append(Rule(f"hasValue:{_local(defined)}",
                          f"CONSTRUCT {{ ?x a <{defined}> }} WHERE {{ {' . '.join(patterns)} }}", stage="defined"))
    for c in sorted(classes.edges):
        heads = " , ".join(f"<{s}>" for s in sorted(classes.supers(c)))
        rules.append(Rule(f"subClass:{_local(c)}", f"CONSTRUCT {{ ?x a {heads} }} WHERE {{ ?x a <{c}> }}",
                          stage="class", source=c, targets=tuple(sorted(classes.supers(c)))))
    rules.extend(_domain_rules())
    return rules


def _domain_rules() -> list[Rule]:
    q, d, org = "https://w3id.org/qkg/def#", str(QKGD), "http://www.w3.org/ns/org#"
    time, schema, xsd = "http://www.w3.org/2006/time#", "https://schema.org/", "http://www.w3.org/2001/XMLSchema#"
    rules = [
        Rule("twinning", f"CONSTRUCT {{ ?a <{q}twinnedWith> ?b }} WHERE {{ ?e <{q}agreementType> <{d}type-twinning> ;"
                         f" <{q}party> ?a , ?b . FILTER(?a != ?b) }}"),
        Rule("membership", f"CONSTRUCT {{ ?a <{q}memberOf> ?o . ?o <{org}hasMember> ?a }} WHERE {{"
                           f" ?m a <{org}Membership> ; <{org}member> ?a ; <{org}organization> ?o }}"),
    ]
    positions = {"date": "inXSDDate", "gYearMonth": "inXSDgYearMonth", "gYear": "inXSDgYear"}
    for kind, position in positions.items():
        rules.append(Rule(f"time:start:{kind}", (
            f"CONSTRUCT {{ ?x <{time}hasTime> ?t . ?t a <{time}Interval> ; <{time}hasBeginning> ?b ."
            f" ?b a <{time}Instant> ; <{time}{position}> ?d }}"
            f" WHERE {{ ?x <{schema}startDate> ?d . FILTER(datatype(?d) = <{xsd}{kind}>)"
            f" BIND(IRI(CONCAT(STR(?x), '-time')) AS ?t) BIND(IRI(CONCAT(STR(?x), '-start')) AS ?b) }}"), stage="once"))
        rules.append(Rule(f"time:end:{kind}", (
            f"CONSTRUCT {{ ?x <{time}hasTime> ?t . ?t a <{time}Interval> ; <{time}hasEnd> ?e ."
            f" ?e a <{time}Instant> ; <{time}{position}> ?d }}"
            f" WHERE {{ ?x <{schema}endDate> ?d . FILTER(datatype(?d) = <{xsd}{kind}>)"
            f" BIND(IRI(CONCAT(STR(?x), '-time')) AS ?t) BIND(IRI(CONCAT(STR(?x), '-end')) AS ?e) }}"), stage="once"))
    return rules


def _local(iri: str) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _term(value) -> str:
    return value.n3()


def materialise(store: Store, rules: list[Rule], *, max_rounds: int = 12,
                progress: Callable[[str], None] | None = None) -> int:
    """Apply ``rules`` to ``store`` until nothing new is derived; return the number of inferred triples.

    Inferred triples are written to :data:`INFERRED_GRAPH`. The order avoids re-deriving what is known:

    1. property rules (sub-properties, inverses, symmetry, transitivity, chains, the domain rules) repeat
       until a round adds nothing; they never depend on types;
    2. ``once`` rules (OWL-Time descriptions of asserted dates) run a single time;
    3. class rules run as one pass: every ``(entity, class)`` pair is read once and each class's complete
       superclass closure is added, so no later round is needed;
    4. defined classes (``owl:hasValue``) are classified, then step 3 runs again for what they added.

    Examples
    --------
    >>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
    >>> s = OxigraphStore()
    >>> s.add([terms.Quad(terms.NamedNode("http://e/a"), terms.NamedNode("http://e/p"), terms.NamedNode("http://e/b"))])
    >>> r = Rule("p->q", "CONSTRUCT { ?s <http://e/q> ?o } WHERE { ?s <http://e/p> ?o }")
    >>> materialise(s, [r])
    1
    """
    say = progress or (lambda _msg: None)
    by_stage: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_stage[rule.stage].append(rule)
    total = 0
    for round_no in range(1, max_rounds + 1):
        added = sum(_apply(store, rule) for rule in by_stage["property"])
        total += added
        say(f"inference: property round {round_no}: +{added} triples")
        if not added:
            break
    else:
        raise BuildError(f"property inference did not reach a fixpoint in {max_rounds} rounds",
                         hint="look for a property chain or transitive property that keeps deriving new "
                              "triples in ontology/qkg.ttl, or raise max_rounds")
    added = sum(_apply(store, rule) for rule in by_stage["once"])
    say(f"inference: time descriptions: +{added} triples")
    total += added
    supers = {r.source: r.targets for r in by_stage["class"]}
    added = _classify(store, supers)
    say(f"inference: class closure: +{added} triples")
    total += added
    added = sum(_apply(store, rule) for rule in by_stage["defined"])
    if added:
        added += _classify(store, supers)
    say(f"inference: defined classes: +{added} triples")
    return total + added


def _apply(store: Store, rule: Rule) -> int:
    fresh = [terms.Quad(t.subject, t.predicate, t.object, _INFERRED)
             for t in store.construct(rule.construct)]
    fresh = [q for q in fresh if not _present(store, q)]
    if fresh:
        store.add(fresh)
    return len(fresh)


_TYPE = terms.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _classify(store: Store, supers: dict[str, tuple[str, ...]]) -> int:
    """Add every superclass of every typed entity in one pass over the ``rdf:type`` triples."""
    known: dict = defaultdict(set)
    for quad in store.quads(None, _TYPE, None, None):
        if isinstance(quad.object, terms.NamedNode):
            known[quad.subject].add(quad.object.value)
    nodes = {c: terms.NamedNode(c) for targets in supers.values() for c in targets}
    new = []
    for subject, classes in known.items():
        wanted = set()
        for c in classes:
            wanted.update(supers.get(c, ()))
        for c in wanted - classes:
            new.append(terms.Quad(subject, _TYPE, nodes[c], _INFERRED))
    if new:
        store.add(new)
    return len(new)


def _present(store: Store, quad: terms.Quad) -> bool:
    for _ in store.quads(quad.subject, quad.predicate, quad.object, None):
        return True
    return False
