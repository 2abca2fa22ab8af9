"""`--cookbook-logs DIR`: a tinker-cookbook log folder for each live run, kept growing.

tinker-cookbook writes, per run, `config.json` (indented), `metrics.jsonl` (one `{"step": N, ...}`
object a line), `checkpoints.jsonl` (one record a save: `name`, loop state such as `batch` and
`epoch`, `state_path` / `sampler_path` as `tinker://RUN/...`) and `logs.log` (Python logging as
`name:line [LEVEL] message`, with "TrainingClient initialized for model RUN" from the SDK). This
module writes the same files for the stand-in's live runs: the history up to the newest
checkpoint the server holds, then a row per step and a record per save as the live loop goes.
Every record names a checkpoint the server really saved.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from lazytinker.api.paths import CheckpointKind, CheckpointRef
from lazytinker.server.cookbook_metrics import (
    RunKind,
    RunProfile,
    TokenTotals,
    checkpoint_record,
    config_json,
    metrics_row,
)
from lazytinker.server.views import loads

__all__ = ["STEP_NAME", "CookbookLogs", "step_of"]

STEP_NAME = re.compile(r"^step-(\d+)$")
_KIND_PATH = {"training": "state_path", "sampler": "sampler_path"}
_INIT = (
    "tinker.lib.public_interfaces.service_client:294 [INFO] TrainingClient initialized for model"
)
_SAVED = "tinker_cookbook.checkpoint_utils:465 [INFO] Saved checkpoints:"


def step_of(name: str) -> int | None:
    """The training step a checkpoint name stands for (`step-000040` -> 40), if it is one."""
    match = STEP_NAME.match(name)
    return int(match.group(1)) if match else None


@dataclass
class _RunLog:
    profile: RunProfile
    folder: Path
    next_step: int
    totals: TokenTotals


def _append(path: Path, lines: list[str]) -> None:
    if lines:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(line + "\n" for line in lines))


class CookbookLogs:
    """Writes one cookbook log folder per live run under `root` and keeps it growing."""

    def __init__(self, root: str | Path, live_interval: float) -> None:
        self.root = Path(root)
        self.live_interval = live_interval
        self._runs: dict[str, _RunLog] = {}

    def folder(self, run_id: str) -> Path:
        """The log folder of a run this writer has begun."""
        return self._runs[run_id].folder

    def _profile(
        self, run: sqlite3.Row, session: sqlite3.Row, kind: RunKind, last_step: int, cadence: int
    ) -> RunProfile:
        meta: dict[str, str] = loads(run["user_metadata"]) or {}
        try:
            learning_rate = float(meta.get("lr", "1e-4"))
        except ValueError:
            learning_rate = 1e-4
        saves_so_far = max(last_step // cadence, 1)
        return RunProfile(
            run_id=run["id"],
            kind=kind,
            base_model=run["base_model"],
            lora_rank=run["lora_rank"] or 32,
            learning_rate=learning_rate,
            dataset=meta.get("dataset", "tulu-3-sft"),
            save_every=cadence,
            total_steps=cadence * (saves_so_far * 3 + 10),
            step_seconds=max(self.live_interval / cadence, 0.001),
            batch_size=128 if kind == "sl" else 64,
            session_name=session["display_name"] or session["id"],
        )

    def _folder_name(self, profile: RunProfile) -> str:
        session, _, index = profile.run_id.partition(":train:")
        model = profile.base_model.rsplit("/", 1)[-1]
        raw = f"{profile.kind}-{profile.dataset}-{model}-{session[:8]}-{index or 0}"
        return re.sub(r"[^A-Za-z0-9._-]", "_", raw)

    def begin(self, conn: sqlite3.Connection, run: sqlite3.Row, kind: RunKind) -> Path:
        """Write a run's folder from scratch: config, the history so far, the log's start."""
        rows = conn.execute(
            "SELECT kind, name FROM checkpoints"
            " WHERE run_id = ? AND kind IN ('training', 'sampler')",
            (run["id"],),
        ).fetchall()
        saves: dict[int, tuple[str, dict[str, str]]] = {}
        for row in rows:
            step = step_of(row["name"])
            if step is not None:
                path = CheckpointRef(run["id"], CheckpointKind(row["kind"]), row["name"]).path
                saves.setdefault(step, (row["name"], {}))[1][_KIND_PATH[row["kind"]]] = path
        steps = sorted(saves)
        last = steps[-1] if steps else 0
        cadence = min((b - a for a, b in pairwise(steps)), default=10) or 10
        session = conn.execute("SELECT * FROM sessions WHERE id = ?", (run["session_id"],))
        profile = self._profile(run, session.fetchone(), kind, last, cadence)
        folder = self.root / self._folder_name(profile)
        folder.mkdir(parents=True, exist_ok=True)
        log = _RunLog(profile, folder, 0, TokenTotals())
        self._runs[profile.run_id] = log
        (folder / "config.json").write_text(
            json.dumps(config_json(profile, str(folder)), indent=2), encoding="utf-8"
        )
        for name in ("metrics.jsonl", "checkpoints.jsonl", "logs.log"):
            (folder / name).write_text("", encoding="utf-8")
        recipe = "sl_basic" if kind == "sl" else "math_rl.train"
        _append(
            folder / "logs.log",
            [
                "root:791 [INFO] Command line invocation: python -m tinker_cookbook.recipes."
                f"{recipe} model_name={profile.base_model} log_path={folder}",
                f"{_INIT} {profile.run_id}",
            ],
        )
        self._catch_up(log, last, [(step, *saves[step]) for step in steps])
        return folder

    def _catch_up(
        self, log: _RunLog, through: int, saves: list[tuple[int, str, dict[str, str]]]
    ) -> None:
        """Log every step up to `through`, each save after the row of its step."""
        metrics: list[str] = []
        records: list[str] = []
        lines: list[str] = []
        pending = sorted(saves)

        def record_due(step: int) -> None:
            while pending and pending[0][0] <= step:
                saved_step, name, paths = pending.pop(0)
                record: dict[str, Any] = checkpoint_record(
                    log.profile, saved_step, name, paths, log.totals
                )
                records.append(json.dumps(record))
                lines.append(f"{_SAVED} {paths!r}")

        while log.next_step <= through:
            step = log.next_step
            metrics.append(json.dumps(metrics_row(log.profile, step, log.totals)))
            record_due(step)
            log.next_step += 1
        record_due(through)
        _append(log.folder / "metrics.jsonl", metrics)
        _append(log.folder / "checkpoints.jsonl", records)
        _append(log.folder / "logs.log", lines)

    def advance(self, run_id: str, step: int) -> None:
        """Log the steps of a run up to `step` (no-op for a run this writer has not begun)."""
        log = self._runs.get(run_id)
        if log is not None:
            self._catch_up(log, step, [])

    def saved(self, run_id: str, step: int, name: str, paths: dict[str, str]) -> None:
        """Log the steps up to a save the server has just made, then its record."""
        log = self._runs.get(run_id)
        if log is not None:
            self._catch_up(log, step, [(step, name, paths)])
