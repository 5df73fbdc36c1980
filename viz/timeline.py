"""Timeline and chart data for ``/stats``: partial dates drawn as the span they denote, counts as series.

The report dates some facts to the day (``xsd:date``), some to the month (``xsd:gYearMonth``) and some only to
the year (``xsd:gYear``). A partial date is never turned into an invented day: ``2024-05`` becomes the span
from 1 May to 1 June (end exclusive), drawn as a range and labelled "mai 2024".

>>> span = date_span("2024-05", "http://www.w3.org/2001/XMLSchema#gYearMonth")
>>> span.start.isoformat(), span.end.isoformat(), span.precision
('2024-05-01', '2024-06-01', 'month')
>>> activity_span(("2024-01-17", XSD + "date"), ("2024-04-14", XSD + "date")).label("fr")
'17 janv. 2024 – 14 avr. 2024'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from qkg.graph.errors import DataError
from qkg.ontology import PREFIXES
from qkg.viz.escape import clean_text

__all__ = [
    "XSD",
    "BadDate",
    "DateSpan",
    "date_span",
    "activity_span",
    "timeline_payload",
    "count_series",
    "bound_timeline",
    "latest_timeline",
    "TIMELINE_MAX",
]

XSD = PREFIXES["xsd"]
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_TZ = re.compile(r"(Z|[+-]\d\d:\d\d)$")


@dataclass(frozen=True)
class DateSpan:
    """A span of days ``[start, end)`` and the precision of the date that gave its start and end.

    Attributes
    ----------
    start, end : datetime.date
        First day, and the day after the last one.
    precision : {"day", "month", "year"}
        The coarsest precision of the dates involved.
    """

    start: date
    end: date
    precision: str
    end_precision: str | None = None

    def label(self, lang: str = "fr") -> str:
        """How the span reads: ``13 mai 2024``, ``mai 2024``, ``2024`` or ``a – b`` for two dates.

        Examples
        --------
        >>> DateSpan(date(2024, 5, 13), date(2024, 5, 14), "day").label("en")
        '13 May 2024'
        >>> DateSpan(date(2024, 1, 1), date(2026, 1, 1), "year", "year").label()
        '2024 – 2025'
        """
        first = _format(self.start, self.precision, lang)
        if self.end_precision is None:
            return first
        last_day = self.end - timedelta(days=1)
        return f"{first} – {_format(last_day, self.end_precision, lang)}"


def _format(day: date, precision: str, lang: str) -> str:
    months = _MONTHS.get(lang, _MONTHS["fr"])
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{months[day.month - 1]} {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


class BadDate(DataError, ValueError):
    """A date the timeline cannot place (also a ValueError, so a caller may skip the one activity)."""


_FORMS = {"date": "YYYY-MM-DD", "dateTime": "YYYY-MM-DDThh:mm:ss", "gYearMonth": "YYYY-MM", "gYear": "YYYY"}


def date_span(lexical: str, datatype: str) -> DateSpan:
    """The span of days an ``xsd:date``, ``xsd:dateTime``, ``xsd:gYearMonth`` or ``xsd:gYear`` denotes.

    Parameters
    ----------
    lexical : str
        The literal's lexical form (a timezone suffix is ignored).
    datatype : str
        Its datatype IRI.

    Raises
    ------
    BadDate
        For another datatype or a malformed value.

    Examples
    --------
    >>> date_span("2024", XSD + "gYear").end.isoformat()
    '2025-01-01'
    >>> date_span("2024-12", XSD + "gYearMonth").end.isoformat()
    '2025-01-01'
    >>> date_span("2024-05-13Z", XSD + "date").precision
    'day'
    >>> try:
    ...     date_span("13/05/2024", XSD + "date")
    ... except BadDate as exc:
    ...     print(exc, "|", exc.hint)
    not an xsd:date: '13/05/2024' | write the date as xsd:date (YYYY-MM-DD)
    """
    text = _TZ.sub("", (lexical or "").strip())
    kind = datatype.rsplit("#", 1)[-1]
    try:
        if kind == "gYear":
            year = int(text)
            return DateSpan(date(year, 1, 1), date(year + 1, 1, 1), "year")
        if kind == "gYearMonth":
            match = re.fullmatch(r"(\d{4})-(\d{2})", text)
            if match is None:
                raise ValueError(text)
            year, month = (int(p) for p in match.groups())
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return DateSpan(date(year, month, 1), nxt, "month")
        if kind in ("date", "dateTime"):
            day = date.fromisoformat(text[:10])
            return DateSpan(day, day + timedelta(days=1), "day")
    except (ValueError, AttributeError, TypeError):
        raise BadDate(
            f"not an xsd:{kind}: {lexical!r}", hint=f"write the date as xsd:{kind} ({_FORMS.get(kind, 'YYYY-MM-DD')})"
        ) from None
    raise BadDate(f"not a date datatype: {datatype}", hint="date activities with xsd:date, xsd:gYearMonth or xsd:gYear")


def activity_span(start: tuple[str, str], end: tuple[str, str] | None = None) -> DateSpan:
    """The span of an activity from its ``(lexical, datatype)`` start date and optional end date.

    Examples
    --------
    >>> s = activity_span(("2024-09", XSD + "gYearMonth"))
    >>> s.start.isoformat(), s.end.isoformat(), s.label("en")
    ('2024-09-01', '2024-10-01', 'Sep 2024')
    >>> activity_span(("2024", XSD + "gYear"), ("2025", XSD + "gYear")).end.isoformat()
    '2026-01-01'
    """
    first = date_span(*start)
    if end is None or end[0] is None:
        return first
    last = date_span(*end)
    if last.end <= first.start:
        raise BadDate(
            f"end date {end[0]} is before start date {start[0]}",
            hint="swap the dates, or fix the one that is wrong in the data file",
        )
    return DateSpan(first.start, max(last.end, first.end), first.precision, last.precision)


def timeline_payload(activities: Iterable[Mapping], groups: Mapping[str, str], lang: str = "fr") -> dict:
    """vis-timeline items and groups for dated activities; undatable ones are listed in ``skipped``.

    Parameters
    ----------
    activities : iterable of mapping
        Each ``{"id", "label", "group", "start": (lexical, datatype), "end": (lexical, datatype) or None}``,
        optionally ``"href"``.
    groups : mapping
        Group id -> label, in display order.
    lang : {"fr", "en"}
        Language of the date labels.

    Returns
    -------
    dict
        ``{"items": [{"id", "label", "group", "start", "end", "precision", "when", "href"}], "groups": [...],
        "skipped": [...]}`` with ISO dates; every item is a range, ``end`` exclusive.

    Examples
    --------
    >>> t = timeline_payload([{"id": "e1", "label": "Ville-Port", "group": "event",
    ...                        "start": ("2024-05-13", XSD + "date"), "end": None},
    ...                       {"id": "e2", "label": "?", "group": "event", "start": ("mai", XSD + "date"), "end": None}],
    ...                      {"event": "Événements"})
    >>> t["items"][0]["start"], t["items"][0]["end"], t["items"][0]["when"], t["skipped"]
    ('2024-05-13', '2024-05-14', '13 mai 2024', ['e2'])
    """
    spans, skipped, used = _datable(activities)
    items = [
        {
            "id": act["id"],
            "label": clean_text(act["label"], limit=120),
            "group": act["group"],
            "start": span.start.isoformat(),
            "end": span.end.isoformat(),
            "precision": span.precision,
            "when": span.label(lang),
            "href": act.get("href"),
        }
        for act, span in spans
    ]
    items.sort(key=lambda i: (i["start"], i["label"]))
    return {
        "items": items,
        "skipped": skipped,
        "groups": [{"id": g, "label": clean_text(label, limit=80)} for g, label in groups.items() if g in used],
    }


def _datable(activities: Iterable[Mapping]) -> tuple[list[tuple[Mapping, DateSpan]], list, set]:
    """Each datable activity with its span (:func:`activity_span`), in order; the ids of the others; the
    groups the datable ones use."""
    spans, skipped, used = [], [], set()
    for act in activities:
        try:
            span = activity_span(act["start"], act.get("end"))
        except (ValueError, TypeError):
            skipped.append(act["id"])
            continue
        used.add(act["group"])
        spans.append((act, span))
    return spans, skipped, used


def latest_timeline(
    activities: Iterable[Mapping], groups: Mapping[str, str], lang: str = "fr", *, limit: int | None = None
) -> dict:
    """``bound_timeline(timeline_payload(activities, groups, lang), limit=limit)``, the same answer, with only the
    items it keeps formatted (their labels, dates in words): the charts' every-year timeline at 1M triples
    keeps 2,000 of 65k dated activities. Each activity's span is still read (which are datable, which groups
    they use, which are the latest).

    >>> acts = [{"id": f"e{d}", "label": "E", "group": "event", "start": (f"2024-05-{d:02d}", XSD + "date")}
    ...         for d in (3, 1, 2)] + [{"id": "x", "label": "?", "group": "event", "start": ("mai", XSD + "date")}]
    >>> latest_timeline(acts, {"event": "Ev"}, limit=2) == bound_timeline(timeline_payload(acts, {"event": "Ev"}), limit=2)
    True
    """
    limit = TIMELINE_MAX if limit is None else limit
    activities = list(activities)
    spans, skipped, used = _datable(activities)
    dated = [(span.start.isoformat(), act["id"] or "", act, span) for act, span in spans]
    if len(dated) <= limit or len({d[1] for d in dated}) < len(dated):  # kept whole, or ids repeat: as written
        return bound_timeline(timeline_payload(activities, groups, lang), limit=limit)
    # bound_timeline keeps the latest by (start, id): with distinct ids, the label order before it changes nothing
    latest = sorted(dated, key=lambda d: (d[0], d[1]))[-limit:]
    items = [
        {
            "id": act["id"],
            "label": clean_text(act["label"], limit=120),
            "group": act["group"],
            "start": start,
            "end": span.end.isoformat(),
            "precision": span.precision,
            "when": span.label(lang),
            "href": act.get("href"),
        }
        for start, _id, act, span in latest
    ]
    return {
        "items": items,
        "skipped": skipped[:limit],
        "groups": [{"id": g, "label": clean_text(label, limit=80)} for g, label in groups.items() if g in used],
        "total": len(dated),
        "truncated": True,
    }


def count_series(
    values: Iterable[str | None],
    labels: Mapping[str, str] | None = None,
    *,
    colours: Mapping[str, str | None] | None = None,
    missing: str = "(non précisé)",
) -> dict:
    """A bar or doughnut chart's data from a list of category ids: ``{"ids", "labels", "values", "colours"}``.

    Sorted by decreasing count, then label. ``None`` counts under ``missing``, last among equals.

    Examples
    --------
    >>> count_series(["fr", "ch", "fr", None], {"fr": "France", "ch": "Suisse"})
    {'ids': ['fr', 'ch', None], 'labels': ['France', 'Suisse', '(non précisé)'], 'values': [2, 1, 1], 'colours': [None, None, None]}
    """
    labels, colours = labels or {}, colours or {}
    counts = Counter(values)
    order = sorted(counts, key=lambda k: (-counts[k], k is None, clean_text(labels.get(k, k) if k else "").casefold()))
    return {
        "ids": order,
        "labels": [clean_text(labels.get(k, k) if k is not None else missing, limit=80) for k in order],
        "values": [counts[k] for k in order],
        "colours": [colours.get(k) if k is not None else None for k in order],
    }


#: Most items a timeline answer carries; above it, the latest ones (the count series stay whole).
TIMELINE_MAX = 2000


def bound_timeline(timeline: dict, *, limit: int = TIMELINE_MAX) -> dict:
    """Keep the ``limit`` latest items of a :func:`timeline_payload` answer; say how many there were.

    Examples
    --------
    >>> t = {"items": [{"id": str(i), "start": f"2024-01-{i:02d}"} for i in range(1, 6)], "groups": [], "skipped": []}
    >>> b = bound_timeline(t, limit=2)
    >>> [i["id"] for i in b["items"]], b["total"], b["truncated"]
    (['4', '5'], 5, True)
    """
    items = timeline["items"]
    out = dict(timeline, total=len(items), truncated=len(items) > limit, skipped=timeline.get("skipped", [])[:limit])
    if len(items) > limit:
        latest = sorted(items, key=lambda i: (i.get("start") or "", i.get("id") or ""))[-limit:]
        out["items"] = latest
    return out
