"""Escaping for every string the views carry: JSON inside ``<script>``, links, displayed text.

The views never build HTML from data. Data travels as JSON (in an API response, or in a
``<script type="application/json">`` block of a standalone page) and the browser code puts it on screen with
``textContent`` or on the canvas. So the only escaping the Python side owes is:

* :func:`script_json`: JSON that cannot end the ``<script>`` element it sits in (``</script>``, ``<!--``),
  cannot start markup (``<``, ``>``, ``&``) and cannot break a JavaScript line (U+2028, U+2029);
* :func:`entity_href`: a link to an entity page that is always a relative ``/id/...`` path, so a hostile IRI
  (``javascript:alert(1)``) can never become a ``javascript:`` URL;
* :func:`clean_text`: labels bounded in length, with control characters removed.

>>> script_json({"label": "</script><script>alert(1)</script>"})
'{"label":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
>>> entity_href("https://w3id.org/qkg/id/javascript:alert(1)")
'/id/javascript%3Aalert%281%29'
"""

from __future__ import annotations

import json
from urllib.parse import quote

from qkg.graph.errors import clean_text  # its one home; re-exported for the views
from qkg.ontology.curies import ENTITY_NS, local_name

__all__ = ["script_json", "entity_href", "clean_text"]


_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(data: object) -> str:
    """Serialise ``data`` as JSON safe to embed in a ``<script type="application/json">`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\uXXXX`` escapes: JSON parsers read them back unchanged,
    and the HTML parser never sees a tag, a comment opener or an entity inside the block.

    Parameters
    ----------
    data : object
        Anything :func:`json.dumps` accepts (NaN and infinities are refused).

    Returns
    -------
    str
        Compact JSON text.

    Examples
    --------
    >>> text = script_json({"a": "x\\u2028y & <b>"})
    >>> "<" in text or "&" in text or "\\u2028" in text
    False
    >>> json.loads(text) == {"a": "x\\u2028y & <b>"}
    True
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


def entity_href(iri: str, base: str = ENTITY_NS, *, prefix: str = "/id/") -> str | None:
    """The path of an entity's page, ``/id/{local name}`` percent-encoded; None if ``iri`` is not an entity.

    The result always starts with ``prefix`` and contains no ``:``, quote, ``<`` or space, so it is safe in
    an ``href`` whatever the IRI held.

    Examples
    --------
    >>> entity_href("https://w3id.org/qkg/id/mission-2024-07")
    '/id/mission-2024-07'
    >>> entity_href('https://w3id.org/qkg/id/"><svg onload=alert(1)>')
    '/id/%22%3E%3Csvg%20onload%3Dalert%281%29%3E'
    >>> entity_href("https://evil.example/x") is None
    True
    """
    local = local_name(iri, base)
    if local is None:
        return None
    return prefix + quote(local, safe="-._~")
