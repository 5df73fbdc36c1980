"""Label search over the graph's entities: exact, prefix, token-prefix and fuzzy matches, accent-blind.

The index is built once from every ``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel`` and
``schema:name`` of the ``qkgd:`` entities (French, English or untagged), and kept in memory: a few
thousand labels take a few milliseconds to index and microseconds to search. Rebuild it when the store
changes (the web app does so on each new build).

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
labels, then shorter labels over longer ones.

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
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass

from qkg.graph.serving.store import classes_in_use
from qkg.ontology import PREFIXES
from qkg.ontology.curies import ENTITY_NS, local_name

__all__ = ["Entry", "Hit", "SearchIndex", "normalise", "LABEL_PROPERTIES"]

_RDFS, _SKOS, _SCHEMA = PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["schema"]

#: Label properties indexed, and whether each gives a primary (display) label.
LABEL_PROPERTIES = {
    _RDFS + "label": True,
    _SKOS + "prefLabel": True,
    _SCHEMA + "name": True,
    _SKOS + "altLabel": False,
}
_SCORES = {"exact": 1.0, "prefix": 0.9, "token-prefix": 0.8}
_FUZZY_MIN = 0.75
_PREFILTER = 0.25
_NON_WORD = re.compile(r"[\W_]+")


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


def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


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


class SearchIndex:
    """An in-memory label index.

    Parameters
    ----------
    entries : iterable of Entry
        Every label to index (several per entity).
    display_langs : tuple of str, optional
        Preferred languages of the display label, best first (default French, then English).
    """

    def __init__(self, entries, *, display_langs: tuple[str, ...] = ("fr", "en")) -> None:
        self.entries: list[Entry] = []
        self.keys: list[str] = []
        self._display: dict[str, str] = {}
        #: the English display label where it differs from the French one (an English page shows it)
        self._display_en: dict[str, str] = {}
        self._types: dict[str, tuple[str, ...]] = {}
        rank: dict[str, tuple] = {}
        rank_en: dict[str, tuple] = {}
        english_labels: dict[str, str] = {}
        for entry in entries:
            key = normalise(entry.label)
            if not key:
                continue
            self.entries.append(entry)
            self.keys.append(key)
            if entry.types:
                self._types[entry.iri] = tuple(sorted(set(self._types.get(entry.iri, ()) + entry.types)))
            order = (not entry.primary, _lang_rank(entry.lang, display_langs), len(entry.label))
            if entry.iri not in rank or order < rank[entry.iri]:
                rank[entry.iri], self._display[entry.iri] = order, entry.label
            english = (not entry.primary, _lang_rank(entry.lang, ("en", *display_langs)), len(entry.label))
            if entry.iri not in rank_en or english < rank_en[entry.iri]:
                rank_en[entry.iri], english_labels[entry.iri] = english, entry.label
        self._display_en = {iri: text for iri, text in english_labels.items() if text != self._display.get(iri)}
        self._sorted = sorted((key, i) for i, key in enumerate(self.keys))
        tokens = sorted({(tok, i) for i, key in enumerate(self.keys) for tok in key.split()})
        self._tokens = tokens
        # Fuzzy matching works on a vocabulary: every label word and every whole label, each with the
        # labels it belongs to; a trigram index finds the candidates sharing grams with the query.
        vocab: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for word in {key, *key.split()}:
                vocab[word].append(i)
        self._vocab = list(vocab)
        self._vocab_labels = [vocab[w] for w in self._vocab]
        self._vocab_size = [len(_trigrams(w)) for w in self._vocab]
        self._grams: dict[str, list[int]] = defaultdict(list)
        for v, word in enumerate(self._vocab):
            for gram in _trigrams(word):
                self._grams[gram].append(v)

    def __len__(self) -> int:
        return len(self._display)

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
        props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        types: dict[str, list[str]] = defaultdict(list)
        classes = " ".join(f"<{c}>" for c in classes_in_use(store, PREFIXES["qkg"]))
        typed = (
            store.select(
                "SELECT DISTINCT ?s ?t WHERE { VALUES ?t { %s } ?s a ?t . FILTER(STRSTARTS(STR(?s), %s)) }"
                % (classes, _string(namespace))
            )
            if classes
            else []
        )
        for row in typed:
            types[row["s"].value].append("qkg:" + row["t"].value.rsplit("#", 1)[-1])
        entries = []
        for row in store.select(
            f"SELECT DISTINCT ?s ?p ?l WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?l . "
            f"FILTER(isLiteral(?l) && STRSTARTS(STR(?s), {_string(namespace)})) }}",
        ):
            iri, label = row["s"].value, row["l"]
            entries.append(
                Entry(
                    iri,
                    label.value,
                    label.language or "",
                    LABEL_PROPERTIES[row["p"].value],
                    tuple(sorted(types.get(iri, ()))),
                )
            )
        return cls(entries)

    def label(self, iri: str) -> str | None:
        """The display label of an indexed entity, or None."""
        return self._display.get(iri)

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
        q = normalise(query)
        if not q or limit < 1:
            return []
        best: dict[str, tuple[float, int, str]] = {}

        def offer(i: int, kind: str, score: float) -> None:
            entry = self.entries[i]
            order = (score + (0.01 if entry.primary else 0.0) - len(self.keys[i]) * 1e-5, i, kind)
            if entry.iri not in best or order > best[entry.iri]:
                best[entry.iri] = order

        start = bisect.bisect_left(self._sorted, (q, -1))
        for key, i in self._sorted[start:]:
            if not key.startswith(q):
                break
            offer(i, "exact" if key == q else "prefix", _SCORES["exact" if key == q else "prefix"])
        words = q.split()
        if len(words) > 1 or len(best) < limit:
            for i in self._token_prefix(words):
                offer(i, "token-prefix", _SCORES["token-prefix"])
        if len(best) < limit:
            for i, score in self._fuzzy(q):
                offer(i, "fuzzy", score)
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[:limit]
        english = getattr(self, "_display_en", {}) if lang == "en" else {}  # (an index pickled before it had them)
        hits = []
        for iri, (score, i, kind) in ranked:
            hits.append(
                Hit(
                    id=local_name(iri) or iri,
                    iri=iri,
                    label=english.get(iri) or self._display.get(iri, self.entries[i].label),
                    types=self._types.get(iri, ()),
                    score=round(min(1.0, _SCORES.get(kind, score)), 3),
                    matched=self.entries[i].label,
                    kind=kind,
                )
            )
        return hits

    def _token_prefix(self, words: list[str]) -> set[int]:
        found: set[int] | None = None
        for word in words:
            start = bisect.bisect_left(self._tokens, (word, -1))
            ids = set()
            for token, i in self._tokens[start:]:
                if not token.startswith(word):
                    break
                ids.add(i)
            found = ids if found is None else found & ids
            if not found:
                return set()
        return found or set()

    def _fuzzy(self, q: str) -> list[tuple[int, float]]:
        grams = _trigrams(q)
        shared: dict[int, int] = defaultdict(int)
        for gram in grams:
            for v in self._grams.get(gram, ()):
                shared[v] += 1
        out: list[tuple[int, float]] = []
        for v, count in shared.items():
            dice = 2 * count / (len(grams) + self._vocab_size[v])
            if dice < _PREFILTER:
                continue
            similarity = dice if dice >= _FUZZY_MIN else _ratio(q, self._vocab[v])
            if similarity >= _FUZZY_MIN:
                out.extend((i, round(0.7 * similarity, 3)) for i in self._vocab_labels[v])
        return out


def _ratio(q: str, word: str) -> float:
    """difflib's similarity, which forgives transpositions; only for words of similar, non-trivial length."""
    if min(len(q), len(word)) < 4 or abs(len(q) - len(word)) > 1:
        return 0.0  # difflib forgives too much on short or unequal words
    return difflib.SequenceMatcher(None, q, word, autojunk=False).ratio() - 0.05


def _lang_rank(lang: str, langs: tuple[str, ...]) -> int:
    return langs.index(lang) if lang in langs else len(langs)


def _string(text: str) -> str:
    """A SPARQL string literal (JSON escaping is valid SPARQL escaping for these characters)."""
    import json

    return json.dumps(text)
