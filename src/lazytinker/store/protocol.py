"""What the store needs from the API: the `StoreAPI` protocol that `TinkerAPI` satisfies.

A Protocol, so the store depends on the shape of the client and not on the client itself (nor on
httpx beneath it); tests and other clients can stand in for it. A new endpoint the store uses is
added here first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

# The one place the store names the client module: the capability flags live beside it.
from lazytinker.api.client import Capability
from lazytinker.api.models import (
    AccessScope,
    BillingUsageResponse,
    CheckpointsListResponse,
    CurrentCheckpointStorageUsageResponse,
    GetSamplerResponse,
    GetServerCapabilitiesResponse,
    GetSessionResponse,
    ListSessionsResponse,
    SessionSearchRequest,
    SessionSearchResponse,
    TrainingRunsResponse,
    WeightsInfoResponse,
)
from lazytinker.api.paths import CheckpointRef, Flavor

__all__ = ["Capability", "StoreAPI"]


class StoreAPI(Protocol):
    """The part of `TinkerAPI` the store uses (a Protocol, so the store never imports httpx)."""

    flavor: Flavor
    base_url: str
    host: str

    async def connect(self) -> None: ...
    def supports(self, capability: Capability) -> bool: ...
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
    async def aclose(self) -> None: ...
