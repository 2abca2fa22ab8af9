"""Projects: moving a session (and its runs) to a project, copying a checkpoint into one.

Neither is optimistic: the server decides (403 when the key may not use the project), and the
rows change only once it has said yes.
"""

from __future__ import annotations

import uuid

import msgspec

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.models.structs import wire_copy
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult, SessionInfo
from lazytinker.store.state import StoreState


class Projects:
    """Moves sessions between projects and copies checkpoints into them."""

    def __init__(self, state: StoreState, api: StoreAPI) -> None:
        self.state = state
        self.api = api

    async def move_session(self, session_id: str, project_id: str) -> ActionResult:
        """Move a session to `project_id`; its row and its runs' rows show the new project."""
        state = self.state
        try:
            await self.api.assign_session_project(session_id, project_id)
        except LazytinkerError as error:
            message = f"Could not move session {session_id} to {project_id}: {error}"
            state.notify(message, "error")
            return ActionResult(session_id, False, message)
        info = state.sessions.get(session_id) or SessionInfo(session_id=session_id)
        state.announce(state.sessions.put(_with_project(info, project_id)))
        moved = [
            wire_copy(run, project_id=project_id)
            for run_id in state.runs_of_session(session_id)
            if (run := state.runs.get(run_id)) is not None
        ]
        state.announce(state.runs.merge(moved))
        state.notify(f"Moved session {session_id} to project {project_id}")
        return ActionResult(session_id, True)

    async def copy_checkpoint(
        self, ref: CheckpointRef, project_id: str, ttl_seconds: int | None
    ) -> ActionResult:
        """Copy a checkpoint into `project_id` (expiring after `ttl_seconds`, or never).

        One idempotency key for the call and all its retries: the copy is made once.
        """
        state = self.state
        try:
            got = await self.api.copy_weights(
                ref, project_id, ttl_seconds, idempotency_key=str(uuid.uuid4())
            )
        except LazytinkerError as error:
            message = f"Could not copy {ref.path} to {project_id}: {error}"
            state.notify(message, "error")
            return ActionResult(ref.path, False, message)
        state.notify(f"Copied {ref.path} to project {project_id}: {got.tinker_path}")
        return ActionResult(got.tinker_path, True)


def _with_project(info: SessionInfo, project_id: str) -> SessionInfo:
    return msgspec.structs.replace(info, project_id=project_id)
