"""What the served build changed against the build before it: ``/changes`` (page) and ``/api/changes`` (JSON).

The build records the comparison when it publishes (``qkg build``, see :mod:`qkg.graph.building.diff`), so these
routes only read a small file of the served build: bounded lists, exact counts.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from qkg.api.deps import StateDep, TemplatesDep
from qkg.api.i18n import gettext as _

__all__ = ["router"]

router = APIRouter(tags=["meta"])


def _changes(state) -> dict | None:
    from qkg.graph.building.diff import read_build_changes

    state.require_store()
    return read_build_changes(state.path)


def _href(curie: str) -> str:
    """``qkgd:geneve`` -> ``/id/geneve``; other names are shown without a link target of ours."""
    return "/id/" + curie[len("qkgd:") :] if curie.startswith("qkgd:") else "#"


@router.get("/api/changes", summary="What the served build changed against the previous one")
def api_changes(state: StateDep) -> dict:
    """Entities added and removed, facts added, removed and changed (grouped by class, lists capped, counts
    exact), and the headline figures side by side; ``{"changes": null}`` for a first build."""
    return {"build": state.path.name if state.path else None, "changes": _changes(state)}


@router.get("/changes", include_in_schema=False)
def changes_page(request: Request, state: StateDep, templates: TemplatesDep) -> Response:
    """The same, as a page an analyst reads to review a publish."""
    return templates.TemplateResponse(
        request,
        "changes.html",
        {"changes": _changes(state), "href": _href, "title": _("What the last publish changed")},
    )
