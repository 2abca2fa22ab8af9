"""The retention planner's rules, as pure functions of the checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lazytinker.api.models import Checkpoint
from lazytinker.store.planner import KeepRules, make_plan, plan_run, step_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RUN = "s:train:0"


def ckpt(n: int, kind: str = "training", **fields: object) -> Checkpoint:
    segment = {"training": "weights", "sampler": "sampler_weights"}[kind]
    name = fields.pop("name", f"step-{n * 10:06d}")
    return Checkpoint(
        checkpoint_id=f"{segment}/{name}",
        checkpoint_type=kind,  # type: ignore[arg-type]
        time=T0 + timedelta(minutes=n),
        tinker_path=f"tinker://{RUN}/{segment}/{name}",
        size_bytes=1_000_000_000,
        **fields,  # type: ignore[arg-type]
    )


ONLY = KeepRules(final=False, last=0, public=False)


def test_final_plus_last_two_of_forty_keeps_three() -> None:
    run = [ckpt(n) for n in range(40)]
    plan = plan_run(RUN, run, KeepRules(final=True, last=2, public=False))
    assert [c.path for c in plan.keep] == [run[39].path, run[38].path, run[37].path]
    assert len(plan.go) == 37
    assert plan.why[run[39].path] == "final"
    assert plan.go_bytes == 37 * 1_000_000_000


def test_a_checkpoint_named_final_is_the_final_one() -> None:
    run = [ckpt(n) for n in range(5)] + [ckpt(2, "sampler", name="final")]
    plan = plan_run(RUN, run, KeepRules(final=True, last=0, public=False))
    assert [c.path for c in plan.keep] == [run[5].path]


def test_last_n_is_per_type() -> None:
    run = [ckpt(n, "training" if n % 2 == 0 else "sampler") for n in range(10)]
    plan = plan_run(RUN, run, KeepRules(final=False, last=1, public=False))
    assert {c.path for c in plan.keep} == {run[8].path, run[9].path}


def test_every_kth_step_public_expiring_never_and_best() -> None:
    run = [
        ckpt(0, user_metadata={"eval_loss": "0.9"}),
        ckpt(1, public=True),
        ckpt(2, expires_at=T0 + timedelta(days=3)),
        ckpt(3, user_metadata={"eval_loss": "0.2"}),
        ckpt(4, user_metadata={"eval_loss": "nan"}),
        ckpt(5),
    ]
    assert step_of(run[3]) == 30
    kept = lambda rules: {c.path for c in plan_run(RUN, run, rules).keep}  # noqa: E731
    assert kept(KeepRules(**{**ONLY.__dict__, "every": 20})) == {
        run[0].path,
        run[2].path,
        run[4].path,
    }
    assert kept(KeepRules(**{**ONLY.__dict__, "public": True})) == {run[1].path}
    assert kept(KeepRules(**{**ONLY.__dict__, "expiring": True})) == {run[2].path}
    assert run[2].path not in kept(KeepRules(**{**ONLY.__dict__, "never_expiring": True}))
    assert kept(KeepRules(**{**ONLY.__dict__, "best": 1})) == {run[3].path}
    highest = KeepRules(**{**ONLY.__dict__, "best": 1, "best_highest": True})
    assert kept(highest) == {run[0].path}


def test_a_plan_sums_over_runs() -> None:
    plan = make_plan({"a": [ckpt(n) for n in range(3)], "b": []}, KeepRules(last=1))
    assert len(plan.go) == 1
    assert plan.keep_count == 2
    assert "final" in plan.rules.describe()
