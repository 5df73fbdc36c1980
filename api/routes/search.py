"""Search: ``/api/search?q=&limit=`` (JSON) and ``/search?q=`` (page); see :mod:`qkg.graph.pages.search`."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from qkg.api.deps import SearchDep, TemplatesDep
from qkg.api.errors import ERROR_RESPONSES
from qkg.api.i18n import current_lang
from qkg.api.i18n import gettext as _
from qkg.api.routes.models import SearchModel
from qkg.api.views import href_for
from qkg.graph.errors import clean_text

__all__ = ["router"]

router = APIRouter(tags=["search"])


@router.get(
    "/api/search", response_model=SearchModel, responses={422: ERROR_RESPONSES[422]}, summary="Find entities by name"
)
def api_search(
    index: SearchDep,
    q: str = Query(..., max_length=200, description="A name, part of a name or an acronym.", examples=["geneve"]),
    limit: int = Query(10, ge=1, le=100, description="Most hits returned."),
) -> dict:
    """Entities whose labels (fr, en, acronyms) match ``q``: exact, then prefix, word-prefix and fuzzy
    matches; accents, case and punctuation are ignored."""
    return {"query": q, "hits": [hit.as_dict() for hit in index.search(q, limit=limit, lang=current_lang())]}


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    index: SearchDep,
    templates: TemplatesDep,
    q: str = Query("", max_length=200),
    limit: int = Query(50, ge=1, le=200),
) -> Response:
    """The search results page (``q`` said back without its control characters: a NUL went into the title)."""
    q = clean_text(q, limit=200)
    hits = (
        [dict(hit.as_dict(), href=href_for(hit.iri)) for hit in index.search(q, limit=limit, lang=current_lang())]
        if q
        else []
    )
    return templates.TemplateResponse(
        request,
        "search.html",
        {"q": q, "search_q": q, "hits": hits, "title": _("Search: {q}").format(q=q) if q else _("Search")},
    )
