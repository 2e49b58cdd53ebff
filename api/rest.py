"""``/api/...``: the catalog and the full-text search as JSON, for people who do not write SPARQL.

Every item carries its IRI, its German label (and English where known) and ``page``, the path of its
linked-data page on this service. Lists are paged with ``limit``/``offset`` and report ``total``.
Errors are problem details (RFC 9457, ``application/problem+json``) in German that name the parameter.

The routes are plain ``def`` functions: FastAPI runs them in its thread pool, so reading the store never
blocks the event loop.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from synergraph.graph import catalog, editing
from synergraph.graph.catalog import InvalidValue, NotFound
from synergraph.graph.search import SearchIndex, index_path_for

from .dependencies import get_service
from .service import Service

__all__ = ["router", "search_index", "search_router"]

M = TypeVar("M", bound=BaseModel)


# -- problem details -------------------------------------------------------------------------------


class Problem(BaseModel):
    """A problem detail (RFC 9457): what went wrong, in German, and which parameter caused it."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    parameter: str | None = Field(None, description="Name des Parameters, der den Fehler verursacht hat.")
    allowed: list[str] | None = Field(None, description="Erlaubte Werte, wenn die Liste geschlossen ist.")


_GERMAN = {
    "missing": "fehlt",
    "int_parsing": "ist keine ganze Zahl",
    "int_type": "ist keine ganze Zahl",
    "bool_parsing": "muss true oder false sein",
    "date_parsing": "ist kein gültiges Datum (JJJJ-MM-TT)",
    "date_from_datetime_parsing": "ist kein gültiges Datum (JJJJ-MM-TT)",
    "date_from_datetime_inexact": "ist kein gültiges Datum (JJJJ-MM-TT)",
    "string_too_short": "ist zu kurz",
    "string_too_long": "ist zu lang",
}


def _problem(
    status: int, title: str, detail: str, parameter: str | None = None, allowed: Sequence[str] | None = None
) -> JSONResponse:
    body = Problem(
        title=title,
        status=status,
        detail=detail,
        parameter=parameter,
        allowed=list(allowed) if allowed else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type="application/problem+json"
    )


def _validation_problem(error: RequestValidationError) -> JSONResponse:
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if location else None
    kind = str(first.get("type", ""))
    context = first.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        reason = f"muss mindestens {context.get('ge', context.get('gt'))} sein"
    elif kind in ("less_than_equal", "less_than"):
        reason = f"darf höchstens {context.get('le', context.get('lt'))} sein"
    else:
        reason = _GERMAN.get(kind, str(first.get("msg", "ist ungültig")))
    value = first.get("input")
    shown = f" ('{value}')" if isinstance(value, (str, int, float)) else ""
    return _problem(422, "Ungültiger Parameter", f"Parameter '{parameter}'{shown} {reason}.", parameter)


class ProblemRoute(APIRoute):
    """A route whose errors come back as German problem details naming the parameter."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def with_problems(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as error:
                return _validation_problem(error)
            except NotFound as error:
                return _problem(404, "Nicht gefunden", str(error), "as_of" if error.as_of else None)
            except InvalidValue as error:
                return _problem(422, "Ungültiger Parameter", str(error), error.parameter, error.allowed)

        return with_problems


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unbekannter Schlüssel"},
    422: {"model": Problem, "description": "Ungültiger Parameter"},
}

router = APIRouter(prefix="/api", tags=["Katalog"], route_class=ProblemRoute, responses=_PROBLEMS)


# -- response models -------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RefOut(_Model):
    """A short reference to a resource."""

    iri: str
    label: str = Field(description="Deutsche Bezeichnung")
    label_en: str | None = Field(None, description="Englische Bezeichnung, falls bekannt")
    page: str | None = Field(None, description="Pfad der Linked-Data-Seite auf diesem Dienst")
    type: str | None = Field(None, description="Klasse (Name im Vokabular sg:)")
    type_label: str | None = Field(None, description="Deutsche Bezeichnung der Klasse")


class BodyOut(_Model):
    """An organisation (public body or partner)."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    level: RefOut | None
    abbreviation: str | None
    territory: RefOut | None
    parent: RefOut | None
    homepage: str | None
    valid_from: str | None = Field(None, description="Erster Tag der Gültigkeit")
    valid_until: str | None = Field(None, description="Letzter Tag (z. B. einer aufgelösten Amtsverwaltung)")


class TerritoryOut(_Model):
    """A territory."""

    iri: str
    key: str = Field(description="AGS, Regionalschlüssel oder Kurzname")
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    ags: str | None
    regional_key: str | None
    population: int | None
    population_date: str | None
    area: float | None


class TerritoryDetailOut(TerritoryOut):
    """A territory with its direct parts and the chain of territories containing it."""

    as_of: str = Field(description="Stichtag, für den die Zugehörigkeiten gelten (ISO-Datum)")
    contains: list[RefOut] = Field(description="Gebiete, die unmittelbar dazugehören")
    within: list[RefOut] = Field(description="Übergeordnete Gebiete, vom nächsten bis Deutschland")


class TopicOut(_Model):
    """A topic with its broader and narrower topics (IRIs)."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    broader: list[str]
    narrower: list[str]


class ResponsibilityOut(_Model):
    """A responsibility: holder, topic, territory, role and validity."""

    iri: str
    label: str
    label_en: str | None
    page: str | None
    holder: RefOut
    topic: RefOut
    territory: RefOut
    role: RefOut
    valid_from: str | None
    valid_until: str | None
    known_valid_on: str | None
    legal_basis: str | None
    source: RefOut | None
    inherited: bool = Field(description="Gilt für ein Gebiet, das das angefragte Gebiet enthält")


class InitiativeOut(_Model):
    """An initiative (programme, project, network, event series, event)."""

    iri: str
    slug: str
    label: str
    label_en: str | None
    page: str | None
    type: str | None
    type_label: str | None
    status: RefOut | None
    start_date: str | None
    end_date: str | None
    description: str | None
    topics: list[RefOut]
    territories: list[RefOut]
    lead_bodies: list[RefOut]
    partners: list[RefOut]
    funders: list[RefOut]
    target_groups: list[RefOut]
    source: RefOut | None


class KeyFigureOut(_Model):
    """A number about an initiative."""

    iri: str
    label: str | None
    label_en: str | None
    page: str | None
    value: float | int | str | None
    unit: str | None
    reference_period: str | None


class InitiativeDetailOut(InitiativeOut):
    """An initiative with key figures, predecessor and series."""

    key_figures: list[KeyFigureOut]
    successor_of: list[RefOut]
    is_part_of: list[RefOut]


class PageOut(BaseModel, Generic[M]):
    """A page of a list: the items, the number of all items, and the page's position."""

    items: list[M]
    total: int = Field(description="Anzahl aller Treffer (über alle Seiten)")
    limit: int
    offset: int


class BodyPage(PageOut[BodyOut]):
    """A page of organisations."""


class TerritoryPage(PageOut[TerritoryOut]):
    """A page of territories."""


class ResponsibilityPage(PageOut[ResponsibilityOut]):
    """A page of responsibilities."""


class InitiativePage(PageOut[InitiativeOut]):
    """A page of initiatives."""


class TopicList(BaseModel):
    """All topics of the topic scheme."""

    items: list[TopicOut]
    total: int


class SearchHitOut(_Model):
    """A search hit with the matching passage (``<mark>`` around the match)."""

    iri: str
    label: str
    label_en: str | None
    type: str | None
    type_label: str | None
    snippet: str
    score: float
    page: str | None


class SearchPage(_Model):
    """A page of search hits, best first."""

    query: str
    items: list[SearchHitOut]
    total: int
    limit: int
    offset: int


def _page(model: type[PageOut[Any]], page: catalog.Page[Any]) -> Any:
    return model.model_validate(asdict(page))


# -- parameters ------------------------------------------------------------------------------------

Limit = Query(50, ge=1, le=1000, description="Höchstzahl der Einträge dieser Seite")
Offset = Query(0, ge=0, description="Wie viele Einträge übersprungen werden")
AsOf = Query(None, description="Stichtag JJJJ-MM-TT: nur was an diesem Tag gilt")
AsOfOne = Query(None, description="Stichtag JJJJ-MM-TT: 404, wenn es an diesem Tag nicht galt (ohne: auch Beendetes)")


# -- routes ----------------------------------------------------------------------------------------


@router.get("/bodies", response_model=BodyPage, summary="Stellen und Organisationen")
def list_bodies(
    level: str | None = Query(None, description="Ebene: bund, land, kreis, amt, gemeinde"),
    type: str | None = Query(None, description="Klasse, z. B. StateMinistry, AmtAdministration"),
    q: str | None = Query(None, description="Teil der Bezeichnung oder Abkürzung"),
    as_of: datetime.date | None = Query(
        None, description="Stichtag JJJJ-MM-TT: nur Stellen, die an diesem Tag bestanden (Standard: heute)"
    ),
    limit: int = Limit,
    offset: int = Offset,
    service: Service = Depends(get_service),
) -> Any:
    """Organisations existing on a day (default today), filtered by level, class and a part of their name.

    An ended body (e.g. the administration of a dissolved Amt) is listed only for days before its end.
    """
    day = as_of or datetime.date.today()
    found = catalog.bodies(service.store, level=level, type=type, q=q, as_of=day, limit=limit, offset=offset)
    return _page(BodyPage, found)


def _with_etag(response: Response, service: Service, iri: str) -> None:
    response.headers["ETag"] = editing.etag(service.store, iri) or ""


@router.get("/bodies/{slug}", response_model=BodyOut, summary="Eine Stelle")
def get_body(
    response: Response,
    slug: str = Path(description="Kurzname aus der IRI id/body/{slug}"),
    as_of: datetime.date | None = AsOfOne,
    service: Service = Depends(get_service),
) -> Any:
    """One organisation by the slug of its IRI (``ETag`` for changes with If-Match)."""
    found = BodyOut.model_validate(catalog.body(service.store, slug, as_of=as_of))
    _with_etag(response, service, found.iri)
    return found


@router.get("/territories", response_model=TerritoryPage, summary="Gebiete")
def list_territories(
    type: str | None = Query(None, description="Klasse, z. B. Municipality, Amt, District, State"),
    within: str | None = Query(None, description="Schlüssel eines Gebiets: nur Gebiete darin (jede Tiefe)"),
    as_of: datetime.date | None = Query(None, description="Stichtag der Zugehörigkeiten (Standard: heute)"),
    limit: int = Limit,
    offset: int = Offset,
    service: Service = Depends(get_service),
) -> Any:
    """Territories, filtered by class and by a territory containing them."""
    return _page(
        TerritoryPage,
        catalog.territories(service.store, type=type, within=within, as_of=as_of, limit=limit, offset=offset),
    )


@router.get("/territories/{key}", response_model=TerritoryDetailOut, summary="Ein Gebiet")
def get_territory(
    key: str = Path(description="AGS, Regionalschlüssel, 'de' oder Kurzname"),
    as_of: datetime.date | None = Query(None, description="Stichtag der Zugehörigkeiten (Standard: heute)"),
    service: Service = Depends(get_service),
) -> Any:
    """One territory with ``contains`` (direct parts) and ``within`` (the chain up to Germany)."""
    return TerritoryDetailOut.model_validate(catalog.territory(service.store, key, as_of=as_of))


@router.get("/topics", response_model=TopicList, summary="Themen")
def list_topics(service: Service = Depends(get_service)) -> Any:
    """The topic scheme: every topic with its broader and narrower topics."""
    items = catalog.topics(service.store)
    return TopicList(items=[TopicOut.model_validate(t) for t in items], total=len(items))


@router.get("/responsibilities", response_model=ResponsibilityPage, summary="Zuständigkeiten")
def list_responsibilities(
    topic: str | None = Query(None, description="Thema (Kurzname); untergeordnete Themen zählen mit"),
    exact: bool = Query(False, description="Nur genau dieses Thema, ohne untergeordnete"),
    territory: str | None = Query(None, description="Schlüssel eines Gebiets"),
    include_containing: bool = Query(True, description="Auch Zuständigkeiten der übergeordneten Gebiete"),
    role: str | None = Query(None, description="Rolle: federfuehrend, beteiligt, foerdernd, ..."),
    holder: str | None = Query(None, description="Zuständige Stelle (Kurzname)"),
    as_of: datetime.date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
    service: Service = Depends(get_service),
) -> Any:
    """Responsibilities; for a territory also those of the territories containing it (``inherited``)."""
    return _page(
        ResponsibilityPage,
        catalog.responsibilities(
            service.store,
            topic=topic,
            exact=exact,
            territory=territory,
            include_containing=include_containing,
            role=role,
            holder=holder,
            as_of=as_of,
            limit=limit,
            offset=offset,
        ),
    )


@router.get("/responsibilities/{slug}", response_model=ResponsibilityOut, summary="Eine Zuständigkeit")
def get_responsibility(
    response: Response,
    slug: str = Path(description="Kurzname aus der IRI id/responsibility/{slug}"),
    as_of: datetime.date | None = AsOfOne,
    service: Service = Depends(get_service),
) -> Any:
    """One responsibility by the slug of its IRI (``ETag`` for changes with If-Match)."""
    found = ResponsibilityOut.model_validate(catalog.responsibility(service.store, slug, as_of=as_of))
    _with_etag(response, service, found.iri)
    return found


@router.get("/initiatives", response_model=InitiativePage, summary="Initiativen")
def list_initiatives(
    topic: str | None = Query(None, description="Thema (Kurzname); untergeordnete Themen zählen mit"),
    exact: bool = Query(False, description="Nur genau dieses Thema, ohne untergeordnete"),
    territory: str | None = Query(None, description="Schlüssel eines Gebiets; enthaltene Gebiete zählen mit"),
    status: str | None = Query(None, description="Status: geplant, laufend, abgeschlossen"),
    body: str | None = Query(None, description="Stelle (Kurzname): federführend, Partner oder Förderer"),
    as_of: datetime.date | None = AsOf,
    limit: int = Limit,
    offset: int = Offset,
    service: Service = Depends(get_service),
) -> Any:
    """Initiatives, filtered by topic, territory, status, body and day."""
    return _page(
        InitiativePage,
        catalog.initiatives(
            service.store,
            topic=topic,
            exact=exact,
            territory=territory,
            status=status,
            body=body,
            as_of=as_of,
            limit=limit,
            offset=offset,
        ),
    )


@router.get("/initiatives/{slug}", response_model=InitiativeDetailOut, summary="Eine Initiative")
def get_initiative(
    response: Response,
    slug: str = Path(description="Kurzname aus der IRI id/initiative/{slug}"),
    as_of: datetime.date | None = AsOfOne,
    service: Service = Depends(get_service),
) -> Any:
    """One initiative with its key figures (``ETag`` for changes with If-Match)."""
    found = InitiativeDetailOut.model_validate(catalog.initiative(service.store, slug, as_of=as_of))
    _with_etag(response, service, found.iri)
    return found


# -- search ----------------------------------------------------------------------------------------

_INDEX_LOCK = threading.Lock()
_INDEXES: dict[int, SearchIndex] = {}


def search_index(service: Service) -> SearchIndex:
    """The search index of the service's store (created on first use, beside the store folder)."""
    with _INDEX_LOCK:
        index = _INDEXES.get(id(service.store))
        if index is None or index.store is not service.store:
            index = SearchIndex(service.store, index_path_for(service.settings.local_folder))
            _INDEXES[id(service.store)] = index
        return index


@asynccontextmanager
async def _sync_on_start(app: FastAPI) -> AsyncIterator[None]:
    service: Service | None = getattr(app.state, "service", None)
    if service is not None:
        await run_in_threadpool(search_index(service).sync, True)
    yield


search_router = APIRouter(
    prefix="/api",
    tags=["Suche"],
    route_class=ProblemRoute,
    responses={422: _PROBLEMS[422]},
    lifespan=_sync_on_start,
)


@search_router.get("/search", response_model=SearchPage, summary="Volltextsuche")
def search(
    q: str = Query(
        min_length=1, max_length=500, description="Suchwörter, z. B. 'Digitalstrategie' oder 'KI'"
    ),
    type: str | None = Query(
        None, description="Nur Ressourcen dieser Klasse, z. B. Initiative, Municipality"
    ),
    limit: int = Query(20, ge=1, le=200, description="Höchstzahl der Treffer dieser Seite"),
    offset: int = Offset,
    service: Service = Depends(get_service),
) -> Any:
    """Ranked German full-text search over labels, titles, abbreviations, alternative labels and descriptions.

    Umlauts and ß may be written out (ae, oe, ue, ss); word forms, compound parts and parts of words
    match. The index follows the store: it is rebuilt when the store has changed.
    """
    return SearchPage.model_validate(search_index(service).search(q, limit=limit, offset=offset, type=type))
