"""The calm live mode (saves minutes apart, touches in between) and its cookbook log folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from lazytinker.server.app import build_state
from lazytinker.server.config import ServerConfig
from lazytinker.server.live import LiveActivity, live_runs
from lazytinker.server.runner import ServerThread

KEY = {"X-API-Key": "tml-demo"}
SEED: dict[str, Any] = {"sessions": 6, "runs": 12, "checkpoints_per_run": 8}


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _counts(state: Any) -> tuple[int, dict[str, int]]:
    with state.db.tx() as conn:
        total = conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
        touched = {r["id"]: r["last_request_ms"] for r in live_runs(conn)}
    return total, touched


def test_live_runs_save_once_per_interval_and_touch_in_between() -> None:
    state = build_state(ServerConfig(**SEED, live=True, live_interval=300.0))
    clock = FakeClock()
    activity = LiveActivity(state, clock)
    activity.start()
    total, touched = _counts(state)
    assert len(touched) >= 2
    clock.now += 1
    time.sleep(0.002)  # the data clock moves in milliseconds
    assert activity.tick() == []
    after_touch, retouched = _counts(state)
    assert after_touch == total
    assert all(retouched[run] > touched[run] for run in touched)
    # Across one interval every live run saves exactly once, at a different moment.
    moments: dict[str, float] = {}
    for _ in range(300):
        clock.now += 1
        for save in activity.tick():
            assert save.run_id not in moments
            moments[save.run_id] = clock.now
    assert set(moments) == set(touched)
    assert len(set(moments.values())) == len(moments)
    assert _counts(state)[0] == total + 2 * len(touched)
    state.db.close()


def test_defaults_are_calm() -> None:
    config = ServerConfig()
    assert config.live_interval >= 60  # saves minutes apart, as real training does
    assert config.live_touch_interval < 60  # while runs still look active (5-minute window)


def test_touches_keep_runs_active_without_saving(start_server: Any) -> None:
    server = start_server(live=True, live_interval=3600, live_touch_interval=0.05)
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        total = api.get("/api/v1/checkpoints?limit=1").json()["cursor"]["total_count"]
        first = {r["training_run_id"]: r["last_request_time"] for r in _runs(api)}
        for _ in range(400):
            later = {r["training_run_id"]: r["last_request_time"] for r in _runs(api)}
            if any(later[run] > first[run] for run in first):
                break
            time.sleep(0.025)
        assert any(later[run] > first[run] for run in first)
        assert api.get("/api/v1/checkpoints?limit=1").json()["cursor"]["total_count"] == total


def _runs(api: httpx.Client) -> list[dict[str, Any]]:
    return list(api.get("/api/v1/training_runs?limit=100").json()["training_runs"])


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _live_run_ids(server: ServerThread) -> set[str]:
    with server.app.state.lazytinker.db.tx() as conn:
        return {row["id"] for row in live_runs(conn)}


def _folders(root: Path) -> dict[str, Path]:
    """Log folders by the run id their logs.log names."""
    found = {}
    for folder in root.iterdir():
        log = (folder / "logs.log").read_text()
        run_id = log.split("TrainingClient initialized for model ")[1].split("\n")[0]
        found[run_id] = folder
    return found


def _wait_for(condition: Any, tries: int = 400) -> None:
    for _ in range(tries):
        if condition():
            return
        time.sleep(0.025)
    assert condition()


def test_cookbook_logs_follow_the_live_runs(start_server: Any, tmp_path: Path) -> None:
    server = start_server(
        live=True, live_interval=0.3, live_touch_interval=0.05, cookbook_logs=str(tmp_path)
    )
    live = _live_run_ids(server)
    _wait_for(lambda: len(list(tmp_path.iterdir())) == len(live))
    folders = _folders(tmp_path)
    assert set(folders) == live
    sizes = {run: len(_lines(f / "metrics.jsonl")) for run, f in folders.items()}
    saves = {run: len(_lines(f / "checkpoints.jsonl")) for run, f in folders.items()}
    # The runs go on: rows every touch, a record every save.
    _wait_for(
        lambda: all(len(_lines(f / "checkpoints.jsonl")) > saves[r] for r, f in folders.items())
    )
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        runs = {r["training_run_id"]: r for r in _runs(api)}
        kinds = set()
        for run_id, folder in folders.items():
            records, listed, metrics = _settled(api, run_id, folder)
            assert len(metrics) > sizes[run_id]
            kinds.add(_check_metrics(metrics))
            _check_records(records, listed, metrics)
            config = json.loads((folder / "config.json").read_text())
            assert config["model_name"] == runs[run_id]["base_model"]
            assert config["lora_rank"] == runs[run_id]["lora_rank"]
            assert config["log_path"] == str(folder)
    assert kinds == {"sl", "rl"}


def _settled(
    api: httpx.Client, run_id: str, folder: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The run's log records, the server's list and the metric rows, read when no save falls
    between them: the live run saves on the server first and logs it a moment later."""
    for _ in range(50):
        records = _lines(folder / "checkpoints.jsonl")
        listed = api.get(f"/api/v1/training_runs/{run_id}/checkpoints").json()["checkpoints"]
        metrics = _lines(folder / "metrics.jsonl")
        steps = sum("/step-" in c["tinker_path"] for c in listed)
        logged = sum(("state_path" in r) + ("sampler_path" in r) for r in records)
        if steps == logged and _lines(folder / "checkpoints.jsonl") == records:
            break
        time.sleep(0.02)
    return records, listed, metrics


def _check_metrics(metrics: list[dict[str, Any]]) -> str:
    """Rows of consecutive steps with believable curves; returns the kind of run."""
    assert [row["step"] for row in metrics] == list(range(len(metrics)))
    costs = [row["cost/cumulative_usd"] for row in metrics]
    assert costs == sorted(costs)
    assert all(row["time/total"] > 0 for row in metrics)
    head, tail = metrics[:10], metrics[-10:]

    def mean(rows: list[dict[str, Any]], key: str) -> float:
        return sum(row[key] for row in rows) / len(rows)

    if "train_mean_nll" in metrics[0]:
        assert mean(tail, "train_mean_nll") < mean(head, "train_mean_nll")
        assert all(("test/nll" in row) == (row["step"] % 10 == 0) for row in metrics)
        assert all(0 < row["progress"] <= 1 for row in metrics)
        return "sl"
    assert mean(tail, "env/all/reward/total") > mean(head, "env/all/reward/total")
    for key in ("optim/kl_sample_train_v1", "optim/entropy", "progress/done_frac"):
        assert all(key in row for row in metrics)
    return "rl"


def _check_records(
    records: list[dict[str, Any]], listed: list[dict[str, Any]], metrics: list[dict[str, Any]]
) -> None:
    """Every record names checkpoints the server holds; every step save has a record."""
    on_server = {c["tinker_path"] for c in listed}
    recorded = set()
    for record in records:
        assert record["batch"] == int(record["name"].removeprefix("step-"))
        assert record["batch"] < len(metrics)
        for key, segment in (("state_path", "weights"), ("sampler_path", "sampler_weights")):
            if key in record:
                assert record[key].endswith(f"/{segment}/{record['name']}")
                assert record[key] in on_server
                recorded.add(record[key])
    assert {c["tinker_path"] for c in listed if "/step-" in c["tinker_path"]} == recorded


def test_cookbook_logs_without_live_are_written_once(start_server: Any, tmp_path: Path) -> None:
    server = start_server(cookbook_logs=str(tmp_path))
    live = _live_run_ids(server)
    _wait_for(lambda: len(list(tmp_path.iterdir())) == len(live))
    folder = next(iter(_folders(tmp_path).values()))
    _wait_for(lambda: bool((folder / "checkpoints.jsonl").read_text()))
    assert _lines(folder / "metrics.jsonl")


def test_serve_writes_cookbook_logs(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lazytinker", "serve", "--port", "0", "--sessions", "4",
         "--runs", "6", "--checkpoints-per-run", "4", "--live", "--live-interval", "0.5",
         "--cookbook-logs", str(tmp_path / "logs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert "listening on" in proc.stdout.readline()
        _wait_for(lambda: (tmp_path / "logs").is_dir() and any((tmp_path / "logs").iterdir()))
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err
