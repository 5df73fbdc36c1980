"""The label index as the server uses it: the build's SQLite file, opened in place, answers as the index built
in memory does, on every label of the 2024 graph; searches are bounded, accent- and case-blind, safe from
several threads; an older build's index (a pickle) is computed again."""

from __future__ import annotations

import pickle
import random
import threading

import pytest
from qkg.api.prepared import BY_NAME
from qkg.graph.building.artefacts import ArtefactMissing, Artefacts
from qkg.graph.pages.search import SearchIndex, _postings, normalise, normalise_all
from qkg.graph.serving.store import StoreLayout, open_read_only
from qkg.ontology.curies import ENTITY_NS

SEARCH = BY_NAME["search"]


@pytest.fixture(scope="module")
def stored(built_data):
    """The 2024 build's store, its search index as the server opens it, and every label of its entities."""
    path = StoreLayout(built_data).current()
    store = open_read_only(path)
    index = Artefacts(path).read("search", fmt=SEARCH.fmt, load=SEARCH.load)
    rows = store.select(
        "SELECT DISTINCT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        f'FILTER(STRSTARTS(STR(?s), "{ENTITY_NS}")) }}'
    )
    labels = sorted({(row["s"].value, row["l"].value) for row in rows})
    return store, index, labels


def _answers(index: SearchIndex, queries, **options) -> list[list[dict]]:
    return [[hit.as_dict() for hit in index.search(q, **options)] for q in queries]


def _queries(labels, rnd: random.Random) -> list[str]:
    out = []
    for _, label in labels:
        k = rnd.randrange(1, max(2, len(label) - 1))
        out += [label, label[:3], label.upper(), label[:k] + label[k + 1 :], label[:k] + label[k:][::-1][:2]]
    return out


def test_the_stored_index_is_a_file_opened_in_place(stored) -> None:
    _, index, labels = stored
    assert index._path is not None and index._path.name == "search.sqlite"
    assert len(index) >= len({iri for iri, _ in labels}) > 100


def test_the_stored_index_answers_as_the_one_built_in_memory(stored) -> None:
    store, index, labels = stored
    memory = SearchIndex.from_store(store)
    assert memory._path is None
    queries = _queries(labels, random.Random(5))
    for lang in ("fr", "en"):
        assert _answers(index, queries, limit=7, lang=lang) == _answers(memory, queries, limit=7, lang=lang)


def test_every_label_finds_its_entity_exactly_whatever_its_accents_and_case(stored) -> None:
    _, index, labels = stored
    for iri, label in labels:
        if not normalise(label):
            continue
        hits = index.search(label, limit=50)
        assert (iri, "exact") in {(h.iri, h.kind) for h in hits}, (label, hits[:3])
        assert [h.iri for h in index.search(label.upper(), limit=50)] == [h.iri for h in hits]
        folded = normalise(label)
        assert [h.iri for h in index.search(folded, limit=50)] == [h.iri for h in hits]


def test_answers_are_bounded_and_ranked_by_kind(stored) -> None:
    _, index, _ = stored
    for q, limit in (("a", 3), ("de", 10), ("ville", 25), ("lausane", 5), ("e", 200)):
        hits = index.search(q, limit=limit)
        assert 0 < len(hits) <= limit, q
        assert len({h.iri for h in hits}) == len(hits)  # one hit per entity
        ranks = [("exact", "prefix", "token-prefix", "fuzzy").index(h.kind) for h in hits]
        assert ranks == sorted(ranks), (q, [h.kind for h in hits])
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("genève")[0].id == index.search("GENEVE")[0].id == "geneve"
    assert index.search("lausane")[0].kind == "fuzzy"
    assert index.search("", limit=5) == index.search("!?", limit=5) == index.search("geneve", limit=0) == []


def test_a_lone_surrogate_is_searched_not_raised(stored) -> None:
    _, index, _ = stored
    assert index.search("\ud800") == []
    assert [h.id for h in index.search("gen\udc00eve")] == [h.id for h in index.search("gen?eve")]


def test_searches_from_several_threads_get_the_sequential_answers(stored) -> None:
    _, index, labels = stored
    queries = _queries(labels[:60], random.Random(9))
    expected = _answers(index, queries, limit=5)
    got: dict[int, list] = {}

    def run(k: int) -> None:
        got[k] = _answers(index, queries, limit=5)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [got[k] for k in range(4)] == [expected] * 4


def test_normalising_all_labels_at_once_is_normalising_each(stored) -> None:
    _, _, labels = stored
    texts = [label for _, label in labels] + [
        "Ǆemal Bijedić",  # a ligature letter (NFKD splits it), a caron
        "\u0301é début",  # a combining mark first
        "Straße ﬁnale ½",  # casefold's ss, the fi ligature, a fraction
        "a\nb",  # a line break inside a label
        "",
        "___ -- !!",
        "İstanbul ΣΊΣΥΦΟΣ",
    ]
    assert normalise_all(texts) == [normalise(t) for t in texts]
    assert normalise_all(texts[:-7]) == [normalise(t) for t in texts[:-7]]  # the one-pass path (no line break)


def _postings_one_by_one(words: list[str]) -> tuple[list[int], list[tuple[str, str]]]:
    """The postings as the index defines them: each word's distinct trigrams (padded "  word "), per trigram the
    numbers of its words, ascending, as JSON."""
    sizes, postings = [], {}
    for v, word in enumerate(words):
        padded = f"  {word} "
        grams = {padded[k : k + 3] for k in range(len(padded) - 2)}
        sizes.append(len(grams))
        for gram in grams:
            postings.setdefault(gram, []).append(v)
    return sizes, [(gram, str(vs)) for gram, vs in sorted(postings.items())]


@pytest.mark.parametrize("many_points", [False, True])
def test_trigram_postings_made_at_once_are_each_words_trigrams(stored, many_points) -> None:
    _, _, labels = stored
    words = sorted({w for _, label in labels for key in [normalise(label)] for w in [key, *key.split()] if w})
    words += ["a", "aaaa", "x y x y", "\U0001f600 é ü", "\udc80 lone", "ab" * 40]
    if many_points:  # more code points than the dense numbering packs in 24 bits, more trigrams than 16 bits
        rnd = random.Random(7)
        words += ["".join(chr(rnd.randrange(0x4E00, 0x9FFF)) for _ in range(12)) for _ in range(6000)]
    assert _postings(words) == _postings_one_by_one(words)
    assert _postings([]) == ([], [])


def test_an_older_builds_pickled_index_is_computed_again_as_a_file(tmp_path, stored) -> None:
    store, index, _ = stored
    artefacts = Artefacts(tmp_path)
    artefacts.write("search", {"an": "index of an older version"}, fmt="pickle")
    with pytest.raises(ArtefactMissing, match="stored as pickle"):
        Artefacts(tmp_path).read("search", fmt=SEARCH.fmt, load=SEARCH.load)
    again = Artefacts(tmp_path)
    fresh = again.get("search", lambda: SEARCH.make(store), fmt=SEARCH.fmt, load=SEARCH.load)
    assert _answers(fresh, ["geneve", "oms"]) == _answers(index, ["geneve", "oms"])
    assert again.manifest()["artefacts"]["search"]["format"] == "sqlite"
    assert not (again.path / "search.pickle").exists()
    reopened = Artefacts(tmp_path).read("search", fmt=SEARCH.fmt, load=SEARCH.load)
    assert reopened._path == again.path / "search.sqlite"
    assert _answers(reopened, ["geneve", "oms"]) == _answers(index, ["geneve", "oms"])


def test_a_file_that_is_no_index_is_missing_not_a_traceback(tmp_path) -> None:
    artefacts = Artefacts(tmp_path)
    artefacts.write("search", SearchIndex([]), fmt="sqlite")
    (artefacts.path / "search.sqlite").write_bytes(pickle.dumps("not a database" * 100))
    with pytest.raises(ArtefactMissing, match="not a search index"):
        Artefacts(tmp_path).read("search", fmt=SEARCH.fmt, load=SEARCH.load)
