"""Checkpoint paths: the protocol's examples, bad input, and round trips in both flavors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazytinker.api.paths import CheckpointKind, CheckpointRef, InvalidPathError


@pytest.mark.parametrize(
    ("text", "run_id", "kind", "name", "checkpoint_id"),
    [
        ("tinker://run-id/weights/0001", "run-id", CheckpointKind.TRAINING, "0001", "weights/0001"),
        (
            "tinker://run-1/sampler_weights/s1",
            "run-1",
            CheckpointKind.SAMPLER,
            "s1",
            "sampler_weights/s1",
        ),
        (
            "tinker://run/external_weights/download",
            "run",
            CheckpointKind.EXTERNAL,
            "download",
            "external_weights/download",
        ),
        (
            "tinker://sess-abc:train:0/weights/step 10",
            "sess-abc:train:0",
            CheckpointKind.TRAINING,
            "step 10",
            "weights/step 10",
        ),
        ("hpcai://run-1/training/0001", "run-1", CheckpointKind.TRAINING, "0001", "0001"),
        ("hpcai://r:train:2/sampler/a/b", "r:train:2", CheckpointKind.SAMPLER, "a/b", "a/b"),
    ],
)
def test_documented_examples_parse_to_their_parts(
    text: str, run_id: str, kind: CheckpointKind, name: str, checkpoint_id: str
) -> None:
    ref = CheckpointRef.parse(text)
    assert (ref.run_id, ref.kind, ref.name) == (run_id, kind, name)
    assert ref.checkpoint_id == checkpoint_id
    assert ref.path == text


@pytest.mark.parametrize(
    ("text", "quoted_reason"),
    [
        ("tinker://run/weights", "2 parts"),
        ("tinker://run/weights/a/b", "4 parts"),
        ("tinker://run/checkpoints/0001", "unknown kind 'checkpoints'"),
        ("tinker:///weights/0001", "run id is empty"),
        ("tinker://run/weights/", "name is empty"),
        ("hpcai://run/weights/0001", "unknown type 'weights'"),
        ("hpcai://run/training", "2 parts"),
        ("s3://bucket/key", "must start with tinker:// or hpcai://"),
        ("", "must start with"),
    ],
)
def test_bad_paths_quote_the_input_and_show_the_form(text: str, quoted_reason: str) -> None:
    with pytest.raises(InvalidPathError) as caught:
        CheckpointRef.parse(text)
    message = str(caught.value)
    assert repr(text) in message
    assert quoted_reason in message
    assert "expected" in message
    assert "://RUN_ID/" in message


def test_flavor_conversion_keeps_run_kind_and_name() -> None:
    ref = CheckpointRef.parse("tinker://s:train:0/sampler_weights/0005")
    hpcai = ref.with_flavor("hpcai")
    assert hpcai.path == "hpcai://s:train:0/sampler/0005"
    assert hpcai.checkpoint_id == "0005"
    assert CheckpointRef.parse(hpcai.path).with_flavor("tinker") == ref


def test_external_checkpoints_have_no_hpcai_form() -> None:
    ref = CheckpointRef.parse("tinker://run/external_weights/x").with_flavor("hpcai")
    with pytest.raises(InvalidPathError, match="hpcai has no external"):
        _ = ref.path


def test_from_checkpoint_id_reads_the_url_segment() -> None:
    assert CheckpointRef.from_checkpoint_id("a:train:1", "weights/0003").path == (
        "tinker://a:train:1/weights/0003"
    )
    assert CheckpointRef.from_checkpoint_id("a", "x/y", "hpcai").path == "hpcai://a/training/x/y"


_segment = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1
).filter(lambda s: s.strip() != "")


@given(run_id=_segment, kind=st.sampled_from(list(CheckpointKind)), name=_segment)
def test_tinker_paths_round_trip(run_id: str, kind: CheckpointKind, name: str) -> None:
    ref = CheckpointRef(run_id, kind, name, "tinker")
    assert CheckpointRef.parse(ref.path) == ref
    assert CheckpointRef.from_checkpoint_id(run_id, ref.checkpoint_id) == ref


@given(
    run_id=_segment,
    kind=st.sampled_from([CheckpointKind.TRAINING, CheckpointKind.SAMPLER]),
    name=st.lists(_segment, min_size=1, max_size=3).map("/".join),
)
def test_hpcai_paths_round_trip(run_id: str, kind: CheckpointKind, name: str) -> None:
    ref = CheckpointRef(run_id, kind, name, "hpcai")
    assert CheckpointRef.parse(ref.path) == ref
