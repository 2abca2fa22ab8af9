"""Wire records: round trips, both flavors' checkpoint shapes, tz-aware datetimes, strictness,
lenient sizes and counts, and what a server left out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec import ValidationError

from lazytinker.api.models import (
    Checkpoint,
    CheckpointsListResponse,
    Cursor,
    SessionSearchRequest,
    SessionSearchResponse,
    TrainingRun,
    TrainingRunsResponse,
    format_rfc3339,
)
from lazytinker.api.models.structs import convert_wire, decode_wire, wire_copy, wire_data

aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7))]),
)
text = st.text(min_size=1, max_size=20)
metadata = st.none() | st.dictionaries(text, text, max_size=3)


@st.composite
def checkpoints(draw: st.DrawFn) -> Checkpoint:
    kind = draw(st.sampled_from(["training", "sampler", "external"]))
    name = draw(st.text("abc0123_-", min_size=1, max_size=8))
    segment = {"training": "weights", "sampler": "sampler_weights", "external": "external_weights"}
    return Checkpoint(
        checkpoint_id=f"{segment[kind]}/{name}",
        checkpoint_type=kind,
        time=draw(aware),
        tinker_path=f"tinker://r:train:0/{segment[kind]}/{name}",
        size_bytes=draw(st.none() | st.integers(0, 2**50)),
        public=draw(st.booleans()),
        user_metadata=draw(metadata),
        expires_at=draw(st.none() | aware),
    )


@given(checkpoints())
def test_checkpoint_json_round_trip(checkpoint: Checkpoint) -> None:
    again = decode_wire(msgspec.json.encode(checkpoint), Checkpoint)
    assert again == checkpoint
    assert again.time.tzinfo is not None


@given(st.lists(checkpoints(), max_size=4), aware, metadata)
def test_training_runs_round_trip(
    last: list[Checkpoint], when: datetime, meta: dict[str, str] | None
) -> None:
    run = TrainingRun(
        training_run_id="s:train:0",
        base_model="m",
        model_owner="o",
        is_lora=True,
        last_request_time=when,
        last_checkpoint=last[0] if last else None,
        user_metadata=meta,
    )
    page = TrainingRunsResponse(
        training_runs=[run], cursor=Cursor(offset=0, limit=1, total_count=1)
    )
    assert decode_wire(msgspec.json.encode(page), TrainingRunsResponse) == page


def test_hpcai_checkpoint_shape() -> None:
    body = {
        "checkpoints": [
            {
                "checkpoint_id": "0001",
                "checkpoint_type": "training",
                "time": "2026-01-01T00:00:00",
                "checkpoint_path": "hpcai://r/training/0001",
                "unknown_extra": 1,
            }
        ]
    }
    (checkpoint,) = convert_wire(body, CheckpointsListResponse).checkpoints
    assert checkpoint.path == "hpcai://r/training/0001"
    assert checkpoint.time == datetime(2026, 1, 1, tzinfo=UTC)  # naive taken as UTC
    assert checkpoint.size_bytes is None
    assert checkpoint.public is False


def test_checkpoint_without_any_path_is_rejected() -> None:
    with pytest.raises(ValidationError, match="tinker_path or checkpoint_path"):
        convert_wire(
            {
                "checkpoint_id": "weights/1",
                "checkpoint_type": "training",
                "time": "2026-01-01T00:00:00Z",
            },
            Checkpoint,
        )


def test_datetimes_serialise_with_z() -> None:
    assert format_rfc3339(datetime(2026, 7, 13, tzinfo=UTC)) == "2026-07-13T00:00:00Z"
    plus_two = datetime(2026, 7, 13, 2, tzinfo=timezone(timedelta(hours=2)))
    assert format_rfc3339(plus_two) == "2026-07-13T02:00:00+02:00"


def test_session_search_minimal_body_and_cursor_round_trip() -> None:
    body = wire_data(SessionSearchRequest(), exclude_none=True)
    assert body == {"user_metadata": {}, "owner": {"type": "own"}, "limit": 50}
    response = convert_wire(
        {
            "sessions": [
                {
                    "session_id": "s1",
                    "created_at": "2026-01-01T00:00:00Z",
                    "owner": "u",
                    "project_id": "p",
                    "checkpoints_count": 2,
                    "status": {"type": "client_finished", "reason": {"type": "success"}},
                }
            ],
            "next_cursor": {"last_created_at": "2026-01-01T00:00:00Z", "last_session_id": "s1"},
        },
        SessionSearchResponse,
    )
    assert response.next_cursor is not None
    request = SessionSearchRequest(cursor=response.next_cursor)
    sent = wire_data(request, exclude_none=True)
    assert sent["cursor"] == {"last_created_at": "2026-01-01T00:00:00Z", "last_session_id": "s1"}


def test_odd_sizes_and_counts_do_not_fail_a_listing() -> None:
    body = {
        "training_runs": [
            {
                "training_run_id": "s:train:0",
                "base_model": "m",
                "last_request_time": 1_700_000_000,
                "lora_rank": "8",
                "last_checkpoint": {
                    "checkpoint_id": "weights/1",
                    "checkpoint_type": "training",
                    "tinker_path": "tinker://s:train:0/weights/1",
                    "size_bytes": "²",  # a digit to str.isdigit, not to int()
                },
            }
        ],
        "cursor": {"offset": "0", "limit": -5, "total_count": 1e3},
    }
    page = convert_wire(body, TrainingRunsResponse)
    (run,) = page.training_runs
    assert run.lora_rank == 8  # digits for a number, as pydantic's lax mode takes them
    assert run.last_request_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert run.last_checkpoint is not None
    assert run.last_checkpoint.size_bytes is None
    assert page.cursor == Cursor(offset=0, limit=0, total_count=1000)


def test_a_checkpoint_knows_what_the_server_left_out() -> None:
    path = "tinker://s:train:0/weights/1"
    raw = {"checkpoint_id": "weights/1", "checkpoint_type": "training", "tinker_path": path}
    silent = convert_wire(raw, Checkpoint)
    assert (silent.public, silent.expires_at) == (False, None)
    assert not silent.sent("public")
    assert not silent.sent("expires_at")
    told = convert_wire({**raw, "public": False, "expires_at": None}, Checkpoint)
    assert told.sent("public")
    assert told.sent("expires_at")
    published = wire_copy(silent, public=True)
    assert published.sent("public")
    assert not published.sent("expires_at")
    assert "unsent" not in wire_data(silent)  # never sent back
