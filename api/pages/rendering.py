"""Rendering of pages: one Jinja2 environment (autoescape on) and the security headers of every page."""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from synergraph.graph.namespaces import BASE

from synergraph import __version__

__all__ = ["CONTENT_SECURITY_POLICY", "local_path", "render"]

# Only our own origin: no inline scripts, no other hosts; inline style attributes are allowed because
# the editor and the graph view position elements with them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def local_path(iri: str) -> str | None:
    """The path on this service of an IRI in our namespace, or None for other IRIs.

    >>> local_path("https://w3id.org/synergraph/id/territory/12060024")
    '/id/territory/12060024'
    >>> local_path("http://www.w3.org/2000/01/rdf-schema#label") is None
    True
    """
    if iri.startswith(BASE):
        return "/" + quote(iri[len(BASE):], safe="/:@!$&'()*+,;=-._~")
    return None


def _href(iri: str) -> str:
    """Where a link to ``iri`` points: its page here when it is ours, else the IRI itself."""
    return local_path(iri) or iri


_environment = Environment(
    loader=FileSystemLoader(str(files("synergraph.api.pages") / "templates")),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["href"] = _href
_environment.globals["version"] = __version__


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context``, with the security headers.

    Parameters
    ----------
    request : Request
        The request being answered (for the page's own address).
    template : str
        File name in ``api/pages/templates/``.
    status_code : int
        HTTP status of the answer.

    Examples
    --------
    ``render(request, "start.html", title="Synergraph")`` answers the start page.
    """
    html = _environment.get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
