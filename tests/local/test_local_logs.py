"""LocalLogs end to end: cookbook folders found, joined to runs, named, tailed, given a status."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from lazytinker.local import LocalLogs, Status
from tests.local.cookbook import (
    SDK_LOG_LINE,
    age_folder,
    checkpoint_record,
    rl_folder,
    supervised_folder,
    supervised_row,
    write_lines,
)

NOW = 1_750_000_000.0


def watch(root: Path, **options: object) -> LocalLogs:
    return LocalLogs([root], scan_interval=0, **options)  # type: ignore[arg-type]


def test_supervised_and_rl_folders_are_pictured(tmp_path: Path) -> None:
    sft = supervised_folder(tmp_path / "chat_sl" / "tulu3-lr2e-4", run_id="sft:train:0")
    rl = rl_folder(tmp_path / "math_rl" / "gsm8k", run_id="rl:train:0")
    age_folder(sft, NOW - 10)
    age_folder(rl, NOW - 10)
    logs = watch(tmp_path)

    change = logs.refresh(NOW)

    assert change.added == (str(sft), str(rl))
    state = logs.state
    supervised = state.for_run("sft:train:0")
    assert supervised is not None
    assert supervised.name == "tulu3-lr2e-4"
    assert supervised.run_ids == ("sft:train:0",)
    assert supervised.recipe.kind == "supervised"
    assert supervised.recipe.model_name == "Qwen/Qwen3-8B"
    assert supervised.recipe.learning_rate == 0.0002
    assert supervised.recipe.lora_rank == 32
    assert supervised.recipe.wandb_name == "tulu3-qwen8b-lr2e-4"
    assert supervised.recipe.log_path == str(sft)
    assert supervised.status is Status.RUNNING
    assert supervised.step == 44
    assert supervised.progress == pytest.approx(0.45)
    assert supervised.eta_seconds == pytest.approx(55 * 4.0)
    assert supervised.cost_usd == pytest.approx(0.9)
    assert supervised.main_metrics == ("train_mean_nll", "test/nll")
    assert supervised.latest("train_mean_nll") == pytest.approx(2.0 / (1 + 44 / 10))
    assert [record.step for record in supervised.checkpoints] == [20, 40]
    assert supervised.checkpoint_at("tinker://sft:train:0/sampler_weights/000040") is not None

    reinforced = state.for_run("rl:train:0")
    assert reinforced is not None
    assert reinforced.name == "gsm8k"
    assert reinforced.recipe.kind == "rl"
    assert reinforced.recipe.lora_rank == 64
    assert reinforced.status is Status.COMPLETED
    assert reinforced.eta_seconds is None
    assert reinforced.main_metrics == ("env/all/reward/total", "optim/kl_sample_train_v1")
    assert reinforced.latest("env/all/reward/total") == pytest.approx(0.9)
    assert state.folder_of_run == {"sft:train:0": str(sft), "rl:train:0": str(rl)}
    record = state.checkpoint_at("tinker://sft:train:0/weights/000040")
    assert record is not None
    assert record.step == 40
    assert state.checkpoint_at("tinker://elsewhere:train:0/weights/000040") is None
    assert [record.name for record in state.checkpoints_of("rl:train:0")] == ["000005", "final"]


def test_running_turns_idle_when_the_files_go_quiet(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run")
    age_folder(folder, NOW - 60)
    logs = watch(tmp_path)
    logs.refresh(NOW)
    assert logs.state.runs[str(folder)].status is Status.RUNNING

    # Nothing written, but time passes: the change is announced.
    change = logs.refresh(NOW + 61)
    assert change.updated == (str(folder),)
    run = logs.state.runs[str(folder)]
    assert run.status is Status.IDLE
    assert run.eta_seconds is None
    assert logs.refresh(NOW + 62).is_empty


def test_a_folder_not_written_for_long_is_idle_and_a_final_save_completes_it(
    tmp_path: Path,
) -> None:
    folder = supervised_folder(tmp_path / "run", run_id="s:train:0")
    age_folder(folder, NOW - 3600)
    logs = watch(tmp_path)
    logs.refresh(NOW)
    assert logs.state.runs[str(folder)].status is Status.IDLE

    write_lines(
        folder / "checkpoints.jsonl",
        [checkpoint_record("s:train:0", "final", epoch=1, batch=0)],
        mode="a",
    )
    os.utime(folder / "checkpoints.jsonl", (NOW - 1, NOW - 1))
    change = logs.refresh(NOW)
    assert change.updated == (str(folder),)
    assert logs.state.runs[str(folder)].status is Status.COMPLETED


def test_an_appended_line_shows_up_and_only_its_bytes_are_read(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run", steps=30)
    logs = watch(tmp_path)
    logs.refresh(NOW)
    before = logs.state.runs[str(folder)]
    tail = logs._watches[str(folder)].metrics_tail
    read = tail.bytes_read

    line = json.dumps(supervised_row(30, 100) | {"train_mean_nll": 0.125}) + "\n"
    with (folder / "metrics.jsonl").open("a") as out:
        out.write(line)
    change = logs.refresh(NOW)

    assert change.updated == (str(folder),)
    after = logs.state.runs[str(folder)]
    assert after.revision > before.revision
    assert after.step == 30
    assert after.latest("train_mean_nll") == 0.125
    assert after.metrics["train_mean_nll"].count == 31
    assert tail.bytes_read - read == len(line.encode())
    # The old snapshot is untouched: the store may still hold it.
    assert before.step == 29


def test_nothing_changed_announces_nothing(tmp_path: Path) -> None:
    supervised_folder(tmp_path / "run")
    logs = watch(tmp_path)
    logs.refresh(NOW)
    state = logs.state
    assert logs.refresh(NOW).is_empty
    assert logs.state is state


def test_a_resume_rewrites_metrics_and_adds_a_run_to_the_folder(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run", run_id="first:train:0", steps=30)
    logs = watch(tmp_path)
    logs.refresh(NOW)
    assert logs.state.runs[str(folder)].step == 29

    # The resumed process: a new run id, metrics rewritten from the last checkpoint (step 20)
    # by a sibling file renamed over the old one, then new steps logged; a new save.
    with (folder / "logs.log").open("a") as log:
        log.write(SDK_LOG_LINE.format(run_id="second:train:0"))
    rows = [supervised_row(step, 100) for step in range(20)]
    rows += [supervised_row(step, 100) | {"train_mean_nll": 9.0} for step in range(20, 25)]
    write_lines(folder / "metrics.jsonl.tmp", rows)
    os.replace(folder / "metrics.jsonl.tmp", folder / "metrics.jsonl")
    write_lines(
        folder / "checkpoints.jsonl",
        [checkpoint_record("second:train:0", "000024", epoch=0, batch=24)],
        mode="a",
    )

    change = logs.refresh(NOW)

    assert change.updated == (str(folder),)
    run = logs.state.runs[str(folder)]
    assert run.run_ids == ("first:train:0", "second:train:0")
    assert run.run_id == "second:train:0"
    assert logs.state.for_run("first:train:0") is run
    assert logs.state.for_run("second:train:0") is run
    assert run.step == 24
    assert run.metrics["train_mean_nll"].count == 25  # the dropped steps are not counted twice
    assert run.latest("train_mean_nll") == 9.0
    assert [record.name for record in run.checkpoints_of("second:train:0")] == ["000024"]
    assert [record.name for record in run.checkpoints_of("first:train:0")] == ["000020"]


def test_garbage_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run", steps=3)
    with (folder / "metrics.jsonl").open("ab") as out:
        out.write(b"garbage\n\xff\xfe\n" + b"[" * 50_000 + b"\n" + b"x" * (2 << 20) + b"\n")
        out.write(json.dumps(supervised_row(3, 100)).encode() + b"\n")
    with (folder / "checkpoints.jsonl").open("ab") as out:
        out.write(b'{"no": "name"}\n')
    logs = watch(tmp_path)
    logs.refresh(NOW)
    run = logs.state.runs[str(folder)]
    assert run.step == 3
    assert run.skipped_lines == 5


def test_a_removed_folder_is_announced(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run")
    logs = watch(tmp_path)
    logs.refresh(NOW)
    shutil.rmtree(folder)
    change = logs.refresh(NOW)
    assert change.removed == (str(folder),)
    assert logs.state.runs == {}
    assert logs.state.folder_of_run == {}


def test_a_new_folder_is_found_on_the_next_scan_only(tmp_path: Path) -> None:
    logs = LocalLogs([tmp_path], scan_interval=3600)
    logs.refresh(NOW)
    folder = supervised_folder(tmp_path / "later")
    assert logs.refresh(NOW).is_empty
    assert logs.refresh(NOW, rescan=True).added == (str(folder),)


def test_a_large_backlog_arrives_over_several_refreshes(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run", steps=2000)
    logs = watch(tmp_path, max_bytes_per_refresh=64 << 10)
    refreshes = 1
    logs.refresh(NOW)
    while not logs.state.runs[str(folder)].caught_up:
        assert logs.refresh(NOW).updated == (str(folder),)
        refreshes += 1
    assert refreshes > 2
    assert logs.state.runs[str(folder)].step == 1999


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_hostile_folders_do_not_hang_or_crash(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo-run"
    fifo.mkdir()
    os.mkfifo(fifo / "metrics.jsonl")
    (fifo / "checkpoints.jsonl").write_text("")
    os.mkfifo(fifo / "config.json")
    os.mkfifo(fifo / "logs.log")
    device = tmp_path / "device-run"
    device.mkdir()
    (device / "metrics.jsonl").symlink_to("/dev/zero")
    (device / "config.json").symlink_to("/dev/urandom")
    (device / "logs.log").write_bytes(b"\x00" * 10_000)
    (device / "checkpoints.jsonl").write_bytes(b"[" * 100_000 + b"\n" + b"{" * 100_000)
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    logs = LocalLogs([tmp_path], scan_interval=0, max_depth=50)

    logs.refresh(NOW)

    runs = logs.state.runs
    assert set(runs) == {str(fifo), str(device)}
    assert all(run.step is None and run.run_ids == () for run in runs.values())
    assert runs[str(device)].skipped_lines == 1  # the unfinished line waits for its end
