"""The store joined to cookbook log folders for runs on the stand-in server: the join, names,
latest values, running/idle/completed from file times, gone checkpoints, and the incremental
read (an appended line shows up; a resume's rewrite is handled), all through the store."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from lazytinker.api.paths import CheckpointRef
from lazytinker.local import LocalLogs, Status
from lazytinker.store import Change, Store
from lazytinker.store.gone import GoneCheckpoint

from .local.cookbook import SDK_LOG_LINE, supervised_row, write_lines
from .training_logs import KEY, Folders, write_folders
from .ui.harness import make_store


async def joined(url: str, root: Path, **kwargs: Any) -> Store:
    store = make_store(url, local_logs=LocalLogs([root], scan_interval=0), **kwargs)
    assert await store.connect()
    assert await store.load_runs()
    assert await store.load_sessions()
    assert await store.load_local()
    return store


async def test_runs_join_their_folders_with_names_values_and_states(
    server: Any, tmp_path: Path
) -> None:
    folders = write_folders(server.url, tmp_path)
    store = await joined(server.url, tmp_path)

    sft = store.local_run(folders.sft_run)
    assert sft is not None
    assert sft.key == str(folders.supervised)
    assert store.run_name(folders.sft_run) == "tulu3-qwen8b-lr2e-4"
    assert sft.status is Status.RUNNING
    assert sft.step == 89
    assert sft.latest("train_mean_nll") == pytest.approx(2.0 / (1 + 89 / 10))
    assert sft.progress == pytest.approx(90 / 200)
    assert sft.cost_usd == pytest.approx(0.02 * 90)
    assert sft.recipe.model_name == "Qwen/Qwen3-8B"
    assert sft.recipe.lora_rank == 32

    rl = store.local_run(folders.rl_run)
    assert rl is not None
    assert rl.status is Status.COMPLETED
    assert store.run_name(folders.rl_run) == "gsm8k-llama-grpo"
    assert rl.main_metrics == ("env/all/reward/total", "optim/kl_sample_train_v1")

    # One folder, two service runs: both are joined to it, the newer is its current run.
    first, second = store.local_run(folders.first_run), store.local_run(folders.second_run)
    assert first is second
    assert first is not None
    assert first.run_ids == (folders.first_run, folders.second_run)
    assert first.status is Status.IDLE
    assert store.run_name(folders.first_run) == "resumed-sft"
    assert store.find_run("resumed-sft") == folders.second_run
    assert store.find_run("tulu3-qwen8b") == folders.sft_run
    assert store.find_run(folders.rl_run) == folders.rl_run
    assert store.find_run("no-such-run") is None

    # A run without a folder takes its session's display name, else a name in its metadata.
    others = [r for r in store.runs if store.local_run(r.training_run_id) is None]
    named = [r for r in others if store.run_name(r.training_run_id)]
    assert named, "the seed names some sessions"
    for run in named:
        session = store.sessions.get(run.training_run_id.split(":train:")[0])
        assert session is not None
        assert store.run_name(run.training_run_id) == session.display_name
    await store.close()


async def test_checkpoints_against_the_record(server: Any, tmp_path: Path) -> None:
    folders = write_folders(server.url, tmp_path)
    store = await joined(server.url, tmp_path)
    run_id = folders.sft_run
    assert store.gone_checkpoints(run_id) == []  # not before the server's list is read
    assert await store.load_checkpoints(run_id)

    record = store.checkpoint_record(folders.sft_paths[-1])
    assert record is not None
    assert record.step is not None
    gone = {row.path: row for row in store.gone_checkpoints(run_id)}
    assert set(gone) == {folders.gone_path, folders.rolling_path}
    assert gone[folders.gone_path].gone == "gone"
    assert gone[folders.gone_path].step == 5
    assert gone[folders.rolling_path].gone == "rolled"

    # Deleted while the app watched: said as deleted.
    victim = next(p for p in folders.sft_paths if "/weights/" in p)
    results = await store.delete([CheckpointRef.parse(victim)])
    assert all(result.ok for result in results)
    rows = {row.path: row for row in store.gone_checkpoints(run_id)}
    assert rows[victim].gone == "deleted"
    assert isinstance(rows[victim], GoneCheckpoint)
    await store.close()


async def test_a_checkpoint_past_its_expiry_that_goes_is_expired(
    server: Any, tmp_path: Path
) -> None:
    folders = write_folders(server.url, tmp_path)
    clock = {"now": datetime.now(UTC)}
    store = await joined(server.url, tmp_path, now=lambda: clock["now"])
    run_id = folders.sft_run
    assert await store.load_checkpoints(run_id)
    path = next(p for p in folders.sft_paths if "/sampler_weights/" in p)
    assert all(r.ok for r in await store.set_ttl([CheckpointRef.parse(path)], 3600))
    assert store.run_checkpoints(run_id).get(path).expires_at is not None  # type: ignore[union-attr]

    # The server drops it once it expired (another client, here: the API directly).
    clock["now"] += timedelta(hours=2)
    ref = CheckpointRef.parse(path)
    with httpx.Client(base_url=server.url, headers=KEY) as api:
        url = f"/api/v1/training_runs/{run_id}/checkpoints/{ref.checkpoint_id}"
        assert api.delete(url).status_code < 300
    assert await store.load_checkpoints(run_id)
    rows = {row.path: row for row in store.gone_checkpoints(run_id)}
    assert rows[path].gone == "expired"
    await store.close()


async def test_the_incremental_read_through_the_store(server: Any, tmp_path: Path) -> None:
    folders = write_folders(server.url, tmp_path)
    store = await joined(server.url, tmp_path)
    changes: list[Change] = []
    store.subscribe(changes.append)
    key = str(folders.supervised)

    assert await store.load_local()
    assert [c for c in changes if c.collection == "local" and not c.is_empty] == []

    line = json.dumps(supervised_row(90, 200) | {"train_mean_nll": 0.0625}) + "\n"
    with (folders.supervised / "metrics.jsonl").open("a", encoding="utf-8") as out:
        out.write(line)
    assert await store.load_local()
    local = [c for c in changes if c.collection == "local" and not c.is_empty]
    assert local == [Change("local", updated=(key,))]
    sft = store.local_run(folders.sft_run)
    assert sft is not None
    assert sft.step == 90
    assert sft.latest("train_mean_nll") == 0.0625
    assert sft.metrics["train_mean_nll"].count == 91

    # A resume: a new run id, metrics rewritten from the resume step, a new save.
    resumed_run = folders.rl_run  # any run of the server will do as the new process's run
    with (folders.supervised / "logs.log").open("a", encoding="utf-8") as log:
        log.write(SDK_LOG_LINE.format(run_id=resumed_run))
    rows = [supervised_row(step, 200) for step in range(60)]
    write_lines(folders.supervised / "metrics.jsonl.tmp", rows)
    os.replace(folders.supervised / "metrics.jsonl.tmp", folders.supervised / "metrics.jsonl")
    assert await store.load_local()
    sft = store.local_run(folders.sft_run)
    assert sft is not None
    assert sft.step == 59
    assert sft.metrics["train_mean_nll"].count == 60
    assert sft.run_ids[0] == folders.sft_run
    assert resumed_run in sft.run_ids
    await store.close()


async def test_file_times_decide_running_idle_and_completed(server: Any, tmp_path: Path) -> None:
    folders = write_folders(server.url, tmp_path, now=time.time())
    store = await joined(server.url, tmp_path)
    states = {
        name: store.local_run(run_id).status  # type: ignore[union-attr]
        for name, run_id in (("sft", folders.sft_run), ("rl", folders.rl_run))
    }
    assert states == {"sft": Status.RUNNING, "rl": Status.COMPLETED}
    # Quiet for long: idle, announced without a byte written.
    old = time.time() - 3600
    for child in folders.supervised.iterdir():
        os.utime(child, (old, old))
    changes: list[Change] = []
    store.subscribe(changes.append)
    assert await store.load_local()
    assert store.local_run(folders.sft_run).status is Status.IDLE  # type: ignore[union-attr]
    assert Change("local", updated=(str(folders.supervised),)) in changes
    await store.close()


async def test_without_log_roots_nothing_is_read(server: Any) -> None:
    store = make_store(server.url)
    assert not store.has_local_logs
    assert await store.load_local()
    assert store.local.runs == {}
    assert store.find_run("anything") is None
    await store.close()


def test_folders_builder_names_real_checkpoints(server: Any, tmp_path: Path) -> None:
    folders: Folders = write_folders(server.url, tmp_path)
    records = [
        json.loads(line)
        for line in (folders.supervised / "checkpoints.jsonl").read_text().splitlines()
    ]
    named = {r.get("state_path") for r in records} | {r.get("sampler_path") for r in records}
    assert set(folders.sft_paths) - {p for p in folders.sft_paths if "external" in p} <= named
