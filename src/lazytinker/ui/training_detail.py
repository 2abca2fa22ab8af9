"""A run's training as the detail panel shows it: state, progress and ETA, cost, the recipe, and
the latest value and a small curve of each main metric, from its log folder on this box.

Text from the log folder (its name, the model, metric names) is the user's files, not ours:
it is shown literally, control characters escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lazytinker.local import LocalRun, Status
from lazytinker.ui.text import printable

if TYPE_CHECKING:
    from lazytinker.local import MetricCurve

Part = str | tuple[str, str]
LABEL = "$text-muted"
STATE_STYLE = {
    Status.RUNNING: "$text-success",
    Status.IDLE: "$text-muted",
    Status.COMPLETED: "$text-accent",
}
STATE_WORD = {Status.RUNNING: "● running", Status.IDLE: "idle", Status.COMPLETED: "✓ done"}
BLOCKS = "▁▂▃▄▅▆▇█"
SHORT_NAMES = {
    "train_mean_nll": "train nll",
    "test/nll": "test nll",
    "env/all/reward/total": "reward",
    "optim/kl_sample_train_v1": "kl",
    "optim/entropy": "entropy",
    "teacher_kl": "teacher kl",
    "cost/cumulative_usd": "cost $",
}
BAR_WIDTH = 8


def short_name(metric: str) -> str:
    """A metric's name as a label (`env/all/reward/total` -> `reward`)."""
    return SHORT_NAMES.get(metric, metric)


def number(value: float | None) -> str:
    """A metric value in four significant digits (`-` when unknown)."""
    if value is None:
        return "-"
    return f"{value:.4g}"


def duration(seconds: float | None) -> str:
    """`45s`, `12m`, `3h05m`, `2d04h`; `-` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-"
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m"
    if total < 86400:
        return f"{total // 3600}h{(total % 3600) // 60:02d}m"
    return f"{total // 86400}d{(total % 86400) // 3600:02d}h"


def sparkline(values: Sequence[float], width: int) -> str:
    """`values` as a line of block characters `width` wide (bucket means when longer)."""
    values = [v for v in values if math.isfinite(v)]
    if width <= 0 or not values:
        return ""
    if len(values) > width:
        step = len(values) / width
        values = [
            sum(chunk) / len(chunk)
            for i in range(width)
            if (chunk := values[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])
        ]
    low, high = min(values), max(values)
    span = high - low
    top = len(BLOCKS) - 1
    if span <= 0:
        return BLOCKS[top // 2] * len(values)
    return "".join(BLOCKS[round((v - low) / span * top)] for v in values)


def progress_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """`▕████░░░░░░▏` for a fraction done."""
    filled = max(0, min(width, round(fraction * width)))
    return "▕" + "█" * filled + "░" * (width - filled) + "▏"


def state_parts(local: LocalRun) -> list[Part]:
    """`● running  step 412  ▕████░░▏ 41%  ETA 12m  $3.21`."""
    parts: list[Part] = [(STATE_WORD[local.status], STATE_STYLE[local.status]), "  "]
    if local.step is not None:
        parts += [("step ", LABEL), str(local.step), "  "]
    if local.progress is not None:
        parts += [progress_bar(local.progress), f"{local.progress:.0%}", "  "]
    if local.status is Status.RUNNING and local.eta_seconds is not None:
        parts += [("ETA ", LABEL), duration(local.eta_seconds), "  "]
    if local.cost_usd is not None:
        parts += [f"${local.cost_usd:,.2f}", "  "]
    if not local.caught_up:
        parts += [("reading…", LABEL), "  "]
    return parts


def curve_parts(local: LocalRun, metrics: Sequence[str], width: int) -> list[Part]:
    """Each metric's name, latest value and a small curve, sharing `width` cells."""
    curves = [local.metrics[name] for name in metrics if name in local.metrics]
    if not curves:
        return [("no metrics logged yet", LABEL)]
    labels = [(printable(short_name(c.name)), number(c.latest)) for c in curves]
    fixed = sum(len(name) + len(value) + 4 for name, value in labels)
    spark = max(6, min(32, (width - fixed) // len(curves)))
    parts: list[Part] = []
    for curve, (name, value) in zip(curves, labels, strict=True):
        parts += [(f"{name} ", LABEL), (value, "bold"), " "]
        parts += [(_spark_of(curve, spark), "$text-accent"), "  "]
    return parts


def _spark_of(curve: MetricCurve, width: int) -> str:
    return sparkline(curve.values, width)


def recipe_parts(local: LocalRun) -> list[Part]:
    """`recipe supervised  Qwen/Qwen3-8B  lr 0.0002  rank 32  wandb NAME`."""
    recipe = local.recipe
    parts: list[Part] = [("recipe ", LABEL), recipe.kind or "?", "  "]
    if recipe.model_name:
        parts += [printable(recipe.model_name), "  "]
    if recipe.learning_rate is not None:
        parts += [("lr ", LABEL), f"{recipe.learning_rate:.3g}", "  "]
    if recipe.lora_rank is not None:
        parts += [("rank ", LABEL), str(recipe.lora_rank), "  "]
    if recipe.wandb_name:
        parts += [("wandb ", LABEL), printable(recipe.wandb_name), "  "]
    return parts


def training_lines(
    local: LocalRun, metrics: Sequence[str] | None, width: int
) -> tuple[list[Part], list[Part], list[Part]]:
    """The three lines of a run's training: state and progress, curves, recipe."""
    chosen = [m for m in (metrics or ()) if m in local.metrics] or list(local.main_metrics)
    state = state_parts(local)
    room = width - sum(len(part if isinstance(part, str) else part[0]) for part in state) - 2
    name: list[Part] = [(_cut(printable(local.name), max(12, room)), "bold"), "  "]
    return (
        name + state,
        curve_parts(local, chosen, width),
        recipe_parts(local),
    )


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut in the middle (names differ at both ends)."""
    if len(text) <= width:
        return text
    keep = width - 1
    return text[: (keep + 1) // 2] + "…" + text[len(text) - keep // 2 :]
