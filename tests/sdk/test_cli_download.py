"""The official `tinker checkpoint download` (0.38.0, unmodified) against the stand-in: it exports
a training checkpoint through a session of its own, downloads the files, deletes the temporary
export and finishes the session."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer
from tests.sdk.venvs import TINKER_STEPS, sdk_python
from tests.server.exporting import (
    KEY,
    checkpoint_url,
    export_checkpoint,
    smallest_training_checkpoint,
)

pytestmark = [pytest.mark.sdk, pytest.mark.slow, pytest.mark.timeout(1800)]


def _tinker_cli(server: ServerThread, home: Path, *args: str) -> dict[str, Any]:
    tinker = sdk_python("tinker-0.38.0", TINKER_STEPS).parent / "tinker"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    env = {
        **clean,
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "HOME": str(home),
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    done = subprocess.run(
        [str(tinker), "-f", "json", *args],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=home,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _external_paths(api: httpx.Client) -> list[str]:
    body = api.get("/api/v1/checkpoints?limit=1000").json()
    return sorted(
        c["tinker_path"] for c in body["checkpoints"] if c["checkpoint_type"] == "external"
    )


def test_checkpoint_download(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server()
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        path = smallest_training_checkpoint(api)
        # What the server serves for an export of this checkpoint, fetched over raw HTTP.
        reference = export_checkpoint(api, path, name="reference")
        api.delete(checkpoint_url(reference.export_path)).raise_for_status()
        sessions_before = set(api.get("/api/v1/sessions?limit=1000").json()["sessions"])
        externals_before = _external_paths(api)

        out = _tinker_cli(server, tmp_path, "checkpoint", "download", path, "-o", "out")

        target = tmp_path / "out" / path.removeprefix("tinker://").replace("/", "_")
        assert out["checkpoint_path"] == path
        assert Path(out["destination"]) == Path("out") / target.name
        files = {p.name: p.read_bytes() for p in target.iterdir()}
        assert files == reference.files
        assert out["file_size_bytes"] == reference.size_bytes == sum(map(len, files.values()))

        # The CLI opened one session, loaded the checkpoint into one run, and finished it.
        new = set(api.get("/api/v1/sessions?limit=1000").json()["sessions"]) - sessions_before
        assert len(new) == 1
        session_id = new.pop()
        found = api.post("/api/v1/sessions/search", json={"session_id": session_id}).json()
        assert found["sessions"][0]["status"] == {
            "type": "client_finished",
            "reason": {"type": "success"},
            "detail": None,
        }
        runs = api.get(f"/api/v1/sessions/{session_id}").json()["training_run_ids"]
        assert runs == [f"{session_id}:train:0"]
        run = api.get(f"/api/v1/training_runs/{runs[0]}").json()
        assert run["user_metadata"] == {"created_by": "tinker checkpoint download"}
        # Its temporary export is gone: no external_weights/ checkpoint is left behind.
        assert api.get(f"/api/v1/training_runs/{runs[0]}/checkpoints").json()["checkpoints"] == []
        assert _external_paths(api) == externals_before


def test_download_of_an_external_checkpoint(start_server: StartServer, tmp_path: Path) -> None:
    server = start_server()
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        export = export_checkpoint(api, smallest_training_checkpoint(api), name="kept")
        sessions_before = api.get("/api/v1/sessions?limit=1000").json()["sessions"]
        out = _tinker_cli(server, tmp_path, "checkpoint", "download", export.export_path)
        target = tmp_path / Path(out["destination"]).name
        assert {p.name: p.read_bytes() for p in target.iterdir()} == export.files
        # No session is needed for an external checkpoint, and it is left in place.
        assert api.get("/api/v1/sessions?limit=1000").json()["sessions"] == sessions_before
        assert export.export_path in _external_paths(api)
