"""SHACL shapes compiled to SPARQL, run on the store in place: pySHACL's report, from a few queries.

Each constraint of a shape that has targets becomes one SELECT that returns only its violations (a graph that
conforms gives empty answers, so nothing is decoded but what is wrong). A shape used as a value's shape
(``sh:node``, the members of ``sh:or`` / ``sh:and`` / ``sh:not``, ``sh:qualifiedValueShape``) becomes a SPARQL
expression of that value, nested in the query of the constraint that uses it. The report is an rdflib graph in
SHACL's vocabulary, as pySHACL writes it: a ``sh:ValidationResult`` for each focus node, value and constraint,
with its path, severity, constraint component, source shape and ``sh:message``.

The subset compiled is the usual constraints (core SHACL, no SPARQL-based constraints): targets (class,
subjects of, objects of, node, implicit class), paths (a predicate, inverse, sequence, alternative and the
three repeats), ``minCount`` / ``maxCount``, ``class``, ``datatype``, ``nodeKind``, ``in``, ``hasValue``,
``languageIn``, the four ranges, ``minLength`` / ``maxLength``, ``node``, ``or`` / ``and`` / ``not`` / ``xone``,
``qualifiedValueShape`` with its counts, ``message``, ``severity``, ``deactivated``. Anything else (``sh:closed``,
``sh:pattern``, ``sh:uniqueLang``, property pairs, SPARQL constraints, a count above one in a nested shape...)
raises :class:`Unsupported`, and the caller uses another engine (:func:`qkg.graph.building.pipeline.shacl_report`
falls back to pyshacl-turbo), so a shape is never checked by half. A shape with no ``sh:message`` whose
violations would be reported is also unsupported: the report's text would differ from pySHACL's.

It reads the store through its SELECT queries alone, so it runs on the embedded store and on a remote one, in
the memory of a query's answers (a few MB), where an engine that copies the graph holds the graph (pyshacl-turbo:
1.1 GB at 1M triples). ``tests/test_graph_shacl.py`` checks that its report is pySHACL's on the 2024 graph and on
known-bad facts, ``tests/test_graph_shacl_sparql.py`` on 133 small graphs that break each constraint it compiles.
Where the two still differ is on literals at the edges of their types, each a strict ``xfail`` there: a lexical form
the store's cast refuses and rdflib accepts (``" 5"^^xsd:integer``, ``"1e3"^^xsd:decimal``), two literals of one value
that the store keeps apart and rdflib merges, ranges between values of different types (Oxigraph orders what
pySHACL calls incomparable, and the reverse), ``sh:zeroOrMorePath`` on a focus node absent from the data, the
``sh:detail`` of a blank node. The build's shapes use none of these (its fast checks refuse ill-typed literals).
A recursive shape is :class:`Unsupported`.

>>> from qkg.graph.serving.backends.oxigraph import OxigraphStore
>>> from rdflib import Graph
>>> store = OxigraphStore()
>>> store.load(b'<http://e/a> a <http://e/C> . <http://e/b> a <http://e/C> ; <http://e/p> "x" .',
...            format="turtle", graph=None)
>>> shapes = Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
... [] a sh:NodeShape ; sh:targetClass <http://e/C> ;
...    sh:property [ sh:path <http://e/p> ; sh:minCount 1 ; sh:message "needs a p" ] .''')
>>> conforms, report = validate(store, shapes)
>>> conforms, [str(f) for f in report.objects(None, SH.focusNode)]
(False, ['http://e/a'])
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from qkg.graph.serving import terms
from qkg.graph.serving.store import Store
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

__all__ = ["Unsupported", "validate", "compile_shapes", "Check", "SHAPE_TERMS", "VALUE_CONSTRAINTS", "sh_terms"]


class Unsupported(ValueError):
    """A shape uses a feature this compiler does not translate (its message names it): use another engine."""


#: Datatypes whose lexical forms the store checks by a cast (an ill-typed literal is a violation of
#: ``sh:datatype``, as in pySHACL); other datatypes are compared by their IRI alone.
_CASTS = frozenset(
    str(XSD[t])
    for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime", "gYear", "gYearMonth", "time")
)
_STRINGS = frozenset({str(XSD.string), str(RDF.langString)})
_COMPONENT = "http://www.w3.org/ns/shacl#{}ConstraintComponent"


def sh_terms(words: str) -> frozenset[URIRef]:
    """SHACL's terms of these local names (``"minCount maxCount"``)."""
    return frozenset(SH[w] for w in words.split())


#: The value constraints: each tests one value node (of a path, or the focus node itself).
VALUE_CONSTRAINTS = sh_terms(
    "class datatype nodeKind in languageIn minInclusive maxInclusive minExclusive maxExclusive minLength maxLength "
    "node or and not xone"
)
#: Every term a compiled shape may use (a shape that uses another is :class:`Unsupported`).
SHAPE_TERMS = (
    VALUE_CONSTRAINTS
    | sh_terms(
        "targetClass targetSubjectsOf targetObjectsOf targetNode property path message severity deactivated name "
        "description order group minCount maxCount hasValue qualifiedValueShape qualifiedMinCount qualifiedMaxCount"
    )
    | {RDF.type}
)
#: A shape that is one of these is a class: its instances are its targets (SHACL's implicit class targets).
_CLASSES = frozenset({RDFS.Class, OWL.Class})
_IGNORED_TYPES = frozenset({SH.NodeShape, SH.PropertyShape, SH.Shape})


@dataclass(frozen=True)
class Check:
    """One constraint of a targeted shape, as the query that finds its violations.

    ``query`` selects ``?this`` (the focus node) and, when ``valued``, ``?v`` (the value node); each answer is a
    ``sh:ValidationResult`` of ``component`` for ``shape`` (whose path is ``path``; ``None`` for a node shape's own
    constraint, whose value is the focus node).
    """

    shape: Node
    component: str
    query: str
    valued: bool
    path: Node | None
    messages: tuple[Literal, ...]
    severity: URIRef
    #: for ``sh:node``: the shape whose own results on each value node the report gives as ``sh:detail``
    detail: Node | None = None


@dataclass
class _Compiler:
    shapes: Graph
    store: Store
    _classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _names: Iterator[int] = field(default_factory=itertools.count)
    #: the shapes being compiled into a value's test or a detail, outermost first (a shape met again is recursive)
    _open: list[Node] = field(default_factory=list)

    def entering(self, shape: Node) -> None:
        if shape in self._open:
            raise Unsupported(f"{_name(shape)} is recursive (SHACL leaves its meaning to each engine)")
        self._open.append(shape)

    # ---- the shapes graph -------------------------------------------------------------------------------
    def list(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    def one(self, shape: Node, term: URIRef) -> Node | None:
        values = list(self.shapes.objects(shape, term))
        if len(values) > 1:
            raise Unsupported(f"{_name(shape)} has {len(values)} values of {_name(term)}")
        return values[0] if values else None

    def check_terms(self, shape: Node) -> None:
        for p, o in self.shapes.predicate_objects(shape):
            if p not in SHAPE_TERMS:
                raise Unsupported(f"{_name(shape)} uses {_name(p)}")
            if p == RDF.type and o not in _IGNORED_TYPES and o not in _CLASSES:
                raise Unsupported(f"{_name(shape)} is a {_name(o)}")

    def var(self) -> str:
        return f"?_{next(self._names)}"

    # ---- terms and paths, as SPARQL ----------------------------------------------------------------------
    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.shapes:  # a sequence
            return "(" + "/".join(self.path(n) for n in self.list(node)) + ")"
        kinds = {
            SH.inversePath: "^{}",
            SH.zeroOrMorePath: "{}*",
            SH.oneOrMorePath: "{}+",
            SH.zeroOrOnePath: "{}?",
        }
        for kind, form in kinds.items():
            inner = self.one(node, kind)
            if inner is not None:
                return "(" + form.format(self.path(inner)) + ")"
        alternatives = self.one(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(n) for n in self.list(alternatives)) + ")"
        raise Unsupported(f"a path this compiler does not read: {_name(node)}")

    def subclasses(self, cls: Node) -> tuple[str, ...]:
        """``cls`` and its subclasses in the data graph (SHACL's ``rdf:type/rdfs:subClassOf*``), as SPARQL terms."""
        key = str(cls)
        if key not in self._classes:
            rows = self.store.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{key}> }}")
            if any(not isinstance(r["c"], terms.NamedNode) for r in rows):
                self._classes[key] = ()  # a blank node among them: it cannot be listed, the path is walked
            else:
                self._classes[key] = tuple(sorted({f"<{r['c'].value}>" for r in rows} | {f"<{key}>"}))
        return self._classes[key]

    def typed(self, x: str, cls: Node) -> str:
        """A pattern that holds when the node bound to ``x`` is an instance of ``cls`` (or of a subclass)."""
        listed = self.subclasses(cls)
        if not listed:
            return f"{x} a/<{RDFS.subClassOf}>* <{cls}>"
        t = self.var()
        return f"{x} a {t} VALUES {t} {{ {' '.join(listed)} }}"

    def instance_of(self, x: str, cls: Node) -> str:
        return f"EXISTS {{ {self.typed(x, cls)} }}"

    # ---- a value's conformance to a constraint or a shape, as an expression ------------------------------
    def value_test(self, kind: Node, value: Node, x: str) -> str:
        """A SPARQL expression true when the node bound to ``x`` meets the value constraint ``kind value``."""
        if kind == SH["class"]:
            return self.instance_of(x, value)
        if kind == SH.datatype:
            test = f"datatype({x}) = <{value}>"  # an error (so false) on an IRI or a blank node
            if str(value) in _CASTS:  # ill-typed literals fail: the cast of their text does not succeed
                test += f" && datatype(<{value}>(STR({x}))) = <{value}>"
            elif str(value) not in _STRINGS:
                raise Unsupported(f"sh:datatype {_name(value)}: its lexical forms are not checked here")
            return f"COALESCE({test}, false)"
        if kind == SH.nodeKind:
            forms = {
                SH.IRI: "isIRI({0})",
                SH.BlankNode: "isBlank({0})",
                SH.Literal: "isLiteral({0})",
                SH.BlankNodeOrIRI: "!isLiteral({0})",
                SH.BlankNodeOrLiteral: "!isIRI({0})",
                SH.IRIOrLiteral: "!isBlank({0})",
            }
            if not isinstance(value, URIRef) or value not in forms:
                raise Unsupported(f"sh:nodeKind {_name(value)}")
            return forms[value].format(x)
        if kind == SH["in"]:
            members = [_term(m) for m in self.list(value)]
            return "(" + (" || ".join(f"sameTerm({x}, {m})" for m in members) or "false") + ")"
        if kind == SH.hasValue:  # a node shape's own sh:hasValue: the node is that value
            return f"sameTerm({x}, {_term(value)})"
        if kind == SH.languageIn:
            tags = [str(m) for m in self.list(value)]
            matches = " || ".join(f'langMatches(lang({x}), "{_escape(t)}")' for t in tags) or "false"
            return f"COALESCE(isLiteral({x}) && ({matches}), false)"
        if kind in _RANGES:
            return f"COALESCE({x} {_RANGES[kind]} {_term(value)}, false)"
        if kind in (SH.minLength, SH.maxLength):
            op = ">=" if kind == SH.minLength else "<="
            return f"COALESCE(!isBlank({x}) && STRLEN(STR({x})) {op} {_int(value)}, false)"
        if kind == SH.node:
            return self.conforms(value, x)
        if kind in (SH["or"], SH["and"], SH.xone):
            members = [self.conforms(member, x) for member in self.list(value)]
            if kind == SH.xone:
                counted = " + ".join(f"IF({t}, 1, 0)" for t in members) or "0"
                return f"(({counted}) = 1)"
            joint = " || " if kind == SH["or"] else " && "
            return "(" + (joint.join(members) or ("false" if kind == SH["or"] else "true")) + ")"
        if kind == SH["not"]:
            return f"!({self.conforms(value, x)})"
        raise Unsupported(f"{_name(kind)}")

    def conforms(self, shape: Node, x: str) -> str:
        """A SPARQL expression true when the node bound to ``x`` conforms to ``shape`` (its targets ignored)."""
        self.entering(shape)
        try:
            return self._conforms(shape, x)
        finally:
            self._open.pop()

    def _conforms(self, shape: Node, x: str) -> str:
        self.check_terms(shape)
        if self.one(shape, SH.deactivated) == Literal(True):
            return "true"
        path = self.one(shape, SH.path)
        tests: list[str] = []
        if path is None:
            for kind, value in self.shapes.predicate_objects(shape):
                if kind in _NODE_CONSTRAINTS:
                    tests.append(self.value_test(kind, value, x))
                elif kind in _COUNTS or kind in (SH.qualifiedValueShape,):
                    raise Unsupported(f"{_name(kind)} on a node shape")
            for prop in self.shapes.objects(shape, SH.property):
                tests.append(self.conforms(prop, x))
        else:
            p = self.path(path)
            for kind, value in self.shapes.predicate_objects(shape):
                y = self.var()
                if kind in _COUNTS:  # 0 or 1 (a count above needs a subquery, which EXISTS does not correlate)
                    n = _int(value)
                    if n > 1:
                        raise Unsupported(f"{_name(kind)} {n} in a nested shape")
                    if kind == SH.minCount and n == 1:
                        tests.append(f"EXISTS {{ {x} {p} {y} }}")
                    elif kind == SH.maxCount and n == 0:
                        tests.append(f"NOT EXISTS {{ {x} {p} {y} }}")
                    elif kind == SH.maxCount:
                        z = self.var()
                        tests.append(f"NOT EXISTS {{ {x} {p} {y} . {x} {p} {z} FILTER(!sameTerm({y}, {z})) }}")
                elif kind == SH.hasValue:
                    tests.append(f"EXISTS {{ {x} {p} {_term(value)} }}")
                elif kind in VALUE_CONSTRAINTS:
                    tests.append(f"NOT EXISTS {{ {x} {p} {y} FILTER(!({self.value_test(kind, value, y)})) }}")
                elif kind in (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount):
                    raise Unsupported("sh:qualifiedValueShape in a nested shape")
            for prop in self.shapes.objects(shape, SH.property):
                raise Unsupported(f"sh:property of a property shape ({_name(prop)})")
        return "(" + (" && ".join(tests) or "true") + ")"

    # ---- a targeted shape's constraints, as queries -----------------------------------------------------
    def targets(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to the shape's focus nodes (repeats possible), or None."""
        parts: list[str] = []
        classes = set(self.shapes.objects(shape, SH.targetClass))
        if any((shape, RDF.type, c) in self.shapes for c in _CLASSES):  # an implicit class target
            classes.add(shape)
        if classes:
            t = self.var()
            every = sorted({c for cls in classes for c in self.subclasses(cls)})
            parts.append(f"{{ ?this a {t} VALUES {t} {{ {' '.join(every)} }} }}")
        for p in self.shapes.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this <{p}> {self.var()} }}")
        for p in self.shapes.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ {self.var()} <{p}> ?this }}")
        nodes = list(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(_term(n) for n in nodes)} }} }}")
        return " UNION ".join(parts) if parts else None

    def checks(self, shape: Node, focus: str) -> Iterator[Check]:
        """The queries of a targeted shape's constraints (and of its property shapes', on the same focus)."""
        self.check_terms(shape)
        if self.one(shape, SH.deactivated) == Literal(True):
            return
        path = self.one(shape, SH.path)
        messages = tuple(m for m in self.shapes.objects(shape, SH.message) if isinstance(m, Literal))
        severity = self.one(shape, SH.severity) or SH.Violation
        assert isinstance(severity, URIRef)

        def check(component: str, where: str, valued: bool, detail: Node | None = None) -> Check:
            if not messages:
                raise Unsupported(f"{_name(shape)} has no sh:message (pySHACL would write its own text)")
            if detail is not None:  # its results are given as sh:detail: they must compile too
                self.entering(detail)
                try:
                    list(self.checks(detail, "VALUES ?this { }"))
                finally:
                    self._open.pop()
            select = "?this ?v" if valued else "?this"
            return Check(
                shape,
                _COMPONENT.format(component),
                f"SELECT DISTINCT {select} WHERE {{ {where} }}",
                valued,
                path,
                messages,
                severity,
                detail,
            )

        # Oxigraph runs these shapes fastest (measured at 1M triples): the focus nodes less those that pass as a
        # MINUS, never a FILTER NOT EXISTS (0.6 s against 4.5 s for the 100k labelled entities); the failing
        # values found apart and joined to the focus nodes, never a FILTER EXISTS on the targets (1.7 s against
        # 11 s for their 253k labels: the engine tests the targets for every value).
        every = f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}"

        def failing(where: str, select: str = "DISTINCT ?this ?v", then: str = "") -> str:
            return f"{every} {{ SELECT {select} WHERE {{ {where} }} {then}}}"

        if path is None:
            for kind, value in sorted(self.shapes.predicate_objects(shape)):
                if kind == SH["class"]:
                    yield check("Class", f"{every} MINUS {{ {self.typed('?this', value)} }} BIND(?this AS ?v)", True)
                elif kind == SH.hasValue:  # the focus node is not that value: pySHACL gives no sh:value
                    yield check("HasValue", f"{every} FILTER(!({self.value_test(kind, value, '?this')}))", False)
                elif kind in VALUE_CONSTRAINTS:
                    test = self.value_test(kind, value, "?this")
                    detail = value if kind == SH.node else None
                    yield check(_component(kind), f"{every} BIND(?this AS ?v) FILTER(!({test}))", True, detail)
                elif kind in _COUNTS or kind == SH.qualifiedValueShape:
                    raise Unsupported(f"{_name(kind)} on a node shape")
            for prop in self.shapes.objects(shape, SH.property):
                yield from self.checks(prop, focus)
            return
        p = self.path(path)
        for kind, value in sorted(self.shapes.predicate_objects(shape)):
            if kind == SH.minCount:
                n = _int(value)
                if n == 1:
                    yield check("MinCount", f"{every} MINUS {{ ?this {p} ?v }}", False)
                elif n > 1:
                    yield check(
                        "MinCount",
                        f"{{ SELECT ?this WHERE {{ {every} OPTIONAL {{ ?this {p} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n}) }}",
                        False,
                    )
            elif kind == SH.maxCount:
                yield check(
                    "MaxCount",
                    failing(f"?this {p} ?v", "?this", f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {_int(value)}) "),
                    False,
                )
            elif kind == SH.hasValue:
                yield check("HasValue", f"{every} MINUS {{ ?this {p} {_term(value)} }}", False)
            elif kind == SH["class"]:
                where = failing(f"?this {p} ?v MINUS {{ {self.typed('?v', value)} }}")
                yield check("Class", where, True)
            elif kind in VALUE_CONSTRAINTS:
                test = self.value_test(kind, value, "?v")
                detail = value if kind == SH.node else None
                yield check(_component(kind), failing(f"?this {p} ?v FILTER(!({test}))"), True, detail)
            elif kind == SH.qualifiedValueShape:
                if self.shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                    raise Unsupported("sh:qualifiedValueShapesDisjoint")
                test = self.conforms(value, "?v")
                low, high = self.one(shape, SH.qualifiedMinCount), self.one(shape, SH.qualifiedMaxCount)
                counted = f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ ?this {p} ?v FILTER({test}) }} GROUP BY ?this }}"
                if low is not None and _int(low) == 1:
                    yield check("QualifiedMinCount", f"{every} MINUS {{ ?this {p} ?v FILTER({test}) }}", False)
                elif low is not None and _int(low) > 1:
                    where = f"{every} OPTIONAL {counted} FILTER(COALESCE(?n, 0) < {_int(low)})"
                    yield check("QualifiedMinCount", where, False)
                if high is not None:
                    yield check("QualifiedMaxCount", f"{every} {counted} FILTER(?n > {_int(high)})", False)


_COUNTS = frozenset({SH.minCount, SH.maxCount})
#: The constraints of a node shape on its focus node itself: the value constraints, and sh:hasValue.
_NODE_CONSTRAINTS = VALUE_CONSTRAINTS | {SH.hasValue}
_RANGES: dict[Node, str] = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


def _int(value: Node | None) -> int:
    """A count of the shapes (``sh:minCount 2``) as an int."""
    if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
        raise Unsupported(f"a count that is not an integer: {value!r}")
    return int(value.toPython())


def _component(kind: Node) -> str:
    local = str(kind).rsplit("#", 1)[-1]
    return local[0].upper() + local[1:]


def _name(node: Node) -> str:
    if isinstance(node, URIRef) and str(node).startswith(str(SH)):
        return "sh:" + str(node)[len(str(SH)) :]
    return node.n3() if isinstance(node, URIRef | Literal) else "a blank-node shape"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _term(node: Node) -> str:
    if isinstance(node, URIRef | Literal):
        return node.n3()
    raise Unsupported("a blank node as a constraint's value")


def compile_shapes(store: Store, shapes: Graph) -> list[Check]:
    """Every constraint of the shapes that have targets, as its query (raises :class:`Unsupported`)."""
    return _compiled(store, shapes)[1]


def _compiled(store: Store, shapes: Graph) -> tuple[_Compiler, list[Check]]:
    compiler = _Compiler(shapes, store)
    out: list[Check] = []
    shapes_with_targets = sorted(
        {
            s
            for t in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
            for s in shapes.subjects(t)
        }
        | {s for c in _CLASSES for s in shapes.subjects(RDF.type, c) if (s, RDF.type, SH.NodeShape) in shapes},
        key=str,
    )
    for shape in shapes_with_targets:
        focus = compiler.targets(shape)
        if focus is not None:
            out.extend(compiler.checks(shape, focus))
    return compiler, out


def validate(store: Store, shapes: Graph) -> tuple[bool, Graph]:
    """``(conforms, report)``: the store's data against the shapes, pySHACL's report (see the module's text).

    Raises :class:`Unsupported` (before any query is run) when a shape uses what is not compiled.
    """
    compiler, checks = _compiled(store, shapes)
    report = Graph()
    report.bind("sh", SH)
    top = BNode()
    _run(compiler, checks, report, lambda _focus: [top], SH.result)
    # as pySHACL with allow_warnings: only a violation makes the graph not conform (a sh:Warning or sh:Info does not)
    found = any((r, SH.resultSeverity, SH.Violation) in report for r in report.objects(top, SH.result))
    report.add((top, RDF.type, SH.ValidationReport))
    report.add((top, SH.conforms, Literal(not found)))
    return not found, report


#: Value nodes whose sh:detail one query reads (a VALUES block of this many terms).
_DETAIL_BATCH = 2_000


def _run(
    compiler: _Compiler, checks: Iterable[Check], report: Graph, parents: Callable[[Node], list[Node]], link: URIRef
) -> None:
    """Run the checks, adding each result to ``report`` under the ``parents`` of its focus node (by ``link``)."""
    for c in checks:
        failing: dict[Node, list[Node]] = {}
        for row in compiler.store.select(c.query):
            focus = _rdflib(row["this"])
            for parent in parents(focus):
                result = BNode()
                report.add((parent, link, result))
                report.add((result, RDF.type, SH.ValidationResult))
                report.add((result, SH.focusNode, focus))
                if c.valued:  # a value constraint's value node (a node shape's own: the focus node itself)
                    value = _rdflib(row["v"])
                    report.add((result, SH.value, value))
                    if c.detail is not None:
                        failing.setdefault(value, []).append(result)
                if c.path is not None:
                    report.add((result, SH.resultPath, _copy_path(compiler.shapes, c.path, report)))
                report.add((result, SH.sourceConstraintComponent, URIRef(c.component)))
                report.add((result, SH.sourceShape, c.shape))
                report.add((result, SH.resultSeverity, c.severity))
                for m in c.messages:
                    report.add((result, SH.resultMessage, m))
        # sh:node: why each failing value does not conform, as pySHACL says it, under each result of that value;
        # the values asked together (a blank node cannot be named in a query: it gets no detail)
        named = [v for v in failing if isinstance(v, URIRef | Literal)]
        for start in range(0, len(named), _DETAIL_BATCH):
            assert c.detail is not None
            values = " ".join(v.n3() for v in named[start : start + _DETAIL_BATCH])
            details = compiler.checks(c.detail, f"VALUES ?this {{ {values} }}")
            _run(compiler, details, report, functools.partial(_owners, failing), SH.detail)


def _owners(failing: dict[Node, list[Node]], focus: Node) -> list[Node]:
    """The results a failing value's sh:detail goes under."""
    return failing.get(focus, [])


def _copy_path(shapes: Graph, node: Node, into: Graph) -> Node:
    """A path as the report gives it: the IRI, or a copy of the path's blank nodes."""
    if not isinstance(node, BNode):
        return node
    copy = BNode()
    for p, o in shapes.predicate_objects(node):
        into.add((copy, p, _copy_path(shapes, o, into)))
    return copy


def _rdflib(term) -> Node:
    if isinstance(term, terms.NamedNode):
        return URIRef(term.value)
    if isinstance(term, terms.BlankNode):
        return BNode(term.value)
    datatype = term.datatype.value
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))
