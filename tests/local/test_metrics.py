"""Metric curves stay bounded with the latest value exact; progress, ETA, cost; hostile lines."""

from __future__ import annotations

import json
import math

import pytest

from lazytinker.local.metrics import MetricsLog
from lazytinker.local.recipe import main_metrics
from lazytinker.local.series import Series
from lazytinker.ui.training_detail import sparkline
from tests.local.cookbook import rl_row, supervised_row


def lines(rows: list[dict[str, object]]) -> list[bytes]:
    return [json.dumps(row).encode() for row in rows]


def test_a_long_series_keeps_at_most_its_capacity_and_the_exact_latest_value() -> None:
    series = Series("loss", capacity=16)
    for step in range(10_000):
        series.add(step, float(step))
    curve = series.curve()
    assert len(curve.points) <= 16
    assert curve.latest == 9999.0
    assert curve.latest_step == 9999
    assert curve.count == 10_000
    steps = [step for step, _ in curve.points]
    assert steps == sorted(steps)
    assert steps[-1] == 9999
    # Each point is the mean of the values of its bucket, so a ramp stays on the ramp.
    for step, value in curve.points:
        assert step - 1024 < value <= step


def test_bucket_means_cover_every_value() -> None:
    series = Series("loss", capacity=4)
    for step, value in enumerate([1.0, 3.0, 5.0, 7.0, 9.0, 11.0]):
        series.add(step, value)
    # 4 points filled, halved to 2 means of pairs; then buckets of 2.
    assert series.curve().points == ((1, 2.0), (3, 6.0), (5, 10.0))


def test_non_finite_values_are_the_latest_but_not_on_the_curve() -> None:
    series = Series("loss", capacity=8)
    series.add(0, 1.0)
    series.add(1, math.nan)
    curve = series.curve()
    assert math.isnan(curve.latest)
    assert curve.points == ((0, 1.0),)


def test_values_a_packed_float_cannot_hold_are_not_on_the_curve() -> None:
    # 1e308 is finite, but a 4-byte float holds it as an infinity, which no scale can place.
    series = Series("loss", capacity=4)
    for step, value in enumerate([1.0, 1e308, -1e308, 3.5e38, math.inf, 2.0, 3.0, 4.0, 5.0]):
        series.add(step, value)
    curve = series.curve()
    assert curve.count == 9
    assert curve.latest == 5.0
    assert all(math.isfinite(value) for value in curve.values)
    assert sparkline(curve.values, 8)
    assert sparkline([math.nan, math.inf, 1.0, -math.inf, 2.0], 8) == "▁█"


def test_odd_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        Series("loss", capacity=3)


def test_supervised_rows_give_step_progress_cost_eta_and_main_metrics() -> None:
    log = MetricsLog()
    log.feed(lines([supervised_row(step, 100) for step in range(40)]))
    assert log.step == 39
    assert log.progress == pytest.approx(0.40)
    assert log.cost_usd == pytest.approx(0.80)
    # 4 s per step, 60 steps left.
    assert log.eta_seconds == pytest.approx(240.0)
    curves = log.curves()
    assert curves["train_mean_nll"].latest == pytest.approx(2.0 / (1 + 39 / 10))
    assert curves["test/nll"].count == 4
    assert "step" not in curves
    assert main_metrics("supervised", curves) == ("train_mean_nll", "test/nll")


def test_rl_main_metrics_are_reward_and_kl() -> None:
    log = MetricsLog()
    log.feed(lines([rl_row(step, 10) for step in range(10)]))
    assert main_metrics("rl", log.curves()) == ("env/all/reward/total", "optim/kl_sample_train_v1")
    assert log.progress == 1.0
    assert log.eta_seconds == 0.0


def test_a_supervised_run_with_its_own_evaluator_name_charts_that_nll() -> None:
    keys = {"train_mean_nll", "validation/nll", "progress"}
    assert main_metrics("supervised", keys) == ("train_mean_nll", "validation/nll")


def test_garbage_lines_are_counted_and_skipped() -> None:
    log = MetricsLog()
    log.feed(
        [
            b"not json at all",
            b"\xff\xfe\xfa invalid utf-8",
            b"[" * 100_000 + b"]" * 100_000,  # nested past the recursion limit
            b"[1, 2, 3]",
            b'"a string"',
            b'{"step": 1, "loss": ' + b"9" * 5000 + b"}",  # an integer too long to parse
            b'{"step": 2, "loss": 0.5, "note": "text", "flag": true, "nested": {"a": 1}}',
        ]
    )
    assert log.bad_lines == 6
    curves = log.curves()
    assert set(curves) == {"loss"}
    assert curves["loss"].latest == 0.5


def test_metric_names_are_bounded() -> None:
    log = MetricsLog(max_metrics=10)
    log.feed(lines([{"step": 0, **{f"m{i}": 1.0 for i in range(1000)}}]))
    assert len(log.curves()) == 10


def test_a_row_without_a_step_is_placed_at_the_last_step() -> None:
    log = MetricsLog()
    log.feed(lines([{"step": 7, "loss": 1.0}, {"final_eval": 0.3}]))
    assert log.curves()["final_eval"].latest_step == 7
    assert log.step == 7


def test_restart_forgets_everything() -> None:
    log = MetricsLog()
    log.feed(lines([supervised_row(step, 100) for step in range(5)]))
    log.restart()
    assert log.curves() == {}
    assert log.step is None
    assert log.progress is None
    assert log.eta_seconds is None


def test_records_with_names_of_their_own_each_get_their_values() -> None:
    # Few names per record, many names per batch: the one-pass (sparse) gathering.
    rows = [{"step": step, f"eval/{step}": float(step), "loss": 1.0} for step in range(100)]
    log = MetricsLog()
    log.feed(lines(rows))
    curves = log.curves()
    assert len(curves) == 101
    assert curves["eval/42"].points == ((42, 42.0),)
    assert curves["loss"].count == 100


def test_a_batch_equals_the_same_records_one_at_a_time() -> None:
    rows = [supervised_row(step, 1000) for step in range(700)]
    together, apart = MetricsLog(capacity=32), MetricsLog(capacity=32)
    together.feed(lines(rows))
    for line in lines(rows):
        apart.feed([line])
    assert together.curves().keys() == apart.curves().keys()
    for name, curve in together.curves().items():
        other = apart.curves()[name]
        assert curve.steps == other.steps
        assert curve.values == pytest.approx(other.values)
        assert (curve.latest, curve.latest_step, curve.count) == (
            other.latest,
            other.latest_step,
            other.count,
        )
    assert together.eta_seconds == pytest.approx(apart.eta_seconds)


def test_steps_out_of_range_are_taken_as_missing() -> None:
    log = MetricsLog()
    log.feed(lines([{"step": 5, "loss": 1.0}, {"step": 10**30, "loss": 2.0}, {"step": -(2**40)}]))
    assert log.step == 5
    assert log.curves()["loss"].points == ((5, 1.0), (5, 2.0))


def test_a_curve_is_rebuilt_only_when_its_metric_changed() -> None:
    log = MetricsLog()
    log.feed(lines([{"step": 0, "loss": 1.0, "test/nll": 2.0}]))
    before = log.curves()
    log.feed(lines([{"step": 1, "loss": 0.5}]))
    after = log.curves()
    assert after["test/nll"] is before["test/nll"]
    assert after["loss"] is not before["loss"]
    assert before["loss"].latest == 1.0
