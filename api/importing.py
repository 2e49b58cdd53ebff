"""``POST /api/import``: import a spreadsheet (CSV or XLSX) with a write token, whole or not at all.

The route only moves bytes and the token's name to :func:`synergraph.graph.importing.import_file` and the
report back. The file comes as the request body (``?datei=name.csv``) or as the form field ``datei`` of a
``multipart/form-data`` upload; ``probelauf=true`` only checks. Answers: 200 with the report (imported,
nothing to change, or a clean dry run), 422 with the report when the file has problems (nothing was
written), 401/403 without a valid token or from a foreign origin, 413 for a file over the size limit.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from synergraph.graph.importing import ImportReport, import_file
from synergraph.graph.spreadsheet import MAX_FILE_BYTES

from .dependencies import get_service
from .service import Service
from .sparql.exchange import BodyTooLarge, problem, read_body
from .sparql.update import authorise_write

__all__ = ["UploadTooLarge", "receive_upload", "router", "run_import"]

router = APIRouter(prefix="/api", tags=["Import"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Room for the multipart envelope around a file of the largest accepted size.
_ENVELOPE = 64 * 1024


class UploadTooLarge(Exception):
    """The upload is larger than the import accepts."""

    def __str__(self) -> str:
        return (f"Die Datei ist größer als {MAX_FILE_BYTES // 1024 // 1024} MB; bitte in mehrere Dateien "
                "aufteilen.")


async def receive_upload(request: Request, field: str = "datei") -> tuple[str | None, bytes, dict[str, str]]:
    """The uploaded file's name and bytes and the other form fields, from a multipart form or a raw body.

    Raises
    ------
    UploadTooLarge
        By the declared length before reading, or as soon as the file is larger than accepted.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILE_BYTES + _ENVELOPE:
        raise UploadTooLarge
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get(field)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if upload is None or isinstance(upload, str):
            return None, b"", fields
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise UploadTooLarge
        return upload.filename or "upload", data, fields
    try:
        body = await read_body(request, MAX_FILE_BYTES)
    except BodyTooLarge as error:
        raise UploadTooLarge from error
    return None, body, {}


_IMPORTS = asyncio.Lock()


async def run_import(request: Request, service: Service, name: str, data: bytes, agent: str,
                     dry_run: bool) -> ImportReport:
    """Import in a worker thread, one at a time (each compares with the state the previous one left);
    after a write, the query workers read the new state."""
    async with _IMPORTS:
        report = await run_in_threadpool(import_file, service.store, name, data, agent, dry_run)
        if report.written:
            await run_in_threadpool(request.app.state.query_pool.refresh)
    return report


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_BODY = {"requestBody": {"required": True, "description": "Die Datei: als Rumpf oder als Formularfeld 'datei'",
                         "content": {"text/csv": _BINARY, _XLSX: _BINARY, "application/octet-stream": _BINARY,
                                     "multipart/form-data": {"schema": {
                                         "type": "object", "required": ["datei"],
                                         "properties": {"datei": {"type": "string", "format": "binary"},
                                                        "probelauf": {"type": "boolean"}}}}}}}


@router.post("/import", summary="Tabelle importieren (CSV oder XLSX)", openapi_extra=_BODY,
             responses={200: {"description": "Bericht: neu, geändert, beendet, unverändert"},
                        401: {"description": "Token fehlt"}, 403: {"description": "Token ungültig"},
                        413: {"description": "Datei zu groß"},
                        422: {"description": "Probleme in der Datei; nichts wurde geschrieben"}})
async def post_import(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    datei: Annotated[str | None, Query(description="Dateiname, wenn die Datei der Rumpf der Anfrage ist")] = None,
    probelauf: Annotated[bool, Query(description="Nur prüfen, nichts schreiben")] = False,
) -> Response:
    """Import a file made from a template (``Authorization: Bearer <Token>``); the token's name is recorded.

    Example: ``curl -H 'Authorization: Bearer …' --data-binary @initiativen.csv
    'http://127.0.0.1:8000/api/import?datei=initiativen.csv&probelauf=true'``
    """
    agent = authorise_write(request, request.app.state.tokens)
    if not isinstance(agent, str):
        return agent
    try:
        name, data, fields = await receive_upload(request)
    except UploadTooLarge as error:
        return problem(413, "Datei zu groß", str(error))
    dry_run = probelauf or fields.get("probelauf", "").lower() in ("true", "1", "ja", "on")
    if name is None and not data:
        return problem(400, "Keine Datei", "Die Datei fehlt: als Rumpf der Anfrage (mit ?datei=name.csv) oder als "
                       "Formularfeld 'datei' (multipart/form-data).", parameter="datei")
    report = await run_import(request, service, name or datei or "upload.csv", data, agent, dry_run)
    body: dict[str, Any] = report.as_dict()
    return JSONResponse(body, status_code=200 if report.ok else 422)
