"""The qkg ontology: OWL classes and properties, SKOS vocabularies and SHACL shapes, as Turtle files.

The ``.ttl`` files in this package are the single source of truth; :mod:`qkg.ontology.curies` shortens and
expands their IRIs, and :mod:`qkg.ontology.owl` bridges them to owlready2 and HermiT.

>>> g = load_ontology()
>>> (QKG.Mission, RDF.type, OWL.Class) in g
True
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

__all__ = [
    "QKG",
    "QKGD",
    "SCHEMA",
    "ORG",
    "PROV",
    "GIST",
    "FOAF",
    "TIME",
    "GEO",
    "DCT",
    "WDT",
    "ONTOLOGY_FILES",
    "SHAPES_FILE",
    "PREFIXES",
    "ontology_paths",
    "load_ontology",
    "sparql_prefixes",
    "RDF",
    "RDFS",
    "OWL",
    "SKOS",
    "XSD",
]

#: The base of every qkg IRI: terms under ``def#``, entities under ``id/``.
BASE = "https://w3id.org/qkg/"
QKG = Namespace(BASE + "def#")
QKGD = Namespace(BASE + "id/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
GIST = Namespace("https://w3id.org/semanticarts/ns/ontology/gist/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
DCT = Namespace("http://purl.org/dc/terms/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

#: Prefixes declared in every canned query, in the editor and in exports.
PREFIXES: dict[str, str] = {
    "qkg": str(QKG),
    "qkgd": str(QKGD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "gist": str(GIST),
    "foaf": str(FOAF),
    "time": str(TIME),
    "geo": str(GEO),
    "dct": str(DCT),
    "wdt": str(WDT),
}

#: The ontology's Turtle files, in load order (TBox, vendored axioms, vocabularies).
ONTOLOGY_FILES = ("qkg.ttl", "external.ttl", "vocabularies.ttl", "themes.ttl")
SHAPES_FILE = "shapes.ttl"


def ontology_paths() -> list[Path]:
    """Return the paths of the ontology's Turtle files that exist, in load order."""
    root = Path(str(resources.files(__name__)))
    return [root / name for name in ONTOLOGY_FILES if (root / name).exists()]


def load_ontology() -> Graph:
    """Parse the ontology and its vocabularies into one rdflib graph (no import is ever followed)."""
    g = Graph()
    for path in ontology_paths():
        g.parse(path, format="turtle")
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, replace=True)
    return g


#: Display labels (fr, en) of the standard vocabulary terms the pages show (annotations only, never reasoned).
LABELS_FILE = "labels.ttl"


@functools.cache
def standard_labels() -> dict[str, dict[str, str]]:
    """``{curie: {lang: label}}`` of :data:`LABELS_FILE`: the names of the standard terms (``org:holds``,
    ``foaf:member``...) that the ontology does not label, for every page, view and answer that shows one.

    >>> standard_labels()["org:holds"]["fr"], standard_labels()["foaf:member"]["en"]
    ('occupe le poste', 'has member')
    """
    g = Graph()
    g.parse(Path(str(resources.files(__name__))) / LABELS_FILE, format="turtle")
    return labels_by_curie(g)


def labels_by_curie(g: Graph, *, langs: tuple[str, ...] | None = None) -> dict[str, dict[str, str]]:
    """``{curie: {lang: label}}`` of the ``rdfs:label`` of ``g``'s terms under :data:`PREFIXES` (of ``langs``
    only, when given; untagged labels left out).

    >>> g = Graph().parse(data='<https://w3id.org/qkg/def#City> <http://www.w3.org/2000/01/rdf-schema#label> "Ville"@fr .', format="turtle")
    >>> labels_by_curie(g)
    {'qkg:City': {'fr': 'Ville'}}
    """
    from rdflib import Literal

    by_iri = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    out: dict[str, dict[str, str]] = {}
    for s, label in g.subject_objects(RDFS.label):
        if not isinstance(label, Literal) or not label.language or (langs and label.language not in langs):
            continue
        iri = str(s)
        for prefix, ns in by_iri:
            if iri.startswith(ns) and iri != ns:
                out.setdefault(f"{prefix}:{iri[len(ns) :]}", {})[label.language] = str(label)
                break
    return out


def sparql_prefixes() -> str:
    """Return the PREFIX lines of :data:`PREFIXES`.

    >>> "PREFIX qkg: <https://w3id.org/qkg/def#>" in sparql_prefixes()
    True
    """
    return "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items())
