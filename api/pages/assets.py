"""``/static/...``: the pages' own styles and scripts and the vendored libraries, all served from here.

vis-network is not copied into this repository: the copy that the pyvis package ships (a runtime
dependency already) is served from there.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

__all__ = ["asset_file", "router"]

router = APIRouter()

_MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".md": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8"}

_VIS_VERSION = "9.1.2"


def _roots() -> dict[str, Path]:
    with as_file(files("synergraph.api.pages") / "static") as own:
        roots = {"": Path(own)}
    try:
        with as_file(files("pyvis") / "lib" / f"vis-{_VIS_VERSION}") as vis:
            roots["vendor/vis-network/"] = Path(vis)
    except ModuleNotFoundError:  # pyvis is a dependency; without it the graph view stays empty
        pass
    return roots


_ROOTS = _roots()


def asset_file(path: str) -> Path | None:
    """The file behind ``/static/<path>``, or None when there is none (never outside the asset folders).

    >>> asset_file("site.css").name
    'site.css'
    >>> asset_file("../__init__.py") is None
    True
    """
    for prefix, root in sorted(_ROOTS.items(), key=lambda kv: -len(kv[0])):
        if not path.startswith(prefix):
            continue
        candidate = (root / path[len(prefix):]).resolve()
        if candidate.is_file() and candidate.is_relative_to(root.resolve()):
            return candidate
        return None
    return None


@router.get("/static/{path:path}")
def static_asset(path: str) -> FileResponse:
    """One asset file; 404 for anything else."""
    found = asset_file(path)
    if found is None:
        raise HTTPException(404, "Datei nicht gefunden")
    return FileResponse(found, media_type=_MEDIA.get(found.suffix, "application/octet-stream"),
                        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
