"""What a tinker-cookbook run writes, as data: its config, its metric rows, its checkpoint records.

Shapes follow tinker-cookbook 0.6.1 (read, not copied): the supervised trainer logs `progress`,
`learning_rate`, `train_mean_nll`, `test/nll` every `eval_every` steps; the RL trainer logs
`progress/batch`, `progress/done_frac`, `optim/lr`, `env/all/...` (reward under
`env/all/reward/total`), `optim/kl_sample_train_v1`, `optim/entropy`; both log `tokens/...`,
`cost/step_usd`, `cost/cumulative_usd` and `time/total`. Values are believable curves (loss
down, reward up) with deterministic noise per run and step.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from lazytinker.server.catalog import model_named

__all__ = ["RunProfile", "TokenTotals", "checkpoint_record", "config_json", "metrics_row"]

EVAL_EVERY = 10
RunKind = Literal["sl", "rl"]


@dataclass(frozen=True)
class RunProfile:
    """The fixed facts of one simulated cookbook run."""

    run_id: str
    kind: RunKind
    base_model: str
    lora_rank: int
    learning_rate: float
    dataset: str
    save_every: int
    total_steps: int
    step_seconds: float
    batch_size: int
    session_name: str

    @property
    def usd_per_million(self) -> float:
        """The price of a token (the stand-in's billing uses the same rate)."""
        return round(0.2 + model_named(self.base_model).params_b * 0.01, 4)

    @property
    def tau(self) -> float:
        """How fast the curves settle, in steps."""
        return max(self.total_steps / 5, 1.0)


@dataclass
class TokenTotals:
    """Running token counts by kind, as the cookbook's cost tracker keeps them."""

    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("sampled", "prefill_cached", "prefill_uncached", "trained"), 0
        )
    )
    usd: float = 0.0


def _rng(profile: RunProfile, step: int) -> random.Random:
    return random.Random(f"{profile.run_id}:{step}")


def _tokens(profile: RunProfile, rng: random.Random) -> dict[str, int]:
    if profile.kind == "sl":
        trained = profile.batch_size * rng.randint(700, 1100)
        return {"sampled": 0, "prefill_cached": 0, "prefill_uncached": 0, "trained": trained}
    episodes = profile.batch_size * 16
    sampled = episodes * rng.randint(300, 700)
    prompt = episodes * rng.randint(150, 250)
    cached = prompt * 15 // 16
    return {
        "sampled": sampled,
        "prefill_cached": cached,
        "prefill_uncached": prompt - cached,
        "trained": sampled + prompt,
    }


def _money(profile: RunProfile, step: dict[str, int], totals: TokenTotals) -> dict[str, Any]:
    rate = profile.usd_per_million
    # Cached prefill is cheap, sampling dearer: weights on the one price the stand-in knows.
    weights = {"sampled": 2.0, "prefill_cached": 0.1, "prefill_uncached": 1.0, "trained": 1.0}
    usd = sum(count * weights[kind] for kind, count in step.items()) * rate / 1e6
    for kind, count in step.items():
        totals.counts[kind] += count
    totals.usd += usd
    out: dict[str, Any] = {f"tokens/{kind}": count for kind, count in step.items()}
    out.update({f"tokens/cumulative/{kind}": count for kind, count in totals.counts.items()})
    out["cost/step_usd"] = round(usd, 6)
    out["cost/cumulative_usd"] = round(totals.usd, 6)
    return out


def _decay(profile: RunProfile, step: int) -> float:
    return math.exp(-step / profile.tau)


def metrics_row(profile: RunProfile, step: int, totals: TokenTotals) -> dict[str, Any]:
    """The `metrics.jsonl` row of `step`; adds the step's tokens and cost to `totals`."""
    rng = _rng(profile, step)
    tokens = _tokens(profile, rng)
    seconds = round(profile.step_seconds * rng.uniform(0.85, 1.2), 3)
    if profile.kind == "sl":
        nll = 0.62 + 1.55 * _decay(profile, step) + rng.gauss(0, 0.025)
        row: dict[str, Any] = {
            "step": step,
            "epoch": 0,
            "progress": min((step + 1) / profile.total_steps, 1.0),
            "learning_rate": profile.learning_rate * max(0.0, 1 - step / profile.total_steps),
            "num_sequences": profile.batch_size,
            "num_tokens": tokens["trained"],
            "num_loss_tokens": tokens["trained"] * 2 // 5,
            "train_mean_nll": round(nll, 5),
            **_money(profile, tokens, totals),
            "train_mean_bpb": round(nll / math.log(2) / 3.9, 5),
        }
        if step % EVAL_EVERY == 0:
            test = nll + 0.06 + rng.gauss(0, 0.015)
            row["test/nll"] = round(test, 5)
            row["test/bpb"] = round(test / math.log(2) / 3.9, 5)
        row["time/total"] = seconds
        return row
    reward = 0.18 + 0.58 * (1 - _decay(profile, step)) + rng.gauss(0, 0.03)
    episodes = profile.batch_size * 16
    return {
        "step": step,
        "progress/batch": step,
        "optim/lr": profile.learning_rate,
        "progress/done_frac": min((step + 1) / profile.total_steps, 1.0),
        "env/all/ac_tokens_per_turn": round(tokens["sampled"] / episodes, 2),
        "env/all/ob_tokens_per_turn": round(
            (tokens["prefill_cached"] + tokens["prefill_uncached"]) / episodes, 2
        ),
        "env/all/turns_per_episode": 1.0,
        "env/all/total_episodes": episodes,
        "env/all/total_turns": episodes,
        "env/all/total_ac_tokens": tokens["sampled"],
        "env/all/reward/total": round(min(max(reward, 0.0), 1.0), 5),
        "env/all/format": round(min(0.7 + 0.3 * (1 - _decay(profile, step)), 1.0), 4),
        "optim/kl_sample_train_v1": round(abs(rng.gauss(0.002, 0.0012)), 6),
        "optim/kl_sample_train_v2": round(abs(rng.gauss(0.003, 0.0015)), 6),
        "optim/entropy": round(0.42 + 0.45 * _decay(profile, step) + rng.gauss(0, 0.015), 5),
        **_money(profile, tokens, totals),
        "time/total": seconds,
    }


def checkpoint_record(
    profile: RunProfile, step: int, name: str, paths: dict[str, str], totals: TokenTotals
) -> dict[str, Any]:
    """A `checkpoints.jsonl` record: name, loop state, then the `tinker://` paths saved."""
    record: dict[str, Any] = {"name": name, "batch": step}
    if profile.kind == "sl":
        record["epoch"] = 0
    record.update(paths)
    if profile.kind == "sl":
        record["elapsed_tokens"] = totals.counts["trained"]
    else:
        record["cumulative_tokens"] = dict(totals.counts)
        record["discarded_tokens"] = dict.fromkeys(totals.counts, 0)
    return record


def config_json(profile: RunProfile, log_path: str) -> dict[str, Any]:
    """`config.json` as the cookbook's `chz` config dumps it (the fields that matter)."""
    renderer = "qwen3" if "Qwen" in profile.base_model else "llama3"
    common: dict[str, Any] = {
        "log_path": log_path,
        "model_name": profile.base_model,
        "load_checkpoint_path": None,
        "renderer_name": renderer,
        "learning_rate": profile.learning_rate,
        "lora_rank": profile.lora_rank,
        "base_url": None,
        "save_every": profile.save_every,
        "eval_every": EVAL_EVERY,
        "wandb_project": None,
        "wandb_name": None,
        "session_name": profile.session_name,
    }
    if profile.kind == "sl":
        return {
            **common,
            "recipe_name": "sl_basic",
            "dataset_builder": {
                "common_config": {
                    "model_name_for_tokenizer": profile.base_model,
                    "renderer_name": renderer,
                    "max_length": 16384,
                    "batch_size": profile.batch_size,
                    "train_on_what": "all_assistant_messages",
                },
                "dataset": profile.dataset,
            },
            "lr_schedule": "linear",
            "num_epochs": 1,
            "infrequent_eval_every": 100,
            "ttl_seconds": 604800,
            "adam_beta1": 0.9,
            "adam_beta2": 0.95,
            "adam_eps": 1e-08,
            "max_steps": profile.total_steps,
            "submit_ahead": 1,
        }
    return {
        **common,
        "recipe_name": "math_rl",
        "dataset_builder": {
            "batch_size": profile.batch_size,
            "group_size": 16,
            "model_name_for_tokenizer": profile.base_model,
            "renderer_name": renderer,
            "dataset": profile.dataset,
        },
        "max_tokens": 2048,
        "kl_penalty_coef": 0.0,
        "loss_fn": "importance_sampling",
        "num_substeps": 1,
        "temperature": 1.0,
        "compute_post_kl": False,
        "remove_constant_reward_groups": False,
    }
