"""Every browsing and management route of the tinker flavor, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from lazytinker.api.models import (
    CheckpointsListResponse,
    GetSamplerResponse,
    GetServerCapabilitiesResponse,
    GetSessionResponse,
    ListSessionsResponse,
    TrainingRun,
    TrainingRunsResponse,
    WeightsInfoResponse,
)
from lazytinker.api.models.structs import convert_wire
from lazytinker.server.catalog import ME, OTHER
from lazytinker.server.runner import ServerThread

KEY = {"X-API-Key": "tml-demo"}


@pytest.fixture
def api(server: ServerThread) -> httpx.Client:
    """An httpx client on the default server, authenticated as the demo user."""
    with httpx.Client(base_url=server.url, headers=KEY, timeout=10) as client:
        yield client


def _my_checkpoints(api: httpx.Client) -> CheckpointsListResponse:
    return convert_wire(api.get("/api/v1/checkpoints?limit=1000").json(), CheckpointsListResponse)


def test_startup_endpoints(api: httpx.Client) -> None:
    config = api.post("/api/v1/client/config", json={"sdk_version": "0.38.0"})
    assert config.status_code == 200
    assert config.json()["pjwt_auth_enabled"] is False
    dynamic = api.post("/api/v1/client/dynamic_config", json={"sdk_version": "0.38.0"})
    assert dynamic.json()["refresh_interval_sec"] == 300
    assert api.post("/api/v1/auth/token", json={}).status_code == 404
    assert api.post("/api/v1/telemetry", json={"events": []}).json() == {"status": "accepted"}
    assert api.get("/api/v1/healthz").json() == {"status": "ok"}


def test_capabilities(api: httpx.Client) -> None:
    caps = GetServerCapabilitiesResponse.model_validate(
        api.get("/api/v1/get_server_capabilities").json()
    )
    names = [model.model_name for model in caps.supported_models]
    assert "meta-llama/Llama-3.1-8B" in names
    assert all(model.max_context_length for model in caps.supported_models)


@pytest.mark.parametrize("key", [None, "tml-wrong", "eyJbogus.x.y"])
def test_bad_key_is_401_with_json(server: ServerThread, key: str | None) -> None:
    headers = {"X-API-Key": key} if key else {}
    response = httpx.get(f"{server.url}/api/v1/training_runs", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_runs_owned_and_accessible(api: httpx.Client) -> None:
    owned = convert_wire(api.get("/api/v1/training_runs?limit=100").json(), TrainingRunsResponse)
    assert owned.training_runs
    assert {run.model_owner for run in owned.training_runs} == {ME.urn}
    assert owned.cursor.total_count == len(owned.training_runs)
    everyone = convert_wire(
        api.get("/api/v1/training_runs?limit=100&access_scope=accessible").json(),
        TrainingRunsResponse,
    )
    assert {run.model_owner for run in everyone.training_runs} == {ME.urn, OTHER.urn}
    assert everyone.cursor.total_count > owned.cursor.total_count
    for run in everyone.training_runs:
        assert ":train:" in run.training_run_id
        assert run.last_request_time.tzinfo is not None


def test_runs_by_project(api: httpx.Client) -> None:
    page = api.get("/api/v1/training_runs?limit=100&access_scope=accessible&project_id=proj-eval")
    runs = convert_wire(page.json(), TrainingRunsResponse)
    assert runs.training_runs
    assert {run.model_owner for run in runs.training_runs} == {OTHER.urn}
    none = api.get("/api/v1/training_runs?project_id=no-such-project").json()
    assert none["training_runs"] == []
    assert none["cursor"]["total_count"] == 0


def test_run_pages_cover_every_run_once(api: httpx.Client) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = api.get(f"/api/v1/training_runs?limit=5&offset={offset}&access_scope=accessible")
        body = convert_wire(page.json(), TrainingRunsResponse)
        seen += [run.training_run_id for run in body.training_runs]
        offset += 5
        if offset >= body.cursor.total_count:
            break
    assert len(seen) == len(set(seen)) == body.cursor.total_count


def test_get_run_and_its_checkpoints(api: httpx.Client) -> None:
    runs = api.get("/api/v1/training_runs?limit=1").json()["training_runs"]
    run_id = runs[0]["training_run_id"]
    run = convert_wire(api.get(f"/api/v1/training_runs/{run_id}").json(), TrainingRun)
    assert run.training_run_id == run_id
    listing = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()
    assert listing["cursor"] is None
    checkpoints = convert_wire(listing, CheckpointsListResponse).checkpoints
    assert checkpoints
    for ckpt in checkpoints:
        assert ckpt.path.startswith(f"tinker://{run_id}/")
        assert ckpt.checkpoint_id == ckpt.path.split("/", 3)[3]
    assert api.get("/api/v1/training_runs/no:train:9").status_code == 404


def test_other_users_run_needs_accessible_scope(api: httpx.Client) -> None:
    page = api.get("/api/v1/training_runs?limit=100&access_scope=accessible").json()
    theirs = next(r for r in page["training_runs"] if r["model_owner"] == OTHER.urn)
    run_id = theirs["training_run_id"]
    assert api.get(f"/api/v1/training_runs/{run_id}").status_code == 404
    assert api.get(f"/api/v1/training_runs/{run_id}?access_scope=accessible").status_code == 200
    ckpts = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
    target = ckpts[0]["checkpoint_id"]
    base = f"/api/v1/training_runs/{run_id}/checkpoints/{target}"
    assert api.delete(base).status_code == 404
    assert api.post(f"{base}/publish").status_code == 404
    after = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
    assert after == ckpts


def test_user_checkpoints_newest_first(api: httpx.Client) -> None:
    body = _my_checkpoints(api)
    times = [ckpt.time for ckpt in body.checkpoints]
    assert times == sorted(times, reverse=True)
    assert body.cursor is not None
    assert body.cursor.total_count == len(body.checkpoints)
    kinds = {ckpt.checkpoint_type for ckpt in body.checkpoints}
    assert kinds == {"training", "sampler", "external"}
    assert any(ckpt.public for ckpt in body.checkpoints)
    assert any(ckpt.expires_at for ckpt in body.checkpoints)
    assert all(ckpt.size_bytes for ckpt in body.checkpoints)


def test_publish_unpublish_conflicts(api: httpx.Client) -> None:
    ckpt = next(c for c in _my_checkpoints(api).checkpoints if not c.public)
    run_id = ckpt.path.removeprefix("tinker://").split("/")[0]
    base = f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt.checkpoint_id}/publish"
    assert api.post(base).status_code == 200
    again = api.post(base)
    assert again.status_code == 409
    assert again.json() == {"detail": "Checkpoint is already public"}
    assert api.delete(base).status_code == 200
    twice = api.delete(base)
    assert twice.status_code == 409
    assert "private" in twice.json()["detail"]


def test_ttl_set_and_remove(api: httpx.Client) -> None:
    ckpt = _my_checkpoints(api).checkpoints[0]
    run_id = ckpt.path.removeprefix("tinker://").split("/")[0]
    url = f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt.checkpoint_id}/ttl"
    assert api.put(url, json={"ttl_seconds": 7200}).status_code == 200
    listed = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
    mine = next(c for c in listed if c["checkpoint_id"] == ckpt.checkpoint_id)
    expires = datetime.fromisoformat(mine["expires_at"])
    assert expires > datetime.now(UTC)
    for bad in (3599, 10 * 365 * 24 * 3600 + 1, -5):
        refused = api.put(url, json={"ttl_seconds": bad})
        assert refused.status_code == 400
        assert "ttl_seconds" in refused.json()["detail"]
    assert api.put(url, json={"ttl_seconds": None}).status_code == 200
    listed = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
    assert next(c for c in listed if c["checkpoint_id"] == ckpt.checkpoint_id)["expires_at"] is None


def test_delete(api: httpx.Client) -> None:
    before = _my_checkpoints(api)
    ckpt = before.checkpoints[3]
    run_id = ckpt.path.removeprefix("tinker://").split("/")[0]
    url = f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt.checkpoint_id}"
    assert api.delete(url).status_code == 200
    assert api.delete(url).status_code == 404
    after = _my_checkpoints(api)
    assert after.cursor
    assert before.cursor
    assert after.cursor.total_count == before.cursor.total_count - 1
    assert ckpt.path not in {c.path for c in after.checkpoints}


def test_checkpoint_name_with_a_space(api: httpx.Client) -> None:
    spaced = [c for c in _my_checkpoints(api).checkpoints if " " in c.checkpoint_id]
    if not spaced:
        pytest.skip("this seed has no checkpoint named with a space")
    ckpt = spaced[0]
    run_id = ckpt.path.removeprefix("tinker://").split("/")[0]
    url = f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt.checkpoint_id}/publish"
    assert "%20" in str(api.build_request("POST", url).url)
    assert api.post(url).status_code == 200


def test_weights_info(api: httpx.Client) -> None:
    ckpt = _my_checkpoints(api).checkpoints[0]
    info = WeightsInfoResponse.model_validate(
        api.post("/api/v1/weights_info", json={"tinker_path": ckpt.path}).json()
    )
    assert info.is_lora
    assert info.lora_rank
    bad = api.post("/api/v1/weights_info", json={"tinker_path": "tinker://x"})
    assert bad.status_code == 400
    assert "tinker://x" in bad.json()["detail"]
    missing = api.post("/api/v1/weights_info", json={"tinker_path": "tinker://r:train:0/weights/z"})
    assert missing.status_code == 404


def test_sessions_and_samplers(api: httpx.Client) -> None:
    ids = ListSessionsResponse.model_validate(api.get("/api/v1/sessions").json()).sessions
    assert ids
    everyone = api.get("/api/v1/sessions?access_scope=accessible&limit=100").json()["sessions"]
    assert set(ids) < set(everyone)
    session = GetSessionResponse.model_validate(api.get(f"/api/v1/sessions/{ids[0]}").json())
    assert all(run.startswith(f"{ids[0]}:train:") for run in session.training_run_ids)
    assert session.sampler_ids
    sampler = GetSamplerResponse.model_validate(
        api.get(f"/api/v1/samplers/{session.sampler_ids[0]}").json()
    )
    assert sampler.sampler_id == session.sampler_ids[0]
    assert api.get("/api/v1/samplers/nope:sample:0").status_code == 404
    assert api.get("/api/v1/sessions/nope").status_code == 404


def test_assign_session_project(api: httpx.Client) -> None:
    session = api.get("/api/v1/sessions").json()["sessions"][0]
    runs = api.get(f"/api/v1/sessions/{session}").json()["training_run_ids"]
    url = f"/api/v1/sessions/{session}/project"
    assert api.put(url, json={"project_id": "proj-eval"}).status_code == 200
    moved = api.get("/api/v1/training_runs?limit=100&project_id=proj-eval").json()
    assert set(runs) <= {run["training_run_id"] for run in moved["training_runs"]}
    refused = api.put(url, json={"project_id": "someone-elses"})
    assert refused.status_code == 403
    assert "someone-elses" in refused.json()["detail"]
    assert (
        api.put("/api/v1/sessions/nope/project", json={"project_id": "proj-eval"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/create_sampling_session"),
        ("POST", "/api/v1/forward_backward"),
        ("POST", "/api/v1/asample"),
        ("GET", "/api/v1/no/such/thing"),
        ("PATCH", "/api/v1/training_runs"),
    ],
)
def test_unknown_and_compute_endpoints_are_fast_4xx(
    api: httpx.Client, method: str, path: str
) -> None:
    response = api.request(method, path, json={})
    assert response.status_code in (404, 405)
    assert response.json()["detail"]


def test_seed_is_deterministic(start_server: object) -> None:
    from lazytinker.server.config import ServerConfig

    fixed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    bodies = []
    for _ in range(2):
        with ServerThread(ServerConfig(seed=7, now=fixed)) as thread:
            response = httpx.get(
                f"{thread.url}/api/v1/training_runs?limit=1000&access_scope=accessible",
                headers=KEY,
            )
            bodies.append(response.json())
    assert bodies[0] == bodies[1]
    assert bodies[0]["cursor"]["total_count"] == 30
