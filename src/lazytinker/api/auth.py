"""The credential of one service: the key, the JWT it may be exchanged for, and who it names.

State only, no HTTP: the transport sends the key or the token this holds, and asks the server
for a new JWT when `is_stale` says so (protocol.md §1.2).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Mapping
from typing import Any

from lazytinker.api.models import Whoami
from lazytinker.api.target import CredentialSource, check_key_chars
from lazytinker.text import redact, remember_secret

JWT_REFRESH_MARGIN = 60.0
"""A JWT with less life than this left is exchanged again before it is used."""


def decode_jwt_claims(token: str) -> dict[str, Any]:
    """The JWT payload, unverified (as the SDK reads it); `{}` if it does not decode."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def whoami_from(claims: Mapping[str, Any]) -> Whoami | None:
    """Who the caller is, from a JWT's claims; None without a subject."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    org = claims.get("org_id")
    email = claims.get("email")
    return Whoami(
        user_urn=sub,
        org_urn=f"tml:organization:{org}" if org else "",
        email=email if isinstance(email, str) and email else None,
    )


def jwt_expiry(claims: Mapping[str, Any]) -> float | None:
    """The `exp` claim as a Unix time, if it is a number."""
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class Credentials:
    """The key read from a `CredentialSource` and, once exchanged, the JWT sent in its place."""

    def __init__(self, source: CredentialSource) -> None:
        self._source = source
        self.key: str | None = None
        self.jwt: str | None = None
        self.jwt_expires: float | None = None
        self.whoami: Whoami | None = None
        # One exchange at a time: calls that find the same stale token share one new one.
        self.exchange_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return "Credentials(key='***')"

    async def read_key(self, source_name: str = "") -> None:
        """Ask the source for the key (again: a command may give a rotated one); from then on it
        is redacted from every message and screen."""
        key = await self._source()
        remember_secret(key)
        check_key_chars(key, source_name)
        self.key = key

    @property
    def token(self) -> str:
        """What goes in `X-API-Key`: the JWT once exchanged, else the key."""
        return self.jwt or self.key or ""

    def is_stale(self) -> bool:
        """Whether the JWT expires within the refresh margin (or its expiry is unknown)."""
        if self.jwt is None:
            return False
        return self.jwt_expires is None or self.jwt_expires - time.time() < JWT_REFRESH_MARGIN

    def adopt_jwt(self, token: str) -> None:
        """Use `token` from now on, and learn who it names and when it expires."""
        remember_secret(token)
        claims = decode_jwt_claims(token)
        self.jwt = token
        self.jwt_expires = jwt_expiry(claims)
        self.whoami = whoami_from(claims)

    def learn_whoami_from_key(self) -> None:
        """A key that is itself a JWT (`eyJ…`) names its caller too."""
        if self.key and self.key.startswith("eyJ"):
            self.whoami = whoami_from(decode_jwt_claims(self.key))

    def redact(self, text: str) -> str:
        """`text` with the key and the JWT (and every other remembered secret) replaced by `***`."""
        for secret in (self.key, self.jwt):
            if secret:
                text = text.replace(secret, "***")
        return redact(text)
