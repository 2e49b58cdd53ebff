"""What every SPARQL route shares: problem documents, bounded request bodies, the pool and the tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request
from fastapi.responses import JSONResponse

from ..metrics import REFUSALS
from .tokens import Tokens
from .workers import QueryBusy, Queries, QueryTimeout

__all__ = ["BodyTooLarge", "QueryQueue", "get_pool", "get_queue", "get_tokens", "problem", "read_body"]


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


class QueryQueue:
    """Admission to the query workers: ``slots`` queries run at once, up to ``waiting`` more wait for
    their turn in order of arrival, without holding a thread; beyond that a query is refused as busy.

    Waiting counts against the query's deadline: a query still waiting when it runs out is answered
    with the time-limit error, naming the wait.

    >>> async def demo() -> float:
    ...     queue = QueryQueue(slots=1, waiting=1)
    ...     async with queue.slot(timeout=5) as arrived:
    ...         return time.monotonic() - arrived
    >>> asyncio.run(demo()) < 1
    True
    """

    def __init__(self, slots: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(slots)
        self.limit, self.waiting = waiting, 0

    @asynccontextmanager
    async def slot(self, timeout: float) -> AsyncIterator[float]:
        """Hold one slot while the body runs; yields the (monotonic) time the query arrived, from
        which its deadline counts.

        Raises
        ------
        QueryBusy
            ``waiting`` queries wait already.
        QueryTimeout
            No slot became free within ``timeout``.
        """
        if self._slots.locked() and self.waiting >= self.limit:
            raise QueryBusy(f"Dienst ausgelastet: {self.limit} Abfragen warten bereits; bitte später erneut "
                            f"versuchen / busy: {self.limit} queries waiting")
        started = time.monotonic()
        self.waiting += 1
        try:
            if self._slots.locked():
                await asyncio.wait_for(self._slots.acquire(), timeout)
            else:  # a free slot is taken at once, without wait_for's timer task
                await self._slots.acquire()
        except TimeoutError:
            raise QueryTimeout(f"Zeitlimit von {timeout:g} s beim Warten auf einen freien Abfrageplatz "
                               f"überschritten / query waited its whole time limit of {timeout:g} s") from None
        finally:
            self.waiting -= 1
        try:
            yield started
        finally:
            self._slots.release()


def get_queue(request: Request) -> QueryQueue:
    """The admission queue in front of the query workers."""
    queue: QueryQueue = request.app.state.query_queue
    return queue


def get_pool(request: Request) -> Queries:
    """The query worker pool the app started."""
    pool: Queries = request.app.state.query_pool
    return pool


def get_tokens(request: Request) -> Tokens:
    """The operator's write tokens, read when the app was built."""
    tokens: Tokens = request.app.state.tokens
    return tokens
