"""Fault injection, `--live` activity and the `lazytinker serve` command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from lazytinker.server.faults import FaultSpecError, parse_faults

KEY = {"X-API-Key": "tml-demo"}


def test_status_faults_hit_only_matching_paths(start_server: Any) -> None:
    server = start_server(faults="503:1@/training_runs,429:1@/sessions")
    failed = httpx.get(f"{server.url}/api/v1/training_runs", headers=KEY)
    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "1"
    assert "Injected" in failed.json()["detail"]
    limited = httpx.get(f"{server.url}/api/v1/sessions", headers=KEY)
    assert limited.status_code == 429
    assert httpx.get(f"{server.url}/api/v1/checkpoints", headers=KEY).status_code == 200


def test_cut_and_badjson(start_server: Any) -> None:
    server = start_server(faults="cut:1@/signed,badjson:1@/checkpoints")
    broken = httpx.get(f"{server.url}/api/v1/checkpoints", headers=KEY)
    assert broken.status_code == 200
    with pytest.raises(ValueError, match=r"."):
        broken.json()
    runs = httpx.get(f"{server.url}/api/v1/training_runs?limit=1", headers=KEY).json()
    ckpt = runs["training_runs"][0]["last_sampler_checkpoint"]
    run_id = runs["training_runs"][0]["training_run_id"]
    archive = f"{server.url}/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}"
    location = httpx.get(f"{archive}/archive", headers=KEY).headers["location"]
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(location)


def test_rates_are_rates(start_server: Any) -> None:
    server = start_server(faults="500:0.5@/healthz,slow:0.2@/healthz", slow_seconds=0.01)
    codes = [httpx.get(f"{server.url}/api/v1/healthz").status_code for _ in range(60)]
    assert set(codes) == {200, 500}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("500", "needs a rate"),
        ("boom:0.1", "unknown fault"),
        ("500:x", "not a number"),
        ("500:1.5", "between 0 and 1"),
    ],
)
def test_bad_fault_specs(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse_faults(spec)


def test_live_sessions_keep_saving(start_server: Any) -> None:
    server = start_server(live=True, live_interval=0.05)
    url = f"{server.url}/api/v1/checkpoints?limit=1"
    first = httpx.get(url, headers=KEY).json()
    total = first["cursor"]["total_count"]
    for _ in range(400):
        later = httpx.get(url, headers=KEY).json()
        if later["cursor"]["total_count"] > total:
            break
        time.sleep(0.025)
    assert later["cursor"]["total_count"] > total
    assert later["checkpoints"][0]["time"] > first["checkpoints"][0]["time"]


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lazytinker", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_serve_command_line(tmp_path: Any) -> None:
    db = tmp_path / "stand-in.db"
    proc = _serve(
        "--host", "127.0.0.1", "--port", "0", "--api-key", "tml-a", "--api-key", "tml-b",
        "--flavor", "tinker", "--db", str(db), "--seed", "3", "--sessions", "3", "--runs", "4",
        "--checkpoints-per-run", "2", "--live", "--faults", "500:0@/nothing",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.split("listening on ")[1].strip()
        for key in ("tml-a", "tml-b"):
            runs = httpx.get(f"{url}/api/v1/training_runs", headers={"X-API-Key": key}).json()
            assert runs["cursor"]["total_count"] >= 1
        assert httpx.get(f"{url}/api/v1/training_runs", headers=KEY).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err
    assert db.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faults", "nope:1"], "unknown fault"),
        (["--port", "70000"], "not a TCP port"),
        (["--flavor", "other"], "invalid choice"),
        (["--runs", "-1"], "must not be negative"),
    ],
)
def test_serve_refuses_bad_flags(args: list[str], message: str) -> None:
    proc = _serve("--port", "0", *args)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert message in err
    assert "Traceback" not in err
