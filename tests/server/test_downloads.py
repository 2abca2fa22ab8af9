"""Archive redirects, signed URLs, generated tars, Range, 503 then ready, external weights."""

from __future__ import annotations

import io
import itertools
import json
import tarfile
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from lazytinker.api.models import CheckpointsListResponse, ExternalWeightsUrlsResponse
from lazytinker.api.models.structs import convert_wire
from lazytinker.server.runner import ServerThread

KEY = {"X-API-Key": "tml-demo"}


def _checkpoints(server: ServerThread) -> list[dict[str, Any]]:
    body = httpx.get(f"{server.url}/api/v1/checkpoints?limit=1000", headers=KEY).json()
    convert_wire(body, CheckpointsListResponse)
    return list(body["checkpoints"])


def _smallest(server: ServerThread, kind: str = "sampler") -> dict[str, Any]:
    mine = [c for c in _checkpoints(server) if c["checkpoint_type"] == kind]
    return min(mine, key=lambda c: c["size_bytes"])


def _archive_url(server: ServerThread, ckpt: dict[str, Any], suffix: str = "archive") -> str:
    run_id = ckpt["tinker_path"].removeprefix("tinker://").split("/")[0]
    return (
        f"{server.url}/api/v1/training_runs/{run_id}/checkpoints/{ckpt['checkpoint_id']}/{suffix}"
    )


def _check_safetensors(data: bytes) -> dict[str, Any]:
    length = int.from_bytes(data[:8], "little")
    header: dict[str, Any] = json.loads(data[8 : 8 + length])
    body = len(data) - 8 - length
    spans = sorted(v["data_offsets"] for k, v in header.items() if k != "__metadata__")
    assert spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert spans[-1][1] == body
    return header


def test_archive_redirects_to_a_signed_tar_of_exact_size(server: ServerThread) -> None:
    ckpt = _smallest(server)
    redirect = httpx.get(_archive_url(server, ckpt), headers=KEY)
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith(server.url)
    assert parsedate_to_datetime(redirect.headers["expires"]).tzinfo is not None
    # The signed URL needs no key.
    download = httpx.get(location)
    assert download.status_code == 200
    assert download.headers["accept-ranges"] == "bytes"
    assert int(download.headers["content-length"]) == ckpt["size_bytes"]
    assert len(download.content) == ckpt["size_bytes"]
    with tarfile.open(fileobj=io.BytesIO(download.content)) as tar:
        assert tar.getnames() == [
            "adapter_config.json",
            "adapter_model.safetensors",
            "checkpoint_complete",
        ]
        config = json.loads(tar.extractfile("adapter_config.json").read())  # type: ignore[union-attr]
        weights = tar.extractfile("adapter_model.safetensors").read()  # type: ignore[union-attr]
    assert config["peft_type"] == "LORA"
    header = _check_safetensors(weights)
    assert any(key.endswith("lora_A.weight") for key in header)


def test_range_requests(server: ServerThread) -> None:
    ckpt = _smallest(server)
    location = httpx.get(_archive_url(server, ckpt), headers=KEY).headers["location"]
    size = ckpt["size_bytes"]
    whole_head = httpx.get(location, headers={"Range": "bytes=0-1023"})
    assert whole_head.status_code == 206
    assert whole_head.headers["content-range"] == f"bytes 0-1023/{size}"
    assert len(whole_head.content) == 1024
    assert whole_head.content[:19] == b"adapter_config.json"
    tail = httpx.get(location, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206
    assert tail.content == bytes(100)
    middle = httpx.get(location, headers={"Range": f"bytes=1000-{size + 50}"})
    assert middle.headers["content-range"] == f"bytes 1000-{size - 1}/{size}"
    assert len(middle.content) == size - 1000
    assert whole_head.content[1000:] == middle.content[:24]
    outside = httpx.get(location, headers={"Range": f"bytes={size}-"})
    assert outside.status_code == 416
    assert outside.json()["detail"]
    garbage = httpx.get(location, headers={"Range": "lines=1-2"})
    assert garbage.status_code == 416


def test_head_etag_and_if_range(server: ServerThread) -> None:
    ckpt = _smallest(server)
    location = httpx.get(_archive_url(server, ckpt), headers=KEY).headers["location"]
    head = httpx.head(location)
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == ckpt["size_bytes"]
    assert head.content == b""
    etag = head.headers["etag"]
    again = httpx.get(_archive_url(server, ckpt), headers=KEY).headers["location"]
    assert httpx.head(again).headers["etag"] == etag
    same = httpx.get(location, headers={"Range": "bytes=10-19", "If-Range": etag})
    assert same.status_code == 206
    assert len(same.content) == 10
    stale = httpx.head(location, headers={"Range": "bytes=10-19", "If-Range": '"other"'})
    assert stale.status_code == 200
    assert int(stale.headers["content-length"]) == ckpt["size_bytes"]


def test_tampered_and_expired_signatures_are_403(server: ServerThread, start_server: Any) -> None:
    ckpt = _smallest(server)
    location = httpx.get(_archive_url(server, ckpt), headers=KEY).headers["location"]
    tampered = location.replace("sampler", "training", 1)
    assert tampered != location
    refused = httpx.get(tampered)
    assert refused.status_code == 403
    assert "signature" in refused.json()["detail"]
    bad_sig = httpx.get(location[:-4] + "0000")
    assert bad_sig.status_code == 403
    expired_server = start_server(signed_url_ttl=-1)
    old = _smallest(expired_server)
    expired_location = httpx.get(_archive_url(expired_server, old), headers=KEY).headers["location"]
    expired = httpx.get(expired_location)
    assert expired.status_code == 403
    assert "expired" in expired.json()["detail"]


def test_archive_is_503_until_built(start_server: Any) -> None:
    server = start_server(archive_build_seconds=600)
    ckpt = _smallest(server)
    first = httpx.get(_archive_url(server, ckpt), headers=KEY)
    assert first.status_code == 503
    assert 1 <= int(first.headers["retry-after"]) <= 600
    assert "built" in first.json()["detail"]
    # Another checkpoint's clock is independent; a server with no build time answers at once.
    quick = start_server(archive_build_seconds=0.001)
    quick_ckpt = _smallest(quick)
    statuses = [
        httpx.get(_archive_url(quick, quick_ckpt), headers=KEY).status_code for _ in range(50)
    ]
    assert statuses[-1] == 302


def test_archive_404s(server: ServerThread) -> None:
    url = f"{server.url}/api/v1/training_runs/nope:train:0/checkpoints/weights/x/archive"
    missing = httpx.get(url, headers=KEY)
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_external_weights_urls(server: ServerThread) -> None:
    external = [c for c in _checkpoints(server) if c["checkpoint_type"] == "external"]
    assert external
    smallest = min(external, key=lambda c: c["size_bytes"])
    response = httpx.get(_archive_url(server, smallest, "external_weights_urls"), headers=KEY)
    body = ExternalWeightsUrlsResponse.model_validate(response.json())
    assert set(body.urls) == {"adapter_config.json", "adapter_model.safetensors"}
    assert body.expires.tzinfo is not None
    config = httpx.get(body.urls["adapter_config.json"])
    assert json.loads(config.content)["r"] > 0
    head = httpx.get(body.urls["adapter_model.safetensors"], headers={"Range": "bytes=0-7"})
    assert head.status_code == 206
    total = int(head.headers["content-range"].split("/")[1])
    weights = httpx.get(body.urls["adapter_model.safetensors"]).content
    assert len(weights) == total
    _check_safetensors(weights)
    sampler = _smallest(server)
    refused = httpx.get(_archive_url(server, sampler, "external_weights_urls"), headers=KEY)
    assert refused.status_code == 400
    assert "external" in refused.json()["detail"]


def test_trace_export_pending_then_ready(server: ServerThread) -> None:
    session = httpx.get(f"{server.url}/api/v1/sessions", headers=KEY).json()["sessions"][0]
    url = f"{server.url}/api/v1/sessions/{session}/trace_export"
    assert httpx.get(url, headers=KEY).json()["status"] == "pending"
    ready = httpx.get(url, headers=KEY).json()
    assert ready["status"] == "ready"
    trace = httpx.get(ready["url"])
    assert trace.status_code == 200
    assert session.encode() in trace.content
    assert (
        httpx.get(f"{server.url}/api/v1/sessions/nope/trace_export", headers=KEY).status_code == 404
    )


@pytest.mark.parametrize("kind", ["training", "sampler"])
def test_deleted_checkpoint_url_is_404(server: ServerThread, kind: str) -> None:
    ckpt = _smallest(server, kind)
    location = httpx.get(_archive_url(server, ckpt), headers=KEY).headers["location"]
    delete_url = _archive_url(server, ckpt).removesuffix("/archive")
    assert httpx.delete(delete_url, headers=KEY).status_code == 200
    assert httpx.get(location).status_code == 404
