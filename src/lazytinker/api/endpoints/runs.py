"""Training runs and their checkpoints (protocol.md §4.2, §4.3): listings, lookups, weights info,
delete, publish, unpublish and TTL. (Copying a checkpoint into a project is in `projects.py`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup
from lazytinker.api.models import (
    AccessScope,
    CheckpointsListResponse,
    TrainingRun,
    TrainingRunsResponse,
)
from lazytinker.api.paths import CheckpointRef

if TYPE_CHECKING:
    from lazytinker.api.models import WeightsInfoResponse

WEIGHTS_INFO = "/api/v1/weights_info"


class RunsEndpoints(EndpointGroup):
    """Training runs and checkpoints of one service."""

    async def list_training_runs(
        self,
        limit: int = 100,
        offset: int = 0,
        access_scope: AccessScope = "owned",
        project_id: str | None = None,
    ) -> TrainingRunsResponse:
        """One page of training runs (`access_scope` and `project_id` are tinker-only)."""
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if self.flavor == "tinker":
            params["access_scope"] = access_scope
            if project_id is not None:
                params["project_id"] = project_id
        return await self.transport.get(
            "/api/v1/training_runs", TrainingRunsResponse, "GET /api/v1/training_runs", params
        )

    async def get_training_run(
        self, run_id: str, access_scope: AccessScope = "owned"
    ) -> TrainingRun:
        """One training run by id."""
        params: dict[str, str | int] = {}
        if self.flavor == "tinker":
            params["access_scope"] = access_scope
        return await self.transport.get(
            self._run_path(run_id), TrainingRun, "GET /api/v1/training_runs/{id}", params
        )

    async def get_weights_info(self, ref: CheckpointRef) -> WeightsInfoResponse:
        """What is needed to load a checkpoint's weights (`POST /api/v1/weights_info`)."""
        endpoint = f"POST {WEIGHTS_INFO}"
        with self._learning(Capability.WEIGHTS_INFO, endpoint, item=True):
            await self.transport.ensure_connected()
            body = {"tinker_path": self._ref(ref).path}
            resp = await self.transport.send("POST", WEIGHTS_INFO, endpoint, json_body=body)
        from lazytinker.api.models import WeightsInfoResponse  # built on first use

        return self.transport.parse(resp, WeightsInfoResponse, endpoint)

    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse:
        """Every checkpoint of one run (not paged)."""
        return await self.transport.get(
            self._run_path(run_id, "checkpoints"),
            CheckpointsListResponse,
            "GET /api/v1/training_runs/{id}/checkpoints",
        )

    async def list_user_checkpoints(
        self, limit: int = 1000, offset: int = 0
    ) -> CheckpointsListResponse:
        """One page of all the caller's checkpoints, newest first."""
        endpoint = "GET /api/v1/checkpoints"
        with self._learning(Capability.USER_CHECKPOINTS, endpoint):
            return await self.transport.get(
                "/api/v1/checkpoints",
                CheckpointsListResponse,
                endpoint,
                {"limit": limit, "offset": offset},
            )

    async def delete_checkpoint(self, ref: CheckpointRef) -> None:
        """Delete a checkpoint for good."""
        await self.transport.ensure_connected()
        path = self._checkpoint_path(ref)
        await self._send_and_close("DELETE", path, "DELETE …/checkpoints/{checkpoint_id}")

    async def publish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint public; a 409 (already public) is raised as `ConflictError`."""
        endpoint = "POST …/checkpoints/{checkpoint_id}/publish"
        with self._learning(Capability.PUBLISH, endpoint, item=True):
            await self.transport.ensure_connected()
            path = self._checkpoint_path(ref, "publish")
            await self._send_and_close("POST", path, endpoint, empty_body=True, idempotent=False)

    async def unpublish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint private again; a 409 (already private) is raised as `ConflictError`."""
        endpoint = "DELETE …/checkpoints/{checkpoint_id}/publish"
        with self._learning(Capability.PUBLISH, endpoint, item=True):
            await self.transport.ensure_connected()
            path = self._checkpoint_path(ref, "publish")
            await self._send_and_close("DELETE", path, endpoint)

    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None:
        """Set a checkpoint to expire `ttl_seconds` from now, or never (`None`)."""
        endpoint = "PUT …/checkpoints/{checkpoint_id}/ttl"
        with self._learning(Capability.TTL, endpoint, item=True):
            await self.transport.ensure_connected()
            path = self._checkpoint_path(ref, "ttl")
            body = {"ttl_seconds": ttl_seconds}  # null is sent explicitly: it removes the expiry
            await self._send_and_close("PUT", path, endpoint, json_body=body)
