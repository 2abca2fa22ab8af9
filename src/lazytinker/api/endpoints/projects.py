"""Projects (protocol.md §4.3, §4.4): moving a session to a project, and copying a checkpoint
into one. Runs by project are `RunsEndpoints.list_training_runs(project_id=...)`.
"""

from __future__ import annotations

import uuid

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup, api_path
from lazytinker.api.models import CopyWeightsResponse
from lazytinker.api.paths import CheckpointRef

COPY_WEIGHTS = "/api/v1/copy_weights"


class ProjectEndpoints(EndpointGroup):
    """Sessions moved between projects, checkpoints copied into them."""

    async def assign_session_project(self, session_id: str, project_id: str) -> None:
        """Move a session, and with it its runs and samplers, to `project_id`."""
        endpoint = "PUT /api/v1/sessions/{id}/project"
        with self._learning(Capability.PROJECTS, endpoint, item=True):
            await self.transport.ensure_connected()
            await self._send_and_close(
                "PUT",
                api_path("sessions", session_id, "project"),
                endpoint,
                json_body={"project_id": project_id},
            )

    async def copy_weights(
        self,
        ref: CheckpointRef,
        project_id: str,
        ttl_seconds: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CopyWeightsResponse:
        """Copy a checkpoint into a project (a new run there); `ttl_seconds` sets the copy's
        expiry. One idempotency key covers every retry, so a retried copy is made once."""
        endpoint = f"POST {COPY_WEIGHTS}"
        body: dict[str, object] = {
            "source_path": self._ref(ref).path,
            "destination_project_id": project_id,
        }
        if ttl_seconds is not None:
            body["ttl_seconds"] = ttl_seconds
        key = idempotency_key or str(uuid.uuid4())
        with self._learning(Capability.COPY, endpoint):
            await self.transport.ensure_connected()
            resp = await self.transport.send(
                "POST", COPY_WEIGHTS, endpoint, json_body=body, headers={"X-Idempotency-Key": key}
            )
            return self.transport.parse(resp, CopyWeightsResponse, endpoint)
