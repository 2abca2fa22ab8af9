"""API keys and the optional JWT mode (protocol.md §1.2).

Keys arrive in `X-API-Key`. In JWT mode `/auth/token` mints an HS256 token signed with the
server's secret; the token is then accepted in `X-API-Key` until it expires. Raw keys keep working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader

from lazytinker.server.catalog import ME
from lazytinker.server.state import Caller, ServerState, state_of

__all__ = ["KEY_HEADER", "CallerDep", "caller_for_key", "mint_jwt", "require_admin"]

KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="A tml- key or a JWT")
JWT_LIFETIME_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, signing_input: str) -> str:
    return _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def mint_jwt(state: ServerState, caller: Caller) -> str:
    """A JWT carrying the claims the SDK's `whoami` reads (`sub`, `org_id`, `email`)."""
    issued = int(time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "sub": caller.urn,
        "org_id": ME.org_id,
        "email": ME.email,
        "iat": issued,
        "exp": issued + JWT_LIFETIME_SECONDS,
        "admin": caller.admin,
        "iss": "lazytinker-standin",
    }
    payload = _b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{_sign(state.secret, f'{header}.{payload}')}"


def _invalid_token(detail: str) -> HTTPException:
    return HTTPException(
        status_code=401,
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _caller_for_jwt(state: ServerState, token: str) -> Caller:
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid_token("Malformed JWT")
    header, payload, signature = parts
    # Header values arrive as latin-1 text; compare bytes, as compare_digest refuses non-ASCII str.
    expected = _sign(state.secret, f"{header}.{payload}").encode()
    if not hmac.compare_digest(signature.encode("utf-8", "surrogateescape"), expected):
        raise _invalid_token("JWT signature is not valid")
    try:
        claims: Any = json.loads(_unb64(payload))
        expires = int(claims["exp"]) if isinstance(claims, dict) else 0
    except (ValueError, TypeError, KeyError, OverflowError):
        raise _invalid_token("Malformed JWT") from None
    if not isinstance(claims, dict) or expires <= time.time():
        raise _invalid_token("JWT has expired or carries no claims")
    return Caller(str(claims.get("sub", ME.urn)), bool(claims.get("admin", False)))


def caller_for_key(state: ServerState, key: str | None) -> Caller:
    """Who a credential belongs to; 401 with a JSON detail when it is missing or wrong."""
    if not key:
        raise HTTPException(status_code=401, detail="Missing X-API-Key header")
    if key in state.config.api_keys:
        return Caller(ME.urn, admin=not key.startswith("tml-user"))
    if state.config.jwt and key.startswith("eyJ"):
        return _caller_for_jwt(state, key)
    raise HTTPException(status_code=401, detail="Invalid API key")


def _caller(request: Request, key: Annotated[str | None, Depends(KEY_HEADER)]) -> Caller:
    return caller_for_key(state_of(request), key)


CallerDep = Annotated[Caller, Depends(_caller)]
"""Route parameter type that authenticates the request and names the caller."""


def require_admin(caller: Caller, what: str) -> None:
    """403 with a JSON detail unless the caller has the admin role."""
    if not caller.admin:
        raise HTTPException(status_code=403, detail=f"{what} requires the admin role")
