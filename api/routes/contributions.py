"""The committee members' activity sheet template: ``/api/templates/activities.csv`` and ``.xlsx``.

A member downloads it from the analysis page, fills one row per activity, and adds it to a build
(``qkg build --add FILE``); see :mod:`qkg.loaders.activities`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

__all__ = ["router"]

router = APIRouter(tags=["analysis"])

_MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get(
    "/api/templates/activities.{fmt}",
    summary="The activity sheet template (CSV or XLSX)",
    response_class=Response,
    responses={
        200: {
            "content": {media.split(";")[0]: {} for media in _MEDIA.values()},
            "description": "the template, as an attachment",
        }
    },
)
def activities_template(fmt: Literal["csv", "xlsx"]) -> Response:
    """French headers (date, activité, intitulé, partenaires, lieu, thèmes, membre, source) and two example rows."""
    from qkg.loaders.activities import write_template

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"activites.{fmt}"
        write_template(path)
        body = path.read_bytes()
    return Response(
        body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="activites.{fmt}"'}
    )
