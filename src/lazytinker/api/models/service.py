"""The start-up handshake and who the caller is, as msgspec records (`structs`: the start parses
them). What the server says of itself (its models, health, the key's details) is in
`server_info`."""

from __future__ import annotations

from typing import Annotated

import msgspec

from lazytinker.api.models.structs import WireStruct


class ClientConfigRequest(WireStruct):
    """Body of the start-up calls `client/config` and `client/dynamic_config`."""

    sdk_version: str


class ClientConfigResponse(WireStruct):
    """Start-up configuration; every field is optional."""

    pjwt_auth_enabled: bool = False
    credential_default_source: str = "api_key"
    use_pyqwest_transport: bool = True
    billing_exception_max_pause_duration_sec: int = 3600
    # Not in the SDK: a server may say what it is (the about panel shows it; the SDK ignores it).
    server_name: str | None = None
    server_version: str | None = None


class DynamicConfigResponse(WireStruct):
    """Dynamic configuration; every field is optional."""

    refresh_interval_sec: int = 300
    sample_cancel_enabled: bool = False
    sample_cancel_max_batch_size: int = 64


class AuthTokenResponse(WireStruct):
    """The JWT returned by `POST /api/v1/auth/token`."""

    # It goes in a header from then on: printable ASCII without spaces, or it is refused here
    # (httpx would otherwise fail on it later, quoting it in its message).
    jwt: Annotated[str, msgspec.Meta(pattern=r"^[!-~]+$", max_length=16384)]


class Whoami(WireStruct):
    """Who the caller is, decoded from the JWT's claims (no request is made)."""

    user_urn: str
    org_urn: str
    email: str | None = None
