"""What the server says of itself and of the key (protocol.md §1): capabilities, health, telemetry,
the key's details. Apart from `service`, whose handshake the start-up parses."""

from __future__ import annotations

from typing import Literal

from lazytinker.api.models.base import WireModel


class SupportedModel(WireModel):
    """A base model the caller can use. Some servers name it by `model_id` instead of
    `model_name` (protocol.md §12); some by neither."""

    model_name: str | None = None
    max_context_length: int | None = None
    trainable: bool | None = None
    sampleable: bool | None = None
    model_id: str | None = None

    @property
    def label(self) -> str | None:
        """Whatever names it: `model_name`, else `model_id`."""
        return self.model_name or self.model_id


class GetServerCapabilitiesResponse(WireModel):
    """The models the caller can use."""

    supported_models: list[SupportedModel]


class HealthResponse(WireModel):
    """`GET /api/v1/healthz`."""

    status: Literal["ok"]


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
