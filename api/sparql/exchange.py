"""What every SPARQL route shares: problem documents, bounded request bodies, the pool and the tokens."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from ..metrics import REFUSALS
from .tokens import Tokens
from .workers import QueryPool

__all__ = ["BodyTooLarge", "get_pool", "get_tokens", "problem", "read_body"]


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """An RFC 9457 problem document (``application/problem+json``).

    >>> problem(400, "Abfrage fehlerhaft", "Zeile 1, Spalte 3: …", line=1, column=3).status_code
    400
    """
    return JSONResponse({"title": title, "status": status, "detail": detail, **extra}, status_code=status,
                        media_type="application/problem+json")


class BodyTooLarge(Exception):
    """The request body is larger than the service accepts."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Anfrage zu groß: höchstens {limit} Bytes / request body larger than {limit} bytes")
        self.limit = limit

    def response(self) -> JSONResponse:
        """The 413 answer (counted as a refusal for size)."""
        REFUSALS.labels("size").inc()
        return problem(413, "Anfrage zu groß", str(self), limit_bytes=self.limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused early when ``Content-Length`` or the streamed size exceeds ``limit``.

    Raises
    ------
    BodyTooLarge
        Before reading anything when the declared length is too large, else as soon as the stream is.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(limit)
    return bytes(body)


def get_pool(request: Request) -> QueryPool:
    """The query worker pool the app started."""
    pool: QueryPool = request.app.state.query_pool
    return pool


def get_tokens(request: Request) -> Tokens:
    """The operator's write tokens, read when the app was built."""
    tokens: Tokens = request.app.state.tokens
    return tokens
