"""The side panel of the network view: a compact, plain-text summary of one entity with its provenance.

Input is the description :func:`qkg.graph.pages.entity.describe` returns (labels, types, facts grouped by property, each
value with its provenance). Output is what the panel shows: the label, the kinds, the description, the
asserted facts (inferred ones are only counted), who links here, and the report sections the entity comes
from (with annex item and page). Only text and entity *local names* leave this module: the browser builds each
link as ``/id/`` + ``encodeURIComponent(id)`` and sets every string with ``textContent``.

>>> d = {"iri": "https://w3id.org/qkg/id/x", "id": "x", "curie": "qkgd:x", "label": "<b>X</b>",
...      "labels": {"fr": "<b>X</b>"}, "types": [], "facts": [], "incoming": [], "sources": []}
>>> entity_summary(d)["label"], entity_summary(d)["id"]
('<b>X</b>', 'x')
"""

from __future__ import annotations

from collections.abc import Mapping

from qkg.ontology import PREFIXES
from qkg.viz.escape import clean_text
from qkg.viz.style import kind_of

__all__ = ["HIDDEN_PROPERTIES", "entity_summary"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DESCRIPTION = "https://schema.org/description"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
#: Properties the panel shows elsewhere (title, kinds, description, sources) rather than as facts.
HIDDEN_PROPERTIES = frozenset({_RDF_TYPE, _RDFS_LABEL, _DESCRIPTION, _DERIVED})
_MAX_VALUES = 12
_MAX_INCOMING = 40


def _term_text(term: Mapping, lang: str) -> str:
    if term.get("type") == "uri":
        return clean_text(term.get("label") or term.get("curie") or term.get("value"), limit=200)
    return clean_text(term.get("value"), limit=400)


def _value(item: Mapping, lang: str) -> dict:
    term = item.get("value", {})
    prov = item.get("provenance") or {}
    out = {"text": _term_text(term, lang), "source": prov.get("kind", "")}
    if term.get("type") == "uri" and term.get("id"):
        out["id"] = term["id"]
    if term.get("lang"):
        out["lang"] = term["lang"]
    sections = prov.get("sections") or []
    if sections:
        out["section"] = clean_text(sections[0].get("label") or sections[0].get("curie"), limit=160)
    return out


def _pick_lang(values: list[dict], lang: str) -> list[dict]:
    """Keep the values in ``lang`` when a property has language-tagged values in several languages."""
    tagged = {v.get("lang") for v in values if v.get("lang")}
    if len(tagged) > 1 and lang in tagged:
        return [v for v in values if not v.get("lang") or v.get("lang") == lang]
    return values


def entity_summary(described: Mapping, *, lang: str = "fr") -> dict:
    """Summarise :func:`qkg.graph.pages.entity.describe`'s output for the side panel.

    Parameters
    ----------
    described : mapping
        The description of one entity.
    lang : {"fr", "en"}
        Preferred language of labels and literal values.

    Returns
    -------
    dict
        ``{"id", "curie", "label", "kind", "types", "desc", "facts": [{"property", "curie", "values":
        [{"text", "id"?, "source", "section"?}]}], "inferred": int, "incoming": [{"property", "text", "id"}],
        "sources": [{"text", "id", "page", "annex_item"}], "truncated"}``; all strings plain text.

    Examples
    --------
    >>> uri = lambda local, label=None: {"type": "uri", "value": "https://w3id.org/qkg/id/" + local,
    ...                                  "curie": "qkgd:" + local, "id": local, **({"label": label} if label else {})}
    >>> d = {"iri": "https://w3id.org/qkg/id/m1", "id": "m1", "curie": "qkgd:m1", "label": "Mission 1",
    ...      "labels": {"fr": "Mission 1", "en": "Mission one"},
    ...      "types": [{"type": "uri", "value": "https://w3id.org/qkg/def#Mission", "curie": "qkg:Mission", "label": "Mission"}],
    ...      "facts": [{"property": {"type": "uri", "value": "https://w3id.org/qkg/def#missionLeader",
    ...                              "curie": "qkg:missionLeader", "label": "chef de mission"},
    ...                 "values": [{"value": uri("maire", "Maire"), "provenance": {"kind": "report",
    ...                             "sections": [{"label": "Annexe : missions"}], "annex_item": "1"}}]},
    ...                {"property": {"type": "uri", "value": "https://w3id.org/qkg/def#destination", "curie": "qkg:destination"},
    ...                 "values": [{"value": uri("boston"), "provenance": {"kind": "inferred"}}]}],
    ...      "incoming": [], "sources": [{"section": uri("annex", "Annexe : missions"), "page": "9", "annex_item": "1"}]}
    >>> s = entity_summary(d, lang="en")
    >>> s["label"], s["kind"], s["types"], s["inferred"]
    ('Mission one', 'mission', ['Mission'], 1)
    >>> s["facts"][0]["values"][0]
    {'text': 'Maire', 'source': 'report', 'id': 'maire', 'section': 'Annexe : missions'}
    >>> s["sources"]
    [{'text': 'Annexe : missions', 'id': 'annex', 'page': '9', 'annex_item': '1'}]
    """
    labels = described.get("labels") or {}
    label = clean_text(labels.get(lang) or described.get("label") or described.get("curie"), limit=300)
    type_iris = [t.get("value", "") for t in described.get("types", [])]
    types = [
        clean_text(t.get("label"), limit=80)
        for t in described.get("types", [])
        if t.get("label") and str(t.get("value", "")).startswith(PREFIXES["qkg"])
    ]
    desc, facts, inferred = "", [], 0
    for group in described.get("facts", []):
        prop = group.get("property", {})
        values = [v for v in group.get("values", []) if (v.get("provenance") or {}).get("kind") != "inferred"]
        inferred += len(group.get("values", [])) - len(values)
        if prop.get("value") == _DESCRIPTION:
            texts = _pick_lang([_value(v, lang) for v in values], lang)
            desc = texts[0]["text"] if texts else ""
            continue
        if prop.get("value") in HIDDEN_PROPERTIES or not values:
            continue
        rows = _pick_lang([_value(v, lang) for v in values], lang)
        facts.append(
            {
                "property": clean_text(prop.get("label") or prop.get("curie"), limit=80),
                "curie": prop.get("curie", ""),
                "values": rows[:_MAX_VALUES],
                "more": max(0, len(rows) - _MAX_VALUES),
            }
        )
    incoming = []
    for link in described.get("incoming", [])[:_MAX_INCOMING]:
        subject, prop = link.get("subject", {}), link.get("property", {})
        if (link.get("provenance") or {}).get("kind") == "inferred" or prop.get("value") == _DERIVED:
            continue
        row = {
            "property": clean_text(prop.get("label") or prop.get("curie"), limit=80),
            "text": _term_text(subject, lang),
        }
        if subject.get("id"):
            row["id"] = subject["id"]
        incoming.append(row)
    sources = [
        {
            "text": clean_text(s.get("section", {}).get("label") or s.get("section", {}).get("curie"), limit=200),
            "id": s.get("section", {}).get("id"),
            "page": s.get("page"),
            "annex_item": s.get("annex_item"),
        }
        for s in described.get("sources", [])
    ]
    return {
        "id": described.get("id"),
        "curie": described.get("curie"),
        "label": label,
        "kind": kind_of(type_iris),
        "types": sorted(set(types)),
        "desc": desc,
        "facts": facts,
        "inferred": inferred,
        "incoming": incoming,
        "sources": sources,
        "truncated": bool(described.get("truncated")) or len(described.get("incoming", [])) > _MAX_INCOMING,
    }
