"""The session, model and future routes the official 0.38 CLI uses to export a training checkpoint
(protocol.md §5, §8.4): create a session, keep it alive, load a checkpoint into a new run, save
that run as external weights, poll the futures, finish the session.

Calls that create something on the server are sent once (a repeat could make a second session
or run); polls, heartbeats, info and finishing are safe to repeat.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup, api_path
from lazytinker.api.models.base import WireModel
from lazytinker.api.training_models import (
    CreateSessionRequest,
    CreateSessionResponse,
    FinishSessionRequest,
    FutureHandle,
    FutureRetrieveRequest,
    GetInfoRequest,
    GetInfoResponse,
    LoadWeightsRequest,
    SaveWeightsExternalRequest,
    SessionEndReason,
    SessionHeartbeatRequest,
)

__all__ = ["FutureAnswer", "TrainingEndpoints"]

M = TypeVar("M", bound=BaseModel)

FinishType = Literal["success", "errored", "interrupted"]


class FutureAnswer(WireModel):
    """What `retrieve_future` answers, whatever the future was: `try_again`, a result (its
    `type` and the fields this client reads), or a failure (`error`, `category`)."""

    type: str | None = None
    queue_state: str | None = None
    error: str | None = None
    category: str | None = None
    path: str | None = None
    model_id: str | None = None
    size_bytes: int | None = None

    @property
    def pending(self) -> bool:
        """Not done yet: ask again."""
        return self.type == "try_again"


class TrainingEndpoints(EndpointGroup):
    """Sessions, model loading, external-weights export and futures of one service."""

    async def create_session(self, sdk_version: str) -> str:
        """A new session (with no tags or metadata, as the official CLI makes it); its id."""
        self._require(Capability.EXTERNAL_WEIGHTS)
        body = CreateSessionRequest(tags=[], user_metadata={}, sdk_version=sdk_version)
        answer = await self._post(
            "/api/v1/create_session",
            body.model_dump(mode="json"),
            CreateSessionResponse,
            idempotent=False,
        )
        return answer.session_id

    async def heartbeat(self, session_id: str) -> None:
        """Tell the server the session is still in use (every 10 s)."""
        body = SessionHeartbeatRequest(session_id=session_id).model_dump(mode="json")
        await self.transport.ensure_connected()
        await self._send_and_close(
            "POST", "/api/v1/session_heartbeat", "POST /api/v1/session_heartbeat", json_body=body
        )

    async def finish_session(
        self, session_id: str, reason: FinishType, detail: str | None = None
    ) -> None:
        """End the session, saying why (the first reason given wins)."""
        body = FinishSessionRequest(reason=SessionEndReason(type=reason), detail=detail)
        await self.transport.ensure_connected()
        await self._send_and_close(
            "POST",
            api_path("sessions", session_id, "finish"),
            "POST /api/v1/sessions/{id}/finish",
            json_body=body.model_dump(mode="json"),
        )

    async def load_weights(self, session_id: str, path: str, created_by: str) -> FutureHandle:
        """Load a training checkpoint into a new run `{session_id}:train:0` (a future)."""
        body = LoadWeightsRequest(
            session_id=session_id,
            model_seq_id=0,
            user_metadata={"created_by": created_by},
            path=path,
            optimizer=False,
        ).model_dump(mode="json", exclude_none=True)
        return await self._post("/api/v1/load_weights", body, FutureHandle, idempotent=False)

    async def retrieve_future(self, request_id: str) -> FutureAnswer:
        """One poll of a future."""
        body = FutureRetrieveRequest(request_id=request_id, allow_metadata_only=True)
        return await self._post(
            "/api/v1/retrieve_future", body.model_dump(mode="json"), FutureAnswer
        )

    async def get_info(self, model_id: str) -> GetInfoResponse:
        """What the new run is (base model, LoRA rank)."""
        body = GetInfoRequest(model_id=model_id).model_dump(mode="json")
        return await self._post("/api/v1/get_info", body, GetInfoResponse)

    async def save_weights_external(
        self, model_id: str, name: str, ttl_seconds: int
    ) -> FutureHandle:
        """Export a run's weights as external weights named `name` (a future)."""
        body = SaveWeightsExternalRequest(
            model_id=model_id, path=name, seq_id=1, ttl_seconds=ttl_seconds
        ).model_dump(mode="json", exclude_none=True)
        return await self._post(
            "/api/v1/save_weights_external", body, FutureHandle, idempotent=False
        )

    async def _post(self, path: str, body: object, model: type[M], *, idempotent: bool = True) -> M:
        """POST a JSON body and parse the answer as `model`."""
        await self.transport.ensure_connected()
        endpoint = f"POST {path}"
        resp = await self.transport.send(
            "POST", path, endpoint, json_body=body, idempotent=idempotent
        )
        return self.transport.parse(resp, model, endpoint)
