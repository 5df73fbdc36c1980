"""IRIs and CURIEs: the one place that shortens an IRI with the project's prefixes, expands a CURIE, and
tells an entity's IRI (under :data:`ENTITY_NS`) from any other.

>>> short("https://w3id.org/qkg/id/quebec"), short("http://example.org/x")
('qkgd:quebec', '<http://example.org/x>')
>>> expand_curie(short("https://w3id.org/qkg/def#City"))
'https://w3id.org/qkg/def#City'
>>> local_name("https://w3id.org/qkg/id/ville-de-quebec")
'ville-de-quebec'
"""

from __future__ import annotations

import re

from qkg.ontology import PREFIXES, QKGD

__all__ = ["ENTITY_NS", "short", "expand_curie", "local_name"]

#: Where the entities' IRIs live (``qkgd:``); entity pages are served at ``/id/{local name}``.
ENTITY_NS = str(QKGD)

_CURIE = re.compile(r"^[a-z][\w-]*:[^/]")
_ABSOLUTE = re.compile(r"^(https?|urn):")


def short(iri: str, *, brackets: bool = True) -> str:
    """The CURIE of ``iri`` with the project's prefixes (``qkgd:quebec``); otherwise ``<iri>``, or the bare IRI
    when ``brackets`` is false.

    >>> short("http://example.org/x", brackets=False)
    'http://example.org/x'
    >>> short("https://w3id.org/qkg/id/a/b")
    '<https://w3id.org/qkg/id/a/b>'
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>" if brackets else iri


def expand_curie(value: str) -> str:
    """Expand ``qkgd:quebec`` to a full IRI; full IRIs (with or without <>) pass through.

    Raises
    ------
    ValueError
        ``value`` is neither an absolute IRI nor a CURIE with a known prefix (callers turn it into the
        :class:`qkg.graph.errors.QKGError` that fits their input).

    >>> expand_curie("qkgd:quebec")
    'https://w3id.org/qkg/id/quebec'
    >>> expand_curie("nope:x")
    Traceback (most recent call last):
    ...
    ValueError: nope:x
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if _CURIE.match(value) and not _ABSOLUTE.match(value):
        prefix, local = value.split(":", 1)
        if prefix not in PREFIXES:
            raise ValueError(value)
        return PREFIXES[prefix] + local
    if not _ABSOLUTE.match(value):
        raise ValueError(value)
    return value


def local_name(iri: str, base: str = ENTITY_NS) -> str | None:
    """The local part of an entity IRI under ``base``, or None for any other IRI.

    >>> local_name("javascript:alert(1)") is None, local_name(ENTITY_NS) is None
    (True, True)
    """
    if not isinstance(iri, str) or not iri.startswith(base) or len(iri) == len(base):
        return None
    return iri[len(base) :]
