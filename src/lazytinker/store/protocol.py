"""What the store needs from the API: the `StoreAPI` protocol that `TinkerAPI` satisfies.

A Protocol, so the store depends on the shape of the client and not on the client itself (nor on
httpx beneath it); tests and other clients can stand in for it. A new endpoint the store uses is
added here first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from lazytinker.api.capabilities import Capabilities, Capability, Learned, Support

# The one place the store names the client module.
from lazytinker.api.client import HandshakeState, RoundTrips
from lazytinker.api.paths import CheckpointRef, Flavor

if TYPE_CHECKING:
    from lazytinker.api.models import (
        AccessScope,
        ApiKeyMeResponse,
        AuditLogResponse,
        BillingUsageResponse,
        CheckpointsListResponse,
        CopyWeightsResponse,
        CurrentCheckpointStorageUsageResponse,
        GetSamplerResponse,
        GetServerCapabilitiesResponse,
        GetSessionResponse,
        ListSessionsResponse,
        SessionSearchRequest,
        SessionSearchResponse,
        TrainingRunsResponse,
        WeightsInfoResponse,
        Whoami,
    )

__all__ = [
    "Capabilities",
    "Capability",
    "HandshakeState",
    "Learned",
    "RoundTrips",
    "StoreAPI",
    "Support",
]


class StoreAPI(Protocol):
    """The part of `TinkerAPI` the store uses (a Protocol, so the store never imports httpx)."""

    flavor: Flavor
    base_url: str
    host: str
    capabilities: Capabilities

    @property
    def handshake_state(self) -> HandshakeState: ...
    @property
    def server_identity(self) -> dict[str, str]: ...
    @property
    def timing(self) -> RoundTrips: ...
    @property
    def whoami(self) -> Whoami | None: ...

    async def connect(self) -> None: ...
    def supports(self, capability: Capability) -> bool: ...
    async def probe(self, capabilities: Iterable[Capability]) -> None: ...
    def on_throttle(self, listener: Callable[[float | None], None]) -> Callable[[], None]: ...
    async def list_training_runs(
        self,
        limit: int = ...,
        offset: int = ...,
        access_scope: AccessScope = ...,
        project_id: Any = ...,
    ) -> TrainingRunsResponse: ...
    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse: ...
    async def list_user_checkpoints(
        self, limit: int = ..., offset: int = ...
    ) -> CheckpointsListResponse: ...
    async def get_weights_info(self, ref: CheckpointRef) -> WeightsInfoResponse: ...
    async def delete_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def publish_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def unpublish_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None: ...
    async def list_sessions(
        self, limit: int = ..., offset: int = ..., access_scope: AccessScope = ...
    ) -> ListSessionsResponse: ...
    async def get_session(
        self, session_id: str, access_scope: AccessScope = ...
    ) -> GetSessionResponse: ...
    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse: ...
    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse: ...
    async def get_server_capabilities(self) -> GetServerCapabilitiesResponse: ...
    async def get_checkpoint_storage_usage(
        self, project_id: str | None = ...
    ) -> CurrentCheckpointStorageUsageResponse: ...
    async def get_billing_usage(
        self, starting_on: datetime, ending_before: datetime
    ) -> BillingUsageResponse: ...
    async def get_audit_log(
        self, event_type: str = ..., day: date | None = ...
    ) -> AuditLogResponse: ...
    async def api_key_me(self) -> ApiKeyMeResponse: ...
    async def assign_session_project(self, session_id: str, project_id: str) -> None: ...
    async def copy_weights(
        self,
        ref: CheckpointRef,
        project_id: str,
        ttl_seconds: int | None = ...,
        *,
        idempotency_key: str | None = ...,
    ) -> CopyWeightsResponse: ...
    async def aclose(self) -> None: ...
