"""SDK 0.38 routes: apikey/me, copy_weights, the audit log's redirect, projects, base_model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lazytinker.api.models import ApiKeyMeResponse, AuditLogResponse, TrainingRunsResponse
from lazytinker.api.models.structs import convert_wire, wire_data
from lazytinker.server.catalog import ME, ORG_NAME
from lazytinker.server.runner import ServerThread

ADMIN = {"X-API-Key": "tml-demo"}
MEMBER = {"X-API-Key": "tml-user"}


def _api(server: ServerThread, headers: dict[str, str] = ADMIN) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=headers)


def _runs(api: httpx.Client, query: str = "") -> list[dict[str, Any]]:
    page = api.get(f"/api/v1/training_runs?limit=1000{query}").json()
    return list(wire_data(convert_wire(page, TrainingRunsResponse))["training_runs"])


def test_apikey_me(server: ServerThread) -> None:
    with _api(server) as api:
        me = ApiKeyMeResponse.model_validate(api.get("/api/v1/auth/apikey/me").json())
    assert me.details.user_details.email == ME.email
    assert me.details.org_details.name == ORG_NAME
    assert "admin" in me.name
    with _api(server, MEMBER) as api:
        member = ApiKeyMeResponse.model_validate(api.get("/api/v1/auth/apikey/me").json())
    assert "member" in member.name
    assert member.key_id != me.key_id
    assert "tml-" not in member.name + member.note
    for headers in ({}, {"X-API-Key": "tml-wrong"}):
        refused = httpx.get(f"{server.url}/api/v1/auth/apikey/me", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["detail"]


def test_apikey_me_without_the_jwt_exchange(start_server: Any) -> None:
    server = start_server(jwt=True)
    raw = httpx.get(f"{server.url}/api/v1/auth/apikey/me", headers=ADMIN)
    assert raw.status_code == 200
    token = httpx.post(f"{server.url}/api/v1/auth/token", json={}, headers=ADMIN).json()["jwt"]
    jwt = httpx.get(f"{server.url}/api/v1/auth/apikey/me", headers={"X-API-Key": token})
    assert jwt.status_code == 401
    assert "not an API key" in jwt.json()["detail"]


def test_runs_carry_their_project_and_follow_a_move(server: ServerThread) -> None:
    with _api(server) as api:
        runs = _runs(api)
        assert {run["project_id"] for run in runs} <= {"proj-research", "proj-prod"}
        run = runs[0]
        session = run["training_run_id"].split(":")[0]
        siblings = api.get(f"/api/v1/sessions/{session}").json()["training_run_ids"]
        moved = api.put(f"/api/v1/sessions/{session}/project", json={"project_id": "proj-eval"})
        assert moved.status_code == 200
        in_eval = _runs(api, "&project_id=proj-eval")
        assert sorted(r["training_run_id"] for r in in_eval) == sorted(siblings)
        assert all(r["project_id"] == "proj-eval" for r in in_eval)
        single = api.get(f"/api/v1/training_runs/{run['training_run_id']}").json()
        assert single["project_id"] == "proj-eval"
        refused = api.put(f"/api/v1/sessions/{session}/project", json={"project_id": "proj-x"})
        assert refused.status_code == 403


def test_checkpoints_name_their_base_model(server: ServerThread) -> None:
    with _api(server) as api:
        runs = {run["training_run_id"]: run for run in _runs(api)}
        for run in runs.values():
            if run["last_checkpoint"]:
                assert run["last_checkpoint"]["base_model"] == run["base_model"]
        run_id = next(iter(runs))
        listed = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
        assert listed
        assert {c["base_model"] for c in listed} == {runs[run_id]["base_model"]}
        mine = api.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
        for checkpoint in mine:
            owner = checkpoint["tinker_path"].removeprefix("tinker://").split("/")[0]
            assert checkpoint["base_model"] == runs[owner]["base_model"]


def test_hpcai_checkpoints_stay_minimal(start_server: Any) -> None:
    server = start_server(flavor="hpcai")
    with _api(server) as api:
        run = api.get("/api/v1/training_runs?limit=1").json()["training_runs"][0]
    assert "project_id" not in run
    assert run["last_checkpoint"] is None or "base_model" not in run["last_checkpoint"]


def _source(api: httpx.Client) -> dict[str, Any]:
    mine = api.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
    return next(
        c for c in mine if c["expires_at"] is not None and c["checkpoint_type"] == "sampler"
    )


def test_copy_weights_into_a_project(server: ServerThread) -> None:
    with _api(server) as api:
        source = _source(api)
        before = len(_runs(api))
        body = {"source_path": source["tinker_path"], "destination_project_id": "proj-eval"}
        copied = api.post("/api/v1/copy_weights", json=body)
        assert copied.status_code == 200, copied.text
        path = copied.json()["tinker_path"]
        run_id, segment, name = path.removeprefix("tinker://").split("/")
        assert (segment, name) == tuple(source["tinker_path"].rsplit("/", 2)[1:])
        assert run_id != source["tinker_path"].removeprefix("tinker://").split("/")[0]
        assert len(_runs(api)) == before + 1
        run = api.get(f"/api/v1/training_runs/{run_id}").json()
        assert run["project_id"] == "proj-eval"
        assert run["base_model"] == source["base_model"]
        (copy,) = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
        assert copy["size_bytes"] == source["size_bytes"]
        assert copy["expires_at"] is None  # the source's expiry is not inherited
        assert copy["public"] is False
        with_ttl = api.post("/api/v1/copy_weights", json={**body, "ttl_seconds": 7200}).json()
        later = with_ttl["tinker_path"].removeprefix("tinker://").split("/")[0]
        (expiring,) = api.get(f"/api/v1/training_runs/{later}/checkpoints").json()["checkpoints"]
        assert expiring["expires_at"] is not None


def test_copy_weights_honours_the_idempotency_key(server: ServerThread) -> None:
    with _api(server) as api:
        source = _source(api)
        body = {"source_path": source["tinker_path"], "destination_project_id": "proj-prod"}
        key = {"X-Idempotency-Key": "3f0c5e1e-9d7a-4a55-9d1e-2f4a3c1b0d9e"}
        before = len(_runs(api))
        first = api.post("/api/v1/copy_weights", json=body, headers=key).json()
        again = api.post("/api/v1/copy_weights", json=body, headers=key).json()
        assert first == again
        assert len(_runs(api)) == before + 1
        other = api.post("/api/v1/copy_weights", json={**body, "ttl_seconds": 3600}, headers=key)
        assert other.status_code == 422
        fresh = api.post("/api/v1/copy_weights", json=body).json()
        assert fresh != first


def test_copy_weights_into_a_session_slot(server: ServerThread) -> None:
    with _api(server) as api:
        source = _source(api)
        run_id = source["tinker_path"].removeprefix("tinker://").split("/")[0]
        session = run_id.split(":")[0]
        slots = len(api.get(f"/api/v1/sessions/{session}").json()["training_run_ids"])
        body = {"source_path": source["tinker_path"], "session_id": session, "model_seq_id": 99}
        copied = api.post("/api/v1/copy_weights", json=body).json()["tinker_path"]
        assert copied.startswith(f"tinker://{session}:train:99/")
        assert len(api.get(f"/api/v1/sessions/{session}").json()["training_run_ids"]) == slots + 1
        taken = api.post("/api/v1/copy_weights", json=body)
        assert taken.status_code == 400


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"destination_project_id": "proj-nope"}, 403),
        ({"source_path": "tinker://nope/weights/x"}, 404),
        ({"source_path": "s3://bucket/x"}, 400),
        ({"ttl_seconds": 10}, 400),
        ({"destination_project_id": None}, 400),
        ({"destination_project_id": None, "session_id": "nope", "model_seq_id": 1}, 404),
        ({"destination_project_id": None, "session_id": "nope"}, 400),
    ],
)
def test_copy_weights_refusals(server: ServerThread, change: dict[str, Any], status: int) -> None:
    with _api(server) as api:
        body = {"source_path": _source(api)["tinker_path"], "destination_project_id": "proj-eval"}
        body.update(change)
        refused = api.post("/api/v1/copy_weights", json={k: v for k, v in body.items() if v})
        assert refused.status_code == status, refused.text
        assert refused.json()["detail"]


def _audit(api: httpx.Client, query: str = "") -> AuditLogResponse:
    hop = api.get(f"/api/v1/audit{query}")
    assert hop.status_code == 302
    location = hop.headers["location"]
    assert "/signed/audit?" in location
    log = httpx.get(location)  # a signed URL: no key
    assert log.status_code == 200
    return AuditLogResponse.model_validate(log.json())


def test_audit_log_records_what_happened(start_server: Any) -> None:
    server = start_server(now=datetime.now(UTC))
    with _api(server) as api:
        assert _audit(api).entries == []
        mine = api.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
        target = next(c for c in mine if not c["public"] and c["checkpoint_type"] == "training")
        external = next(c for c in mine if c["checkpoint_type"] == "external")
        run_id = target["tinker_path"].removeprefix("tinker://").split("/")[0]
        base = f"/api/v1/training_runs/{run_id}/checkpoints/{target['checkpoint_id']}"
        assert api.post(f"{base}/publish").status_code == 200
        assert api.delete(f"{base}/publish").status_code == 200
        assert api.put(f"{base}/ttl", json={"ttl_seconds": 7200}).status_code == 200
        assert api.get(f"{base}/archive").status_code == 302
        ext_run = external["tinker_path"].removeprefix("tinker://").split("/")[0]
        ext_url = f"/api/v1/training_runs/{ext_run}/checkpoints/{external['checkpoint_id']}"
        assert api.get(f"{ext_url}/external_weights_urls").status_code == 200
        body = {"source_path": target["tinker_path"], "destination_project_id": "proj-eval"}
        copied = api.post("/api/v1/copy_weights", json=body).json()["tinker_path"]
        assert api.delete(base).status_code == 200
        log = _audit(api)
    events = [(entry.event, entry.tinker_path) for entry in log.entries]
    path = target["tinker_path"]
    assert events == [
        ("checkpoint_publish", path),
        ("checkpoint_unpublish", path),
        ("checkpoint_set_ttl", path),
        ("checkpoint_read", path),
        ("checkpoint_read", external["tinker_path"]),
        ("checkpoint_copy", path),
        ("checkpoint_delete", path),
    ]
    reads = [entry for entry in log.entries if entry.event == "checkpoint_read"]
    assert {entry.purpose for entry in reads} == {"download"}
    copy = next(entry for entry in log.entries if entry.event == "checkpoint_copy")
    assert copy.event_details["destination_tinker_path"] == copied
    assert copy.event_details["actor"] == ME.urn
    assert copy.model_id == run_id
    stamps = [entry.timestamp for entry in log.entries]
    assert stamps == sorted(stamps)


def test_audit_log_by_day_and_type(start_server: Any) -> None:
    server = start_server(now=datetime.now(UTC), api_keys=("tml-demo", "tml-user"))
    with _api(server) as api:
        target = api.get("/api/v1/checkpoints?limit=1").json()["checkpoints"][0]
        run_id = target["tinker_path"].removeprefix("tinker://").split("/")[0]
        base = f"/api/v1/training_runs/{run_id}/checkpoints/{target['checkpoint_id']}"
        api.put(f"{base}/ttl", json={"ttl_seconds": 7200})
        assert len(_audit(api, "?event_type=checkpoints").entries) == 1
        assert _audit(api, "?event_type=projects").entries == []
        assert _audit(api, "?day=2001-01-01").entries == []
        location = api.get("/api/v1/audit").headers["location"]
    forged = httpx.get(location.replace("event_type=all", "event_type=projects"))
    assert forged.status_code == 403
    refused = httpx.get(f"{server.url}/api/v1/audit", headers=MEMBER)
    assert refused.status_code == 403
