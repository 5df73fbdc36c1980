"""Bridge to owlready2 and the HermiT reasoner: is the ontology plus the data consistent?

owlready2 reads N-Triples, RDF/XML or OWL/XML but not Turtle, so rdflib converts first. No ``owl:imports`` is
ever followed (the ontology has none and the loader is given the bytes, not a URL). HermiT rejects
``xsd:date``/``xsd:gYear``/``xsd:gYearMonth`` (outside the OWL 2 datatype map), hence
``ignore_unsupported_datatypes=True``. Pellet, bundled with owlready2 0.51, does not run on Java 17.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from dataclasses import dataclass

from rdflib import Graph

__all__ = ["ConsistencyReport", "hermit_check", "java_available"]


@dataclass(frozen=True)
class ConsistencyReport:
    """The outcome of a HermiT run."""

    consistent: bool
    triples: int
    seconds: float
    detail: str = ""
    inconsistent_classes: tuple[str, ...] = ()


def java_available() -> bool:
    """True when a ``java`` executable is on the PATH (HermiT needs one)."""
    return shutil.which("java") is not None


def hermit_check(graph: Graph, *, memory_mb: int = 2000) -> ConsistencyReport:
    """Run HermiT on ``graph`` (TBox + ABox) and report consistency and unsatisfiable classes.

    Parameters
    ----------
    graph : rdflib.Graph
        The ontology and the data, merged.
    memory_mb : int
        The Java heap for HermiT.
    """
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError

    owlready2.reasoning.JAVA_MEMORY = memory_mb
    nt = graph.serialize(format="nt", encoding="utf-8")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        world = owlready2.World(filename=f"{tmp}/quadstore.sqlite3")
        onto = world.get_ontology("https://w3id.org/qkg/check").load(fileobj=io.BytesIO(nt), format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except OwlReadyInconsistentOntologyError as exc:
            return ConsistencyReport(False, len(graph), time.perf_counter() - started, str(exc)[:2000])
        nothing = owlready2.Nothing
        unsat = tuple(sorted(c.iri for c in world.inconsistent_classes() if c is not nothing))
        world.close()
    return ConsistencyReport(
        not unsat, len(graph), time.perf_counter() - started, "" if not unsat else "unsatisfiable classes", unsat
    )
