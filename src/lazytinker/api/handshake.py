"""The SDK's start-up handshake (protocol.md §1.3): `client/config`, the JWT exchange when the
server asks for it, then `client/dynamic_config` (a 404 there is tolerated).

Only the tinker flavor has one, and nothing waits for it that does not need it: the transport
runs it as a background task and sends the first listings beside it with the raw key
(`Transport.ensure_connected`). Only the JWT exchange holds calls back, and only once the server
has said it wants one. A server without `client/config` (protocol.md §12) is used without the
handshake: nothing is needed from the call unless it asks for the exchange, so its 404 is
recorded (`Capability.HANDSHAKE` missing, the header says "handshake skipped"), not raised.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from lazytinker import __version__
from lazytinker.api.capabilities import Capability, Support
from lazytinker.api.errors import (
    KeyRejectedError,
    LazytinkerError,
    NoCredentialError,
    NotFoundError,
    UnreachableError,
)
from lazytinker.api.models import AuthTokenResponse, ClientConfigResponse, DynamicConfigResponse

if TYPE_CHECKING:
    from lazytinker.api.transport import Transport

CLIENT_CONFIG = "/api/v1/client/config"
DYNAMIC_CONFIG = "/api/v1/client/dynamic_config"
AUTH_TOKEN = "/api/v1/auth/token"
SERVER_NAME_FIELDS = ("server_name", "name", "service")
SERVER_VERSION_FIELDS = ("server_version", "version")


class HandshakeState(StrEnum):
    """How the start-up handshake went (the header and the about panel say it)."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped (the server has no client/config)"
    FAILED = "failed"
    NONE = "none (the flavor has no handshake)"


async def run_handshake(transport: Transport) -> None:
    """The handshake as the transport's background task: never raises; what went wrong is
    kept on the transport (`handshake_state`, `handshake_error`, and `handshake_raised` when
    the server cannot be used at all, for whoever waits in `connect`)."""
    try:
        await handshake(transport)
    except (KeyRejectedError, NoCredentialError, UnreachableError) as error:
        transport.handshake_raised = error
        transport.handshake_state = HandshakeState.FAILED
        transport.handshake_error = str(error)
    except LazytinkerError as error:
        # Anything else (a 500, a body we cannot read): the calls go on with the raw key,
        # unless the server asked for a JWT and none came (a JWT it sent that cannot travel
        # in a header is refused): then it cannot be used.
        if transport.jwt_wanted and transport.credentials.jwt is None:
            transport.handshake_raised = error
        transport.handshake_state = HandshakeState.FAILED
        transport.handshake_error = str(error)
        transport.capabilities.record(Capability.HANDSHAKE, Support.MISSING, str(error)[:120])
    finally:
        # Whatever happened, calls now know what to send: the JWT if one came, else the key.
        transport.auth_settled.set()


async def handshake(transport: Transport) -> None:
    """Run the start-up calls; the answers are kept on `transport` (`client_config`, ...)."""
    body = {"sdk_version": __version__}
    endpoint = f"POST {CLIENT_CONFIG}"
    capabilities = transport.capabilities
    try:
        resp = await transport.send(
            "POST", CLIENT_CONFIG, endpoint, json_body=body, use_jwt=False, reauth=False
        )
    except NotFoundError:
        capabilities.record(Capability.HANDSHAKE, Support.MISSING, f"HTTP 404 on {endpoint}")
        transport.handshake_state = HandshakeState.SKIPPED
        transport.credentials.learn_whoami_from_key()
        transport.auth_settled.set()
        return
    config = transport.parse(resp, ClientConfigResponse, endpoint)
    transport.client_config = config
    transport.server_identity.update(_server_identity(resp.content))
    transport.jwt_wanted = config.pjwt_auth_enabled
    capabilities.record(Capability.HANDSHAKE, Support.SUPPORTED, f"answered {endpoint}")
    if config.pjwt_auth_enabled:
        await exchange_jwt(transport)
    else:
        transport.credentials.learn_whoami_from_key()
    transport.auth_settled.set()
    endpoint = f"POST {DYNAMIC_CONFIG}"
    try:
        resp = await transport.send("POST", DYNAMIC_CONFIG, endpoint, json_body=body)
    except NotFoundError:
        transport.dynamic_config = DynamicConfigResponse()
    else:
        transport.dynamic_config = transport.parse(resp, DynamicConfigResponse, endpoint)
    transport.handshake_state = HandshakeState.DONE


def _server_identity(content: bytes) -> dict[str, str]:
    """A name and version the server gives of itself in `client/config`, if it does."""
    try:
        data: Any = json.loads(content)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict[str, str] = {}
    for key, fields in (("name", SERVER_NAME_FIELDS), ("version", SERVER_VERSION_FIELDS)):
        for field in fields:
            value = data.get(field)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                found[key] = str(value)[:80]
                break
    return found


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
