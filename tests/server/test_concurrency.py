"""Fifty clients listing and mutating at once: no error and no lost write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

KEY = {"X-API-Key": "tml-demo"}
CLIENTS = 50


def test_fifty_clients(start_server: Any) -> None:
    server = start_server(sessions=8, runs=30, checkpoints_per_run=20)
    with httpx.Client(base_url=server.url, headers=KEY, timeout=30) as client:
        listing = client.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
    private = [c for c in listing if not c["public"]][: CLIENTS // 2]
    assert len(private) == CLIENTS // 2

    def mutate(ckpt: dict[str, Any]) -> list[int]:
        run_id = ckpt["tinker_path"].removeprefix("tinker://").split("/")[0]
        base = f"/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}"
        with httpx.Client(base_url=server.url, headers=KEY, timeout=30) as own:
            return [
                own.post(f"{base}/publish").status_code,
                own.put(f"{base}/ttl", json={"ttl_seconds": 86400}).status_code,
            ]

    def browse(index: int) -> list[int]:
        with httpx.Client(base_url=server.url, headers=KEY, timeout=30) as own:
            return [
                own.get(f"/api/v1/checkpoints?limit=1000&offset={index % 3}").status_code,
                own.get("/api/v1/training_runs?limit=100&access_scope=accessible").status_code,
                own.post("/api/v1/sessions/search", json={"limit": 50}).status_code,
            ]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        writes = [pool.submit(mutate, ckpt) for ckpt in private]
        reads = [pool.submit(browse, index) for index in range(CLIENTS - len(private))]
        statuses = [code for job in writes + reads for code in job.result()]
    assert set(statuses) == {200}
    with httpx.Client(base_url=server.url, headers=KEY, timeout=30) as client:
        after = client.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
    by_path = {c["tinker_path"]: c for c in after}
    for ckpt in private:
        now = by_path[ckpt["tinker_path"]]
        assert now["public"] is True
        assert now["expires_at"] is not None
