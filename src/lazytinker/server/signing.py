"""HMAC-signed, expiring URLs that need no auth header (archives, external files, traces)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import Request

from lazytinker.server.state import ServerState, api_error

__all__ = ["SIGNED_PREFIX", "signed_url", "signed_url_expiry", "verify"]

SIGNED_PREFIX = "/signed"


def _signature(secret: bytes, purpose: str, params: Mapping[str, str], expires: int) -> str:
    canonical = "\n".join([purpose, urlencode(sorted(params.items())), str(expires)])
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def signed_url_expiry(state: ServerState) -> int:
    """Epoch seconds at which a URL signed now stops working (real clock: clients compare it)."""
    return int(time.time() + state.config.signed_url_ttl)


def signed_url(
    state: ServerState,
    request: Request,
    purpose: str,
    params: Mapping[str, str],
    expires: int | None = None,
) -> str:
    """An absolute URL on this server for `purpose`, valid until `expires` (epoch seconds)."""
    expires = signed_url_expiry(state) if expires is None else expires
    sig = _signature(state.secret, purpose, params, expires)
    query = urlencode({**params, "expires": str(expires), "signature": sig})
    base = str(request.base_url).rstrip("/")
    return f"{base}{SIGNED_PREFIX}/{purpose}?{query}"


def verify(
    state: ServerState, purpose: str, query: Mapping[str, str], names: tuple[str, ...]
) -> dict[str, str]:
    """The signed parameters of a request; 403 when the signature is wrong or has expired."""
    params = {name: query.get(name, "") for name in names}
    try:
        expires = int(query.get("expires", ""))
    except ValueError:
        raise api_error(403, "Signed URL has no valid expiry") from None
    expected = _signature(state.secret, purpose, params, expires)
    # Bytes, not str: compare_digest refuses non-ASCII text, and a query string may hold any.
    given = query.get("signature", "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode(), given):
        raise api_error(403, "Signed URL signature does not match")
    if expires <= time.time():
        raise api_error(403, "Signed URL has expired")
    return params
