"""Sheets for analysts: a CSV file (one entity per row) or a YAML file (one entity per record), turned into RDF
that goes through the same build checks.

The first column is ``id`` (a local name such as ``ville-de-montreal``, or a CURIE); ``type`` holds one or more
classes (``qkg:LocalGovernment``, or just ``LocalGovernment``). Every other header is a property, written as a
CURIE with an optional language or datatype: ``label@fr``, ``label@en``, ``altLabel@fr``,
``qkg:jurisdiction``, ``schema:startDate^^xsd:date``, ``schema:description@en``. A cell may hold several values
separated by `` | ``; an empty cell says nothing. A value that is a CURIE of a known prefix, or a full IRI, is a
link; anything else is text (with the header's language or datatype).

========  ===================================================  =================================
id        type                                                 label@fr          qkg:jurisdiction
========  ===================================================  =================================
ville-x   qkg:LocalGovernment                                  Ville X           qkgd:x
========  ===================================================  =================================

A YAML file is a list of records with the same keys as a sheet's headers; a key may hold one value or a list
(``altLabel@fr: [AD, Admin D]``). Values are read as text, never as YAML numbers, dates or booleans: the key's
datatype says what they are::

    - id: ville-x
      type: qkg:LocalGovernment
      label@fr: Ville X
      qkg:jurisdiction: qkgd:x
      schema:startDate^^xsd:gYear: 2019

Errors name the file, the line (the sheet's row, header = line 1; the YAML line of the key or record), the
column or key and the fix. What the file says is then checked like any other source: references, declared
terms, literals, labels and SHACL.

>>> import pathlib, tempfile
>>> sheet = pathlib.Path(tempfile.mkdtemp()) / "partners.csv"
>>> _ = sheet.write_text("id,type,label@fr,qkg:basedIn\\nville-x,qkg:Organisation,Organisme X,qkgd:quebec\\n")
>>> for line in sorted(sheet_to_ntriples(sheet).decode().splitlines()):
...     print(line)
<https://w3id.org/qkg/id/ville-x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/qkg/def#Organisation> .
<https://w3id.org/qkg/id/ville-x> <http://www.w3.org/2000/01/rdf-schema#label> "Organisme X"@fr .
<https://w3id.org/qkg/id/ville-x> <https://w3id.org/qkg/def#basedIn> <https://w3id.org/qkg/id/quebec> .
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import yaml
from qkg.graph.building.pipeline import quiet_literal_warnings
from qkg.graph.errors import N_, NP_, DataError
from qkg.ontology import PREFIXES, QKG, QKGD
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

__all__ = [
    "sheet_to_ntriples",
    "records_to_ntriples",
    "SHORTCUTS",
    "MAX_VALUE_CHARS",
    "MAX_YAML_DEPTH",
    "MAX_ALIAS_CHARS",
]

#: Headers that need no prefix.
SHORTCUTS = {"label": str(RDFS.label), "altLabel": str(SKOS.altLabel), "type": str(RDF.type)}
_HEADER = re.compile(r"^(?P<prop>[^@^]+?)(?:@(?P<lang>[a-zA-Z-]+)|\^\^(?P<dtype>\S+))?$")
_SEP = " | "


def _expand(value: str, *, file: str, line: int, column: str, default_ns: str | None = None) -> str | None:
    """A CURIE or IRI as a full IRI; None when ``value`` is not one."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if re.match(r"^https?://\S+$", value):
        return value
    match = re.match(r"^([a-zA-Z][\w-]*):(\S+)$", value)
    if match and match.group(1) in PREFIXES:
        return PREFIXES[match.group(1)] + match.group(2)
    if match:
        raise DataError(
            N_("{file}:{line}: column {column!r}: unknown prefix {prefix!r} in {value!r}"),
            file=file,
            line=line,
            hint=N_("use one of: {choices}"),
            fields={
                "file": file,
                "line": line,
                "column": column,
                "prefix": match.group(1),
                "value": value,
                "choices": ", ".join(sorted(PREFIXES)),
            },
        )
    if default_ns and re.match(r"^[\w-]+$", value):
        return default_ns + value
    return None


Column = tuple[str, str, "str | None", "str | None"]  # (header, property IRI, language, datatype IRI)


def _column(header: str, file: str, line: int = 1) -> Column:
    """Read one header (a sheet's column, a YAML key): property, language and datatype."""
    match = _HEADER.match(header.strip())
    if not match:
        raise DataError(
            N_("{file}:{line}: bad column header {header!r}"),
            file=file,
            line=line,
            hint=N_(
                "write a property CURIE, with @lang or ^^datatype if needed (label@fr, schema:startDate^^xsd:date)"
            ),
            fields={"file": file, "line": line, "header": header},
        )
    prop = match.group("prop")
    iri = SHORTCUTS.get(prop) or _expand(prop, file=file, line=line, column=header)
    if iri is None:
        raise DataError(
            N_("{file}:{line}: column {header!r} is not a property"),
            file=file,
            line=line,
            hint=N_("write it as a CURIE such as qkg:{prop} or schema:{prop}"),
            fields={"file": file, "line": line, "header": header, "prop": prop},
        )
    dtype = match.group("dtype")
    dtype_iri = _expand(dtype, file=file, line=line, column=header) if dtype else None
    return header, iri, match.group("lang"), dtype_iri


def _columns(headers: list[str], file: str) -> list[Column]:
    """The columns after ``id``; a sheet has a ``type`` column (an entity without a class passes the build's
    checks and SHACL unseen)."""
    first = headers[0].strip().lstrip("\ufeff") if headers else ""
    separator = next((sep for sep in (";", "\t") if first.split(sep, 1)[0].strip() == "id" and sep in first), None)
    if separator:  # a spreadsheet saved in French separates cells with ';': the header row is then one cell
        raise DataError(
            N_("{file}:1: the cells are separated by {separator!r}, not by commas"),
            file=file,
            line=1,
            hint=N_("save the sheet as CSV UTF-8 with commas (or replace each {separator!r} with ',')"),
            fields={"file": file, "separator": separator},
        )
    if first != "id":
        raise DataError(
            N_("{file}:1: the first column must be 'id'"),
            file=file,
            line=1,
            hint=N_("put the entity's local name (e.g. ville-de-montreal) in a first column named id"),
            fields={"file": file},
        )
    columns = [_column(header, file) for header in headers[1:]]
    if not any(column[1] == str(RDF.type) for column in columns):
        raise DataError(
            N_("{file}:1: no 'type' column; the columns are: {columns}"),
            file=file,
            line=1,
            hint=N_("add a column named type holding each entity's class (e.g. qkg:LocalGovernment)"),
            fields={"file": file, "columns": ", ".join(h.strip() for h in headers)},
        )
    return columns


def _subject(ident: str, file: str, line: int, seen: dict[str, int]) -> URIRef:
    """The entity an ``id`` names; each id once per file."""
    subject_iri = _expand(ident, file=file, line=line, column="id", default_ns=str(QKGD))
    if not subject_iri:
        raise DataError(
            N_("{file}:{line}: id {ident!r} is not a local name or IRI"),
            file=file,
            line=line,
            hint=N_("use letters, digits and dashes, e.g. ville-de-montreal"),
            fields={"file": file, "line": line, "ident": ident},
        )
    if subject_iri in seen:
        raise DataError(
            N_("{file}:{line}: id {ident!r} already used on line {first}"),
            file=file,
            line=line,
            hint=N_("give each row or record its own id, or merge them"),
            fields={"file": file, "line": line, "ident": ident, "first": seen[subject_iri]},
        )
    seen[subject_iri] = line
    return URIRef(subject_iri)


def _add(g: Graph, subject: URIRef, column: Column, values, file: str, line: int) -> None:
    """Add the triples of one cell (or YAML value): links, classes or literals."""
    header, prop, lang, dtype = column
    for value in (v.strip() for v in values):
        if not value:
            continue
        if prop == str(RDF.type):
            cls = _expand(value, file=file, line=line, column=header, default_ns=str(QKG))
            if cls is None:
                raise DataError(
                    N_("{file}:{line}: type {value!r} is not a class name"),
                    file=file,
                    line=line,
                    hint=N_("write a class of ontology/qkg.ttl, e.g. qkg:LocalGovernment"),
                    fields={"file": file, "line": line, "value": value},
                )
            g.add((subject, RDF.type, URIRef(cls)))
            continue
        link = None if (lang or dtype) else _expand(value, file=file, line=line, column=header)
        if link:
            g.add((subject, URIRef(prop), URIRef(link)))
        else:
            g.add((subject, URIRef(prop), Literal(value, lang=lang, datatype=URIRef(dtype) if dtype else None)))


#: Longest value of a cell or a YAML scalar, in characters: a store token holds at most 16 MB.
MAX_VALUE_CHARS = 1_000_000
#: Deepest ``[``/``{`` nesting of a YAML file: records need 2 (a list of values under a key).
MAX_YAML_DEPTH = 20
#: Most characters that YAML aliases (``*name``) may add to a file's values, all aliases together.
MAX_ALIAS_CHARS = 1_000_000


def _check_size(value: str, file: str, line: int, column: str) -> None:
    if len(value) > MAX_VALUE_CHARS:
        raise DataError(
            N_("{file}:{line}: column {column!r}: a value of {n:,} characters (the limit is {limit:,})"),
            file=file,
            line=line,
            hint=N_("shorten the value; put long texts in a document and link to it"),
            fields={"file": file, "line": line, "column": column, "n": len(value), "limit": MAX_VALUE_CHARS},
        )


def _deep_line(text: str, limit: int) -> int | None:
    """The line where ``[``/``{`` nesting passes ``limit`` (quoted text and comments skipped), or None."""
    depth, line = 0, 1
    for match in re.finditer(r"""\n|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|#[^\n]*|[\[\]{}]""", text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > limit:
                return line
        elif token in "]}":
            depth = max(0, depth - 1)
    return None


def sheet_to_ntriples(path: str | Path) -> bytes:
    """Read a CSV sheet and return its triples as N-Triples; :class:`DataError` names the cell at fault."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            N_("{file}: not UTF-8 ({problem} at byte {byte})"),
            file=file,
            hint=N_("save the sheet as CSV UTF-8"),
            fields={"file": file, "problem": exc.reason, "byte": exc.start},
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader]  # line_num: the row's last line (cells may span lines)
    except csv.Error as exc:
        raise DataError(
            N_("{file}:{line}: {problem}"),
            file=file,
            line=reader.line_num,
            hint=N_("check the quotes on that line"),
            fields={"file": file, "line": reader.line_num, "problem": exc},
        ) from None
    if not rows:
        raise DataError(
            N_("{file}: empty sheet"),
            file=file,
            hint=N_("add a header row: id,type,label@fr,..."),
            fields={"file": file},
        )
    columns = _columns(rows[0][1], file)
    g = Graph()
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns) + 1:  # a short row would drop its last columns' facts unsaid
            raise DataError(
                NP_(
                    "{file}:{line}: {cells} cells for {columns} column",
                    "{file}:{line}: {cells} cells for {columns} columns",
                    "columns",
                ),
                file=file,
                line=line,
                hint=N_('quote cells that contain commas ("a, b")')
                if len(row) > len(columns) + 1
                else N_("give the row one cell per column, empty ones included (a,,c)"),
                fields={"file": file, "line": line, "cells": len(row), "columns": len(columns) + 1},
            )
        subject = _subject(row[0].strip(), file, line, seen)
        for column, cell in zip(columns, row[1:], strict=False):
            _check_size(cell, file, line, column[0])
            with quiet_literal_warnings():
                _add(g, subject, column, cell.split(_SEP), file, line)
    return g.serialize(format="nt", encoding="utf-8")


def records_to_ntriples(path: str | Path) -> bytes:
    """Read a YAML file of records and return its triples as N-Triples; :class:`DataError` names the line."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        deep = _deep_line(text, MAX_YAML_DEPTH)
        if deep is not None:
            raise DataError(
                N_("{file}:{line}: brackets nested more than {depth} deep"),
                file=file,
                line=deep,
                hint=N_("a record holds values or lists of values: make a separate record for a related entity"),
                fields={"file": file, "line": deep, "depth": MAX_YAML_DEPTH},
            )
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes keep their lines; scalars stay text
    except UnicodeDecodeError as exc:
        raise DataError(
            N_("{file}: not UTF-8 ({problem} at byte {byte})"),
            file=file,
            hint=N_("save the file as UTF-8"),
            fields={"file": file, "problem": exc.reason, "byte": exc.start},
        ) from None
    except RecursionError:  # block nesting (- - - ...) too deep for the parser
        deep = _deep_block_line(text)
        raise DataError(
            N_("{file}:{line}: structure nested too deeply to read"),
            file=file,
            line=deep,
            hint=N_("a record holds values or lists of values, two levels at most"),
            fields={"file": file, "line": deep or "?"},
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DataError(
            N_("{file}:{line}: {problem}"),
            file=file,
            line=line,
            hint=N_("check the indentation and the quotes near that line"),
            fields={"file": file, "line": line, "problem": exc.problem},
        ) from None
    if root is None:
        raise DataError(
            N_("{file}: empty file"),
            file=file,
            hint=N_("write a list of records: - id: ville-x ..."),
            fields={"file": file},
        )
    if not isinstance(root, yaml.SequenceNode):
        raise DataError(
            N_("{file}:{line}: the file must be a list of records"),
            file=file,
            line=root.start_mark.line + 1,
            hint=N_("start each record with '- id: ...'"),
            fields={"file": file, "line": root.start_mark.line + 1},
        )
    g = Graph()
    seen: dict[str, int] = {}
    nodes: set[int] = set()  # scalars met so far: meeting one again is an alias (*name) expanding it
    aliased = [0]
    for record in root.value:
        line = record.start_mark.line + 1
        if not isinstance(record, yaml.MappingNode):
            raise DataError(
                N_("{file}:{line}: a record must be a mapping of keys to values"),
                file=file,
                line=line,
                hint=N_("write 'key: value' lines under '- id: ...'"),
                fields={"file": file, "line": line},
            )
        fields: dict[str, tuple[int, list[str]]] = {}
        for key, value in record.value:
            key_line = key.start_mark.line + 1
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if not name:
                raise DataError(
                    N_("{file}:{line}: a key must be a property name"),
                    file=file,
                    line=key_line,
                    hint=N_("write keys such as label@fr or qkg:jurisdiction"),
                    fields={"file": file, "line": key_line},
                )
            if name in fields:
                raise DataError(
                    N_("{file}:{line}: key {key!r} repeated (first on line {first})"),
                    file=file,
                    line=key_line,
                    hint=N_("give one key a list: key: [a, b]"),
                    fields={"file": file, "line": key_line, "key": name, "first": fields[name][0]},
                )
            fields[name] = (key_line, _scalars(value, name, file, key_line, nodes, aliased))
        if "id" not in fields:
            raise DataError(
                N_("{file}:{line}: a record without id"),
                file=file,
                line=line,
                hint=N_("give each record an id: its local name, e.g. ville-de-montreal"),
                fields={"file": file, "line": line},
            )
        id_line, ids = fields.pop("id")
        if len(ids) != 1:
            raise DataError(
                N_("{file}:{line}: a record has exactly one id"),
                file=file,
                line=id_line,
                hint=N_("write id: ville-x"),
                fields={"file": file, "line": id_line},
            )
        subject = _subject(ids[0].strip(), file, id_line, seen)
        for name, (key_line, values) in fields.items():
            with quiet_literal_warnings():
                _add(g, subject, _column(name, file, key_line), values, file, key_line)
    return g.serialize(format="nt", encoding="utf-8")


def _scalars(node, key: str, file: str, key_line: int, nodes: set[int], aliased: list[int]) -> list[str]:
    """The text of a YAML value: one scalar or a list of scalars; aliases count against :data:`MAX_ALIAS_CHARS`."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            line = item.start_mark.line + 1
            raise DataError(
                N_("{file}:{line}: key {key!r} holds a nested structure"),
                file=file,
                line=line,
                hint=N_("give a value or a list of values; make a separate record for a related entity"),
                fields={"file": file, "line": line, "key": key},
            )
        if id(item) in nodes:
            aliased[0] += len(item.value)
            if aliased[0] > MAX_ALIAS_CHARS:
                raise DataError(
                    N_("{file}:{line}: key {key!r}: aliases (*name) expand to over {limit:,} characters"),
                    file=file,
                    line=key_line,
                    hint=N_("write the values out, or use fewer aliases of long values"),
                    fields={"file": file, "line": key_line, "key": key, "limit": MAX_ALIAS_CHARS},
                )
        else:
            nodes.add(id(item))
        _check_size(item.value, file, item.start_mark.line + 1, key)
    return [item.value for item in items if item.tag != "tag:yaml.org,2002:null"]  # `key: ~` says nothing


def _deep_block_line(text: str) -> int | None:
    """The first line indented past 200 columns or opening 50 block items, where block nesting goes too deep."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" -")
        if len(line) - len(stripped) > 100:
            return number
    return None
