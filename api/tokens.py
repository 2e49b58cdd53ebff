"""Write tokens: configured by the operator, stored only as SHA-256 hashes, each with a name.

``SYNERGRAPH_TOKENS=name=sha256:<hex>,other=sha256:<hex>`` and/or a TOML file named by
``SYNERGRAPH_TOKENS_FILE`` with a ``[tokens]`` table of ``name = "sha256:<hex>"``. With none, the
service is read-only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from pathlib import Path

__all__ = ["Tokens", "new_token"]


def _digest(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(name: str) -> tuple[str, str]:
    """A fresh random token and the configuration line that admits it.

    >>> token, line = new_token("redaktion")
    >>> line.startswith("redaktion=sha256:") and len(token) > 30
    True
    """
    token = secrets.token_urlsafe(32)
    return token, f"{name}={_digest(token)}"


class Tokens:
    """The configured tokens; :meth:`name_of` says whose a presented token is."""

    def __init__(self, hashes: dict[str, str]) -> None:
        self._hashes = hashes

    @classmethod
    def from_environment(cls) -> Tokens:
        """Read ``SYNERGRAPH_TOKENS`` and ``SYNERGRAPH_TOKENS_FILE``."""
        hashes: dict[str, str] = {}
        path = os.environ.get("SYNERGRAPH_TOKENS_FILE")
        if path:
            hashes.update(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("tokens", {}))
        for item in os.environ.get("SYNERGRAPH_TOKENS", "").split(","):
            if "=" in item:
                name, digest = item.split("=", 1)
                hashes[name.strip()] = digest.strip()
        return cls(hashes)

    @property
    def configured(self) -> bool:
        """Whether any token is configured (otherwise the service is read-only)."""
        return bool(self._hashes)

    def name_of(self, token: str) -> str | None:
        """The name of the token, or None if it is not one of ours (constant-time comparison)."""
        presented = _digest(token)
        found = None
        for name, digest in self._hashes.items():
            if hmac.compare_digest(presented, digest):
                found = name
        return found
