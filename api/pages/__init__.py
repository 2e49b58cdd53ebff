"""Pages for people: the start page, the query page and the linked-data pages of every IRI.

The routers of this package answer HTML (German) rendered with Jinja2 (autoescape on) and send a
Content-Security-Policy that allows only this service's own scripts, styles and connections, so
nothing on a page is loaded from elsewhere.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import assets, linked_data, map, query, upload

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(assets.router)
router.include_router(query.router)
router.include_router(map.router)
router.include_router(upload.router)
router.include_router(linked_data.router)
