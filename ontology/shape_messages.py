"""The SHACL shapes' messages (``sh:message`` in shapes.ttl) as messages of the interface's catalogue.

A shape's message is written once, in English, in shapes.ttl; Babel extracts it from there (babel.cfg names
:func:`extract` for that file) so that api/locale holds its French, and a build's problem is given in its
reader's language (graph/building/pipeline.py gives it as a :class:`~qkg.graph.errors.Message`).

>>> messages = shape_messages()
>>> len(messages) > 40, 'needs exactly one org:member' in messages
(True, True)
"""

from __future__ import annotations

import io
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import SH

__all__ = ["shape_messages", "extract"]

SHAPES = Path(__file__).resolve().parent / "shapes.ttl"


def shape_messages(text: str | None = None) -> list[str]:
    """Every ``sh:message`` of the shapes (of ``text``, Turtle; shapes.ttl when None), each once, in order."""
    graph = Graph().parse(data=text if text is not None else SHAPES.read_text(encoding="utf-8"), format="turtle")
    found = {str(o) for o in graph.objects(None, SH.message) if isinstance(o, Literal)}
    return sorted(found)


def extract(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for a Turtle file of shapes: ``(line, None, message, [])`` for each
    ``sh:message``, at the line that states it."""
    text = (
        io.TextIOWrapper(fileobj, encoding="utf-8").read() if not isinstance(fileobj, io.StringIO) else fileobj.read()
    )
    lines = text.splitlines()
    for message in shape_messages(text):
        start = message[:30].replace('"', '\\"')
        line = next((i for i, row in enumerate(lines, 1) if "sh:message" in row and start in row), 1)
        yield line, None, message, []
