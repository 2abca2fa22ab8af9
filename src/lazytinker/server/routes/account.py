"""`GET /api/v1/auth/apikey/me`: what the presented API key is (protocol.md §8.1).

`tinker auth login` checks a pasted key with it, over plain httpx and with the raw key, so it
works whether or not the server asks for the JWT exchange.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import ApiKeyMeResponse
from lazytinker.server.auth import KEY_HEADER, caller_for_key
from lazytinker.server.catalog import ME, ORG_NAME
from lazytinker.server.routes.common import errors
from lazytinker.server.state import api_error, state_of

__all__ = ["key_id", "router"]

router = APIRouter(prefix="/api/v1")


def key_id(key: str) -> int:
    """A stable number for a key that gives nothing of the key away."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 1_000_000


@router.get("/auth/apikey/me", response_model=ApiKeyMeResponse, responses=errors(401))
def api_key_me(request: Request, key: Annotated[str | None, Depends(KEY_HEADER)]) -> JSONResponse:
    """The key's id, name and note, and the organisation and e-mail it belongs to."""
    state = state_of(request)
    caller = caller_for_key(state, key)
    if not key or key not in state.config.api_keys:
        raise api_error(401, "The credential is not an API key")
    role = "admin" if caller.admin else "member"
    answer = ApiKeyMeResponse.model_validate(
        {
            "key_id": key_id(key),
            "name": f"stand-in {role} key",
            "note": f"An API key of the lazytinker stand-in server ({role} role)",
            "details": {"org_details": {"name": ORG_NAME}, "user_details": {"email": ME.email}},
        }
    )
    return JSONResponse(answer.model_dump(mode="json"))
