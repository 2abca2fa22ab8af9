"""The service itself: its base models, health, the start-up handshake and who the caller is."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lazytinker.api.models.base import WireModel


class SupportedModel(WireModel):
    """A base model the caller can use."""

    model_name: str | None = None
    max_context_length: int | None = None
    trainable: bool | None = None
    sampleable: bool | None = None


class GetServerCapabilitiesResponse(WireModel):
    """The models the caller can use."""

    supported_models: list[SupportedModel]


class HealthResponse(WireModel):
    """`GET /api/v1/healthz`."""

    status: Literal["ok"]


class ClientConfigRequest(WireModel):
    """Body of the start-up calls `client/config` and `client/dynamic_config`."""

    sdk_version: str


class ClientConfigResponse(WireModel):
    """Start-up configuration; every field is optional."""

    pjwt_auth_enabled: bool = False
    credential_default_source: str = "api_key"
    use_pyqwest_transport: bool = True
    billing_exception_max_pause_duration_sec: int = 3600


class DynamicConfigResponse(WireModel):
    """Dynamic configuration; every field is optional."""

    refresh_interval_sec: int = 300
    sample_cancel_enabled: bool = False
    sample_cancel_max_batch_size: int = 64


class AuthTokenResponse(WireModel):
    """The JWT returned by `POST /api/v1/auth/token`."""

    # It goes in a header from then on: printable ASCII without spaces, or it is refused here
    # (httpx would otherwise fail on it later, quoting it in its message).
    jwt: str = Field(pattern=r"^[!-~]+$", max_length=16384)


class Whoami(WireModel):
    """Who the caller is, decoded from the JWT's claims (no request is made)."""

    user_urn: str
    org_urn: str
    email: str | None = None


class TelemetryResponse(WireModel):
    """Reply to `POST /api/v1/telemetry`."""

    status: str = "accepted"


class ApiKeyOrgDetails(WireModel):
    """The organisation an API key belongs to."""

    name: str


class ApiKeyUserDetails(WireModel):
    """The user an API key was made for."""

    email: str


class ApiKeyDetails(WireModel):
    """Who an API key belongs to."""

    org_details: ApiKeyOrgDetails
    user_details: ApiKeyUserDetails


class ApiKeyMeResponse(WireModel):
    """`GET /api/v1/auth/apikey/me`: the presented key's public metadata (no JWT needed)."""

    key_id: int
    name: str
    note: str
    details: ApiKeyDetails
