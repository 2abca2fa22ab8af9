"""What every pydantic wire model shares: the base class, timestamps, sizes, counts, the error body.

Unknown fields are ignored; datetimes are always timezone-aware (a naive value from a server is
taken as UTC, and every datetime we emit carries `Z`). The records the start parses are msgspec
structs read by the same rules (`structs`, `values`).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
)

from lazytinker.api.models.values import (
    count_or_none,
    count_or_zero,
    ensure_aware,
    format_rfc3339,
)

Timestamp = Annotated[
    datetime,
    AfterValidator(ensure_aware),
    PlainSerializer(format_rfc3339, return_type=str, when_used="json"),
]
"""A timezone-aware datetime that serialises as RFC 3339 (`...Z`)."""


ByteCount = Annotated[int | None, BeforeValidator(count_or_none)]
"""A size in bytes that never fails a listing: what cannot be a size is unknown (`None`)."""

Count = Annotated[int, BeforeValidator(count_or_zero)]
"""A count that never fails a listing: what cannot be a count is 0."""


WIRE_AREAS = (
    "runs",
    "checkpoint_calls",
    "service",
    "server_info",
    "sessions",
    "session_details",
    "usage",
)
"""The submodules of `lazytinker.api.models` beside this one, each holding one area's models."""


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are ignored, as the official SDK does.

    Validators are built on first use (`defer_build`): the app parses a handful of these
    before its first frame, and building all of them at import cost ~30 ms of start-up.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


def build_models() -> None:
    """Build every wire model's validator now and stop deferring: the server does this before
    FastAPI wraps the models in its own adapters, which would otherwise inherit the deferral
    and warn on every request body."""
    # The package imports its submodules on first use: every wire model must exist to be built.
    for area in WIRE_AREAS:
        importlib.import_module(f"lazytinker.api.models.{area}")
    pending: list[type[BaseModel]] = [WireModel]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        cls.model_config["defer_build"] = False
        if cls is not WireModel:
            cls.model_rebuild()


class ErrorBody(WireModel):
    """The conventional error body, `{"detail": "..."}` (FastAPI style)."""

    detail: Any = None
