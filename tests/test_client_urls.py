"""URL segments: any run id or checkpoint name survives the trip, colons stay readable."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
from hypothesis import given
from hypothesis import strategies as st

from lazytinker.api.endpoints.base import join_segments as _path
from lazytinker.api.endpoints.base import segment as _segment

names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("/%.:?# "),
    min_size=1,
    max_size=30,
)


@given(names)
def test_a_segment_decodes_back_to_the_text(text: str) -> None:
    encoded = _segment(text)
    assert unquote(encoded) == text
    assert not set(encoded) & set("/?#[] \\")
    assert encoded not in (".", "..")


@given(names, names)
def test_httpx_sends_the_path_unchanged(run_id: str, name: str) -> None:
    path = "/api/v1/" + _path("training_runs", run_id, "checkpoints", "weights", name)
    url = httpx.URL("http://127.0.0.1:1" + path)
    assert url.raw_path.decode("ascii") == path
    assert unquote(path.split("/")[4]) == run_id
    assert unquote(path.split("/")[-1]) == name


def test_colons_stay_and_spaces_are_encoded() -> None:
    assert _path("s:train:0", "weights", "step 10") == "s:train:0/weights/step%2010"
