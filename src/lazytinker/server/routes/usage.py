"""Storage and billing usage: admin-only views (protocol.md §4.7); the audit log is in audit.py."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from lazytinker.api.models import (
    BillingUsageResponse,
    CurrentCheckpointStorageUsageResponse,
)
from lazytinker.server.auth import CallerDep, require_admin
from lazytinker.server.catalog import ME, OTHER, model_named
from lazytinker.server.routes.common import errors
from lazytinker.server.state import api_error, state_of
from lazytinker.server.views import iso, loads

__all__ = ["router"]

RATE_PER_GB_MONTH = 0.31
HOUR_MS = 3_600_000
FORBIDDEN = errors(400, 403)
router = APIRouter(prefix="/api/v1")
_PEOPLE = {ME.urn: ME, OTHER.urn: OTHER}


@router.get(
    "/billing/usage/checkpoints/current",
    response_model=CurrentCheckpointStorageUsageResponse,
    responses=FORBIDDEN,
)
def storage_usage(
    request: Request,
    caller: CallerDep,
    project_id: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """Checkpoint storage grouped by project and owner."""
    require_admin(caller, "Checkpoint storage usage")
    where, args = ("WHERE s.project_id = ?", [project_id]) if project_id is not None else ("", [])
    with state_of(request).db.tx() as conn:
        rows = conn.execute(
            "SELECT s.project_id AS project_id, c.owner AS owner, COUNT(*) AS n,"
            " COALESCE(SUM(c.size_bytes), 0) AS bytes FROM checkpoints c"
            " JOIN runs r ON r.id = c.run_id JOIN sessions s ON s.id = r.session_id"
            f" {where} GROUP BY s.project_id, c.owner ORDER BY s.project_id, c.owner",
            args,
        ).fetchall()
    data = []
    for row in rows:
        person = _PEOPLE.get(row["owner"])
        gigabytes = row["bytes"] / 1e9
        data.append(
            {
                "project_id": row["project_id"],
                "org_user_urn": row["owner"],
                "user_email": person.email if person else None,
                "user_name": person.name if person else None,
                "checkpoint_count": row["n"],
                "size_bytes": row["bytes"],
                "size_gigabytes": round(gigabytes, 6),
                "estimated_monthly_cost_usd": round(gigabytes * RATE_PER_GB_MONTH, 6),
            }
        )
    return JSONResponse({"effective_rate_usd_per_gigabyte_month": RATE_PER_GB_MONTH, "data": data})


def _hour_aligned(value: datetime, name: str) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if aware.minute or aware.second or aware.microsecond:
        raise api_error(400, f"{name} must be on a UTC hour boundary")
    return int(aware.timestamp() * 1000)


@router.get("/billing/usage/events", response_model=BillingUsageResponse, responses=FORBIDDEN)
def billing_usage(
    request: Request, caller: CallerDep, starting_on: datetime, ending_before: datetime
) -> JSONResponse:
    """Hourly usage rows of a window (≤ 14 days, hour-aligned), derived from checkpoint saves."""
    require_admin(caller, "Billing usage")
    start = _hour_aligned(starting_on, "starting_on")
    end = _hour_aligned(ending_before, "ending_before")
    state = state_of(request)
    if end <= start:
        raise api_error(400, "ending_before must be after starting_on")
    if end - start > 14 * 24 * HOUR_MS:
        raise api_error(400, "The window may span at most 14 days")
    if start > state.now_ms():
        raise api_error(400, "starting_on is in the future")
    with state.db.tx() as conn:
        rows = conn.execute(
            "SELECT c.time_ms / ? * ? AS bucket, r.session_id AS session_id, r.base_model AS model,"
            " c.owner AS owner, s.project_id AS project_id, s.user_metadata AS meta,"
            " COUNT(*) AS n FROM checkpoints c JOIN runs r ON r.id = c.run_id"
            " JOIN sessions s ON s.id = r.session_id WHERE c.time_ms >= ? AND c.time_ms < ?"
            " GROUP BY bucket, r.session_id, r.base_model ORDER BY bucket, r.session_id",
            (HOUR_MS, HOUR_MS, start, end),
        ).fetchall()
    data: list[dict[str, Any]] = []
    sessions: dict[str, Any] = {}
    for row in rows:
        rng = random.Random(f"{row['session_id']}:{row['bucket']}")
        rate = round(0.2 + model_named(row["model"]).params_b * 0.01, 4)
        tokens = row["n"] * rng.randint(200_000, 2_000_000)
        person = _PEOPLE.get(row["owner"])
        common = {
            "bucket_start": iso(row["bucket"]),
            "bucket_end": iso(row["bucket"] + HOUR_MS),
            "base_model": row["model"],
            "user_id": row["owner"],
            "user_name": person.name if person else None,
            "session_id": row["session_id"],
            "project_id": row["project_id"],
        }
        sampled = tokens // rng.randint(3, 12)
        for info, count in (
            ({"type": "training", "token_count": tokens}, tokens),
            ({"type": "sampling_sample", "token_count": sampled}, sampled),
        ):
            data.append(
                {
                    **common,
                    "estimated_cost_usd": round(rate * count / 1e6, 6),
                    "effective_rate_usd_per_million_tokens": rate,
                    "event_info": info,
                }
            )
        data.append({**common, "event_info": {"type": "checkpoint", "count": row["n"]}})
        sessions[row["session_id"]] = {"user_metadata": loads(row["meta"])}
    return JSONResponse(
        {"data": data, "sessions": sessions, "cost_data_through": iso(state.now_ms())}
    )
