"""Who the key belongs to (protocol.md §4.6, §8.1): `GET /api/v1/auth/apikey/me`, the key's name,
note, organisation and e-mail. It works with the raw key whether or not the server asks for the
JWT exchange (the official CLI checks a pasted key with it), so it is sent with the raw key.
"""

from __future__ import annotations

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup
from lazytinker.api.models import ApiKeyMeResponse

API_KEY_ME = "/api/v1/auth/apikey/me"


class AccountEndpoints(EndpointGroup):
    """The caller's identity."""

    async def api_key_me(self) -> ApiKeyMeResponse:
        """The presented key's name, note, organisation and e-mail."""
        endpoint = f"GET {API_KEY_ME}"
        with self._learning(Capability.IDENTITY, endpoint):
            await self.transport.ensure_connected()
            resp = await self.transport.send("GET", API_KEY_ME, endpoint, use_jwt=False)
            return self.transport.parse(resp, ApiKeyMeResponse, endpoint)
