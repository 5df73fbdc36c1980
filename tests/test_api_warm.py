"""What a page needs of the build is all it waits for: the home page reads the City's partners prepared by the
build (``home-partners``), not the network's pickle; the network page's first answer comes from the
``network-overview`` artefact, and each other overview is drawn once per build; the warm-up reads the small
artefacts before the large ones. On a copy of the 2024 build, served in this process (the real app and routes)."""

from __future__ import annotations

import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from qkg.api.app import create_app
from qkg.api.config import Settings
from qkg.api.deps import warm_order
from qkg.graph.building.artefacts import Artefacts
from qkg.graph.serving.store import StoreLayout, open_read_only


def _copy(graph_2024, tmp_path, drop: tuple[str, ...] = ()):
    """A copy of the 2024 build's data folder whose build lacks the artefacts ``drop`` (an older build's)."""
    data = tmp_path / "data"
    shutil.copytree(graph_2024, data, symlinks=True)
    folder = StoreLayout(data).require_current() / "qkg-artefacts"
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in drop:
        entry = manifest["artefacts"].pop(name)
        (folder / f"{name}.{entry['format']}").unlink()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return data


@pytest.fixture(autouse=True)
def _no_exit_watchdog(monkeypatch):
    """The app ends its process a grace period after its shutdown if a request's thread still runs (as a
    server must); in this process, that would end the test session."""
    import qkg.api.app

    monkeypatch.setattr(qkg.api.app, "_exit_after", lambda seconds: None)


def _client(data) -> TestClient:
    return TestClient(create_app(Settings(data_dir=data)), base_url="http://127.0.0.1")


def _expected(data, lang: str) -> dict:
    """The answers drawn from the network made afresh from the build's store."""
    from qkg.viz.source import filtered_network, partners_view, prepare_network

    path = StoreLayout(data).require_current()
    network = prepare_network(open_read_only(path))
    partners = partners_view(network, lang=lang)
    overview = filtered_network(network, lang=lang, build=path.name)
    return json.loads(json.dumps({"partners": partners, "overview": overview}))


def test_the_home_page_does_not_wait_for_the_network(graph_2024, tmp_path, monkeypatch):
    """A build without its network artefact, whose network takes as long as it takes to make (here: until the
    test lets it finish): the home page answers meanwhile, with the City's partners."""
    import qkg.viz.source

    data = _copy(graph_2024, tmp_path, drop=("network",))
    expected = _expected(data, "fr")["partners"]
    assert expected and expected["partners"]
    release, asked = threading.Event(), threading.Event()
    make = qkg.viz.source.prepare_network

    def slow(store, **options):
        asked.set()
        release.wait(60)
        return make(store, **options)

    monkeypatch.setattr(qkg.viz.source, "prepare_network", slow)
    with _client(data) as client, ThreadPoolExecutor(1) as pool:
        try:
            assert asked.wait(30)  # the warm-up is making the network
            page = pool.submit(client.get, "/").result(timeout=30)
            assert page.status_code == 200
            for partner in expected["partners"][:10]:
                assert partner["label"] in page.text and partner["href"] in page.text
            assert "network" not in client.app.state.qkg.artefacts._memo
            assert not release.is_set()
        finally:
            release.set()


def test_the_home_partners_are_the_networks(graph_2024, tmp_path):
    data = _copy(graph_2024, tmp_path)
    stored = Artefacts(StoreLayout(data).require_current()).read("home-partners")
    for lang in ("fr", "en"):
        assert stored[lang] == _expected(data, lang)["partners"]


def test_the_default_overview_is_read_from_the_build(graph_2024, tmp_path, monkeypatch):
    """The network page's first answer (every year, each language) is the build's, equal to the one drawn from
    the network, and no request draws it; another year's is drawn once, then kept."""
    import qkg.viz.source

    drawn = []
    draw = qkg.viz.source.filtered_network
    monkeypatch.setattr(qkg.viz.source, "filtered_network", lambda *a, **k: drawn.append(k) or draw(*a, **k))
    data = _copy(graph_2024, tmp_path)
    with _client(data) as client:
        for lang in ("fr", "en"):
            first = client.get("/api/viz/network", params={"lang": lang})
            assert first.status_code == 200
            assert first.json() == _expected(data, lang)["overview"]
            drawn.clear()  # _expected drew it
            assert client.get("/api/viz/network", params={"lang": lang}).json() == first.json()
            assert drawn == []
        answers = [client.get("/api/viz/network", params={"report_year": "2024"}).json() for _ in range(3)]
        assert answers[0] == answers[1] == answers[2] and answers[0]["meta"]["year"] == "2024"
        assert len(drawn) == 1
        # a focus is drawn for each request (bounded by the view, not kept)
        focus = {"focus": "qkgd:ville-de-quebec", "depth": 1}
        assert client.get("/api/viz/network", params=focus).json()["meta"]["focus"] == "qkgd:ville-de-quebec"
        assert len(drawn) == 2


def test_an_older_build_gets_them_from_its_network(graph_2024, tmp_path):
    """A build made before the two artefacts: each is made once from the build's network artefact (not from
    the store), and stored with the build."""
    data = _copy(graph_2024, tmp_path, drop=("home-partners", "network-overview"))
    with _client(data) as client:
        page = client.get("/", params={"lang": "en"})
        overview = client.get("/api/viz/network", params={"lang": "en"}).json()
    expected = _expected(data, "en")
    assert overview == expected["overview"]
    assert expected["partners"]["partners"][0]["label"] in page.text
    stored = Artefacts(StoreLayout(data).require_current())
    assert {"home-partners", "network-overview"} <= set(stored.names())
    assert stored.read("home-partners")["en"] == expected["partners"]


def test_the_warm_up_reads_the_small_artefacts_first(graph_2024, tmp_path):
    artefacts = Artefacts(StoreLayout(graph_2024).require_current())
    order = warm_order(artefacts)
    sizes = artefacts.manifest()["artefacts"]
    assert set(order) == set(sizes)
    sqlite = [n for n in order if sizes[n]["format"] == "sqlite"]
    assert order[: len(sqlite)] == sqlite  # opened, not read: first
    rest = [sizes[n]["bytes"] for n in order[len(sqlite) :]]
    assert rest == sorted(rest)
    assert order.index("home-partners") < order.index("network")
    # an artefact the build lacks comes last (it is computed)
    dropped = Artefacts(StoreLayout(_copy(graph_2024, tmp_path, drop=("stats",))).require_current())
    assert warm_order(dropped)[-1] == "stats"
