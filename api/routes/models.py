"""Response models of the REST API (OpenAPI schemas with examples)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Term",
    "EntityModel",
    "NodeModel",
    "EdgeModel",
    "NeighboursModel",
    "PathModel",
    "PathsModel",
    "HitModel",
    "SearchModel",
    "StatsModel",
    "FindingModel",
    "HealthModel",
]


class Term(BaseModel):
    """An RDF term: IRIs carry their CURIE, entity id and display label."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(..., examples=["uri"])
    value: str = Field(..., examples=["https://w3id.org/qkg/id/geneve"])
    curie: str | None = Field(None, examples=["qkgd:geneve"])
    id: str | None = Field(None, examples=["geneve"])
    label: str | None = Field(None, examples=["Genève"])
    lang: str | None = None
    datatype: str | None = None


class PageModel(BaseModel):
    offset: int = 0
    limit: int
    next: int | None = Field(None, description="Offset of the next page; null on the last page.")
    shown: int | None = Field(None, description="How many items this page holds (after the year filter).")


class EntityModel(BaseModel):
    """Everything the graph states about one entity, each fact with its provenance."""

    iri: str = Field(..., examples=["https://w3id.org/qkg/id/geneve"])
    id: str | None = Field(None, examples=["geneve"])
    curie: str = Field(..., examples=["qkgd:geneve"])
    label: str = Field(..., examples=["Genève"])
    labels: dict[str, str] = Field(..., examples=[{"fr": "Genève", "en": "Geneva"}])
    alt_labels: list[Term] = []
    types: list[Term] = []
    facts: list[dict[str, Any]] = Field(..., description="[{property: Term, values: [{value: Term, provenance}]}]")
    facts_by_year: list[dict[str, Any]] = Field(
        [], description="The facts grouped by report year: [{year (None: background, inferred), facts}]"
    )
    years: list[str] = Field([], description="The report years the entity has facts in.")
    incoming: list[dict[str, Any]] = Field(..., description="[{subject: Term, property: Term, provenance}]")
    incoming_page: PageModel | None = Field(None, description="This page of incoming links and the next one's offset.")
    facts_page: PageModel | None = Field(
        None, description="This page of the entity's own facts and the next one's offset (``facts_offset``)."
    )
    sources: list[dict[str, Any]] = Field(..., description="Report sections the entity is derived from.")
    truncated: bool = False


class NodeModel(BaseModel):
    id: str = Field(..., examples=["geneve"])
    iri: str
    label: str = Field(..., examples=["Genève"])
    types: list[str] = Field(..., examples=[["qkg:City", "qkg:Place"]])
    depth: int | None = None


class EdgeModel(BaseModel):
    source: str = Field(..., description="IRI of the subject")
    target: str = Field(..., description="IRI of the object")
    property: str = Field(..., examples=["qkg:country"])


class NeighboursModel(BaseModel):
    nodes: list[NodeModel]
    edges: list[EdgeModel]
    truncated: bool = False
    offset: int = 0
    next: int | None = Field(None, description="Offset of the next page of neighbours; null on the last page.")


class PathModel(BaseModel):
    length: int = Field(..., examples=[2])
    nodes: list[NodeModel]
    edges: list[EdgeModel]


class PathsModel(BaseModel):
    source: str
    target: str
    paths: list[PathModel]
    truncated: bool = Field(False, description="A search frontier was cut: a shorter path may have been missed.")


class HitModel(BaseModel):
    id: str = Field(..., examples=["oms"])
    iri: str = Field(..., examples=["https://w3id.org/qkg/id/oms"])
    label: str = Field(..., examples=["Organisation mondiale de la santé"])
    types: list[str] = Field(..., examples=[["qkg:InternationalOrganisation"]])
    score: float = Field(..., examples=[1.0])
    matched: str = Field(..., examples=["WHO"])
    kind: str = Field(..., examples=["exact"], description="exact, prefix, token-prefix or fuzzy")


class SearchModel(BaseModel):
    query: str = Field(..., examples=["who"])
    hits: list[HitModel]


class StatsModel(BaseModel):
    model_config = ConfigDict(extra="allow")
    triples: int = Field(..., examples=[5421])
    asserted: int
    inferred: int
    graphs: dict[str, int]
    classes: dict[str, int]
    build: dict[str, str]


class FindingModel(BaseModel):
    indicator: str = Field(..., examples=["receptions"])
    label: str
    stated: float | None
    measured: float | None
    verdict: str = Field(..., examples=["agrees"])
    reason: str
    figure: str
    details: dict[str, Any] = {}
    message: str = Field("", description="The reason as a catalogue message with {placeholders} (English).")
    params: dict[str, Any] = Field({}, description="The values of the message's placeholders.")
    labels: dict[str, str] = Field({}, description="The indicator's label by language.")
    year: str | None = Field(
        None,
        examples=["2024"],
        description="The report year whose figure this is, audited against that year's details (none: no year).",
    )


class HealthModel(BaseModel):
    ok: bool = True
    build: str | None = Field(None, description="Name of the build being served.")
    generation: int = Field(..., description="How many builds this process has served.")
