"""Cookbook log folders for runs that exist on a stand-in server: supervised (running), RL
(completed), and a resumed job (two service runs in one folder, idle).

Each folder's `checkpoints.jsonl` names checkpoints the server really holds, plus one it never
had (a save deleted or expired since) and one rolling save (which the cookbook deletes itself).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.local.cookbook import (
    SDK_LOG_LINE,
    age_folder,
    make_folder,
    rl_config,
    rl_row,
    supervised_config,
    supervised_row,
    write_lines,
)

KEY = {"X-API-Key": "tml-demo"}


@dataclass
class Folders:
    """What was written: folder paths and the service runs each names."""

    root: Path
    supervised: Path
    rl: Path
    resumed: Path
    sft_run: str
    rl_run: str
    first_run: str
    second_run: str
    gone_path: str
    rolling_path: str
    sft_paths: list[str]


def _runs_with_checkpoints(url: str) -> list[tuple[str, list[dict[str, Any]]]]:
    with httpx.Client(base_url=url, headers=KEY) as api:
        runs = api.get("/api/v1/training_runs", params={"limit": 100}).json()["training_runs"]
        found = []
        for run in sorted(runs, key=lambda r: r["training_run_id"]):
            if run["corrupted"] or run.get("model_owner", "").endswith("other"):
                continue
            listed = api.get(f"/api/v1/training_runs/{run['training_run_id']}/checkpoints")
            found.append((run["training_run_id"], listed.json()["checkpoints"]))
    return found


def _records(run_id: str, checkpoints: list[dict[str, Any]], **loop: Any) -> list[dict[str, Any]]:
    """One record per saved name (state and sampler paths where the server has them)."""
    by_name: dict[str, dict[str, Any]] = {}
    for index, checkpoint in enumerate(checkpoints):
        kind, _, name = checkpoint["checkpoint_id"].partition("/")
        key = {"weights": "state_path", "sampler_weights": "sampler_path"}.get(kind)
        if key is None:
            continue
        digits = name.rsplit("-", 1)[-1]
        step = int(digits) if digits.isdigit() else 10 * (index + 1)
        record = by_name.setdefault(name, {"name": name, "step": step, **loop})
        record[key] = checkpoint["tinker_path"]
    return list(by_name.values())


def write_folders(url: str, root: Path, *, now: float | None = None) -> Folders:
    """Write the three folders under `root` for runs of the server at `url`."""
    now = time.time() if now is None else now
    runs = [(r, c) for r, c in _runs_with_checkpoints(url) if len(c) >= 4]
    (sft_run, sft_cps), (rl_run, rl_cps), (first, first_cps), (second, second_cps) = runs[:4]

    supervised = root / "chat_sl" / "tulu3-qwen8b-lr2e-4"
    records = _records(sft_run, sft_cps, epoch=0)
    gone = f"tinker://{sft_run}/weights/step-000005"
    rolling = f"tinker://{sft_run}/weights/rolling-000007"
    records.insert(0, {"name": "step-000005", "step": 5, "epoch": 0, "state_path": gone})
    records.insert(1, {"name": "rolling-000007", "step": 7, "rolling": True, "state_path": rolling})
    rows = [supervised_row(step, 200) for step in range(90)]
    make_folder(supervised, supervised_config(supervised), rows, records, started=[sft_run])
    age_folder(supervised, now - 10)

    rl = root / "math_rl" / "gsm8k-llama-grpo"
    rl_records = _records(rl_run, rl_cps)
    rl_records.append({**rl_records[-1], "name": "final", "final": True})
    make_folder(rl, rl_config(rl), [rl_row(s, 60) for s in range(60)], rl_records, [rl_run])
    age_folder(rl, now - 30)

    resumed = root / "resumed-sft"
    first_records = _records(first, first_cps[:2], epoch=0)
    make_folder(
        resumed,
        supervised_config(resumed, wandb_name="resumed-wandb"),
        [supervised_row(step, 100) for step in range(30)],
        first_records,
        started=[first],
    )
    # The resumed process: a new run, metrics rewritten from the resume step, new saves.
    with (resumed / "logs.log").open("a", encoding="utf-8") as log:
        log.write(SDK_LOG_LINE.format(run_id=second))
    write_lines(resumed / "metrics.jsonl", [supervised_row(step, 100) for step in range(40)])
    write_lines(resumed / "checkpoints.jsonl", _records(second, second_cps[:2], epoch=0), "a")
    age_folder(resumed, now - 3600)
    return Folders(
        root=root,
        supervised=supervised,
        rl=rl,
        resumed=resumed,
        sft_run=sft_run,
        rl_run=rl_run,
        first_run=first,
        second_run=second,
        gone_path=gone,
        rolling_path=rolling,
        sft_paths=[c["tinker_path"] for c in sft_cps],
    )
