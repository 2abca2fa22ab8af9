"""Helpers for the export-flow tests: pick a checkpoint, and export it over raw HTTP the way
`tinker checkpoint download` does (session, load, export, signed URLs, delete, finish)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from lazytinker.server.catalog import model_named
from lazytinker.server.seed import adapter_size

KEY = {"X-API-Key": "tml-demo"}
SESSION_BODY = {"tags": [], "user_metadata": {}, "sdk_version": "0.38.0", "type": "create_session"}


def smallest_training_checkpoint(api: httpx.Client) -> str:
    """The tinker path of a training checkpoint whose export (its run's adapter) is smallest."""
    runs = api.get("/api/v1/training_runs?limit=1000").json()["training_runs"]
    candidates = [r for r in runs if r["last_checkpoint"] and not r["corrupted"]]
    run = min(
        candidates,
        key=lambda r: adapter_size(model_named(r["base_model"]), r["lora_rank"]),
    )
    path: str = run["last_checkpoint"]["tinker_path"]
    return path


def outcome(api: httpx.Client, handle: dict[str, Any], polls: int = 10) -> dict[str, Any]:
    """Poll a future until it is no longer `try_again`; fail after `polls` polls."""
    for _ in range(polls):
        response = api.post("/api/v1/retrieve_future", json={"request_id": handle["request_id"]})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body.get("type") != "try_again":
            return body
    raise AssertionError(f"future {handle['request_id']} still pending after {polls} polls")


def checkpoint_url(tinker_path: str) -> str:
    """The REST URL of a checkpoint, from its tinker path."""
    run_id, checkpoint_id = tinker_path.removeprefix("tinker://").split("/", 1)
    return f"/api/v1/training_runs/{run_id}/checkpoints/{checkpoint_id}"


@dataclass
class Export:
    """What one raw-HTTP export saw."""

    session_id: str
    model_id: str
    export_path: str
    size_bytes: int
    files: dict[str, bytes] = field(default_factory=dict)


def export_checkpoint(api: httpx.Client, path: str, name: str = "download") -> Export:
    """Export a training checkpoint and download its files; the export stays on the server."""
    session_id = api.post("/api/v1/create_session", json=SESSION_BODY).json()["session_id"]
    load = api.post(
        "/api/v1/load_weights",
        json={"session_id": session_id, "model_seq_id": 0, "path": path, "optimizer": False},
    ).json()
    loaded = outcome(api, load)
    assert loaded == {"type": "load_weights", "path": path, "model_id": load["model_id"]}
    model_id = loaded["model_id"]
    saved = outcome(
        api,
        api.post(
            "/api/v1/save_weights_external",
            json={"model_id": model_id, "path": name, "ttl_seconds": 3600},
        ).json(),
    )
    assert saved["type"] == "save_weights_external"
    result = Export(session_id, model_id, saved["path"], saved["size_bytes"])
    urls = api.get(checkpoint_url(saved["path"]) + "/external_weights_urls").json()["urls"]
    for file_name, url in urls.items():
        response = httpx.get(url)  # signed: no key
        assert response.status_code == 200
        result.files[file_name] = response.content
    return result
