"""Builders of tinker-cookbook-style log folders, written as the cookbook writes them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SDK_LOG_LINE = (
    "tinker.lib.public_interfaces.service_client:294 [INFO] "
    "TrainingClient initialized for model {run_id}\n"
)


def supervised_config(log_path: Path, **overrides: Any) -> dict[str, Any]:
    """A supervised config.json as `chz` dumps one (nested builder, many fields)."""
    config: dict[str, Any] = {
        "log_path": str(log_path),
        "model_name": "Qwen/Qwen3-8B",
        "recipe_name": "chat_sl",
        "load_checkpoint_path": None,
        "renderer_name": "qwen3",
        "dataset_builder": {"__type__": "ChatDatasetBuilder", "common_config": {"batch_size": 128}},
        "learning_rate": 0.0002,
        "lr_schedule": "linear",
        "num_epochs": 1,
        "lora_rank": 32,
        "base_url": None,
        "save_every": 20,
        "wandb_project": "tulu",
        "wandb_name": "tulu3-qwen8b-lr2e-4",
        "session_name": None,
    }
    return config | overrides


def rl_config(log_path: Path, **overrides: Any) -> dict[str, Any]:
    """An RL config.json (it has `loss_fn`, which a supervised one lacks)."""
    config: dict[str, Any] = {
        "learning_rate": 4e-05,
        "dataset_builder": {"__type__": "Gsm8kDatasetBuilder", "batch_size": 64},
        "model_name": "meta-llama/Llama-3.1-8B",
        "recipe_name": "math_rl",
        "max_tokens": 512,
        "log_path": str(log_path),
        "wandb_project": None,
        "wandb_name": None,
        "loss_fn": "importance_sampling",
        "lora_rank": 64,
    }
    return config | overrides


def supervised_row(step: int, total: int) -> dict[str, Any]:
    """One supervised metrics row (train loss every step, test loss every 10)."""
    row: dict[str, Any] = {
        "step": step,
        "learning_rate": 0.0002 * (1 - step / total),
        "progress": (step + 1) / total,
        "num_sequences": 128,
        "num_tokens": 65_536,
        "train_mean_nll": 2.0 / (1 + step / 10),
        "cost/step_usd": 0.02,
        "cost/cumulative_usd": 0.02 * (step + 1),
        "time/total": 4.0,
    }
    if step % 10 == 0:
        row["test/nll"] = 2.1 / (1 + step / 10)
    return row


def rl_row(step: int, total: int) -> dict[str, Any]:
    """One RL metrics row."""
    return {
        "step": step,
        "progress/done_frac": (step + 1) / total,
        "env/all/reward/total": step / total,
        "env/all/ac_tokens_per_turn": 180.5,
        "optim/kl_sample_train_v1": 0.001 * step,
        "optim/entropy": 0.6,
        "optim/lr": 4e-05,
        "by_group/frac_mixed": 0.5,
        "cost/cumulative_usd": 0.5 * (step + 1),
        "time/total": 30.0,
    }


def checkpoint_record(run_id: str, name: str, **loop_state: Any) -> dict[str, Any]:
    """A checkpoints.jsonl record of a save of kind "both"."""
    return {
        "name": name,
        **loop_state,
        "state_path": f"tinker://{run_id}/weights/{name}",
        "sampler_path": f"tinker://{run_id}/sampler_weights/{name}",
    }


def write_lines(path: Path, rows: Iterable[dict[str, Any]], mode: str = "w") -> None:
    """Write rows as JSONL (append with mode "a")."""
    with path.open(mode, encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")


def make_folder(
    path: Path,
    config: dict[str, Any] | None,
    rows: Iterable[dict[str, Any]] = (),
    checkpoints: Iterable[dict[str, Any]] = (),
    started: Iterable[str] = (),
) -> Path:
    """A log folder: config.json, logs.log (one SDK line per started run), metrics, checkpoints."""
    path.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (path / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    with (path / "logs.log").open("a", encoding="utf-8") as log:
        log.write("__main__:12 [INFO] Command line invocation: python -m recipe\n")
        for run_id in started:
            log.write(SDK_LOG_LINE.format(run_id=run_id))
    rows = list(rows)
    if rows:
        write_lines(path / "metrics.jsonl", rows)
    checkpoints = list(checkpoints)
    if checkpoints:
        write_lines(path / "checkpoints.jsonl", checkpoints)
    return path


def supervised_folder(path: Path, run_id: str = "sft1:train:0", steps: int = 45) -> Path:
    """A supervised run part way (checkpoints every 20 steps), not finished."""
    rows = [supervised_row(step, 100) for step in range(steps)]
    saves = [
        checkpoint_record(run_id, f"{step:06d}", epoch=0, batch=step)
        for step in range(20, steps, 20)
    ]
    return make_folder(path, supervised_config(path), rows, saves, started=[run_id])


def rl_folder(path: Path, run_id: str = "rl1:train:0", steps: int = 10) -> Path:
    """An RL run that finished: its last record is the final save."""
    rows = [rl_row(step, steps) for step in range(steps)]
    saves = [
        checkpoint_record(run_id, "000005", batch=5),
        checkpoint_record(run_id, "final", batch=steps),
    ]
    return make_folder(path, rl_config(path), rows, saves, started=[run_id])


def set_mtime(path: Path, when: float) -> None:
    """Set a file's access and modification times (what the status is decided from)."""
    os.utime(path, (when, when))


def age_folder(path: Path, when: float) -> None:
    """Set every file of a log folder to one modification time."""
    for child in path.iterdir():
        if child.is_file():
            set_mtime(child, when)
