"""Find the input files of a build: the curated report data, background facts and any extra files.

Each Turtle file (or CSV sheet or YAML file of records, see :mod:`qkg.loaders.tabular`) becomes one named graph, so every binary fact keeps the section it comes from:
``data/2024/receptions.ttl`` -> ``qkgd:graph-2024-receptions``; ``data/background/places.ttl`` ->
``qkgd:graph-background-places`` (facts not stated by the report: coordinates, Wikidata ids). A file under a
year folder (``data/2025/missions.ttl``) is that year's: the build tags its graph with the year
(:data:`~qkg.graph.named_graphs.YEAR_TAG`), so queries can keep one year's facts; a folder named like a year but
not exactly one (``2025 ``, ``2025-final``) is refused, since its files would belong to no year.

>>> [(s.graph.rsplit("/", 1)[-1], s.year) for s in discover(default_data_root())][:1]
[('graph-2024-actors', '2024')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from qkg.graph.building.pipeline import Source
from qkg.graph.errors import N_, DataError
from qkg.graph.named_graphs import YEAR_PATTERN
from qkg.ontology import QKGD

if TYPE_CHECKING:
    from qkg.loaders.activities import LabelIndex

__all__ = ["default_data_root", "discover", "graph_for", "year_for"]

_SUFFIXES = (".ttl", ".nt", ".trig", ".nq", ".csv", ".xlsx", ".yaml", ".yml")


def default_data_root() -> Path:
    """The repository's ``data/`` folder (curated 2024 report facts and background facts)."""
    return Path(__file__).resolve().parent.parent / "data"


def graph_for(path: Path, root: Path) -> str | None:
    """The named graph of a data file: ``graph-<folder>-<stem>``; TriG and N-Quads keep their own graphs."""
    if path.suffix in (".trig", ".nq"):
        return None
    rel = path.relative_to(root).with_suffix("")
    return str(QKGD["graph-" + quote("-".join(rel.parts), safe="-_.~")])


def year_for(path: Path, root: Path) -> str | None:
    """The report year of a data file: the name of its top folder under ``root`` when it is a year.

    >>> year_for(Path("data/2025/missions.ttl"), Path("data")), year_for(Path("data/background/places.ttl"), Path("data"))
    ('2025', None)
    """
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 and re.fullmatch(YEAR_PATTERN, parts[0]) else None


def discover(root: str | Path, *, extra: Iterable[str | Path] = ()) -> list[Source]:
    """List the sources under ``root`` (sorted, so builds are reproducible) plus ``extra`` files."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(
            N_("data folder {folder} does not exist"),
            file=str(root),
            hint=N_("pass --data PATH pointing at a folder of .ttl files"),
            fields={"folder": root},
        )
    entries = sorted(root.rglob("*"))
    inside = root.resolve()
    for p in entries:
        if p.is_symlink() or p.suffix in _SUFFIXES:
            _refuse_outside(p, root, inside)
    files = [p for p in entries if p.suffix in _SUFFIXES and p.is_file()]
    for p in files:
        _refuse_near_year(p, root)
    index = _LazyIndex(
        [p for p in files if p.suffix in (".ttl", ".nt", ".trig", ".nq")]
        + [Path(x) for x in extra if Path(x).suffix in (".ttl", ".nt", ".trig", ".nq")]
    )
    sources = [_source(p, graph_for(p, root), index, year_for(p, root)) for p in files]
    for item in extra:
        p = Path(item)
        graph = None if p.suffix in (".trig", ".nq") else str(QKGD["graph-extra-" + quote(p.stem, safe="-_.~")])
        sources.append(_source(p, graph, index))
    return sources


#: A folder name that starts as a year does (``2025 ``, `` 2025``, ``2025-final``, ``2025 (copie)``).
_NEAR_YEAR = re.compile(rf"\W*({YEAR_PATTERN})(?!\d)")


def _refuse_near_year(path: Path, root: Path) -> None:
    """Refuse a file under a top folder named like a year but not exactly one (a stray space, a suffix): its
    graph would be ``graph-2025%20-...``, tagged with no year, so every year's queries and pages would leave its
    facts out, unsaid. Other folders (``background/``, any name not starting with a year) belong to no year."""
    parts = path.relative_to(root).parts
    match = _NEAR_YEAR.match(parts[0]) if len(parts) > 1 else None
    if match and match.group(1) != parts[0]:
        raise DataError(
            N_("{folder!r}: a folder named like a report year, but not exactly one; its files would belong to no year"),
            file=str(root / parts[0]),
            hint=N_("rename the folder {year!r}: the year's four digits alone, no space or suffix"),
            fields={"folder": str(root / parts[0]), "year": match.group(1)},
        )


def _refuse_outside(path: Path, root: Path, inside: Path) -> None:
    """Refuse a file of the data folder that is a link (or under a linked folder) to a place outside it.

    The message names the link only: what it points at, and what that holds, are never shown.
    """
    target = path.resolve()
    if not target.is_relative_to(inside):
        raise DataError(
            N_("{file}: a symbolic link to a place outside the data folder {folder}; refused"),
            file=str(path),
            hint=N_("copy the file into the data folder, or pass it explicitly with --add"),
            fields={"file": path, "folder": root},
        )


class _LazyIndex:
    """The names of the graph's entities, read from the RDF files of the build (and the ontology's vocabularies)
    only when an activity sheet needs them (see :mod:`qkg.loaders.activities`)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self._index: LabelIndex | None = None

    def get(self) -> LabelIndex:
        if self._index is None:
            from qkg.loaders.activities import LabelIndex
            from qkg.ontology import ontology_paths

            self._index = LabelIndex.from_files([*ontology_paths(), *self.paths])
        return self._index


def _source(path: Path, graph: str | None, index: _LazyIndex | None = None, year: str | None = None) -> Source:
    """A source; CSV sheets and YAML records (see :mod:`qkg.loaders.tabular`) and activity sheets (CSV or XLSX,
    see :mod:`qkg.loaders.activities`) become RDF here, errors naming the line."""
    if path.suffix in (".csv", ".xlsx", ".yaml", ".yml"):
        from qkg.loaders.tabular import records_to_ntriples, sheet_to_ntriples

        if not path.is_file():
            raise DataError(
                N_("{file}: no such file"), file=str(path), hint=N_("check the path"), fields={"file": path}
            )
        if path.suffix in (".csv", ".xlsx"):
            from qkg.loaders.activities import activities_to_ntriples, is_activity_sheet, read_rows

            if path.suffix == ".xlsx" or is_activity_sheet(read_rows(path)[0]):
                data = activities_to_ntriples(path, (index or _LazyIndex([])).get())
                return Source(path, graph, data=data, year=year)
        convert = sheet_to_ntriples if path.suffix == ".csv" else records_to_ntriples
        return Source(path, graph, data=convert(path), year=year)
    return Source(path, graph, year=year)
