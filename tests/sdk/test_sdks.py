"""The official SDKs, unmodified, in their own cached environments, against the stand-in server.

Marked `sdk`: the first run builds the environments (about a minute each); later runs reuse them.
They are skipped only when the package index cannot be reached.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from lazytinker.server.catalog import ME, ORG_NAME, model_named
from lazytinker.server.runner import ServerThread
from lazytinker.server.seed import adapter_size
from tests.sdk.venvs import HPCAI_FULL_STEPS, HPCAI_STEPS, TINKER_STEPS, sdk_python

# The first run builds the environments, which can take minutes on a slow link.
pytestmark = [pytest.mark.sdk, pytest.mark.slow, pytest.mark.timeout(1800)]
SCRIPTS = Path(__file__).parent / "scripts"
KEY = {"X-API-Key": "tml-demo"}


def _run_script(python: Path, script: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TINKER_", "HPCAI_"))}
    done = subprocess.run(
        [str(python), str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=240,
        env={**clean, **env, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_tinker_sdk(start_server: Any, tmp_path: Path) -> None:
    python = sdk_python("tinker-0.38.0", TINKER_STEPS)
    server: ServerThread = start_server()
    env = {
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "TINKER_TELEMETRY": "0",
        "HOME": str(tmp_path),
    }
    seen = _run_script(python, "tinker_session.py", env)
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        runs = api.get("/api/v1/training_runs?limit=100").json()
        assert seen["runs"] == [r["training_run_id"] for r in runs["training_runs"]]
        assert seen["runs_total"] == runs["cursor"]["total_count"]
        everyone = api.get("/api/v1/training_runs?limit=0&access_scope=accessible").json()
        assert seen["accessible_total"] == everyone["cursor"]["total_count"]
        assert seen["accessible_total"] > seen["runs_total"]
        assert seen["run"]["training_run_id"] == seen["runs"][0]
        run_id = seen["runs"][0]
        listed = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
        now = [c["tinker_path"] for c in listed]
        assert seen["target"] in seen["run_checkpoints"]
        assert seen["target"] not in now
        assert [p for p in seen["run_checkpoints"] if p != seen["target"]] == now
        assert seen["user_total"] == len(seen["user_checkpoints"])
        assert seen["public_after_publish"] is True
        assert seen["public_after_unpublish"] is False
        assert seen["expires_after_ttl"].endswith("+00:00")
        assert seen["expires_after_clear"] is None
        assert seen["present_after_delete"] is False
        run = api.get(f"/api/v1/training_runs/{run_id}").json()
        assert seen["weights_info"]["base_model"] == run["base_model"]
        assert seen["weights_info"]["lora_rank"] == run["lora_rank"]
        assert seen["sessions"] == api.get("/api/v1/sessions").json()["sessions"]
        session = api.get(f"/api/v1/sessions/{seen['sessions'][0]}").json()
        assert seen["session"]["training_run_ids"] == session["training_run_ids"]
        assert seen["sampler"]["sampler_id"] == session["sampler_ids"][0]
        caps = api.get("/api/v1/get_server_capabilities").json()["supported_models"]
        assert seen["models"] == [m["model_name"] for m in caps]


def test_tinker_sdk_accepts_the_038_routes(start_server: Any, tmp_path: Path) -> None:
    python = sdk_python("tinker-0.38.0", TINKER_STEPS)
    server: ServerThread = start_server(now=datetime.now(UTC))
    env = {
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "TINKER_TELEMETRY": "0",
        "HOME": str(tmp_path),
    }
    seen = _run_script(python, "tinker_compat.py", env)
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        research = api.get("/api/v1/training_runs?limit=100&project_id=proj-research").json()
        now_research = {r["training_run_id"] for r in research["training_runs"]}
        moved = set(api.get(f"/api/v1/sessions/{seen['moved_session']}").json()["training_run_ids"])
        # The script moved one research session to proj-eval after listing.
        assert set(seen["research_runs"]) - moved == now_research
        assert moved <= set(seen["research_runs"])
        assert moved <= set(seen["eval_runs"])
        assert seen["copied"].endswith(seen["source"].split("/", 3)[3])
        # 0.38.0's models ignore `base_model` (and `project_id`) but validate the answers.
        raw = api.get(f"/api/v1/training_runs/{seen['copy_run']['training_run_id']}/checkpoints")
        assert raw.json()["checkpoints"][0]["base_model"] == seen["copy_run"]["base_model"]
    assert seen["copy_checkpoints"][0]["tinker_path"] == seen["copied"]
    assert seen["copy_checkpoints"][0]["expires_at"] is not None
    assert [e["event"] for e in seen["audit"]] == ["checkpoint_copy"]
    assert seen["audit"][0]["tinker_path"] == seen["source"]
    assert seen["apikey_me"]["details"]["user_details"]["email"] == ME.email
    assert seen["apikey_me"]["details"]["org_details"]["name"] == ORG_NAME


def test_tinker_cli_login_checks_the_key(start_server: Any, tmp_path: Path) -> None:
    python = sdk_python("tinker-0.38.0", TINKER_STEPS)
    server: ServerThread = start_server()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    env = {**clean, "TINKER_BASE_URL": server.url, "HOME": str(tmp_path), "NO_PROXY": "127.0.0.1"}
    login = subprocess.run(
        [str(python.parent / "tinker"), "auth", "login"],
        input="tml-demo\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert login.returncode == 0, login.stderr[-2000:]
    assert f"Logged in as {ME.email} ({ORG_NAME})" in login.stdout
    stored = json.loads((tmp_path / ".tinker" / "credentials.json").read_text())
    assert stored["keys"][stored["default"]]["key"] == "tml-demo"
    # The stored key is what the SDK's CLI uses from now on.
    listed = subprocess.run(
        [str(python.parent / "tinker"), "-f", "json", "run", "list", "--limit", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert len(json.loads(listed.stdout)["runs"]) == 3


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(HPCAI_STEPS, id="runtime-deps"),
        pytest.param(
            HPCAI_FULL_STEPS,
            id="full-deps",
            marks=pytest.mark.skipif(
                os.environ.get("LAZYTINKER_SDK_FULL") != "1",
                reason="the full hpcai install (torch, transformers, ...) runs with "
                "LAZYTINKER_SDK_FULL=1",
            ),
        ),
    ],
)
def test_hpcai_sdk(start_server: Any, tmp_path: Path, steps: tuple[tuple[str, ...], ...]) -> None:
    name = "hpcai-0.2.0" if steps is HPCAI_STEPS else "hpcai-0.2.0-full"
    python = sdk_python(name, steps)
    server: ServerThread = start_server(flavor="hpcai")
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        runs = api.get("/api/v1/training_runs?limit=100").json()["training_runs"]
        # The SDK buffers the whole archive in memory: take the run with the smallest adapter.
        run = min(
            (r for r in runs if r["last_sampler_checkpoint"]),
            key=lambda r: adapter_size(model_named(r["base_model"]), r["lora_rank"]),
        )
        run_id = run["training_run_id"]
        name_ = run["last_sampler_checkpoint"]["checkpoint_id"]
        before = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
    env = {"HPCAI_BASE_URL": server.url, "HPCAI_API_KEY": "tml-demo", "HOME": str(tmp_path)}
    seen = _run_script(python, "hpcai_session.py", env, run_id, name_)
    assert seen["runs"] == [r["training_run_id"] for r in runs]
    assert seen["checkpoints"] == [c["checkpoint_path"] for c in before]
    assert seen["archive_members"] == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "checkpoint_complete",
    ]
    assert seen["archive_config"]["r"] == run["lora_rank"]
    assert seen["archive_bytes"] % 512 == 0
    assert seen["deleted"] not in seen["after_delete"]
    assert len(seen["after_delete"]) == len(before) - 1
