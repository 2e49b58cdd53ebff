"""``GET /api/history?entity=<IRI>``: the recorded changes of one entity and its current ETag.

Every change is recorded as a PROV activity (who: the token's name, when, what: the request and the
statements removed and added, which graphs). ``as_of`` lists only changes up to that day.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from synergraph.graph import editing

from .dependencies import get_service
from .service import Service
from .sparql.exchange import problem

__all__ = ["HistoryOut", "router"]

router = APIRouter(prefix="/api", tags=["Redaktion"])


class ChangeOut(BaseModel):
    """One recorded change."""

    activity: str
    agent: str | None = Field(description="Name des Tokens (oder des Betriebs), der geändert hat")
    started: str
    ended: str | None
    operation: str | None = Field(description="Anfrage oder Vorgang und die geänderten Aussagen")
    graphs: list[str]


class HistoryOut(BaseModel):
    """An entity's changes, newest first, and the ETag to send with the next change."""

    entity: str
    etag: str | None = Field(description="Aktueller ETag (für If-Match); fehlt, wenn es die Ressource nicht gibt")
    as_of: str | None
    changes: list[ChangeOut]


@router.get("/history", response_model=HistoryOut, summary="Änderungsverlauf einer Ressource")
def history(
    service: Annotated[Service, Depends(get_service)],
    entity: Annotated[str, Query(description="IRI, z. B. https://w3id.org/synergraph/id/body/mdjd")],
    as_of: Annotated[datetime.date | None, Query(description="Nur Änderungen bis zu diesem Tag")] = None,
) -> object:
    """Wer hat wann was an der Ressource geändert (PROV), und ihr aktueller ETag."""
    if not entity.startswith(("http://", "https://", "urn:")):
        return problem(422, "Ungültiger Parameter", f"entity '{entity}' ist keine IRI", parameter="entity")
    changes = editing.changes_of(service.store, entity, as_of)
    tag = editing.etag(service.store, entity)
    if tag is None and not changes:
        return problem(404, "Nicht gefunden", f"Über <{entity}> ist nichts bekannt")
    response = JSONResponse(HistoryOut(entity=entity, etag=tag, as_of=as_of.isoformat() if as_of else None,
                                       changes=[ChangeOut(**vars(c)) for c in changes]).model_dump())
    if tag:
        response.headers["ETag"] = tag
    return response
