"""``GET /health``: is the service up, and what does its store hold."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from synergraph import __version__

from .dependencies import get_service
from .service import Service

router = APIRouter(tags=["Betrieb"])


class NamedGraph(BaseModel):
    """A named graph and its size."""

    iri: str
    triples: int


class Health(BaseModel):
    """State of the service."""

    status: str
    version: str
    store: str
    triples: int
    graphs: list[NamedGraph]


@router.get("/health", response_model=Health, summary="Zustand des Dienstes")
def health(service: Service = Depends(get_service)) -> Health:
    """The store path, its triple count and named graphs, and the version."""
    graphs = service.store.graphs()
    return Health(
        status="ok",
        version=__version__,
        store=str(service.settings.store),
        triples=sum(g.triples for g in graphs),
        graphs=[NamedGraph(iri=g.iri, triples=g.triples) for g in graphs],
    )
