"""How each class of entity looks: colour, shape and legend label, shared by every view.

An entity's *kind* is decided by its most specific qkg class (:func:`kind_of`); vis-network draws each kind as
a *group* (:func:`vis_groups`), and the legend lists the kinds present (:func:`legend`). Colours come from a
colour-blind-safe palette (Okabe-Ito, then Tol's muted colours) and each kind also has its own shape, so colour
is never the only cue.

>>> kind_of(["Organisation", "CityNetwork"])
'forum'
>>> KINDS["city"].shape
'dot'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Kind", "KINDS", "CLASS_KINDS", "CATEGORY_COLOURS", "kind_of", "vis_groups", "legend"]


@dataclass(frozen=True)
class Kind:
    """One kind of node: its legend labels (fr, en), colour and vis-network shape."""

    name: str
    fr: str
    en: str
    colour: str
    shape: str

    def label(self, lang: str = "fr") -> str:
        """The legend label in ``lang`` (``fr`` or ``en``)."""
        return self.en if lang == "en" else self.fr


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("city", "Ville", "City", "#0072B2", "dot"),
        Kind("region", "Région", "Region", "#56B4E9", "dot"),
        Kind("country", "Pays", "Country", "#88CCEE", "dot"),
        Kind("government", "Administration", "Government", "#E69F00", "square"),
        Kind("organisation", "Organisation", "Organisation", "#D55E00", "square"),
        Kind("forum", "Forum / organisation internationale", "Forum / international body", "#009E73", "hexagon"),
        Kind("post", "Poste", "Post", "#CC79A7", "triangle"),
        Kind("person", "Personne", "Person", "#AA4499", "triangleDown"),
        Kind("group", "Délégation", "Delegation", "#882255", "triangleDown"),
        Kind("mission", "Mission", "Mission", "#332288", "diamond"),
        Kind("reception", "Accueil", "Reception", "#44AA99", "diamond"),
        Kind("event", "Événement", "Event", "#F0E442", "star"),
        Kind("agreement", "Entente", "Agreement", "#999933", "square"),
        Kind("project", "Projet", "Project", "#DDCC77", "hexagon"),
        Kind("other", "Autre", "Other", "#999999", "dot"),
    )
}

#: qkg classes (local names) -> kind, most specific first: the first class found in this order wins.
CLASS_KINDS: tuple[tuple[str, str], ...] = (
    ("Mission", "mission"),
    ("Reception", "reception"),
    ("CourtesyReception", "reception"),
    ("CollaborationReception", "reception"),
    ("StrategicReception", "reception"),
    ("NetworkMeeting", "event"),
    ("Event", "event"),
    ("Agreement", "agreement"),
    ("Project", "project"),
    ("CityNetwork", "forum"),
    ("InternationalOrganisation", "forum"),
    ("Post", "post"),
    ("Person", "person"),
    ("Group", "group"),
    ("City", "city"),
    ("Region", "region"),
    ("Country", "country"),
    ("LocalGovernment", "government"),
    ("RegionalGovernment", "government"),
    ("NationalGovernment", "government"),
    ("DiplomaticRepresentation", "government"),
    ("PublicAdministration", "government"),
    ("Committee", "organisation"),
    ("OrganisationalUnit", "organisation"),
    ("Company", "organisation"),
    ("AcademicInstitution", "organisation"),
    ("Organisation", "organisation"),
    ("Activity", "event"),
    ("Place", "city"),
)

#: Reception categories (local names of the SKOS concepts) -> colour, for charts and the map.
CATEGORY_COLOURS = {"cat-courtesy": "#56B4E9", "cat-collaboration": "#009E73", "cat-strategic": "#D55E00"}


def kind_of(classes: Iterable[str]) -> str:
    """The kind of an entity from its classes (local names or full qkg IRIs); ``"other"`` if none is known.

    Parameters
    ----------
    classes : iterable of str
        The entity's classes, asserted and inferred, e.g. ``["Activity", "Reception"]``.

    Examples
    --------
    >>> kind_of(["https://w3id.org/qkg/def#Activity", "https://w3id.org/qkg/def#Reception"])
    'reception'
    >>> kind_of(["LocalGovernment", "PublicAdministration", "Organisation"])
    'government'
    >>> kind_of(["Thing"])
    'other'
    """
    names = {c.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for c in classes}
    for cls, kind in CLASS_KINDS:
        if cls in names:
            return kind
    return "other"


def vis_groups(kinds: Iterable[str] | None = None) -> dict[str, dict]:
    """vis-network ``groups`` options: one group per kind, with its shape and colour.

    Examples
    --------
    >>> vis_groups(["city"])["city"]["shape"]
    'dot'
    """
    names = list(KINDS) if kinds is None else [k for k in KINDS if k in set(kinds)]
    return {
        name: {
            "shape": KINDS[name].shape,
            "color": {
                "background": KINDS[name].colour,
                "border": "#333333",
                "highlight": {"background": KINDS[name].colour, "border": "#000000"},
            },
        }
        for name in names
    }


def legend(counts: dict[str, int], lang: str = "fr") -> list[dict]:
    """The legend entries for the kinds present, in :data:`KINDS` order.

    Parameters
    ----------
    counts : dict
        Number of nodes per kind.
    lang : {"fr", "en"}
        Language of the labels.

    Examples
    --------
    >>> legend({"city": 3, "mission": 0, "agreement": 1}, "en")  # doctest: +NORMALIZE_WHITESPACE
    [{'kind': 'city', 'label': 'City', 'colour': '#0072B2', 'shape': 'dot', 'count': 3},
     {'kind': 'agreement', 'label': 'Agreement', 'colour': '#999933', 'shape': 'square', 'count': 1}]
    """
    return [
        {"kind": k.name, "label": k.label(lang), "colour": k.colour, "shape": k.shape, "count": counts[k.name]}
        for k in KINDS.values()
        if counts.get(k.name)
    ]
