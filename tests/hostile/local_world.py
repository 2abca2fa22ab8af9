"""Training logs the user did not write: a tinker-cookbook log folder spoiled in every file.

The app reads these from disk (`--logs`) and shows them next to the server's runs: names in the
runs pane, curves in the detail, the metrics view and its chart, steps and a metric column on a
run's checkpoints. Each file carries the payloads of `payloads.EVIL` where text goes (the folder
name, config values, metric names, checkpoint names, log lines), odd values where numbers go
(NaN, infinities, 1e308, strings, objects), lines that are not JSON, not UTF-8 or nested 100,000
deep, and the key where a careless script might have printed it. A second folder holds FIFOs
and links to `/dev/zero` and `/dev/urandom` where the files should be.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.hostile.payloads import CLEAR, CLIPBOARD, EVIL, KEY, TITLE
from tests.local.cookbook import SDK_LOG_LINE

# A file name cannot hold NUL, `/` or a lone surrogate: the terminal payloads it can hold.
FOLDER_NAME = f"run{CLIPBOARD}{TITLE}{CLEAR}\u202e\x9b31m"
METRIC = f"{EVIL}/loss"


def _rows(steps: int) -> list[Any]:
    """Metrics rows: one good metric, one named with payloads, and values no chart expects."""
    odd: list[Any] = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, "high", {"a": 1}]
    rows: list[Any] = []
    for step in range(steps):
        rows.append(
            {
                "step": step,
                "progress": (step + 1) / (steps * 2),
                "train_mean_nll": 2.0 / (1 + step),
                METRIC: odd[step % len(odd)] if step % 2 else 1.0 / (1 + step),
                f"key/{KEY}": step,
                "lr": 1e-4,
            }
        )
    rows.append({"step": EVIL, "train_mean_nll": EVIL})  # a step that is not a number
    rows.append({"step": -(10**30), "train_mean_nll": 10**400})  # numbers beyond a float
    return rows


def _checkpoints(run_id: str) -> list[dict[str, Any]]:
    """Saves named with payloads, paths of odd shape, loop state of odd types."""
    return [
        {
            "name": EVIL,
            "batch": 3,
            "state_path": f"tinker://{run_id}/weights/{EVIL}",
            "sampler_path": f"tinker://{run_id}/sampler_weights/{KEY}",
        },
        {"name": "000004", "batch": "four", "epoch": None, "state_path": "tinker://a/b/c/d"},
        {"name": "final", "batch": 10**30, "state_path": f"tinker://{run_id}/weights/final"},
        {"name": None, "state_path": 5},
    ]


def _jsonl(items: list[Any]) -> bytes:
    lines = [json.dumps(item).encode("utf-8", "surrogatepass") for item in items]
    # A line cut mid-write, one that is not UTF-8, one nested 100,000 deep: each is skipped.
    lines += [b'{"step": 3, "train_me', b"\xff\xfe{\x00}", b"[" * 100_000 + b"]" * 100_000]
    return b"\n".join(lines) + b"\n"


def write_traps(root: Path) -> Path:
    """A log folder whose files are not files: FIFOs nobody writes and links to endless devices
    (a read that waited or kept reading would hang the scan)."""
    folder = root / "traps"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "logs.log")
    os.mkfifo(folder / "metrics.jsonl")
    (folder / "config.json").symlink_to("/dev/zero")
    (folder / "checkpoints.jsonl").symlink_to("/dev/urandom")
    return folder


def write_hostile_logs(root: Path, run_id: str, steps: int = 12) -> Path:
    """A cookbook log folder under `root` for the server's run `run_id`, spoiled throughout
    (and, beside it, a folder of traps)."""
    write_traps(root)
    folder = root / FOLDER_NAME
    folder.mkdir(parents=True)
    config = {
        "log_path": str(folder),
        "model_name": EVIL,
        "recipe_name": f"recipe {TITLE}",
        "wandb_project": EVIL,
        "wandb_name": f"name {EVIL} {KEY}",
        "learning_rate": "fast",
        "lora_rank": -(10**30),
        "dataset_builder": {"__type__": EVIL, "batch_size": float("nan")},
    }
    (folder / "config.json").write_bytes(json.dumps(config).encode("utf-8", "surrogatepass"))
    log = SDK_LOG_LINE.format(run_id=run_id) + f"__main__:1 [INFO] {EVIL} {KEY}\n"
    (folder / "logs.log").write_bytes(log.encode("utf-8", "surrogatepass"))
    (folder / "metrics.jsonl").write_bytes(_jsonl(_rows(steps)))
    (folder / "checkpoints.jsonl").write_bytes(_jsonl(_checkpoints(run_id)))
    return folder
