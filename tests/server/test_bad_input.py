"""Bad input gets a 4xx with a JSON `detail` naming what was wrong, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lazytinker.server.config import ServerConfig
from lazytinker.server.runner import ServerThread

KEY = {"X-API-Key": "tml-demo"}


@pytest.fixture(scope="module")
def shared() -> Iterator[ServerThread]:
    """One small server for every refused request: refusals must leave it as it was."""
    with ServerThread(ServerConfig(sessions=4, runs=6, checkpoints_per_run=4)) as thread:
        yield thread


def _snapshot(client: httpx.Client) -> list[Any]:
    """Everything a refused request could have changed."""
    runs = client.get("/api/v1/training_runs?limit=1000&access_scope=accessible").json()
    checkpoints = [
        client.get(f"/api/v1/training_runs/{run['training_run_id']}/checkpoints").json()
        for run in runs["training_runs"]
    ]
    sessions = client.post("/api/v1/sessions/search", json={"owner": {"type": "accessible"}})
    return [runs, checkpoints, sessions.json()]


def _a_checkpoint(client: httpx.Client) -> str:
    ckpt = client.get("/api/v1/checkpoints?limit=1").json()["checkpoints"][0]
    run_id = ckpt["tinker_path"].removeprefix("tinker://").split("/")[0]
    return f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}"


RUN = "/api/v1/training_runs/r:train:0"
JSON_TYPE = {"content-type": "application/json"}
BAD_REQUESTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("GET", "/api/v1/training_runs?limit=-1", {}, "limit"),
    ("GET", "/api/v1/training_runs?limit=1001", {}, "limit"),
    ("GET", "/api/v1/training_runs?limit=ten", {}, "limit"),
    ("GET", "/api/v1/training_runs?offset=-3", {}, "offset"),
    ("GET", "/api/v1/training_runs?access_scope=everyone", {}, "access_scope"),
    ("GET", "/api/v1/checkpoints?limit=5000", {}, "limit"),
    ("GET", "/api/v1/sessions?offset=x", {}, "offset"),
    ("PUT", "{ckpt}/ttl", {"json": {"ttl_seconds": "soon"}}, "ttl_seconds"),
    ("PUT", "{ckpt}/ttl", {"json": {}}, "ttl_seconds"),
    ("PUT", "{ckpt}/ttl", {"json": {"ttl_seconds": 10}}, "ttl_seconds"),
    ("PUT", "{ckpt}/ttl", {"content": b"{not json", "headers": JSON_TYPE}, "JSON"),
    ("PUT", f"{RUN}/checkpoints/bogus/x/ttl", {"json": {"ttl_seconds": None}}, "kind"),
    ("POST", f"{RUN}/checkpoints/weights/{'n' * 600}/publish", {}, "name"),
    ("POST", "/api/v1/weights_info", {"json": {"tinker_path": "hpcai://r/training/x"}}, "tinker"),
    ("POST", "/api/v1/weights_info", {"json": {"path": "tinker://r/weights/x"}}, "tinker_path"),
    ("POST", "/api/v1/sessions/search", {"json": {"limit": 0}}, "limit"),
    ("POST", "/api/v1/sessions/search", {"json": {"limit": 201}}, "limit"),
    ("POST", "/api/v1/sessions/search", {"json": {"owner": {"type": "boss"}}}, "owner"),
    ("POST", "/api/v1/sessions/search", {"json": {"statuses": []}}, "statuses"),
    ("POST", "/api/v1/sessions/search", {"json": {"display_name": ""}}, "display_name"),
    ("POST", "/api/v1/sessions/search", {"json": {"project_ids": ["secret"]}}, "project"),
    ("POST", "/api/v1/sessions/search", {"json": {"cursor": {"last_session_id": "x"}}}, "cursor"),
    ("GET", "/api/v1/billing/usage/events?starting_on=2026-01-01T00:00:00Z", {}, "ending_before"),
    ("GET", "/api/v1/audit?day=yesterday", {}, "day"),
    ("GET", "/api/v1/audit?event_type=everything", {}, "event_type"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "extra", "named"), BAD_REQUESTS)
def test_bad_input_is_refused_and_changes_nothing(
    shared: ServerThread, method: str, path: str, extra: dict[str, Any], named: str
) -> None:
    with httpx.Client(base_url=shared.url, headers=KEY, timeout=10) as client:
        before = _snapshot(client)
        url = path.replace("{ckpt}", _a_checkpoint(client))
        headers = {**KEY, **extra.pop("headers", {})}
        response = client.request(method, url, headers=headers, **extra)
        assert 400 <= response.status_code < 500
        detail = response.json()["detail"]
        assert isinstance(detail, str)
        assert named.lower() in detail.lower()
        assert "\n" not in detail
        assert _snapshot(client) == before


def test_pagination_edges(start_server: Any) -> None:
    server = start_server(sessions=10, runs=30, checkpoints_per_run=40)
    with httpx.Client(base_url=server.url, headers=KEY, timeout=10) as client:
        total = client.get("/api/v1/checkpoints?limit=0").json()
        assert total["checkpoints"] == []
        count = total["cursor"]["total_count"]
        assert count > 1000
        assert total["cursor"]["limit"] == 0
        full = client.get("/api/v1/checkpoints?limit=1000").json()
        assert len(full["checkpoints"]) == 1000
        rest = client.get("/api/v1/checkpoints?limit=1000&offset=1000").json()
        assert len(rest["checkpoints"]) == count - 1000
        paths = [c["tinker_path"] for c in full["checkpoints"] + rest["checkpoints"]]
        assert len(set(paths)) == count
        past = client.get(f"/api/v1/checkpoints?limit=10&offset={count + 5}").json()
        assert past["checkpoints"] == []
        assert past["cursor"] == {"offset": count + 5, "limit": 10, "total_count": count}
        runs = client.get("/api/v1/training_runs?limit=0&offset=99999").json()
        assert runs["training_runs"] == []
        assert runs["cursor"]["total_count"] > 0
        assert client.get("/api/v1/sessions?offset=1000").json() == {"sessions": []}


def test_session_search_keyset_pages(server: ServerThread) -> None:
    with httpx.Client(base_url=server.url, headers=KEY, timeout=10) as client:
        everyone = {"owner": {"type": "accessible"}}
        whole = client.post("/api/v1/sessions/search", json={**everyone, "limit": 200}).json()
        assert whole["next_cursor"] is None
        ids: list[str] = []
        cursor = None
        while True:
            body: dict[str, Any] = {**everyone, "limit": 2}
            if cursor:
                body["cursor"] = cursor
            page = client.post("/api/v1/sessions/search", json=body).json()
            ids += [s["session_id"] for s in page["sessions"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert ids == [s["session_id"] for s in whole["sessions"]]
        created = [s["created_at"] for s in whole["sessions"]]
        assert created == sorted(created, reverse=True)
        active = client.post(
            "/api/v1/sessions/search", json={**everyone, "statuses": [{"type": "active"}]}
        ).json()
        assert active["sessions"]
        assert all(s["status"]["type"] == "active" for s in active["sessions"])
        meta = whole["sessions"][0]["user_metadata"]
        matched = client.post(
            "/api/v1/sessions/search", json={**everyone, "user_metadata": meta}
        ).json()
        assert all(s["user_metadata"] == meta for s in matched["sessions"])
        assert whole["sessions"][0]["session_id"] in [s["session_id"] for s in matched["sessions"]]
