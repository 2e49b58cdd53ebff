"""``/import``: the upload page for spreadsheets (German), and the templates to download.

The page works without JavaScript: a form with the file, the write token and "nur prüfen" posts to
``/import`` and gets the report as a page. The token travels in the form (a browser form cannot send an
``Authorization`` header); uploads from another origin are refused like every write.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from synergraph.graph.importing import SCHEMAS
from synergraph.graph.spreadsheet import MAX_FILE_BYTES
from synergraph.graph.templates import TEMPLATE_FILES

from ..dependencies import get_service
from ..importing import UploadTooLarge, receive_upload, run_import
from ..service import Service
from .rendering import SECURITY_HEADERS, render

__all__ = ["router"]

router = APIRouter()

_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
_TEMPLATES = [(SCHEMAS[kind].sheet, stem) for kind, stem in TEMPLATE_FILES.items()]


def _page(request: Request, status_code: int = 200, **context: object) -> HTMLResponse:
    return render(request, "import.html", status_code=status_code, title="Tabellen importieren",
                  templates=_TEMPLATES, limit_mb=MAX_FILE_BYTES // 1024 // 1024, **context)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    """The upload form with links to the templates."""
    return _page(request)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, service: Annotated[Service, Depends(get_service)]) -> HTMLResponse:
    """Check (and unless "nur prüfen" import) the uploaded file; answer the report as a page."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    if origin and origin.rstrip("/").lower() != own.lower():
        return _page(request, 403, error=f"Hochladen von einem anderen Ursprung ({origin}) ist nicht erlaubt.")
    try:
        name, data, fields = await receive_upload(request)
    except UploadTooLarge as error:
        return _page(request, 413, error=str(error))
    tokens = request.app.state.tokens
    if not tokens.configured:
        return _page(request, 403, error="Dieser Dienst ist nur lesbar: es ist kein Schreib-Token eingerichtet.")
    agent = tokens.name_of(fields.get("token", "").strip()) if fields.get("token", "").strip() else None
    if agent is None:
        return _page(request, 401 if not fields.get("token", "").strip() else 403,
                     error="Bitte ein gültiges Schreib-Token angeben.")
    if not name:
        return _page(request, 400, error="Bitte eine Datei (.xlsx oder .csv) auswählen.")
    report = await run_import(request, service, name, data, agent, dry_run=fields.get("probelauf") == "ja")
    return _page(request, 200 if report.ok else 422, report=report)


@router.get("/import/vorlagen/{datei}")
def template_file(datei: Annotated[str, Path(description="z. B. initiativen.xlsx")]) -> Response:
    """One of the templates (XLSX or CSV) as a download."""
    stem, _, suffix = datei.rpartition(".")
    if stem not in TEMPLATE_FILES.values() or suffix not in _MEDIA:
        return HTMLResponse("Diese Vorlage gibt es nicht.", status_code=404, headers=SECURITY_HEADERS)
    data = files("synergraph.data").joinpath("templates", datei).read_bytes()
    return Response(data, media_type=_MEDIA[suffix], headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{datei}"'})
