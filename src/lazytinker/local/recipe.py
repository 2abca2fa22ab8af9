"""What a run trains, from its `config.json`, and which of its metrics matter most.

The cookbook dumps its whole config (`model_name`, `learning_rate`, `lora_rank`, `wandb_name`,
`log_path`, a dataset builder, ...). Only a few top-level fields are read here, each checked for
its type and length: the file is the user's, but anything on disk can be wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["supervised", "rl", "dpo"]

MAX_TEXT = 500
"""Longer text fields are cut: a name is a line in the UI, not a document."""

PROGRESS_KEYS = ("progress/done_frac", "progress")
"""Fraction of training done: RL writes the first, supervised training the second."""
COST_KEY = "cost/cumulative_usd"
STEP_TIME_KEY = "time/total"
"""Wall-clock seconds of one training step (the cookbook's trace window)."""

_MAIN_BY_KIND: dict[Kind, tuple[str, ...]] = {
    "supervised": ("train_mean_nll", "test/nll"),
    "rl": ("env/all/reward/total", "optim/kl_sample_train_v1", "teacher_kl"),
    "dpo": ("dpo_loss", "accuracy"),
}
_MAX_MAIN = 3


@dataclass(frozen=True, slots=True)
class Recipe:
    """The few config fields the app shows; None where config.json lacks them or is unreadable."""

    kind: Kind | None = None
    model_name: str | None = None
    learning_rate: float | None = None
    lora_rank: int | None = None
    wandb_name: str | None = None
    wandb_project: str | None = None
    log_path: str | None = None
    recipe_name: str | None = None
    renderer_name: str | None = None
    session_name: str | None = None
    load_checkpoint_path: str | None = None
    """A checkpoint this run started from (another run's), not a run of this folder."""
    base_url: str | None = None


def recipe_from_config(config: Mapping[str, Any] | None) -> Recipe:
    """The recipe a config.json describes (an empty recipe for None)."""
    if config is None:
        return Recipe()
    return Recipe(
        kind=kind_from_config(config),
        model_name=_text(config.get("model_name")),
        learning_rate=_number(config.get("learning_rate")),
        lora_rank=_integer(config.get("lora_rank")),
        wandb_name=_text(config.get("wandb_name")),
        wandb_project=_text(config.get("wandb_project")),
        log_path=_text(config.get("log_path")),
        recipe_name=_text(config.get("recipe_name")),
        renderer_name=_text(config.get("renderer_name")),
        session_name=_text(config.get("session_name")),
        load_checkpoint_path=_text(config.get("load_checkpoint_path")),
        base_url=_text(config.get("base_url")),
    )


def kind_from_config(config: Mapping[str, Any]) -> Kind | None:
    """Supervised, RL or DPO, told by fields only that kind of config has (as the cookbook does)."""
    if "dpo_beta" in config:
        return "dpo"
    if "loss_fn" in config:
        return "rl"
    if "num_epochs" in config:
        return "supervised"
    builder = config.get("dataset_builder")
    kind_name = builder.get("__type__") if isinstance(builder, dict) else None
    if isinstance(kind_name, str):
        if "RL" in kind_name:
            return "rl"
        if "Supervised" in kind_name or "SL" in kind_name:
            return "supervised"
    return None


def kind_from_metrics(keys: Collection[str]) -> Kind | None:
    """The kind told by the metrics logged, for a folder without a readable config."""
    if "dpo_loss" in keys:
        return "dpo"
    if "env/all/reward/total" in keys or "optim/kl_sample_train_v1" in keys:
        return "rl"
    if "train_mean_nll" in keys:
        return "supervised"
    return None


def main_metrics(kind: Kind | None, keys: Collection[str]) -> tuple[str, ...]:
    """The metrics to chart first, among those logged: loss for supervised, reward and KL for RL."""
    if kind is None:
        candidates = tuple(name for names in _MAIN_BY_KIND.values() for name in names)
    else:
        candidates = _MAIN_BY_KIND[kind]
    chosen = [name for name in candidates if name in keys]
    if kind == "supervised" and "test/nll" not in keys:
        # Evaluators are named by the user: `{name}/nll`.
        chosen += sorted(key for key in keys if key.endswith("/nll"))[:1]
    return tuple(chosen[:_MAX_MAIN])


def _text(value: object) -> str | None:
    return value[:MAX_TEXT] if isinstance(value, str) and value else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
