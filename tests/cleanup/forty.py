"""A stand-in server holding one run of 40 training checkpoints, a step every 10 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from lazytinker.server.catalog import ME
from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer

COUNT = 40


def forty_checkpoint_run(start_server: StartServer, now: datetime) -> tuple[ServerThread, str]:
    """A server whose one owned run has 40 training checkpoints; the run's id."""
    server = start_server(sessions=1, runs=1, checkpoints_per_run=0, now=now)
    db = server.app.state.lazytinker.db
    with db.tx() as conn:
        run_id = conn.execute("SELECT id FROM runs").fetchone()[0]
        first = now - timedelta(hours=COUNT)
        conn.executemany(
            "INSERT INTO checkpoints (run_id, kind, name, owner, time_ms, size_bytes, public,"
            " expires_ms, user_metadata) VALUES (?, 'training', ?, ?, ?, ?, 0, NULL, NULL)",
            [
                (
                    run_id,
                    f"step-{(n + 1) * 100:06d}",
                    ME.urn,
                    int((first + timedelta(hours=n)).timestamp() * 1000),
                    300_000_000 + n,
                )
                for n in range(COUNT)
            ],
        )
    return server, run_id


def path_of(run_id: str, n: int) -> str:
    """The path of the n-th (0-based, oldest first) checkpoint of the run."""
    return f"tinker://{run_id}/weights/step-{(n + 1) * 100:06d}"
