"""Write tokens: configured by the operator, stored only as SHA-256 hashes, each with a name.

``SYNERGRAPH_TOKENS=name=sha256:<hex>,other=sha256:<hex>`` and/or a TOML file named by
``SYNERGRAPH_TOKENS_FILE`` with a ``[tokens]`` table of ``name = "sha256:<hex>"``. With none, the
service is read-only. The name of the token that made a change is recorded in the history graph.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from pathlib import Path

__all__ = ["Tokens", "new_token"]

_HASH = re.compile(r"sha256:[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _digest(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(name: str) -> tuple[str, str]:
    """A fresh random token and its hash line (``name=sha256:<hex>``) that admits it.

    >>> token, line = new_token("redaktion")
    >>> line == "redaktion=" + _digest(token) and len(token) > 30
    True
    """
    token = secrets.token_urlsafe(32)
    return token, f"{name}={_digest(token)}"


class Tokens:
    """The configured tokens; :meth:`name_of` says whose a presented token is.

    >>> tokens = Tokens.parse("redaktion=" + _digest("geheim"))
    >>> tokens.name_of("geheim"), tokens.name_of("falsch")
    ('redaktion', None)
    """

    def __init__(self, hashes: dict[str, str]) -> None:
        for name, digest in hashes.items():
            if not _NAME.fullmatch(name) or not _HASH.fullmatch(str(digest)):
                raise ValueError(f"Token '{name}': erwartet wird name = \"sha256:<64 Hex-Zeichen>\" "
                                 "(Name aus Buchstaben, Ziffern, '-' und '_'); siehe 'synergraph token create'")
        self._hashes = dict(hashes)

    @classmethod
    def parse(cls, listing: str = "", file: Path | None = None) -> Tokens:
        """Read the comma-separated ``name=sha256:<hex>`` listing and the TOML file, if any.

        Raises
        ------
        ValueError
            A malformed entry or file (the service does not start with a broken configuration).
        """
        hashes: dict[str, str] = {}
        if file is not None:
            try:
                table = tomllib.loads(Path(file).read_text(encoding="utf-8")).get("tokens", {})
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise ValueError(f"Token-Datei {file} nicht lesbar: {error}") from error
            hashes.update({str(k): str(v) for k, v in table.items()})
        for item in listing.split(","):
            if item.strip():
                name, separator, digest = item.partition("=")
                if not separator:
                    raise ValueError(f"Token-Eintrag '{item.strip()}': erwartet name=sha256:<hex>")
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
