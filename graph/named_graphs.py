"""The named graphs a build writes besides the data files' own, in one place.

Every data file goes into a named graph of its own (its provenance); the build adds three more:

>>> from qkg.ontology.curies import short
>>> [short(g) for g in (ONTOLOGY_GRAPH, INFERRED_GRAPH, BUILD_GRAPH)]
['qkgd:graph-ontology', 'qkgd:graph-inferred', 'qkgd:graph-build']
"""

from __future__ import annotations

from qkg.ontology import QKGD

__all__ = ["ONTOLOGY_GRAPH", "INFERRED_GRAPH", "BUILD_GRAPH", "RESERVED_GRAPHS", "YEAR_TAG", "YEAR_PATTERN"]

#: The ontology and its vocabularies.
ONTOLOGY_GRAPH = str(QKGD["graph-ontology"])
#: What the OWL 2 RL rules derived at build time, never confused with what a file asserts.
INFERRED_GRAPH = str(QKGD["graph-inferred"])
#: The build's own record (when, from which files, with which versions).
BUILD_GRAPH = str(QKGD["graph-build"])
#: No data file may write into these.
RESERVED_GRAPHS = (ONTOLOGY_GRAPH, BUILD_GRAPH, INFERRED_GRAPH)

#: The year of a report's named graph, stated in the build record: ``<graph-2024-missions> dct:temporal
#: "2024"^^xsd:gYear`` (in :data:`BUILD_GRAPH`). Files under ``data/<year>/`` are that year's; background
#: facts and added sheets have no year.
YEAR_TAG = "http://purl.org/dc/terms/temporal"
#: What a year folder's name looks like (``data/2024/``).
YEAR_PATTERN = r"[12][0-9]{3}"
