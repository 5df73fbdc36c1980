"""Pure functions that turn graphs and plain data into what the views draw (JSON payloads, one HTML file).

No file or network I/O happens here, with one exception: :mod:`qkg.viz.source`, the views' adapter, reads a
build's store (through graph/'s readers) into the plain data these functions take; the build stores its results
as artefacts, which ``api/routes/viz.py`` and ``api/commands/viz.py`` read.

==================  =====================================================================================
module              what it gives
==================  =====================================================================================
:mod:`qkg.viz.escape`   JSON safe inside ``<script>``, inert entity links, bounded display text
:mod:`qkg.viz.style`    colour, shape and legend label of each kind of entity
:mod:`qkg.viz.layout`   positions precomputed with igraph (no physics in the browser), centralities for sizes
:mod:`qkg.viz.filters`  the network filters (kind, theme, year, category, relation) and ego networks
:mod:`qkg.viz.network`  vis-network nodes, edges and options built with pyvis, facets and legend
:mod:`qkg.viz.panel`    the side panel's plain-text summary of one entity, with provenance
:mod:`qkg.viz.geo`      the map: partner cities, missions as great-circle routes, receptions by origin
:mod:`qkg.viz.timeline` partial dates as the spans they denote, timeline items, count series for charts
:mod:`qkg.viz.standalone` the self-contained offline HTML file of ``qkg viz``
:mod:`qkg.viz.source`   the adapter: store -> network (overview, bounded ego), map, stats; per build
==================  =====================================================================================
"""

__all__: list[str] = []
