"""`--live`: active sessions keep training, so a watcher has something to watch.

Every `live_interval` seconds each run of an active session of the demo user saves a training and a
sampler checkpoint at the next step and touches `last_request_time`.
"""

from __future__ import annotations

import asyncio
import re

from lazytinker.server.catalog import ME, model_named
from lazytinker.server.seed import adapter_size, step_name
from lazytinker.server.state import ServerState

__all__ = ["live_loop", "save_tick"]

_STEP = re.compile(r"^step-(\d+)$")


def save_tick(state: ServerState) -> int:
    """Save one round of checkpoints for every active run; returns how many were saved."""
    now = state.now_ms()
    saved = 0
    with state.db.tx() as conn:
        runs = conn.execute(
            "SELECT r.* FROM runs r JOIN sessions s ON s.id = r.session_id"
            " WHERE s.owner = ? AND s.status LIKE '%\"active\"%' AND r.corrupted = 0",
            (ME.urn,),
        ).fetchall()
        for run in runs:
            steps = [
                int(match.group(1))
                for (name,) in conn.execute(
                    "SELECT name FROM checkpoints WHERE run_id = ? AND kind = 'training'",
                    (run["id"],),
                )
                if (match := _STEP.match(name))
            ]
            ordered = sorted(steps)
            cadence = ordered[-1] - ordered[-2] if len(ordered) >= 2 else 10
            step = (ordered[-1] if ordered else 0) + max(cadence, 1)
            size = adapter_size(model_named(run["base_model"]), run["lora_rank"] or 8)
            for offset, (kind, factor) in enumerate((("training", 3), ("sampler", 1))):
                conn.execute(
                    "INSERT OR IGNORE INTO checkpoints (run_id, kind, name, owner, time_ms,"
                    " size_bytes, public) VALUES (?, ?, ?, ?, ?, ?, 0)",
                    (run["id"], kind, step_name(step), run["owner"], now + offset, size * factor),
                )
                saved += 1
            conn.execute("UPDATE runs SET last_request_ms = ? WHERE id = ?", (now + 1, run["id"]))
    return saved


async def live_loop(state: ServerState) -> None:
    """Run `save_tick` every `live_interval` seconds until cancelled."""
    while True:
        await asyncio.sleep(state.config.live_interval)
        await asyncio.to_thread(save_tick, state)
