"""Checkpoint records and run ids from checkpoints.jsonl and logs.log."""

from __future__ import annotations

import json

from lazytinker.local.checkpoints import (
    CheckpointsLog,
    RunIdLog,
    checkpoint_from_record,
    ordered_run_ids,
    run_id_of_path,
)
from tests.local.cookbook import SDK_LOG_LINE, checkpoint_record


def test_run_ids_come_from_tinker_and_hpcai_paths() -> None:
    assert run_id_of_path("tinker://abc:train:0/weights/000020") == "abc:train:0"
    assert run_id_of_path("hpcai://r-1/training/step-1") == "r-1"
    assert run_id_of_path("/local/path") is None
    assert run_id_of_path("tinker:///weights/x") is None
    assert run_id_of_path("tinker://a\x1bb/weights/x") is None


def test_a_periodic_record_has_its_step_from_its_name() -> None:
    record = checkpoint_from_record(checkpoint_record("s:train:0", "000040", epoch=0, batch=40))
    assert record is not None
    assert record.run_id == "s:train:0"
    assert record.step == 40
    assert record.epoch == 0
    assert not record.final
    assert record.paths == (
        "tinker://s:train:0/weights/000040",
        "tinker://s:train:0/sampler_weights/000040",
    )


def test_the_final_record_is_final_and_an_rl_batch_is_its_step() -> None:
    record = checkpoint_from_record(checkpoint_record("r:train:0", "final", batch=100))
    assert record is not None
    assert record.final
    assert record.step == 100
    supervised_final = checkpoint_from_record(
        checkpoint_record("s:train:0", "final", epoch=1, batch=0)
    )
    assert supervised_final is not None
    assert supervised_final.step is None


def test_rolling_records_are_marked() -> None:
    record = checkpoint_from_record(
        {"name": "000030", "batch": 30, "rolling": True, "state_path": "tinker://r/weights/000030"}
    )
    assert record is not None
    assert record.rolling
    assert record.sampler_path is None


def test_records_without_a_name_are_bad_lines() -> None:
    log = CheckpointsLog()
    log.feed([b'{"batch": 3}', b"{", json.dumps(checkpoint_record("a", "000001")).encode()])
    assert log.bad_lines == 2
    assert [record.name for record in log.records] == ["000001"]
    assert list(log.run_ids) == ["a"]


def test_the_sdk_line_in_logs_log_names_the_run() -> None:
    log = RunIdLog()
    log.feed(
        [
            b"__main__:1 [INFO] Command line invocation: python train.py",
            SDK_LOG_LINE.format(run_id="x:train:0").strip().encode(),
            b"service_client:437 [INFO] TrainingClient initialized for model x:train:1"
            b" via load_weights",
            SDK_LOG_LINE.format(run_id="x:train:0").strip().encode(),
        ]
    )
    assert list(log.run_ids) == ["x:train:0", "x:train:1"]


def test_run_order_merges_started_and_saved() -> None:
    assert ordered_run_ids(["a", "b"], ["a", "b"]) == ("a", "b")
    # logs.log not read that far yet: the saved run comes after the one saved before it.
    assert ordered_run_ids(["a"], ["a", "b"]) == ("a", "b")
    # no logs.log at all
    assert ordered_run_ids([], ["a", "b", "a"]) == ("a", "b")
    # a run that started but never saved stays in its place
    assert ordered_run_ids(["a", "b", "c"], ["a", "c"]) == ("a", "b", "c")
