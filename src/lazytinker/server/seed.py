"""Deterministic seed data: believable sessions, runs, checkpoints and samplers.

The same `ServerConfig.seed`, sizes and `now` always give the same rows. Everything is built in
memory first and written with `executemany` in one transaction, so large seeds take seconds.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lazytinker.server.catalog import ME, MODELS, OTHER, PROJECTS, BaseModel, model_named
from lazytinker.server.db import Database

__all__ = ["MARKUP_TEXT", "SeedSize", "adapter_size", "now_ms", "seed_database", "step_name"]

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
# Rich markup in data the UI must show literally, not interpret.
MARKUP_TEXT = "[bold red]x[/]"

_DATASETS = ("gsm8k", "hh-rlhf", "ultrachat-200k", "tulu-3-sft", "code-contests", "math-500")
_PURPOSES = ("sft", "rl", "dpo", "distillation", "eval")
_TEAMS = ("reasoning", "alignment", "infra", "evals")
_RANKS = (8, 16, 32, 32, 32, 64, 128)


def now_ms(now: datetime | None) -> int:
    """`now` (or the real clock) as epoch milliseconds."""
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def step_name(step: int) -> str:
    """The name a training loop gives the checkpoint saved at `step`."""
    return f"step-{step:06d}"


def adapter_size(model: BaseModel, rank: int) -> int:
    """Bytes of a bf16 LoRA adapter on every linear layer (in + out dims over 7 projections)."""
    return 2 * rank * model.layers * model.hidden * 21


def _round512(value: float) -> int:
    return max(512 * 16, int(value) // 512 * 512)


@dataclass(frozen=True)
class SeedSize:
    """How much to seed."""

    sessions: int
    runs: int
    checkpoints_per_run: int


@dataclass
class _Rows:
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    runs: list[tuple[Any, ...]] = field(default_factory=list)
    checkpoints: list[tuple[Any, ...]] = field(default_factory=list)
    samplers: list[tuple[Any, ...]] = field(default_factory=list)


def _status(rng: random.Random, index: int, active: bool, first_run: str) -> dict[str, Any] | None:
    if active:
        return {"type": "active"}
    roll = rng.random()
    if index % 9 == 4:
        return {
            "type": "failed",
            "category": "user",
            "message": "CUDA out of memory while running forward_backward",
            "reason": {"type": "training_run", "training_run_id": first_run},
        }
    if roll < 0.06:
        return {"type": "cancelled", "detail": "cancelled from the console"}
    if roll < 0.12:
        return None
    reason = "success" if roll < 0.8 else ("interrupted" if roll < 0.9 else "errored")
    return {"type": "client_finished", "reason": {"type": reason}, "detail": None}


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _plan_runs(size: SeedSize, rng: random.Random) -> list[int]:
    """How many runs each session gets: every session at least one while runs last."""
    counts = [0] * size.sessions
    for index in range(size.runs):
        target = index if index < size.sessions else rng.randrange(size.sessions)
        counts[target] += 1
    return counts


def build_rows(size: SeedSize, seed: int, now: int) -> _Rows:
    """Lay out the seeded world in memory (no database involved)."""
    rng = random.Random(seed)
    rows = _Rows()
    if size.sessions <= 0:
        return rows
    others = size.sessions // 4 if size.sessions >= 2 else 0
    runs_per_session = _plan_runs(size, rng)
    ages = sorted((rng.uniform(0.02, 30.0) for _ in range(size.sessions)), reverse=True)
    markup_done = False
    for s_index in range(size.sessions):
        # The two newest sessions of the demo user are still running.
        owner = OTHER if s_index < others else ME
        active = owner is ME and s_index >= size.sessions - 2
        session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = now - int(ages[s_index] * DAY_MS)
        if active:
            created = now - int(rng.uniform(2, 10) * HOUR_MS)
        project = PROJECTS[2] if owner is OTHER else PROJECTS[s_index % 2]
        purpose = rng.choice(_PURPOSES)
        display = f"{purpose}-{rng.choice(_DATASETS)}-{s_index:02d}"
        session_meta = {"team": rng.choice(_TEAMS), "purpose": purpose}
        if not markup_done and owner is ME:
            display = f"{MARKUP_TEXT} sweep {s_index:02d}"
        first_run = f"{session_id}:train:0"
        status = _status(rng, s_index, active, first_run)
        ckpt_count = 0
        model = rng.choice(MODELS)
        run_ids: list[str] = []
        for r_index in range(runs_per_session[s_index]):
            run_id = f"{session_id}:train:{r_index}"
            run_ids.append(run_id)
            if rng.random() < 0.3:
                model = rng.choice(MODELS)
            rank = rng.choice(_RANKS)
            dataset = rng.choice(_DATASETS)
            meta: dict[str, str] = {"dataset": dataset, "lr": rng.choice(("1e-4", "2e-4", "5e-5"))}
            if not markup_done and owner is ME:
                meta["note"] = MARKUP_TEXT
                markup_done = True
            corrupted = (status or {}).get("type") == "failed" or rng.random() < 0.04
            start = created + int(rng.uniform(1, 30) * MINUTE_MS) + r_index * 7 * MINUTE_MS
            cadence_steps = rng.choice((10, 20, 25, 50, 100))
            gap = int(rng.uniform(3, 20) * MINUTE_MS)
            count = size.checkpoints_per_run
            if active:
                # Running sessions end "now": their newest checkpoint is minutes old.
                start = now - int(rng.uniform(3, 15) * MINUTE_MS) - gap * ((count + 1) // 2)
            last = start
            ckpts = _checkpoints_for(
                rng, run_id, owner.urn, model, rank, count, start, gap, cadence_steps, now
            )
            if ckpts:
                last = max(row[4] for row in ckpts)
            ckpt_count += len(ckpts)
            rows.checkpoints.extend(ckpts)
            last_request = min(now, last + int(rng.uniform(0.5, 5) * MINUTE_MS))
            rows.runs.append(
                (
                    run_id,
                    session_id,
                    owner.urn,
                    model.name,
                    1,
                    rank,
                    int(corrupted),
                    last_request,
                    _dumps(meta),
                    int(rng.random() < 0.7),
                    1,
                    1,
                )
            )
        for n in range(1 + (s_index % 2)):
            sampler_model = model.name
            path = None
            if run_ids and n == 0:
                samplers = [
                    c for c in rows.checkpoints if c[0] == run_ids[-1] and c[1] == "sampler"
                ]
                if samplers:
                    path = f"tinker://{run_ids[-1]}/sampler_weights/{samplers[-1][2]}"
            rows.samplers.append(
                (f"{session_id}:sample:{n}", session_id, owner.urn, sampler_model, path)
            )
        rows.sessions.append(
            (
                session_id,
                owner.urn,
                project,
                created,
                display if rng.random() < 0.85 or s_index == 0 else None,
                _dumps(session_meta),
                _dumps(status),
            )
        )
        del ckpt_count
    return rows


def _checkpoints_for(
    rng: random.Random,
    run_id: str,
    owner: str,
    model: BaseModel,
    rank: int,
    count: int,
    start: int,
    gap: int,
    cadence: int,
    now: int,
) -> list[tuple[Any, ...]]:
    """Alternating training / sampler saves; some runs end with an external export."""
    adapter = adapter_size(model, rank)
    out: list[tuple[Any, ...]] = []
    external = count >= 4 and rng.random() < 0.25
    named_best = count >= 6 and rng.random() < 0.15
    for i in range(count):
        step = (i // 2 + 1) * cadence
        time = start + (i // 2) * gap + (i % 2) * 1000
        kind = "training" if i % 2 == 0 else "sampler"
        name = step_name(step)
        if external and i == count - 1:
            kind, name, time = "external", "final", time + 2 * MINUTE_MS
        elif named_best and i == count - 2:
            kind, name = "sampler", "best eval"
        jitter = rng.uniform(0.995, 1.005)
        size = adapter * (3 if kind == "training" else 1) * jitter
        public = rng.random() < (0.12 if kind != "training" else 0.03)
        expires = None
        roll = rng.random()
        if roll < 0.15:
            expires = max(
                time + rng.choice((7, 14, 30)) * DAY_MS, now + int(rng.uniform(1, 72) * HOUR_MS)
            )
        meta = {"eval_loss": f"{rng.uniform(0.2, 2.5):.4f}"} if rng.random() < 0.3 else None
        out.append(
            (run_id, kind, name, owner, time, _round512(size), int(public), expires, _dumps(meta))
        )
    return out


def seed_database(db: Database, size: SeedSize, seed: int, now: int) -> None:
    """Write the seeded world into an empty database, in one transaction."""
    rows = build_rows(size, seed, now // 1000 * 1000)
    # Whole seconds read better in a table than milliseconds of random jitter.
    rows.runs = [(*r[:7], r[7] // 1000 * 1000, *r[8:]) for r in rows.runs]
    rows.checkpoints = [
        (
            *c[:4],
            c[4] // 1000 * 1000,
            c[5],
            c[6],
            None if c[7] is None else c[7] // 1000 * 1000,
            c[8],
        )
        for c in rows.checkpoints
    ]
    rows.sessions = [(*s[:3], s[3] // 1000 * 1000, *s[4:]) for s in rows.sessions]
    with db.tx() as conn:
        conn.executemany(
            "INSERT INTO sessions (id, owner, project_id, created_ms, display_name, user_metadata,"
            " status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows.sessions,
        )
        conn.executemany(
            "INSERT INTO runs (id, session_id, owner, base_model, is_lora, lora_rank, corrupted,"
            " last_request_ms, user_metadata, train_unembed, train_mlp, train_attn)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows.runs,
        )
        conn.executemany(
            "INSERT INTO checkpoints (run_id, kind, name, owner, time_ms, size_bytes, public,"
            " expires_ms, user_metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows.checkpoints,
        )
        conn.executemany(
            "INSERT INTO samplers (id, session_id, owner, base_model, model_path)"
            " VALUES (?, ?, ?, ?, ?)",
            rows.samplers,
        )
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", (str(seed),))


def model_for(name: str) -> BaseModel:
    """Re-exported for the live saver: the catalogue entry of a run's base model."""
    return model_named(name)
