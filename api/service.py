"""The one object that owns the configuration and the store; routes and commands receive it."""

from __future__ import annotations

from dataclasses import dataclass

from synergraph.graph.seed import ensure_seeded
from synergraph.graph.store import Store

from .settings import Settings

__all__ = ["Service"]


@dataclass
class Service:
    """Settings plus the opened, seeded store.

    >>> import tempfile
    >>> service = Service.open(Settings(store=tempfile.mkdtemp(), examples=False))
    >>> service.store.value("SELECT (COUNT(*) AS ?n) WHERE { ?g a sg:Municipality }") > 400
    True
    """

    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings | None = None) -> Service:
        """Open the store of ``settings`` (default: from the environment), seeding it if needed."""
        settings = settings or Settings()
        store = Store(settings.store)
        ensure_seeded(store, examples=settings.examples)
        return cls(settings, store)
