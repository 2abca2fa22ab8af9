"""One session or sampler looked up, a project assignment, a trace export (protocol.md §3). Apart
from `sessions`, whose search the start-up parses."""

from __future__ import annotations

from typing import Literal

from lazytinker.api.models.base import WireModel
from lazytinker.api.models.values import Metadata


class GetSessionResponse(WireModel):
    """One session: its runs and samplers."""

    training_run_ids: list[str]
    sampler_ids: list[str]
    user_metadata: Metadata | None = None
    display_name: str | None = None


class ListSessionsResponse(WireModel):
    """Session ids only; no cursor."""

    sessions: list[str]


class GetSamplerResponse(WireModel):
    """One sampler."""

    sampler_id: str
    base_model: str
    model_path: str | None = None


class ProjectAssignment(WireModel):
    """Body of `PUT /api/v1/sessions/{id}/project`."""

    project_id: str


class TraceExportResponse(WireModel):
    """State of a session's trace export job."""

    status: Literal["pending", "ready", "failed"]
    url: str | None = None
    error: str | None = None
