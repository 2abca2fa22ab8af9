"""The SDK's start-up handshake (protocol.md §1.3): `client/config`, the JWT exchange when the
server asks for it, then `client/dynamic_config` (a 404 there is tolerated).

Only the tinker flavor has one. Today a server without `client/config` fails to connect, as the
official SDK does; making such a server usable without the handshake (protocol.md §12: nothing
is needed from the call unless it asks for the JWT exchange) is a change to `handshake` alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker import __version__
from lazytinker.api.errors import NotFoundError
from lazytinker.api.models import AuthTokenResponse, ClientConfigResponse, DynamicConfigResponse

if TYPE_CHECKING:
    from lazytinker.api.transport import Transport

CLIENT_CONFIG = "/api/v1/client/config"
DYNAMIC_CONFIG = "/api/v1/client/dynamic_config"
AUTH_TOKEN = "/api/v1/auth/token"


async def handshake(transport: Transport) -> None:
    """Run the start-up calls; the answers are kept on `transport` (`client_config`, ...)."""
    body = {"sdk_version": __version__}
    endpoint = f"POST {CLIENT_CONFIG}"
    resp = await transport.send("POST", CLIENT_CONFIG, endpoint, json_body=body)
    transport.client_config = transport.parse(resp, ClientConfigResponse, endpoint)
    if transport.client_config.pjwt_auth_enabled:
        await exchange_jwt(transport)
    else:
        transport.credentials.learn_whoami_from_key()
    endpoint = f"POST {DYNAMIC_CONFIG}"
    try:
        resp = await transport.send("POST", DYNAMIC_CONFIG, endpoint, json_body=body)
    except NotFoundError:
        transport.dynamic_config = DynamicConfigResponse()
    else:
        transport.dynamic_config = transport.parse(resp, DynamicConfigResponse, endpoint)


async def exchange_jwt(transport: Transport, replacing: str | None = None) -> None:
    """Get a new JWT in place of `replacing`, unless another call already replaced it.

    When the server says keys come from a command, the key is read again first: a rotated key
    is what the new JWT must be exchanged for.
    """
    credentials = transport.credentials
    async with credentials.exchange_lock:
        if credentials.jwt != replacing:
            return
        config = transport.client_config
        if config is not None and config.credential_default_source == "credential_cmd":
            await credentials.read_key()
        endpoint = f"POST {AUTH_TOKEN}"
        resp = await transport.send(
            "POST", AUTH_TOKEN, endpoint, json_body={}, use_jwt=False, reauth=False
        )
        credentials.adopt_jwt(transport.parse(resp, AuthTokenResponse, endpoint).jwt)
