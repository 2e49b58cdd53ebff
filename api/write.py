"""``/api/bodies``, ``/api/responsibilities``, ``/api/initiatives``: create, change and end entities.

* ``POST /api/<kind>`` creates (201, ``Location``, ``ETag``; 409 when the slug is taken),
* ``PUT /api/<kind>/<slug>`` replaces the description (``If-Match`` required: 428 without, 412 when
  the entity changed since it was read, and then nothing changes; the ETag is checked once before the
  SHACL check and again inside the transaction that writes, so a SPARQL update landing in between
  is never overwritten),
* ``POST /api/<kind>/<slug>/end`` sets its last day (``If-Match`` as for PUT); ending is not deleting.

Every write needs ``Authorization: Bearer <Token>``, is checked against the SHACL shapes (422 with
one line per violation) and lands in one transaction with its PROV record (who, when, what changed).
The current ETag of any entity is in ``GET /api/history?entity=``, in the answer of every write and
in the ``ETag`` header of ``GET /api/bodies/<slug>``, ``GET /api/responsibilities/<slug>`` and
``GET /api/initiatives/<slug>``.
"""

import datetime
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from rdflib import Graph
from synergraph.graph import editing
from synergraph.graph.catalog import InvalidValue, NotFound, page_path
from synergraph.graph.errors import ValidationFailed

from .dependencies import get_service
from .service import Service
from .sparql.exchange import get_pool, get_tokens, problem
from .sparql.update import authorise_write, write
from .sparql.workers import QueryPool

__all__ = ["BodyIn", "EndIn", "InitiativeIn", "ResponsibilityIn", "WriteOut", "router"]

router = APIRouter(prefix="/api", tags=["Redaktion"])

_SLUG = r"^[a-z0-9][a-z0-9-]{0,99}$"
Slug = Field(pattern=_SLUG, description="Kurzname in der IRI, z. B. 'ki-lotsen'")


class _Fields(BaseModel):
    valid_from: datetime.date | None = Field(None, description="Erster Tag der Gültigkeit")
    valid_until: datetime.date | None = Field(None, description="Letzter Tag der Gültigkeit")
    source: str = Field(description="Quelle (Kurzname aus id/source/…), z. B. 'beispieldaten'")


class BodyIn(_Fields):
    """A body: name, class, level, territory, parent and source."""

    slug: str = Slug
    type: str = Field("PublicBody", description="Klasse, z. B. StateMinistry, AmtAdministration")
    label: str = Field(min_length=1, description="Deutsche Bezeichnung")
    label_en: str | None = None
    abbreviation: str | None = None
    level: str | None = Field(None, description="Ebene: bund, land, kreis, amt, gemeinde")
    territory: str | None = Field(None, description="Schlüssel des Gebiets (AGS)")
    parent: str | None = Field(None, description="Übergeordnete Stelle (Kurzname)")
    homepage: str | None = None


class ResponsibilityIn(_Fields):
    """A responsibility: holder, topic, territory, role and validity."""

    slug: str = Slug
    label: str | None = None
    label_en: str | None = None
    holder: str = Field(description="Zuständige Stelle (Kurzname)")
    topic: str = Field(description="Thema (Kurzname), z. B. kuenstliche-intelligenz")
    territory: str = Field(description="Schlüssel des Gebiets (AGS)")
    role: str = Field(description="Rolle: federfuehrend, beteiligt, foerdernd, …")
    legal_basis: str | None = None


class InitiativeIn(_Fields):
    """An initiative: title, class, topics, territories, bodies, status and dates."""

    slug: str = Slug
    type: str = Field("Project", description="Klasse: Programme, Project, Network, EventSeries, Event")
    title: str = Field(min_length=1)
    title_en: str | None = None
    description: str | None = None
    topics: list[str] = Field(min_length=1, description="Themen (Kurznamen)")
    territories: list[str] = Field(default_factory=list, description="Gebietsschlüssel")
    lead_body: str | None = None
    partners: list[str] = Field(default_factory=list)
    funders: list[str] = Field(default_factory=list)
    status: str | None = Field(None, description="geplant, laufend, abgeschlossen")
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class EndIn(BaseModel):
    """The last day of an entity."""

    date: datetime.date = Field(description="Letzter Tag (einschließlich)")


class WriteOut(BaseModel):
    """What a write did: the entity, its new ETag, the PROV activity and what changed."""

    iri: str
    page: str | None
    etag: str
    activity: str
    changes: list[str] = Field(description="Entfernte (-) und hinzugefügte (+) Aussagen als N-Triples")


async def _apply(request: Request, service: Service, pool: QueryPool, kind: str, slug: str,
                 describe: Callable[[], Graph], if_match: str | None, create: bool) -> JSONResponse:
    allowed = authorise_write(request, get_tokens(request))
    if isinstance(allowed, JSONResponse):
        return allowed
    if not create and if_match is None:
        return problem(428, "If-Match fehlt", "Änderungen brauchen den Kopf 'If-Match' mit dem ETag, den Sie "
                       "gelesen haben (GET /api/history?entity=…) / If-Match required")
    try:
        data = await run_in_threadpool(describe)
        edit = await run_in_threadpool(editing.prepare, service.store, kind, slug, data, if_match, create)
    except editing.PreconditionFailed as error:
        return _stale(str(error), error.actual)
    except editing.EntityExists as error:
        return problem(409, "Schon vorhanden", str(error))
    except NotFound as error:
        return problem(404, "Nicht gefunden", str(error))
    except InvalidValue as error:
        return problem(422, "Ungültiger Wert", str(error), parameter=error.parameter)
    except ValidationFailed as error:
        return problem(422, "Verstoß gegen die Formen", str(error).split("\n")[0], violations=error.report)
    operation = f"{request.method} {request.url.path} <{edit.iri}>\n{edit.summary}"
    try:
        activity = await write(service, pool, edit.update, allowed, operation, edit.graphs)
    except (OSError, RuntimeError, SyntaxError, ValueError) as error:
        if not editing.stale(edit, error):
            raise
        if create:
            return problem(409, "Schon vorhanden", f"<{edit.iri}> wurde inzwischen angelegt; ändern Sie es mit PUT "
                           "und If-Match")
        return _stale(f"<{edit.iri}> wurde geändert, während diese Änderung geprüft wurde; bitte neu lesen und "
                      "die Änderung wiederholen", editing.etag(service.store, edit.iri))
    body = WriteOut(iri=edit.iri, page=page_path(edit.iri), etag=edit.etag, activity=activity,
                    changes=edit.summary.splitlines())
    headers = {"ETag": edit.etag}
    if create:
        headers["Location"] = f"{request.url.path.rstrip('/')}/{slug}"
    return JSONResponse(body.model_dump(), status_code=201 if create else 200, headers=headers)


def _stale(detail: str, actual: str | None) -> JSONResponse:
    response = problem(412, "Inzwischen geändert", detail)
    if actual:
        response.headers["ETag"] = actual
    return response


_IfMatch = Annotated[str | None, Header(alias="If-Match", description="ETag, den Sie gelesen haben")]
_Slug = Annotated[str, Path(pattern=_SLUG, description="Kurzname")]
_Service = Annotated[Service, Depends(get_service)]
_Pool = Annotated[QueryPool, Depends(get_pool)]
_WRITE_ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Token fehlt"}, 403: {"description": "Token ungültig oder nur lesbar"},
    404: {"description": "Unbekannt"}, 409: {"description": "Kurzname schon vergeben"},
    412: {"description": "Inzwischen geändert (ETag)"}, 422: {"description": "Ungültig (SHACL)"},
    428: {"description": "If-Match fehlt"},
}


def _routes(plural: str, kind: str, model: type[_Fields], label: str) -> None:
    """POST (create), PUT (change) and POST …/end for one kind of entity."""

    def fields(item: _Fields) -> dict[str, Any]:
        return item.model_dump(exclude={"slug"})

    async def create(request: Request, item: model, service: _Service, pool: _Pool) -> JSONResponse:  # type: ignore[valid-type]
        slug = item.slug  # type: ignore[attr-defined]
        return await _apply(request, service, pool, kind, slug,
                            lambda: editing.build(service.store, kind, slug, fields(item)), None, True)

    async def change(request: Request, item: model, service: _Service, pool: _Pool,  # type: ignore[valid-type]
                     slug: _Slug, if_match: _IfMatch = None) -> JSONResponse:
        if item.slug != slug:  # type: ignore[attr-defined]
            return problem(422, "Kurzname passt nicht", f"slug '{item.slug}' im Inhalt, '{slug}' im Pfad",  # type: ignore[attr-defined]
                           parameter="slug")
        return await _apply(request, service, pool, kind, slug,
                            lambda: editing.build(service.store, kind, slug, fields(item)), if_match, False)

    async def finish(request: Request, item: EndIn, service: _Service, pool: _Pool,
                     slug: _Slug, if_match: _IfMatch = None) -> JSONResponse:
        return await _apply(request, service, pool, kind, slug,
                            lambda: editing.end(service.store, kind, slug, item.date), if_match, False)

    answers = {"responses": _WRITE_ANSWERS, "response_model": WriteOut}
    router.post(f"/{plural}", status_code=201, summary=f"{label} anlegen", **answers)(create)
    router.put(f"/{plural}/{{slug}}", summary=f"{label} ändern", **answers)(change)
    router.post(f"/{plural}/{{slug}}/end", summary=f"{label} beenden (bleibt mit Verlauf erhalten)",
                **answers)(finish)


_routes("bodies", "body", BodyIn, "Stelle")
_routes("responsibilities", "responsibility", ResponsibilityIn, "Zuständigkeit")
_routes("initiatives", "initiative", InitiativeIn, "Initiative")
