"""Map data for ``/map``: partner cities, missions as routes, receptions by origin, on an offline base map.

The browser draws country shapes from world-atlas (Natural Earth) with Leaflet and no tile server; this module
prepares what goes on top. Missions are drawn as one route each, from Québec through their legs in
``legOrder``, every hop a great-circle arc (:func:`great_circle`). Receptions are placed at their origin when it
is a city with coordinates, and counted per country otherwise (a region or a country of origin shades that
country's shape: :func:`atlas_name` gives the name world-atlas uses).

>>> arc = great_circle((46.81, -71.21), (48.86, 2.35), steps=4)
>>> len(arc), arc[0], arc[-1]
(5, [46.81, -71.21], [48.86, 2.35])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

from qkg.viz.escape import clean_text

__all__ = [
    "ATLAS_NAMES",
    "valid_point",
    "great_circle",
    "atlas_name",
    "map_payload",
    "aggregate_map",
    "MAP_DETAIL_MAX",
    "MAP_MAX_CITIES",
    "MAP_MAX_ROUTES",
    "MAP_LISTED",
]

#: Up to this many points (cities, missions, receptions) the map draws each one; above, it aggregates by place.
MAP_DETAIL_MAX = 3000
#: Most cities an aggregated map draws (those with most missions and receptions first).
MAP_MAX_CITIES = 1000
#: Most routes an aggregated map draws: one per destination city, with its number of missions.
MAP_MAX_ROUTES = 300
#: Receptions listed per place in an aggregated map (the place carries the full ``count``).
MAP_LISTED = 3

#: English country labels that world-atlas (Natural Earth, 110m) spells differently.
ATLAS_NAMES = {
    "United States": "United States of America",
    "USA": "United States of America",
    "Czech Republic": "Czechia",
    "Ivory Coast": "Côte d'Ivoire",
    "Democratic Republic of the Congo": "Dem. Rep. Congo",
    "Republic of the Congo": "Congo",
    "Central African Republic": "Central African Rep.",
    "Bosnia and Herzegovina": "Bosnia and Herz.",
    "Dominican Republic": "Dominican Rep.",
    "South Sudan": "S. Sudan",
    "Equatorial Guinea": "Eq. Guinea",
    "North Macedonia": "Macedonia",
    "Eswatini": "eSwatini",
    "Solomon Islands": "Solomon Is.",
    "Western Sahara": "W. Sahara",
    "Falkland Islands": "Falkland Is.",
    "French Southern Territories": "Fr. S. Antarctic Lands",
}


def valid_point(lat: Any, lon: Any) -> tuple[float, float] | None:
    """``(lat, lon)`` as floats if both are finite and in range, else None.

    Examples
    --------
    >>> valid_point("46.81", -71.21), valid_point(91, 0), valid_point("nan", 0), valid_point(None, 1)
    ((46.81, -71.21), None, None, None)
    """
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(la) and math.isfinite(lo) and -90 <= la <= 90 and -180 <= lo <= 180):
        return None
    return la, lo


def great_circle(a: tuple[float, float], b: tuple[float, float], *, steps: int = 24) -> list[list[float]]:
    """Points along the great circle from ``a`` to ``b`` (``(lat, lon)`` degrees), both ends included.

    Longitudes are unwrapped so a route crossing the antimeridian stays continuous on the map.

    Examples
    --------
    >>> great_circle((0, 0), (0, 90), steps=2)
    [[0.0, 0.0], [0.0, 45.0], [0.0, 90.0]]
    >>> great_circle((10, 20), (10, 20), steps=3)
    [[10, 20], [10, 20]]
    """
    if a == b:
        return [list(a), list(b)]
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    d = 2 * math.asin(
        math.sqrt(math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    )
    if d < 1e-9:
        return [list(a), list(b)]
    points, previous = [], None
    for i in range(steps + 1):
        f = i / steps
        p, q = math.sin((1 - f) * d) / math.sin(d), math.sin(f * d) / math.sin(d)
        x = p * math.cos(la1) * math.cos(lo1) + q * math.cos(la2) * math.cos(lo2)
        y = p * math.cos(la1) * math.sin(lo1) + q * math.cos(la2) * math.sin(lo2)
        z = p * math.sin(la1) + q * math.sin(la2)
        lat, lon = math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))
        if previous is not None:
            while lon - previous > 180:
                lon -= 360
            while lon - previous < -180:
                lon += 360
        previous = lon
        points.append([round(lat, 4), round(lon, 4)])
    points[0], points[-1] = [float(a[0]), float(a[1])], [float(b[0]), float(b[1])]
    if points[-1][1] - points[-2][1] > 180:  # keep the last point on the unwrapped side
        points[-1][1] -= 360
    elif points[-1][1] - points[-2][1] < -180:
        points[-1][1] += 360
    return points


def atlas_name(name_en: str | None) -> str | None:
    """The world-atlas name of a country from its English label.

    >>> atlas_name("United States"), atlas_name("France"), atlas_name(None)
    ('United States of America', 'France', None)
    """
    if not name_en:
        return None
    return ATLAS_NAMES.get(name_en, name_en)


def map_payload(
    *,
    places: Mapping[str, Mapping],
    missions: Iterable[Mapping],
    receptions: Iterable[Mapping],
    home: str | None,
    partners: Iterable[str] = (),
    hrefs: Mapping[str, str] | None = None,
    paths_up_to: int | None = None,
) -> dict:
    """Everything the map draws.

    Parameters
    ----------
    places : mapping
        Place id -> ``{"label", "kind" ("city"/"region"/"country"), "lat", "lon", "country" (id),
        "name_en"}``; coordinates may be missing.
    missions : iterable of mapping
        ``{"id", "label", "leader", "legs": [(order, city id), ...]}``.
    receptions : iterable of mapping
        ``{"id", "label", "category", "category_label", "origin" (place id or None)}``.
    home : str or None
        The place routes start from (Québec).
    partners : iterable of str
        Other city ids to show as partner cities (twinnings, agreements, forums...).
    hrefs : mapping, optional
        Entity id -> link to its page.
    paths_up_to : int, optional
        Draw the missions' routes only when the answer has at most this many points (missions, cities and
        receptions placed in a city, as :func:`aggregate_map` counts them); above, each mission's ``path`` is
        left empty, since :func:`aggregate_map` replaces the missions by routes of its own (at 1M triples, 17k
        great-circle arcs nobody would see). None: always.

    Returns
    -------
    dict
        ``{"home", "cities", "missions", "origins": {"cities", "countries"}, "unplaced"}``; ``cities`` lists
        every city shown with its ``roles`` (``mission``, ``reception``, ``partner``).

    Examples
    --------
    >>> places = {"q": {"label": "Québec", "kind": "city", "lat": 46.81, "lon": -71.21},
    ...           "p": {"label": "Paris", "kind": "city", "lat": 48.86, "lon": 2.35, "country": "fr"},
    ...           "fr": {"label": "France", "kind": "country", "name_en": "France"}}
    >>> m = map_payload(places=places, missions=[{"id": "m1", "label": "M", "legs": [(1, "p")]}],
    ...                 receptions=[{"id": "r1", "label": "R", "origin": "fr"}], home="q")
    >>> [c["id"] for c in m["cities"]], m["missions"][0]["stops"], m["origins"]["countries"][0]["count"]
    (['p'], [{'id': 'p', 'label': 'Paris', 'order': 1}], 1)
    """
    hrefs = hrefs or {}

    def point(pid: str | None) -> tuple[float, float] | None:
        place = places.get(pid or "", {})
        return valid_point(place.get("lat"), place.get("lon"))

    def label(pid: str) -> str:
        return clean_text(places.get(pid, {}).get("label") or pid, limit=120)

    roles: dict[str, set] = {}
    home_point = point(home)
    out_missions, unplaced, hops = [], [], []
    for mission in missions:
        legs = sorted((int(order), city) for order, city in mission.get("legs", ()))
        stops = [{"id": city, "label": label(city), "order": order} for order, city in legs if point(city)]
        unplaced += [city for _, city in legs if not point(city)]
        hops.append(([home_point] if home_point else []) + [p for s in stops if (p := point(s["id"])) is not None])
        for s in stops:
            roles.setdefault(s["id"], set()).add("mission")
        out_missions.append(
            {
                "id": mission["id"],
                "label": clean_text(mission.get("label") or mission["id"]),
                "leader": clean_text(mission.get("leader") or "", limit=120),
                "href": hrefs.get(mission["id"]),
                "stops": stops,
                "path": [],
            }
        )
    by_city: dict[str, list] = {}
    by_country: dict[str, list] = {}
    for rec in receptions:
        item = {
            "id": rec["id"],
            "label": clean_text(rec.get("label") or rec["id"], limit=160),
            "category": rec.get("category"),
            "category_label": clean_text(rec.get("category_label") or ""),
            "href": hrefs.get(rec["id"]),
        }
        origin = rec.get("origin")
        if origin and places.get(origin, {}).get("kind") == "city" and point(origin):
            by_city.setdefault(origin, []).append(item)
            roles.setdefault(origin, set()).add("reception")
        country = (
            origin
            if places.get(origin or "", {}).get("kind") == "country"
            else places.get(origin or "", {}).get("country")
        )
        if country and country in places:
            by_country.setdefault(country, []).append(item)
        elif origin and not point(origin):
            unplaced.append(origin)
    for city in partners:
        if point(city):
            roles.setdefault(city, set()).add("partner")
    roles.pop(home or "", None)

    def city_entry(cid: str) -> dict:
        lat, lon = point(cid) or (0.0, 0.0)  # only placed cities get here
        country = places[cid].get("country")
        return {
            "id": cid,
            "label": label(cid),
            "lat": lat,
            "lon": lon,
            "href": hrefs.get(cid),
            "country": label(country) if country else "",
            "roles": sorted(roles.get(cid, ())),
        }

    cities = sorted((city_entry(c) for c in roles), key=lambda c: c["label"].casefold())
    origin_cities = [{**city_entry(c), "receptions": recs} for c, recs in sorted(by_city.items())]
    countries = [
        {
            "id": c,
            "label": label(c),
            "atlas": atlas_name(places[c].get("name_en")),
            "href": hrefs.get(c),
            "count": len(recs),
            "receptions": recs,
        }
        for c, recs in sorted(by_country.items(), key=lambda kv: (-len(kv[1]), label(kv[0])))
    ]
    receptions_placed = sum(len(recs) for recs in by_city.values())
    if paths_up_to is None or len(out_missions) + len(cities) + receptions_placed <= paths_up_to:
        for mission, points in zip(out_missions, hops, strict=True):
            for a, b in itertools.pairwise(points):
                mission["path"] += great_circle(a, b)[(1 if mission["path"] else 0) :]
    home_entry = (
        {
            "id": home,
            "label": label(home or ""),
            "lat": home_point[0],
            "lon": home_point[1],
            "href": hrefs.get(home or ""),
        }
        if home_point
        else None
    )
    return {
        "home": home_entry,
        "cities": cities,
        "missions": out_missions,
        "origins": {"cities": origin_cities, "countries": countries},
        "unplaced": sorted(set(unplaced)),
    }


def aggregate_map(data: dict, *, lang: str = "fr", limit: int = MAP_DETAIL_MAX) -> dict:
    """A :func:`map_payload` answer as it is when small, aggregated by place when it has over ``limit`` points.

    Aggregated, missions become one route per destination city (``count`` missions, the
    :data:`MAP_MAX_ROUTES` most visited), each place lists its first :data:`MAP_LISTED` receptions with their
    ``count``, and at most :data:`MAP_MAX_CITIES` cities are drawn. ``aggregated`` holds the whole counts (or
    is None when nothing was aggregated).

    Examples
    --------
    >>> places = {"q": {"label": "Québec", "kind": "city", "lat": 46.8, "lon": -71.2},
    ...           "p": {"label": "Paris", "kind": "city", "lat": 48.9, "lon": 2.3}}
    >>> m = map_payload(places=places, missions=[{"id": f"m{i}", "label": "M", "legs": [(1, "p")]} for i in range(3)],
    ...                 receptions=[], home="q")
    >>> aggregate_map(m)["aggregated"] is None
    True
    >>> a = aggregate_map(m, limit=2, lang="en")
    >>> [(r["label"], r["count"]) for r in a["missions"]], a["aggregated"]["missions"]
    ([('Paris: 3 missions', 3)], 3)
    """
    missions, cities = data["missions"], data["cities"]
    receptions = sum(len(c["receptions"]) for c in data["origins"]["cities"])
    if len(missions) + len(cities) + receptions <= limit:
        return dict(data, aggregated=None)
    by_id = {c["id"]: c for c in cities}
    visits: dict[str, int] = {}
    for m in missions:
        for stop in {s["id"] for s in m["stops"]}:
            visits[stop] = visits.get(stop, 0) + 1
    home = data.get("home")
    routes = []
    for cid, count in sorted(visits.items(), key=lambda kv: (-kv[1], kv[0]))[:MAP_MAX_ROUTES]:
        city = by_id.get(cid)
        if city is None:
            continue
        word = "mission" if count == 1 else "missions"
        routes.append(
            {
                "id": cid,
                "label": f"{city['label']}{' ' if lang == 'fr' else ''}: {count} {word}",
                "leader": "",
                "href": city.get("href"),
                "count": count,
                "stops": [{"id": cid, "label": city["label"], "order": 1}],
                "path": great_circle((home["lat"], home["lon"]), (city["lat"], city["lon"])) if home else [],
            }
        )
    origin_cities = sorted(data["origins"]["cities"], key=lambda c: (-len(c["receptions"]), c["id"]))[:MAP_MAX_CITIES]
    origin_cities = [
        dict(c, count=len(c["receptions"]), receptions=c["receptions"][:MAP_LISTED]) for c in origin_cities
    ]
    countries = [dict(c, receptions=c["receptions"][:MAP_LISTED]) for c in data["origins"]["countries"]]
    weight = {c["id"]: c["count"] for c in origin_cities}
    chosen = sorted(
        cities, key=lambda c: (-(visits.get(c["id"], 0) + weight.get(c["id"], 0)), -len(c["roles"]), c["id"])
    )[:MAP_MAX_CITIES]
    chosen.sort(key=lambda c: c["label"].casefold())
    unplaced = data.get("unplaced", [])
    return dict(
        data,
        missions=routes,
        cities=chosen,
        origins={"cities": origin_cities, "countries": countries},
        unplaced=unplaced[:100],
        aggregated={
            "missions": len(missions),
            "receptions": receptions,
            "cities": len(cities),
            "unplaced": len(unplaced),
        },
    )
