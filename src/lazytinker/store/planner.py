"""The retention planner's rules and the plan they make: which checkpoints of each run are kept,
and why, and which go. Pure functions of the checkpoints: nothing happens until the plan is
applied (as a delete, or as an expiry), and the preview is exactly what is applied.

Rules (each keeps; a checkpoint kept by any rule is kept):
- `final`: the run's final checkpoint: every one named `final` (tinker-cookbook's last save),
  else the newest training checkpoint (else the newest of any type);
- `last`: the N newest of each type, besides the final one;
- `every`: every checkpoint whose step (the number its name ends with) is a multiple of K;
- `public`: public ones (someone may be loading them);
- `expiring`: ones already set to expire (they go by themselves);
- `never_expiring`: ones set never to expire (someone chose to keep them);
- `best`: the best N by a metadata value (`eval_loss`, lowest first unless `best_highest`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint

_STEP = re.compile(r"(\d+)$")


@dataclass(frozen=True)
class KeepRules:
    """What a clean-up keeps (the `[cleanup]` table of the config saves these)."""

    final: bool = True
    last: int = 2
    every: int = 0
    public: bool = True
    expiring: bool = False
    never_expiring: bool = False
    best: int = 0
    best_key: str = "eval_loss"
    best_highest: bool = False

    def describe(self) -> str:
        """`final + last 2 + public`, for titles and summaries."""
        parts = []
        if self.final:
            parts.append("final")
        if self.last:
            parts.append(f"last {self.last}")
        if self.every:
            parts.append(f"every {self.every}th step")
        if self.public:
            parts.append("public")
        if self.expiring:
            parts.append("expiring")
        if self.never_expiring:
            parts.append("never-expiring")
        if self.best and self.best_key:
            order = "highest" if self.best_highest else "lowest"
            parts.append(f"best {self.best} by {order} {self.best_key}")
        return " + ".join(parts) or "nothing"


@dataclass(frozen=True)
class PlanChoice:
    """What the planner remembers between uses (the config's `[cleanup]` table): the rules,
    and whether a plan is applied as a delete or as an expiry (`expire_in`, e.g. `7d`)."""

    rules: KeepRules = field(default_factory=KeepRules)
    expire: bool = False
    expire_in: str = "7d"


@dataclass(frozen=True)
class RunPlan:
    """One run's checkpoints: those kept (with why) and those that go."""

    run_id: str
    keep: tuple[Checkpoint, ...]
    go: tuple[Checkpoint, ...]
    why: Mapping[str, str] = field(default_factory=dict)
    """Path -> the rules that keep it (`final, last 2`)."""

    @property
    def go_bytes(self) -> int:
        """Bytes freed (checkpoints of unknown size count nothing)."""
        return sum(c.size_bytes or 0 for c in self.go)


@dataclass(frozen=True)
class Plan:
    """A clean-up over some runs."""

    runs: tuple[RunPlan, ...]
    rules: KeepRules

    @property
    def go(self) -> list[Checkpoint]:
        """Every checkpoint that goes."""
        return [c for run in self.runs for c in run.go]

    @property
    def keep_count(self) -> int:
        """How many are kept."""
        return sum(len(run.keep) for run in self.runs)

    @property
    def go_bytes(self) -> int:
        """Bytes freed."""
        return sum(run.go_bytes for run in self.runs)


def step_of(checkpoint: Checkpoint) -> int | None:
    """The step a checkpoint's name ends with (`step-000120` -> 120), or None."""
    match = _STEP.search(checkpoint.path.rsplit("/", 1)[-1])
    return int(match[1]) if match else None


def _name(checkpoint: Checkpoint) -> str:
    return checkpoint.path.rsplit("/", 1)[-1]


def _newest_first(checkpoints: Iterable[Checkpoint]) -> list[Checkpoint]:
    return sorted(checkpoints, key=lambda c: (c.time, c.path), reverse=True)


def _finals(checkpoints: Sequence[Checkpoint]) -> list[Checkpoint]:
    named = [c for c in checkpoints if _name(c) == "final"]
    if named:
        return named
    training = [c for c in checkpoints if c.checkpoint_type == "training"]
    newest = _newest_first(training or checkpoints)
    return newest[:1]


def _metric(checkpoint: Checkpoint, key: str) -> float | None:
    value = (checkpoint.user_metadata or {}).get(key)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return None if number != number else number  # NaN is no measure


def plan_run(run_id: str, checkpoints: Sequence[Checkpoint], rules: KeepRules) -> RunPlan:
    """What `rules` keep of one run's checkpoints, and why."""
    why: dict[str, list[str]] = {}

    def keep(items: Iterable[Checkpoint], reason: str) -> None:
        for item in items:
            why.setdefault(item.path, []).append(reason)

    finals = _finals(checkpoints) if rules.final else []
    keep(finals, "final")
    if rules.last > 0:
        final_paths = {c.path for c in finals}
        for kind in sorted({c.checkpoint_type for c in checkpoints}):
            of_kind = [c for c in checkpoints if c.checkpoint_type == kind]
            rest = [c for c in _newest_first(of_kind) if c.path not in final_paths]
            keep(rest[: rules.last], f"last {rules.last}")
    if rules.every > 0:
        keep(
            (c for c in checkpoints if (s := step_of(c)) is not None and s % rules.every == 0),
            f"every {rules.every}",
        )
    if rules.public:
        keep((c for c in checkpoints if c.public), "public")
    if rules.expiring:
        keep((c for c in checkpoints if c.expires_at is not None), "expiring")
    if rules.never_expiring:
        keep((c for c in checkpoints if c.expires_at is None), "never expires")
    if rules.best > 0 and rules.best_key:
        scored = [(m, c) for c in checkpoints if (m := _metric(c, rules.best_key)) is not None]
        scored.sort(key=lambda pair: pair[0], reverse=rules.best_highest)
        keep((c for _, c in scored[: rules.best]), f"best {rules.best_key}")
    ordered = _newest_first(checkpoints)
    return RunPlan(
        run_id,
        keep=tuple(c for c in ordered if c.path in why),
        go=tuple(c for c in ordered if c.path not in why),
        why={path: ", ".join(reasons) for path, reasons in why.items()},
    )


def make_plan(scope: Mapping[str, Sequence[Checkpoint]], rules: KeepRules) -> Plan:
    """The plan over every run of the scope (run id -> its checkpoints)."""
    return Plan(tuple(plan_run(r, cs, rules) for r, cs in scope.items()), rules)
