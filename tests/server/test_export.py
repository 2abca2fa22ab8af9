"""The export flow of `tinker checkpoint download`, driven over raw HTTP: sessions, load_weights,
get_info, save_weights_external, futures, signed files, delete, finish."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lazytinker.api.models import CheckpointsListResponse, SessionSearchResponse
from lazytinker.api.models.structs import convert_wire
from lazytinker.api.training_models import GetInfoResponse
from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer
from tests.server.exporting import (
    KEY,
    SESSION_BODY,
    checkpoint_url,
    export_checkpoint,
    outcome,
    smallest_training_checkpoint,
)


@pytest.fixture
def api(start_server: StartServer) -> Iterator[httpx.Client]:
    """A client of a server whose futures answer `try_again` once before their outcome."""
    server: ServerThread = start_server(future_pending_polls=1)
    with httpx.Client(base_url=server.url, headers=KEY) as client:
        yield client


def _session(api: httpx.Client, session_id: str) -> dict[str, Any]:
    body = api.post("/api/v1/sessions/search", json={"session_id": session_id}).json()
    found = convert_wire(body, SessionSearchResponse).sessions
    assert [s.session_id for s in found] == [session_id]
    summary: dict[str, Any] = body["sessions"][0]
    return summary


def _checkpoints(api: httpx.Client, run_id: str) -> list[str]:
    body = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()
    return [c.tinker_path for c in convert_wire(body, CheckpointsListResponse).checkpoints]


def test_export_flow_end_to_end(api: httpx.Client) -> None:
    path = smallest_training_checkpoint(api)
    source_run = api.get(f"/api/v1/training_runs/{path.split('/')[2]}").json()
    unknown = api.post("/api/v1/retrieve_future", json={"request_id": "nope"})
    assert unknown.status_code == 404
    done = export_checkpoint(api, path)

    # The session is open, listed, and holds the new run with the checkpoint's model and rank.
    assert _session(api, done.session_id)["status"] == {"type": "active"}
    assert done.session_id in api.get("/api/v1/sessions").json()["sessions"]
    heartbeat = api.post("/api/v1/session_heartbeat", json={"session_id": done.session_id})
    assert heartbeat.json() == {"type": "session_heartbeat"}
    session = api.get(f"/api/v1/sessions/{done.session_id}").json()
    assert session["training_run_ids"] == [f"{done.session_id}:train:0"] == [done.model_id]
    run = api.get(f"/api/v1/training_runs/{done.model_id}").json()
    assert (run["base_model"], run["lora_rank"]) == (
        source_run["base_model"],
        source_run["lora_rank"],
    )
    info = GetInfoResponse.model_validate(
        api.post("/api/v1/get_info", json={"model_id": done.model_id}).json()
    )
    assert (info.model_data.model_name, info.lora_rank) == (run["base_model"], run["lora_rank"])

    # The export is an external_weights checkpoint whose files add up to its size.
    assert done.export_path == f"tinker://{done.model_id}/external_weights/download"
    assert _checkpoints(api, done.model_id) == [done.export_path]
    assert set(done.files) == {"adapter_config.json", "adapter_model.safetensors"}
    assert sum(len(data) for data in done.files.values()) == done.size_bytes
    config = json.loads(done.files["adapter_config.json"])
    assert (config["r"], config["base_model_name_or_path"]) == (run["lora_rank"], run["base_model"])
    header_length = int.from_bytes(done.files["adapter_model.safetensors"][:8], "little")
    header = json.loads(done.files["adapter_model.safetensors"][8 : 8 + header_length])
    assert header["__metadata__"]["base_model"] == run["base_model"]
    ttl = api.put(checkpoint_url(done.export_path) + "/ttl", json={"ttl_seconds": 3600})
    assert ttl.status_code == 200

    # The same checkpoint exported again gives the same bytes.
    again = export_checkpoint(api, path, name="again")
    assert again.files == done.files

    # Delete the export and finish the session: nothing external is left, the session is done.
    assert api.delete(checkpoint_url(done.export_path)).status_code == 200
    assert _checkpoints(api, done.model_id) == []
    finish = api.post(
        f"/api/v1/sessions/{done.session_id}/finish",
        json={"reason": {"type": "success"}, "detail": None},
    )
    assert finish.status_code == 200
    finished = {"type": "client_finished", "reason": {"type": "success"}, "detail": None}
    assert _session(api, done.session_id)["status"] == finished
    # The first reason wins; a finished session refuses heartbeats and work with 410.
    api.post(f"/api/v1/sessions/{done.session_id}/finish", json={"reason": {"type": "errored"}})
    assert _session(api, done.session_id)["status"] == finished
    assert (
        api.post("/api/v1/session_heartbeat", json={"session_id": done.session_id}).status_code
        == 410
    )
    refused = api.post(
        "/api/v1/save_weights_external", json={"model_id": done.model_id, "path": "late"}
    )
    assert refused.status_code == 410
    assert "finished" in refused.json()["detail"]


def test_try_again_comes_before_the_outcome(api: httpx.Client) -> None:
    session_id = api.post("/api/v1/create_session", json=SESSION_BODY).json()["session_id"]
    handle = api.post(
        "/api/v1/create_model",
        json={
            "session_id": session_id,
            "model_seq_id": 3,
            "base_model": "meta-llama/Llama-3.2-1B",
            "lora_config": {"rank": 16},
        },
    ).json()
    request = {"request_id": handle["request_id"]}
    busy = api.post("/api/v1/retrieve_future", json=request).json()
    assert busy == {
        "type": "try_again",
        "request_id": handle["request_id"],
        "queue_state": "active",
    }
    model_id = f"{session_id}:train:3"
    done = {"type": "create_model", "model_id": model_id}
    assert api.post("/api/v1/retrieve_future", json=request).json() == done
    # A retried poll gets the same answer.
    assert api.post("/api/v1/retrieve_future", json=request).json() == done
    run = api.get(f"/api/v1/training_runs/{model_id}").json()
    assert (run["base_model"], run["lora_rank"]) == ("meta-llama/Llama-3.2-1B", 16)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("tinker://nope:train:0/weights/step-000010", "not found"),
        ("hpcai://run/training/x", "Only training checkpoints"),
        ("not a path", "Invalid checkpoint path"),
    ],
)
def test_unloadable_checkpoints_fail_their_future(
    api: httpx.Client, path: str, reason: str
) -> None:
    session_id = api.post("/api/v1/create_session", json=SESSION_BODY).json()["session_id"]
    body = {"session_id": session_id, "model_seq_id": 0, "path": path, "optimizer": False}
    failed = outcome(api, api.post("/api/v1/load_weights", json=body).json())
    assert failed["category"] == "user"
    assert reason in failed["error"]
    assert api.get(f"/api/v1/sessions/{session_id}").json()["training_run_ids"] == []


def test_sampler_checkpoints_do_not_load(api: httpx.Client) -> None:
    sampler = next(
        c
        for c in api.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
        if c["checkpoint_type"] == "sampler"
    )
    session_id = api.post("/api/v1/create_session", json=SESSION_BODY).json()["session_id"]
    body = {"session_id": session_id, "model_seq_id": 0, "path": sampler["tinker_path"]}
    failed = outcome(
        api, api.post("/api/v1/load_weights", json={**body, "optimizer": False}).json()
    )
    assert "Only training checkpoints" in failed["error"]


@pytest.mark.parametrize(
    ("export", "reason"),
    [
        ({"path": "a/b"}, "Invalid checkpoint name"),
        ({"path": "x", "ttl_seconds": 60}, "ttl_seconds"),
        ({"path": "x", "age_encryption_recipients": ["age1xyz"]}, "age encryption"),
        ({"path": "first"}, "already exists"),
    ],
)
def test_refused_exports_fail_their_future(
    api: httpx.Client, export: dict[str, Any], reason: str
) -> None:
    done = export_checkpoint(api, smallest_training_checkpoint(api), name="first")
    body = {"model_id": done.model_id, **export}
    failed = outcome(api, api.post("/api/v1/save_weights_external", json=body).json())
    assert failed["category"] == "user"
    assert reason in failed["error"]
    assert _checkpoints(api, done.model_id) == [done.export_path]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("session_heartbeat", {"session_id": "nope"}),
        ("load_weights", {"session_id": "nope", "model_seq_id": 0, "path": "tinker://r/weights/x"}),
        ("load_weights", {"model_id": "nope:train:0", "path": "tinker://r/weights/x"}),
        ("get_info", {"model_id": "nope:train:0"}),
        ("save_weights_external", {"model_id": "nope:train:0", "path": "x"}),
        ("create_model", {"session_id": "nope", "model_seq_id": 0, "base_model": "x"}),
        ("sessions/nope/finish", {"reason": {"type": "success"}}),
    ],
)
def test_unknown_sessions_and_models_are_404(
    api: httpx.Client, route: str, body: dict[str, Any]
) -> None:
    response = api.post(f"/api/v1/{route}", json=body)
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_load_needs_an_address(api: httpx.Client) -> None:
    response = api.post("/api/v1/load_weights", json={"path": "tinker://r/weights/x"})
    assert response.status_code == 400
    assert "session_id" in response.json()["detail"]


def test_unknown_project_is_403(api: httpx.Client) -> None:
    response = api.post("/api/v1/create_session", json={**SESSION_BODY, "project_id": "theirs"})
    assert response.status_code == 403
    assert "theirs" in response.json()["detail"]


def test_a_model_seq_id_names_one_model(api: httpx.Client) -> None:
    path = smallest_training_checkpoint(api)
    base_model = api.get(f"/api/v1/training_runs/{path.split('/')[2]}").json()["base_model"]
    other = next(m for m in ("meta-llama/Llama-3.2-1B", "Qwen/Qwen3-8B") if m != base_model)
    session_id = api.post("/api/v1/create_session", json=SESSION_BODY).json()["session_id"]
    create = {"session_id": session_id, "model_seq_id": 0, "base_model": other}
    created = outcome(api, api.post("/api/v1/create_model", json=create).json())
    assert created == {"type": "create_model", "model_id": f"{session_id}:train:0"}
    # The same request again (a retry) is the same model; a load into that seq id is refused.
    assert outcome(api, api.post("/api/v1/create_model", json=create).json()) == created
    load = {"session_id": session_id, "model_seq_id": 0, "path": path, "optimizer": False}
    refused = outcome(api, api.post("/api/v1/load_weights", json=load).json())
    assert "already exists" in refused["error"]
    run = api.get(f"/api/v1/training_runs/{session_id}:train:0").json()
    assert run["base_model"] == other
    unoffered = outcome(
        api, api.post("/api/v1/create_model", json={**create, "base_model": "acme/none"}).json()
    )
    assert "not offered" in unoffered["error"]
