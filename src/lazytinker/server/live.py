"""`--live`: active sessions keep training, so a watcher has something to watch.

Each run of an active session of the demo user saves a training and a sampler checkpoint at its
next step every `live_interval` seconds (minutes by default, as real training does; the runs'
first saves are spread over the first interval), and every `live_touch_interval` seconds all of
them touch `last_request_time`, so they show as active between saves. With `cookbook_logs` set,
each live run also has a tinker-cookbook log folder that grows step by step.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lazytinker.api.paths import CheckpointKind, CheckpointRef
from lazytinker.server.catalog import ME, model_named
from lazytinker.server.cookbook_logs import CookbookLogs, step_of
from lazytinker.server.seed import adapter_size, step_name
from lazytinker.server.state import ServerState

__all__ = ["LiveActivity", "Saved", "live_loop", "live_runs"]


def live_runs(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The runs that keep training: the demo user's active sessions' runs, not corrupted."""
    return conn.execute(
        "SELECT r.* FROM runs r JOIN sessions s ON s.id = r.session_id"
        " WHERE s.owner = ? AND s.status LIKE '%\"active\"%' AND r.corrupted = 0 ORDER BY r.id",
        (ME.urn,),
    ).fetchall()


def _progress(conn: sqlite3.Connection, run_id: str) -> tuple[int, int]:
    """The newest step a run saved (any kind) and its cadence in steps."""
    names = conn.execute(
        "SELECT name FROM checkpoints WHERE run_id = ? AND kind IN ('training', 'sampler')",
        (run_id,),
    )
    steps = sorted({step for (name,) in names if (step := step_of(name)) is not None})
    cadence = steps[-1] - steps[-2] if len(steps) >= 2 else 10
    return (steps[-1] if steps else 0), max(cadence, 1)


@dataclass(frozen=True)
class Saved:
    """One save of a live run: the step, its name and the paths of what was saved."""

    run_id: str
    step: int
    name: str
    paths: dict[str, str]


def _save_next(conn: sqlite3.Connection, run: sqlite3.Row, now: int) -> Saved:
    last, cadence = _progress(conn, run["id"])
    step = last + cadence
    name = step_name(step)
    size = adapter_size(model_named(run["base_model"]), run["lora_rank"] or 8)
    paths: dict[str, str] = {}
    for offset, (kind, factor, key) in enumerate(
        (("training", 3, "state_path"), ("sampler", 1, "sampler_path"))
    ):
        conn.execute(
            "INSERT OR IGNORE INTO checkpoints (run_id, kind, name, owner, time_ms,"
            " size_bytes, public) VALUES (?, ?, ?, ?, ?, ?, 0)",
            (run["id"], kind, name, run["owner"], now + offset, size * factor),
        )
        paths[key] = CheckpointRef(run["id"], CheckpointKind(kind), name).path
    conn.execute("UPDATE runs SET last_request_ms = ? WHERE id = ?", (now + 1, run["id"]))
    return Saved(run["id"], step, name, paths)


class LiveActivity:
    """The live runs' schedule: staggered saves, touches in between, and their cookbook logs."""

    def __init__(self, state: ServerState, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = state
        self.clock = clock
        folder = state.config.cookbook_logs
        interval = state.config.live_interval
        self.logs = CookbookLogs(Path(folder), interval) if folder else None
        self._last_save: dict[str, float] = {}
        self._next_save: dict[str, float] = {}

    def start(self) -> None:
        """Plan the first saves and write the cookbook log folders of the live runs."""
        interval = self.state.config.live_interval
        now = self.clock()
        with self.state.db.tx() as conn:
            runs = live_runs(conn)
            if self.state.config.live:
                # Running now: the first screen already shows them active.
                stamp = self.state.now_ms()
                conn.executemany(
                    "UPDATE runs SET last_request_ms = ? WHERE id = ?",
                    [(stamp, run["id"]) for run in runs],
                )
            for index, run in enumerate(runs):
                # The first saves come one after another across the first interval.
                self._next_save[run["id"]] = now + interval * (index + 1) / len(runs)
                self._last_save[run["id"]] = self._next_save[run["id"]] - interval
                if self.logs is not None:
                    self.logs.begin(conn, run, "sl" if index % 2 == 0 else "rl")

    def tick(self) -> list[Saved]:
        """Save the runs that are due, touch every live run, and log the steps made so far."""
        now = self.clock()
        interval = self.state.config.live_interval
        saved: list[Saved] = []
        with self.state.db.tx() as conn:
            stamp = self.state.now_ms()
            for run in live_runs(conn):
                run_id = run["id"]
                due = self._next_save.setdefault(run_id, now + interval)
                if now >= due:
                    save = _save_next(conn, run, stamp)
                    saved.append(save)
                    self._last_save[run_id] = now
                    self._next_save[run_id] = now + interval
                    if self.logs is not None:
                        self.logs.saved(run_id, save.step, save.name, save.paths)
                    continue
                conn.execute("UPDATE runs SET last_request_ms = ? WHERE id = ?", (stamp, run_id))
                if self.logs is not None:
                    last, cadence = _progress(conn, run_id)
                    done = (now - self._last_save.get(run_id, now)) / interval
                    self.logs.advance(run_id, last + min(int(cadence * done), cadence - 1))
        return saved


async def live_loop(state: ServerState) -> None:
    """Write the cookbook logs; with `live`, keep saving and touching until cancelled."""
    activity = LiveActivity(state)
    await asyncio.to_thread(activity.start)
    if not state.config.live:
        return
    period = min(state.config.live_touch_interval, state.config.live_interval)
    while True:
        await asyncio.sleep(period)
        await asyncio.to_thread(activity.tick)
