"""An actor's partners ranked by the number of facts they share, from the network view's graph.

Two actors share a fact when both take part in the same activity (a mission, a reception, an event, an
agreement, a project: the nodes of those kinds in the network); a direct link between them (the City is a
member of the OVPM) is one more shared fact, however many properties state it (``org:memberOf`` and its
inverse and shortcuts are one membership). An actor speaks through its posts and units (the mayor leads a mission for the City):
the posts and units of the actor (``org:postIn``, ``org:unitOf``) count as the actor, and a partner's posts
and units count as that partner. Places are not partners (they are on the map), nor are the activities.

Bounded: at most :data:`PARTNER_FACTS_MAX` of the actor's facts are read (the answer then says ``partial``),
and the answer lists the :data:`PARTNERS_TOP` first partners with ``total`` the number of partners found.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, k in [("city", "government"), ("mayor", "post"), ("m1", "mission"), ("e1", "event"),
...              ("paris", "government"), ("paris-mayor", "post"), ("ovpm", "forum"), ("lyon", "city")]:
...     G.add_node(n, kind=k, label=n.title())
>>> _ = G.add_edge("mayor", "city", key="org:postIn"); _ = G.add_edge("paris-mayor", "paris", key="org:postIn")
>>> _ = G.add_edge("m1", "mayor", key="qkg:missionLeader"); _ = G.add_edge("m1", "paris-mayor", key="qkg:participant")
>>> _ = G.add_edge("e1", "city", key="qkg:participant"); _ = G.add_edge("e1", "paris", key="qkg:organiser")
>>> _ = G.add_edge("e1", "ovpm", key="qkg:organiser"); _ = G.add_edge("city", "ovpm", key="org:memberOf")
>>> _ = G.add_edge("m1", "lyon", key="qkg:destination")
>>> r = ranked_partners(G, "city", vocab={"org:memberOf": "member of"})
>>> [(p["id"], p["shared"]) for p in r["partners"]], r["total"], r["partial"]
([('ovpm', 2), ('paris', 2)], 2, False)
>>> [[f["label"] for f in p["facts"]] for p in r["partners"]]
[['E1', 'member of'], ['E1', 'M1']]
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

__all__ = ["ranked_partners", "PARTNERS_TOP", "PARTNER_FACTS_MAX", "FACT_KINDS", "PARTNER_KINDS", "FACTS_LISTED"]

#: Partners an answer lists (``total`` counts them all).
PARTNERS_TOP = 15
#: Most facts of the actor read for one answer (the most central actor of a 1M-triple graph has more).
PARTNER_FACTS_MAX = 20_000
#: Facts named per partner (``shared`` counts them all).
FACTS_LISTED = 3
#: Kinds of node that are facts two actors can share.
FACT_KINDS = frozenset({"mission", "reception", "event", "agreement", "project"})
#: Kinds of node that can be partners.
PARTNER_KINDS = frozenset({"government", "organisation", "forum", "post", "person", "group"})
_PART_OF = ("org:postIn", "org:unitOf")


def _parent(G: nx.MultiDiGraph, node: str) -> str:
    """The organisation a post or unit belongs to (itself when it belongs to none)."""
    for _, parent, key in G.out_edges(node, keys=True):
        if key in _PART_OF:
            return parent
    return node


def ranked_partners(
    G: nx.MultiDiGraph,
    node: str,
    *,
    top: int = PARTNERS_TOP,
    max_facts: int = PARTNER_FACTS_MAX,
    listed: int = FACTS_LISTED,
    names: dict[str, str] | None = None,
    vocab: dict[str, str] | None = None,
) -> dict:
    """``node``'s partners by decreasing number of shared facts, then by label.

    ``names`` overrides node labels (another language), ``vocab`` names the properties of direct links.

    Returns
    -------
    dict
        ``{"node", "partners": [{"id", "label", "kind", "shared", "facts": [{"id", "label", "kind"}]}],
        "total", "partial"}``; ``facts`` names the first ``listed`` shared facts (a direct link is named by
        its property, ``kind`` ``"link"``).
    """
    names, vocab = names or {}, vocab or {}

    def label_of(n: str) -> str:
        return str(names.get(n) or G.nodes[n].get("label") or n)

    me = {node} | {u for u, _, key in G.in_edges(node, keys=True) if key in _PART_OF}
    shared: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    links: dict[str, set[str]] = defaultdict(set)
    facts_read, partial = 0, False

    def neighbours(n: str):
        for _, v, key in G.out_edges(n, keys=True):
            yield v, key
        for u, _, key in G.in_edges(n, keys=True):
            yield u, key

    def partner(n: str) -> str | None:
        if G.nodes[n].get("kind") not in PARTNER_KINDS:
            return None
        p = _parent(G, n)
        return None if p in me or n in me or G.nodes[p].get("kind") not in PARTNER_KINDS else p

    seen_facts: set[str] = set()
    for self_node in sorted(me):
        for other, key in neighbours(self_node):
            kind = G.nodes[other].get("kind")
            if kind in FACT_KINDS:
                if other in seen_facts:
                    continue
                if facts_read >= max_facts:
                    partial = True
                    break
                seen_facts.add(other)
                facts_read += 1
                label = label_of(other)
                for who, _ in neighbours(other):
                    p = partner(who) if who not in me else None
                    if p is not None:
                        shared[p][other] = (label, kind)
            elif key not in _PART_OF and (p := partner(other)) is not None:
                links[p].add(vocab.get(key, key))
        if partial:
            break
    for p, names_of_links in links.items():  # a direct link counts once, whatever its properties
        shared[p]["|link"] = (", ".join(sorted(names_of_links)), "link")

    ranked = sorted(shared, key=lambda p: (-len(shared[p]), label_of(p).casefold(), p))
    return {
        "node": node,
        "partners": [
            {
                "id": p,
                "label": label_of(p),
                "kind": G.nodes[p].get("kind"),
                "shared": len(shared[p]),
                "facts": [
                    {"id": None if kind == "link" else f, "label": label, "kind": kind}
                    for f, (label, kind) in sorted(shared[p].items(), key=lambda kv: (kv[1][1] == "link", kv[0]))[
                        :listed
                    ]
                ],
            }
            for p in ranked[:top]
        ],
        "total": len(shared),
        "partial": partial,
    }
