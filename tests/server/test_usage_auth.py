"""Storage and billing usage, the audit log, the non-admin 403 path and JWT mode."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lazytinker.api.models import (
    AuditLogResponse,
    BillingUsageResponse,
    CurrentCheckpointStorageUsageResponse,
)
from lazytinker.server.catalog import ME
from lazytinker.server.runner import ServerThread

ADMIN = {"X-API-Key": "tml-demo"}
MEMBER = {"X-API-Key": "tml-user"}
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_storage_usage(server: ServerThread) -> None:
    url = f"{server.url}/api/v1/billing/usage/checkpoints/current"
    body = CurrentCheckpointStorageUsageResponse.model_validate(
        httpx.get(url, headers=ADMIN).json()
    )
    assert body.data
    mine = httpx.get(f"{server.url}/api/v1/checkpoints?limit=1000", headers=ADMIN).json()
    my_rows = [row for row in body.data if row.org_user_urn == ME.urn]
    assert sum(row.checkpoint_count for row in my_rows) == mine["cursor"]["total_count"]
    one = httpx.get(url, params={"project_id": "proj-eval"}, headers=ADMIN).json()
    assert {row["project_id"] for row in one["data"]} == {"proj-eval"}


def test_billing_usage(start_server: Any) -> None:
    server = start_server(now=NOW)
    url = f"{server.url}/api/v1/billing/usage/events"
    window = {"starting_on": "2026-02-25T00:00:00Z", "ending_before": "2026-03-10T12:00:00Z"}
    body = BillingUsageResponse.model_validate(httpx.get(url, params=window, headers=ADMIN).json())
    assert body.data
    assert set(body.sessions) == {row.session_id for row in body.data}
    starts = [row.bucket_start for row in body.data]
    assert starts == sorted(starts)
    for bad in (
        {"starting_on": "2026-03-01T00:30:00Z", "ending_before": "2026-03-02T00:00:00Z"},
        {"starting_on": "2026-03-02T00:00:00Z", "ending_before": "2026-03-01T00:00:00Z"},
        {"starting_on": "2026-01-01T00:00:00Z", "ending_before": "2026-03-01T00:00:00Z"},
        {"starting_on": "2027-01-01T00:00:00Z", "ending_before": "2027-01-02T00:00:00Z"},
    ):
        refused = httpx.get(url, params=bad, headers=ADMIN)
        assert refused.status_code == 400, bad
        assert refused.json()["detail"]
    assert httpx.get(url, params={"starting_on": "yesterday"}, headers=ADMIN).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/billing/usage/checkpoints/current",
        "/api/v1/billing/usage/events?starting_on=2026-03-01T00:00:00Z&ending_before=2026-03-02T00:00:00Z",
        "/api/v1/audit",
    ],
)
def test_member_key_gets_403(server: ServerThread, path: str) -> None:
    response = httpx.get(f"{server.url}{path}", headers=MEMBER)
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]
    # The member still browses normally.
    assert httpx.get(f"{server.url}/api/v1/training_runs", headers=MEMBER).status_code == 200


def test_audit_log_records_actions(start_server: Any) -> None:
    server = start_server(now=datetime.now(UTC))
    ckpt = httpx.get(f"{server.url}/api/v1/checkpoints?limit=1", headers=ADMIN).json()[
        "checkpoints"
    ][0]
    run_id = ckpt["tinker_path"].removeprefix("tinker://").split("/")[0]
    base = f"{server.url}/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}"
    httpx.put(f"{base}/ttl", json={"ttl_seconds": 3600}, headers=ADMIN)
    log = AuditLogResponse.model_validate(
        # The log answers 302 to a signed URL of the day, as in production.
        httpx.get(f"{server.url}/api/v1/audit", headers=ADMIN, follow_redirects=True).json()
    )
    events = [entry for entry in log.entries if entry.event == "checkpoint_set_ttl"]
    assert [entry.tinker_path for entry in events] == [ckpt["tinker_path"]]
    stamps = [entry.timestamp for entry in log.entries]
    assert stamps == sorted(stamps)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_jwt_mode(start_server: Any) -> None:
    server = start_server(jwt=True)
    config = httpx.post(f"{server.url}/api/v1/client/config", json={}, headers=ADMIN).json()
    assert config["pjwt_auth_enabled"] is True
    token = httpx.post(f"{server.url}/api/v1/auth/token", json={}, headers=ADMIN).json()["jwt"]
    claims = _claims(token)
    assert claims["sub"] == ME.urn
    assert claims["org_id"]
    assert claims["email"]
    assert claims["exp"] > claims["iat"]
    runs = httpx.get(f"{server.url}/api/v1/training_runs", headers={"X-API-Key": token})
    assert runs.status_code == 200
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = httpx.get(f"{server.url}/api/v1/training_runs", headers={"X-API-Key": forged})
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    no_key = httpx.post(f"{server.url}/api/v1/auth/token", json={})
    assert no_key.status_code == 401


def test_expiring_fixture_time_is_relative_to_now(start_server: Any) -> None:
    server = start_server(now=NOW)
    ckpts = httpx.get(f"{server.url}/api/v1/checkpoints?limit=1000", headers=ADMIN).json()
    expiring = [c["expires_at"] for c in ckpts["checkpoints"] if c["expires_at"]]
    assert expiring
    assert all(datetime.fromisoformat(value) > NOW for value in expiring)
    newest = datetime.fromisoformat(ckpts["checkpoints"][0]["time"])
    assert NOW - timedelta(hours=1) < newest <= NOW
