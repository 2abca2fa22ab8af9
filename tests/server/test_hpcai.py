"""The hpcai flavor: its paths, its shapes, its missing endpoints, and bytes via `/archive`."""

from __future__ import annotations

import io
import tarfile
from typing import Any

import httpx
import pytest

from lazytinker.api.models import CheckpointsListResponse, TrainingRunsResponse
from lazytinker.api.models.structs import convert_wire
from lazytinker.server.catalog import model_named
from lazytinker.server.runner import ServerThread
from lazytinker.server.seed import adapter_size

KEY = {"X-API-Key": "tml-demo"}


@pytest.fixture
def hpcai(start_server: Any) -> ServerThread:
    """A seeded server speaking the HPC-AI fork's dialect."""
    server: ServerThread = start_server(flavor="hpcai")
    return server


def _first_run(server: ServerThread) -> tuple[str, list[dict[str, Any]]]:
    runs = httpx.get(f"{server.url}/api/v1/training_runs?limit=100", headers=KEY).json()
    convert_wire(runs, TrainingRunsResponse)
    for run in runs["training_runs"]:
        assert "user_metadata" not in run
        run_id = run["training_run_id"]
        listing = httpx.get(f"{server.url}/api/v1/training_runs/{run_id}/checkpoints", headers=KEY)
        body = listing.json()
        convert_wire(body, CheckpointsListResponse)
        if body["checkpoints"]:
            return run_id, body["checkpoints"]
    raise AssertionError("no run with checkpoints")


def test_checkpoint_shape(hpcai: ServerThread) -> None:
    run_id, checkpoints = _first_run(hpcai)
    for ckpt in checkpoints:
        assert set(ckpt) == {"checkpoint_id", "checkpoint_type", "time", "checkpoint_path"}
        assert ckpt["checkpoint_type"] in ("training", "sampler")
        segment = "training" if ckpt["checkpoint_type"] == "training" else "sampler"
        assert ckpt["checkpoint_path"] == f"hpcai://{run_id}/{segment}/{ckpt['checkpoint_id']}"
        assert "/" not in ckpt["checkpoint_id"]


def test_capabilities_are_names_only(hpcai: ServerThread) -> None:
    caps = httpx.get(f"{hpcai.url}/api/v1/get_server_capabilities", headers=KEY).json()
    assert caps["supported_models"]
    assert all(set(model) == {"model_name"} for model in caps["supported_models"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/client/config"),
        ("GET", "/api/v1/checkpoints"),
        ("GET", "/api/v1/sessions"),
        ("POST", "/api/v1/sessions/search"),
        ("POST", "/api/v1/weights_info"),
        ("GET", "/api/v1/billing/usage/checkpoints/current"),
    ],
)
def test_what_hpcai_lacks_is_absent(hpcai: ServerThread, method: str, path: str) -> None:
    response = httpx.request(method, f"{hpcai.url}{path}", headers=KEY, json={})
    assert response.status_code in (404, 405)
    assert response.json()["detail"]


def test_archive_follows_to_a_tar(hpcai: ServerThread) -> None:
    runs = httpx.get(f"{hpcai.url}/api/v1/training_runs?limit=100", headers=KEY).json()
    # hpcai sends no sizes: take the run whose adapter is smallest, to keep the download short.
    run = min(
        (r for r in runs["training_runs"] if r["last_sampler_checkpoint"]),
        key=lambda r: adapter_size(model_named(r["base_model"]), r["lora_rank"]),
    )
    run_id = run["training_run_id"]
    ckpt = run["last_sampler_checkpoint"]
    url = f"{hpcai.url}/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}/archive"
    headers = {**KEY, "Accept": "application/json, application/gzip"}
    response = httpx.get(url, headers=headers, follow_redirects=True)
    assert response.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(response.content)) as tar:
        assert "adapter_model.safetensors" in tar.getnames()


def test_delete_without_kind_prefers_training(hpcai: ServerThread) -> None:
    run_id, checkpoints = _first_run(hpcai)
    names = [c["checkpoint_id"] for c in checkpoints]
    shared = next(name for name in names if names.count(name) == 2)
    url = f"{hpcai.url}/api/v1/training_runs/{run_id}/checkpoints/{shared}"
    assert httpx.delete(url, headers=KEY).status_code == 200
    left = httpx.get(f"{hpcai.url}/api/v1/training_runs/{run_id}/checkpoints", headers=KEY).json()
    kinds = [c["checkpoint_type"] for c in left["checkpoints"] if c["checkpoint_id"] == shared]
    assert kinds == ["sampler"]
    assert httpx.delete(url, headers=KEY).status_code == 200
    assert httpx.delete(url, headers=KEY).status_code == 404
