"""Pure functions that turn graphs and plain data into what the views draw (JSON payloads, one HTML file).

No file or network I/O happens here: the callers (``api/routes/viz.py``, ``api/commands/viz.py``) read the store
and the static files and pass plain data, networkx graphs and strings in.

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
==================  =====================================================================================
"""

__all__: list[str] = []
