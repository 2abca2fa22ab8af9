"""`--without GROUP`: each group turned off answers as a partial server does; the rest works."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lazytinker.api.models import format_rfc3339
from lazytinker.server.app import create_app
from lazytinker.server.config import ServerConfig
from lazytinker.server.partial import GROUPS, parse_without
from lazytinker.server.runner import ServerThread
from lazytinker.server.spec import CompatSpecError

KEY = {"X-API-Key": "tml-demo"}

# group -> (method, path, JSON body or None, status the partial server answers)
CASES: dict[str, tuple[str, str, Any, int]] = {
    "client-config": ("POST", "/api/v1/client/config", {"sdk_version": "0.38.0"}, 404),
    "sessions-search": ("POST", "/api/v1/sessions/search", {"limit": 5}, 405),
    "sessions": ("GET", "/api/v1/sessions", None, 404),
    "user-checkpoints": ("GET", "/api/v1/checkpoints", None, 404),
    "capabilities": ("GET", "/api/v1/get_server_capabilities", None, 404),
    "ttl": (
        "PUT",
        "/api/v1/training_runs/{run}/checkpoints/{ckpt}/ttl",
        {"ttl_seconds": 7200},
        405,
    ),
    "publish": ("POST", "/api/v1/training_runs/{run}/checkpoints/{ckpt}/publish", None, 404),
    "samplers": ("GET", "/api/v1/samplers/{session}:sample:0", None, 404),
    "storage": ("GET", "/api/v1/billing/usage/checkpoints/current", None, 404),
    "billing": (
        "GET",
        "/api/v1/billing/usage/events?starting_on={start}&ending_before={end}",
        None,
        404,
    ),
    "audit": ("GET", "/api/v1/audit", None, 404),
    "weights-info": ("POST", "/api/v1/weights_info", {"tinker_path": "{path}"}, 404),
    "archive": ("GET", "/api/v1/training_runs/{run}/checkpoints/{ckpt}/archive", None, 404),
    "external-weights": (
        "GET",
        "/api/v1/training_runs/{external_run}/checkpoints/{external}/external_weights_urls",
        None,
        404,
    ),
    "apikey-me": ("GET", "/api/v1/auth/apikey/me", None, 404),
    "projects": ("PUT", "/api/v1/sessions/{session}/project", {"project_id": "proj-eval"}, 404),
    "copy": (
        "POST",
        "/api/v1/copy_weights",
        {"source_path": "{path}", "destination_project_id": "proj-eval"},
        404,
    ),
}


def _names(url: str) -> dict[str, str]:
    """Ids of a run, its newest training checkpoint and an external one, for the paths above."""
    runs = httpx.get(f"{url}/api/v1/training_runs?limit=100", headers=KEY).json()
    run = next(r for r in runs["training_runs"] if r["last_checkpoint"])
    external = next(
        (other["training_run_id"], c["checkpoint_id"])
        for other in runs["training_runs"]
        for c in httpx.get(
            f"{url}/api/v1/training_runs/{other['training_run_id']}/checkpoints", headers=KEY
        ).json()["checkpoints"]
        if c["checkpoint_type"] == "external"
    )
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    ckpt = run["last_checkpoint"]
    return {
        "run": run["training_run_id"],
        "ckpt": ckpt["checkpoint_id"],
        "path": ckpt["tinker_path"],
        "session": run["training_run_id"].split(":")[0],
        "external_run": external[0],
        "external": external[1],
        "start": format_rfc3339(end - timedelta(days=1)),
        "end": format_rfc3339(end),
    }


def _request(url: str, case: tuple[str, str, Any, int], names: dict[str, str]) -> httpx.Response:
    method, path, body, _status = case
    path = path.format(**names)
    if isinstance(body, dict):
        body = {k: v.format(**names) if isinstance(v, str) else v for k, v in body.items()}
    return httpx.request(method, f"{url}{path}", json=body, headers=KEY)


def test_every_group_has_a_case() -> None:
    assert set(CASES) == set(GROUPS)


@pytest.mark.parametrize("group", sorted(CASES))
def test_group_turned_off(start_server: Any, group: str) -> None:
    plain = start_server()
    partial = start_server(without=(group,))
    names = _names(plain.url)
    assert names == _names(partial.url)  # same seed, same world
    case = CASES[group]
    answered = _request(plain.url, case, names)
    assert answered.status_code < 400, answered.text
    refused = _request(partial.url, case, names)
    assert refused.status_code == case[3], refused.text
    assert refused.json()["detail"]
    # Everything else is served as usual.
    assert httpx.get(f"{partial.url}/api/v1/training_runs", headers=KEY).status_code == 200


def test_sessions_search_405_leaves_list_and_get(start_server: Any) -> None:
    server = start_server(without=("sessions-search",))
    refused = httpx.post(f"{server.url}/api/v1/sessions/search", json={}, headers=KEY)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET"
    ids = httpx.get(f"{server.url}/api/v1/sessions", headers=KEY).json()["sessions"]
    session = httpx.get(f"{server.url}/api/v1/sessions/{ids[0]}", headers=KEY)
    assert session.status_code == 200
    assert "training_run_ids" in session.json()


def test_sessions_group_turns_away_every_session_route(start_server: Any) -> None:
    server = start_server(without=("sessions",))
    session = _names(server.url)["session"]
    for method, path in (
        ("GET", f"/api/v1/sessions/{session}"),
        ("POST", "/api/v1/sessions/search"),
        ("GET", f"/api/v1/sessions/{session}/trace_export"),
        ("PUT", f"/api/v1/sessions/{session}/project"),
    ):
        answer = httpx.request(method, f"{server.url}{path}", json={}, headers=KEY)
        assert answer.status_code == 404, path


def test_publish_delete_is_a_500_and_ttl_names_the_catch_all(start_server: Any) -> None:
    server = start_server(without=("publish", "ttl"))
    names = _names(server.url)
    base = f"{server.url}/api/v1/training_runs/{names['run']}/checkpoints/{names['ckpt']}"
    unpublish = httpx.delete(f"{base}/publish", headers=KEY)
    assert unpublish.status_code == 500
    assert unpublish.json() == {"detail": "Internal Server Error"}
    ttl = httpx.put(f"{base}/ttl", json={"ttl_seconds": 7200}, headers=KEY)
    assert ttl.status_code == 405
    assert ttl.headers["allow"] == "DELETE"
    # Delete itself still works: the catch-all route is the delete route.
    assert httpx.delete(base, headers=KEY).status_code == 200


def test_projects_off_drops_project_ids_and_ignores_the_filter(start_server: Any) -> None:
    plain = start_server()
    partial = start_server(without=("projects",))
    url = "/api/v1/training_runs?limit=100&access_scope=accessible"
    everything = httpx.get(f"{plain.url}{url}", headers=KEY).json()
    research = httpx.get(f"{plain.url}{url}&project_id=proj-research", headers=KEY).json()
    assert 0 < research["cursor"]["total_count"] < everything["cursor"]["total_count"]
    assert all(run["project_id"] for run in everything["training_runs"])
    ignored = httpx.get(f"{partial.url}{url}&project_id=proj-research", headers=KEY).json()
    assert ignored["cursor"]["total_count"] == everything["cursor"]["total_count"]
    assert all("project_id" not in run for run in ignored["training_runs"])
    one = ignored["training_runs"][0]["training_run_id"]
    single = httpx.get(f"{partial.url}/api/v1/training_runs/{one}", headers=KEY).json()
    assert "project_id" not in single


def test_unknown_group_is_refused_with_the_valid_names() -> None:
    with pytest.raises(CompatSpecError, match="valid names: client-config, sessions-search"):
        parse_without("sessions,nope")
    with pytest.raises(CompatSpecError, match="'nope'"):
        create_app(ServerConfig(without=("nope",), sessions=1, runs=1, checkpoints_per_run=1))
    assert parse_without(" sessions , audit,sessions ") == ("sessions", "audit")


def test_serve_refuses_an_unknown_group_and_documents_them() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lazytinker", "serve", "--port", "0", "--without", "archive,x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown name 'x'" in done.stderr
    assert "external-weights" in done.stderr
    assert "Traceback" not in done.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "lazytinker", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for name in GROUPS:
        assert f"  {name} " in shown


def test_default_server_is_not_partial() -> None:
    with ServerThread(ServerConfig(sessions=2, runs=2, checkpoints_per_run=2)) as server:
        search = httpx.post(f"{server.url}/api/v1/sessions/search", json={}, headers=KEY)
        assert search.status_code == 200
