"""Label search over the graph's entities: exact, prefix, token-prefix and fuzzy matches, accent-blind.

The index is built once from every ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and
``schema:name`` of the ``qkgd:`` entities (French, English or untagged), into an SQLite database: the build
stores it with its artefacts (:meth:`SearchIndex.serialize`) and the server opens that file read-only
(:meth:`SearchIndex.open`) and queries it, without loading it. Opening takes a millisecond at any size, the
server's memory holds only SQLite's page cache, and each search runs in SQLite's C code, which releases the
GIL: a server switching to a new build never stops its event loop to unpickle an index (a 63 MB pickle held
the GIL ~0.56 s at 485k triples). An index built from entries in this process (tests, an old build without
the artefact) lives in memory.

Normalisation (:func:`normalise`) folds case, strips accents (Unicode NFKD, combining marks removed)
and turns punctuation into spaces, so ``"Genève"``, ``"geneve"`` and ``"GENEVE!"`` are one key.
Acronyms are just alternative labels: ``skos:altLabel "OMS"@fr, "WHO"@en`` makes both find the World
Health Organization.

Ranking, best first (the score is in ``[0, 1]``):

=============  =====  ============================================================
kind           score  the normalised query ...
=============  =====  ============================================================
exact          1.0    equals a normalised label
prefix         0.9    starts a normalised label
token-prefix   0.8    has every word starting some word of the label
fuzzy          < 0.7  is close to the label or one of its words: trigram Dice
                      coefficient or difflib ratio >= 0.75 ("lausane" finds Lausanne)
=============  =====  ============================================================

Primary labels (``rdfs:label``, ``skos:prefLabel``, ``schema:name``) win ties over alternative
labels, then shorter labels over longer ones. The kinds' score bands do not overlap, so each kind is
searched only while fewer than ``limit`` entities were found by the kinds above it, and each asks SQLite for
its best ``limit`` entities only: an answer is bounded whatever the size of the index.

The database (one file, ``search.sqlite`` among the build's artefacts)::

    entities(e, iri, types, display, display_en)  one row per entity; display labels chosen at build
    labels(i, e, label, lang, prim, key)          one row per label; key = normalise(label), indexed
    vocab(v, word, size, labels)                  each word of the keys, and each whole key: its number of
                                                  trigrams and its labels (a JSON array of i); word indexed
    grams(gram, vocab)                            each trigram and the words holding it (a JSON array of v)

Examples
--------
>>> index = SearchIndex([
...     Entry("https://w3id.org/qkg/id/geneve", "Genève", "fr", True, ("qkg:City",)),
...     Entry("https://w3id.org/qkg/id/oms", "Organisation mondiale de la santé", "fr", True, ()),
...     Entry("https://w3id.org/qkg/id/oms", "WHO", "en", False, ()),
... ])
>>> [(hit.id, hit.matched, hit.kind) for hit in index.search("geneve")]
[('geneve', 'Genève', 'exact')]
>>> index.search("who")[0].label
'Organisation mondiale de la santé'
>>> index.search("genvee")[0].id
'geneve'
>>> len(SearchIndex.open(_write_temp(index.serialize())))
2
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from qkg.graph.serving.sqlite_file import SqliteFile
from qkg.graph.serving.store import classes_in_use, property_values
from qkg.graph.serving.terms import Literal, NamedNode
from qkg.ontology import PREFIXES
from qkg.ontology.curies import ENTITY_NS, local_name

__all__ = ["Entry", "Hit", "SearchIndex", "normalise", "normalise_all", "LABEL_PROPERTIES", "SCHEMA_VERSION"]

_RDFS, _SKOS, _SCHEMA = PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["schema"]

#: Label properties indexed, and whether each gives a primary (display) label.
LABEL_PROPERTIES = {
    _RDFS + "label": True,
    _SKOS + "prefLabel": True,
    _SCHEMA + "name": True,
    _SKOS + "altLabel": False,
}
#: The database layout's version: an index file of another version is not opened (the server recomputes it).
SCHEMA_VERSION = 1
_SCORES = {"exact": 1.0, "prefix": 0.9, "token-prefix": 0.8}
_FUZZY_MIN = 0.75
_PREFILTER = 0.25
_NON_WORD = re.compile(r"[\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_TYPES_SEP = "\x1f"


def normalise(text: str) -> str:
    """Fold case, strip accents and turn punctuation into single spaces.

    Examples
    --------
    >>> normalise("  Genève, Suisse! ")
    'geneve suisse'
    >>> normalise("Québec-International")
    'quebec international'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped).strip()


def normalise_all(texts: Iterable[str]) -> list[str]:
    """:func:`normalise` of each text, in a few passes over all of them joined (the build's 254k labels at 1M
    triples in about a second, where one call each takes several).

    >>> normalise_all(["Genève!", "", "Québec-International", "a\\nb"]) == [normalise(t) for t in
    ...     ["Genève!", "", "Québec-International", "a\\nb"]]
    True
    """
    texts = list(texts)
    joined = "\n".join(texts)
    if joined.count("\n") != max(len(texts) - 1, 0):  # a text holding a line break: one at a time
        return [normalise(t) for t in texts]
    decomposed = unicodedata.normalize("NFKD", joined.casefold())
    # combining marks are never ASCII: only the runs of other characters are looked at, one by one
    stripped = _NON_ASCII.sub(_drop_combining, decomposed)
    return [_NON_WORD.sub(" ", key).strip() for key in stripped.split("\n")] if texts else []


def _drop_combining(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


#: An :class:`Entry`'s fields, in order (the build reads these, not Entry objects).
_Row = tuple[str, str, str, bool, tuple[str, ...]]


@dataclass(frozen=True)
class Entry:
    """One label of one entity, as indexed."""

    iri: str
    label: str
    lang: str
    primary: bool
    types: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """One search result: an entity, its display label, and the label that matched."""

    id: str
    iri: str
    label: str
    types: tuple[str, ...]
    score: float
    matched: str
    kind: str

    def as_dict(self) -> dict:
        """Plain JSON-ready dict (types as a list)."""
        data = asdict(self)
        data["types"] = list(self.types)
        return data


class SearchIndex(SqliteFile):
    """A label index in an SQLite database (in memory when built here, or a build's file opened read-only).

    Parameters
    ----------
    entries : iterable of Entry
        Every label to index (several per entity).
    display_langs : tuple of str, optional
        Preferred languages of the display label, best first (default French, then English).
    """

    def __init__(self, entries: Iterable[Entry], *, display_langs: tuple[str, ...] = ("fr", "en")) -> None:
        self._fill(((e.iri, e.label, e.lang, e.primary, e.types) for e in entries), display_langs)

    def _fill(self, rows: Iterable[_Row], display_langs: tuple[str, ...]) -> None:
        """Build the index of ``rows`` (an :class:`Entry`'s fields each) in a new in-memory database."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _build(db, rows, display_langs)
        SqliteFile.__init__(self, db)
        self._entities = _meta(db, "entities")

    @classmethod
    def open(cls, path: str | Path) -> SearchIndex:
        """The index stored at ``path`` (by :meth:`serialize`), opened read-only: nothing is loaded.

        Raises
        ------
        ValueError
            The file is not a search index of this version (an older build: compute it again).
        """
        index = cls.__new__(cls)
        index.attach(path, what="search index")
        try:
            with index._connection() as db:
                version = _meta(db, "version")
                index._entities = _meta(db, "entities")
        except sqlite3.Error as exc:
            raise ValueError(f"{index._path} is not a search index ({exc})") from exc
        if version != SCHEMA_VERSION:
            raise ValueError(f"{index._path} holds a search index of version {version}, not {SCHEMA_VERSION}")
        return index

    def __len__(self) -> int:
        return self._entities

    @classmethod
    def from_store(cls, store, *, namespace: str = ENTITY_NS) -> SearchIndex:
        """Index the labels of every entity of a store whose IRI starts with ``namespace``.

        Parameters
        ----------
        store : Store
            A built store; the query runs over the union of its named graphs.
        namespace : str, optional
            Only entities under this namespace are indexed (default ``https://w3id.org/qkg/id/``).
        """
        # Each term a query returns is read from the store (a few microseconds each: most of the time at 1M
        # triples), so the queries return no more terms than the index needs: each class's members (not the
        # class with each), each property's (subject, label) (not the property with each), and the namespace
        # and the literals are checked here (a FILTER on STR(?s) decodes every subject, kept or not).
        # Entries keep the order of one query over every property (the label ids, which break ties, follow it).
        types: dict[str, list[str]] = {}
        for c in classes_in_use(store, PREFIXES["qkg"]):
            name = "qkg:" + c.rsplit("#", 1)[-1]
            for row in store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a <{c}> }}"):
                iri = row[0].value
                if iri.startswith(namespace) and isinstance(row[0], NamedNode):
                    types.setdefault(iri, []).append(name)
        sorted_types = {iri: tuple(sorted(names)) for iri, names in types.items()}
        entries: list[_Row] = []
        for prop, primary in LABEL_PROPERTIES.items():
            for subject, label in property_values(store, prop):
                iri = subject.value
                if isinstance(label, Literal) and iri.startswith(namespace) and isinstance(subject, NamedNode):
                    entries.append((iri, label.value, label.language or "", primary, sorted_types.get(iri, ())))
        index = cls.__new__(cls)
        index._fill(entries, ("fr", "en"))  # an Entry's fields as tuples, not 254k Entry objects at 1M triples
        return index

    def label(self, iri: str) -> str | None:
        """The display label of an indexed entity, or None."""
        with self._connection() as db:
            row = db.execute("SELECT display FROM entities WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else None

    def search(self, query: str, *, limit: int = 10, lang: str = "fr") -> list[Hit]:
        """Return up to ``limit`` entities matching ``query``, best first (one hit per entity).

        Parameters
        ----------
        query : str
            Free text: a name, part of a name, an acronym, with or without accents.
        limit : int, optional
            Most hits returned (default 10).
        lang : str, optional
            The page's language: ``"en"`` shows each hit's English label where it has one (default French).
        """
        # a lone surrogate cannot reach SQLite; "?" matches no key either (keys hold no punctuation)
        q = normalise(query).encode("utf-8", "replace").decode("utf-8")
        if not q or limit < 1:
            return []
        found: list[tuple[int, int, float, str]] = []  # (entity, label, score, kind), best first
        with self._connection() as db:
            found += _ranked(db, _PREFIX_SQL, {"q": q, "hi": _after_prefix(q)}, limit, found)
            if len(found) < limit:
                words = q.split()
                found += _ranked(db, _token_sql(len(words)), _token_params(words), limit - len(found), found)
            if len(found) < limit:
                found += self._fuzzy(db, q, limit - len(found), found)
            return _hits(db, found, english=lang == "en")

    def _fuzzy(self, db: sqlite3.Connection, q: str, limit: int, found) -> list[tuple[int, int, float, str]]:
        grams = sorted(_trigrams(q))
        n = len(q)
        # candidates: words sharing grams with the query, Dice >= 0.75 outright, or >= 0.25 and near enough in
        # length for difflib's ratio (see _ratio), computed here on those few only
        near = f"dice >= {_PREFILTER!r} AND length(word) BETWEEN {max(n - 1, 4)} AND {n + 1}" if n >= 4 else "0"
        rows = db.execute(
            f"SELECT v, word, 2.0 * n / ({len(grams)} + size) AS dice FROM (SELECT j.value AS v, COUNT(*) AS n"
            f" FROM grams, json_each(grams.vocab) j WHERE gram IN ({','.join('?' * len(grams))}) GROUP BY j.value)"
            " JOIN vocab USING (v)"
            f" WHERE dice >= {_FUZZY_MIN!r} OR ({near})",
            grams,
        ).fetchall()
        scored = []
        for v, word, dice in rows:
            similarity = dice if dice >= _FUZZY_MIN else _ratio(q, word)
            if similarity >= _FUZZY_MIN:
                # the score travels in thousandths (exact integers); k / 1000.0 is the same double as round(x, 3)
                scored.append((v, round(round(0.7 * similarity, 3) * 1000)))
        if not scored:
            return []
        return _ranked(db, _FUZZY_SQL, {"scored": json.dumps(scored)}, limit, found)


def _after_prefix(q: str) -> str:
    """The least string after every string that starts with ``q`` (code point order, which is UTF-8's)."""
    last = ord(q[-1])
    return q[:-1] + chr(last + 1) if last < sys.maxunicode else q + "\U0010ffff"


# Each stage's candidates as (e, i, ord, kind); _ranked keeps each entity's best and the best entities.
# ord = score + 0.01 for a primary label - 1e-5 per character of the key (the same arithmetic as in Python)
_ORDER = "(CASE WHEN l.prim THEN {score} + 0.01 ELSE {score} + 0.0 END) - length(l.key) * 1e-5"
_PREFIX_SQL = (
    "SELECT l.e, l.i, "
    + _ORDER.format(score="(CASE WHEN l.key = :q THEN 1.0 ELSE 0.9 END)")
    + " AS ord, CASE WHEN l.key = :q THEN 'exact' ELSE 'prefix' END AS kind"
    " FROM labels l WHERE l.key >= :q AND l.key < :hi"
)
_FUZZY_SQL = (
    "SELECT l.e, l.i, "
    + _ORDER.format(score="f.k / 1000.0")
    + " AS ord, 'fuzzy' AS kind FROM (SELECT json_extract(value, '$[0]') AS v, json_extract(value, '$[1]') AS k"
    " FROM json_each(:scored)) f"
    " JOIN vocab ON vocab.v = f.v, json_each(vocab.labels) j JOIN labels l ON l.i = j.value"
)


@functools.cache
def _token_sql(words: int) -> str:
    """Labels having every one of ``words`` query words as the prefix of one of their words.

    The vocabulary holds each key's words and the whole key; a query word (no space) that starts a whole key
    starts its first word too, so looking among all of them finds the same labels.
    """
    matches = " INTERSECT ".join(
        f"SELECT j.value FROM vocab, json_each(vocab.labels) j WHERE word >= :w{k} AND word < :h{k}"
        for k in range(words)
    )
    return (
        "SELECT l.e, l.i, "
        + _ORDER.format(score="0.8")
        + f" AS ord, 'token-prefix' AS kind FROM ({matches}) m JOIN labels l ON l.i = m.value"
    )


def _token_params(words: list[str]) -> dict[str, str]:
    params = {}
    for k, word in enumerate(words):
        params[f"w{k}"], params[f"h{k}"] = word, _after_prefix(word)
    return params


def _ranked(db: sqlite3.Connection, candidates: str, params: dict, limit: int, found) -> list:
    """The best ``limit`` entities among ``candidates`` (each with its best label), leaving out those ``found``."""
    exclude = ",".join(str(e) for e, *_ in found)
    sql = (
        f"SELECT e, i, ord, kind FROM (SELECT *, row_number() OVER (PARTITION BY e ORDER BY ord DESC, i DESC) AS rn"
        f" FROM ({candidates}) {'WHERE e NOT IN (' + exclude + ')' if exclude else ''})"
        f" WHERE rn = 1 ORDER BY ord DESC, i DESC LIMIT {int(limit)}"
    )
    return db.execute(sql, params).fetchall()


def _hits(db: sqlite3.Connection, found, *, english: bool) -> list[Hit]:
    if not found:
        return []
    entities = {
        e: row
        for e, *row in db.execute(
            f"SELECT e, iri, types, display, display_en FROM entities WHERE e IN ({','.join('?' * len(found))})",
            [e for e, *_ in found],
        )
    }
    matched = dict(
        db.execute(f"SELECT i, label FROM labels WHERE i IN ({','.join('?' * len(found))})", [i for _, i, *_ in found])
    )
    hits = []
    for e, i, score, kind in found:
        iri, types, display, display_en = entities[e]
        hits.append(
            Hit(
                id=local_name(iri) or iri,
                iri=iri,
                label=(display_en if english and display_en else display) or matched[i],
                types=tuple(types.split(_TYPES_SEP)) if types else (),
                score=round(min(1.0, _SCORES.get(kind, score)), 3),
                matched=matched[i],
                kind=kind,
            )
        )
    return hits


def _meta(db: sqlite3.Connection, name: str):
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _lang_ranks(langs: tuple[str, ...]) -> dict[str, int]:
    """``{lang: rank}``: each language's first place in ``langs`` (one absent ranks ``len(langs)``, after them)."""
    ranks: dict[str, int] = {}
    for k, lang in enumerate(langs):
        ranks.setdefault(lang, k)
    return ranks


def _chars(label: str) -> int:
    """SQLite's ``length()`` of a text: its characters before the first NUL."""
    return len(label.partition("\x00")[0])


def _build(db: sqlite3.Connection, entries: Iterable[_Row], display_langs: tuple[str, ...]) -> None:
    """Fill an empty database with the index of ``entries`` (an :class:`Entry`'s fields each, in its order).

    The keys are normalised in a few passes over all labels (:func:`normalise_all`), the vocabulary and its
    trigram postings made in one loop each, and stored as JSON arrays (one row per word, one per trigram) that
    SQLite's ``json_each`` reads back in C: no table of millions of rows to sort (9.5M postings at 1M triples).
    Each entity's display labels (primary first, then by language, shorter, first read) are chosen in the same
    loop as its labels are numbered, and its row written once with them (two UPDATEs over every label cost
    a second at 1M triples).
    """
    entries = list(entries)
    keys = normalise_all(e[1] for e in entries)
    ids: dict[str, int] = {}
    types: dict[str, set[str]] = {}
    labels: list[tuple[int, int, str, str, int, str]] = []
    vocab: defaultdict[str, list[int]] = defaultdict(list)
    # lang -> rank (its first place in the languages, or after them): dict look-ups, not a call each
    ranks, ranks_en = _lang_ranks(display_langs), _lang_ranks(("en", *display_langs))
    rank, rank_en, last, last_en = ranks.get, ranks_en.get, len(display_langs), len(display_langs) + 1
    best: dict[int, tuple] = {}  # entity -> its display label's order and label, for each language order
    best_en: dict[int, tuple] = {}
    for entry, key in zip(entries, keys, strict=True):
        if not key:
            continue
        iri, label, lang, primary, entry_types = entry
        e = ids.setdefault(iri, len(ids))
        if entry_types:
            types.setdefault(iri, set()).update(entry_types)
        i = len(labels)
        prim = int(primary)
        labels.append((i, e, label, lang, prim, key))
        length = len(label) if "\x00" not in label else _chars(label)
        order, order_en = (-prim, rank(lang, last), length, i, label), (-prim, rank_en(lang, last_en), length, i, label)
        old = best.get(e)
        if old is None or order < old:
            best[e] = order
        old = best_en.get(e)
        if old is None or order_en < old:
            best_en[e] = order_en
        parts = key.split()
        if len(parts) == 1:
            vocab[key].append(i)
        else:
            for word in {key, *parts}:
                vocab[word].append(i)
    sizes, postings = _postings(list(vocab))
    # a list of ints prints as its JSON array
    words = [(v, word, size, str(of)) for v, ((word, of), size) in enumerate(zip(vocab.items(), sizes, strict=True))]
    db.executescript(
        """
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE meta(name TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE entities(e INTEGER PRIMARY KEY, iri TEXT NOT NULL, types TEXT NOT NULL,
                              display TEXT, display_en TEXT);
        CREATE TABLE labels(i INTEGER PRIMARY KEY, e INTEGER NOT NULL, label TEXT NOT NULL, lang TEXT NOT NULL,
                            prim INTEGER NOT NULL, key TEXT NOT NULL);
        CREATE TABLE vocab(v INTEGER PRIMARY KEY, word TEXT NOT NULL, size INTEGER NOT NULL, labels TEXT NOT NULL);
        CREATE TABLE grams(gram TEXT PRIMARY KEY, vocab TEXT NOT NULL) WITHOUT ROWID;
        """
    )
    db.executemany(
        "INSERT INTO entities VALUES (?, ?, ?, ?, ?)",
        (
            (
                e,
                iri,
                _TYPES_SEP.join(sorted(types.get(iri, ()))),
                (display := best[e][-1]),
                None if (english := best_en[e][-1]) == display else english,
            )
            for iri, e in ids.items()
        ),
    )
    db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)", labels)
    db.executemany("INSERT INTO vocab VALUES (?, ?, ?, ?)", words)
    db.executemany("INSERT INTO grams VALUES (?, ?)", postings)
    db.executescript(
        """
        CREATE INDEX labels_key ON labels(key, prim, e);
        CREATE UNIQUE INDEX entities_iri ON entities(iri);
        CREATE UNIQUE INDEX vocab_word ON vocab(word);
        """
    )
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)", [("version", SCHEMA_VERSION), ("entities", len(ids)), ("labels", len(labels))]
    )
    db.commit()


def _postings(words: list[str]) -> tuple[list[int], list[tuple[str, str]]]:
    """Each word's number of distinct trigrams (of the word padded as ``"  word "``), and each trigram, in code
    point order, with the numbers of the words holding it (a word's number is its place in ``words``) as the text
    of a JSON array, ascending.

    In numpy, over the code points of every word at once (9.5M postings of 216k words at 1M triples: 1.9 s of
    CPU on a loaded machine, 3.3 s for a set of slices per word and a list append per posting): each window of
    three code points becomes one integer (the code points numbered densely, in order, so the integers sort as
    the trigrams do), the windows are sorted by trigram (a stable radix sort: each trigram's words stay in
    order), and a word's repeats of a trigram dropped.

    >>> _postings(["ab", "b"])
    ([3, 2], [('  a', '[0]'), ('  b', '[1]'), (' ab', '[0]'), (' b ', '[1]'), ('ab ', '[0]')])
    """
    if not words:
        return [], []
    count = len(words)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=count) + 3  # "  word "
    points = np.frombuffer("".join(f"  {w} " for w in words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    present = np.bincount(points)
    used = np.flatnonzero(present)
    n = len(used)
    dense = (np.cumsum(present > 0) - 1).astype(np.int32 if n**3 < 1 << 31 else np.int64)
    d: np.ndarray = dense[points]
    del points
    key = (d[:-2] * n + d[1:-1]) * n + d[2:]
    del d
    # the windows of each padded word: all but its last two (those run into the next word)
    ends = np.cumsum(lengths)
    valid = np.ones(len(key) + 2, dtype=bool)
    valid[ends - 1] = False
    valid[ends - 2] = False
    key = key[valid[:-2]]
    word_of = np.repeat(np.arange(count, dtype=np.int32), lengths - 2)
    if n**3 <= 1 << 24:
        seen = np.bincount(key, minlength=n**3) > 0
        keys = np.flatnonzero(seen)
        gram = (np.cumsum(seen, dtype=np.int32) - 1)[key]
    else:
        keys, gram = np.unique(key, return_inverse=True)
    del key
    order = np.argsort(gram.astype(np.uint16) if len(keys) <= 1 << 16 else gram, kind="stable")
    g, v = gram[order], word_of[order]
    del order, gram, word_of
    keep = np.empty(len(g), dtype=bool)
    keep[0] = True
    np.not_equal(v[1:], v[:-1], out=keep[1:])
    keep[1:] |= g[1:] != g[:-1]
    g, v = g[keep], v[keep]
    sizes = np.bincount(v, minlength=count).tolist()
    bounds = np.cumsum(np.bincount(g, minlength=len(keys))).tolist()
    names = np.array([str(i) for i in range(count)], dtype=object)[v].tolist()
    chars = [chr(c) for c in used.tolist()]
    grams = []
    begin = 0
    for k, end in zip(keys.tolist(), bounds, strict=True):
        a, rest = divmod(k, n * n)
        b, c = divmod(rest, n)
        grams.append((chars[a] + chars[b] + chars[c], "[" + ", ".join(names[begin:end]) + "]"))
        begin = end
    return sizes, grams


def _ratio(q: str, word: str) -> float:
    """difflib's similarity, which forgives transpositions; only for words of similar, non-trivial length."""
    if min(len(q), len(word)) < 4 or abs(len(q) - len(word)) > 1:
        return 0.0  # difflib forgives too much on short or unequal words
    return difflib.SequenceMatcher(None, q, word, autojunk=False).ratio() - 0.05


def _string(text: str) -> str:
    """A SPARQL string literal (JSON escaping is valid SPARQL escaping for these characters)."""
    return json.dumps(text)


def _write_temp(data: bytes) -> Path:
    """Write ``data`` to a temporary file (for the examples)."""
    import tempfile

    fd, name = tempfile.mkstemp(suffix=".sqlite")
    with open(fd, "wb") as fh:
        fh.write(data)
    return Path(name)
