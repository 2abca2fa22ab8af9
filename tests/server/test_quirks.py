"""`--quirks NAME`: each real-world data quirk, against the same world served without it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lazytinker.server.config import ServerConfig
from lazytinker.server.quirks import QUIRKS, parse_quirks
from lazytinker.server.runner import ServerThread
from lazytinker.server.spec import CompatSpecError

KEY = {"X-API-Key": "tml-demo"}
NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")


def _get(server: ServerThread, path: str) -> Any:
    answer = httpx.get(f"{server.url}{path}", headers=KEY)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _pair(start_server: Any, quirk: str) -> tuple[ServerThread, ServerThread]:
    # One clock for both: the seeded world's times count back from `now`, and two servers started
    # on either side of a second's edge would otherwise differ by that second.
    now = datetime.now(UTC)
    return start_server(now=now), start_server(now=now, quirks=(quirk,))


def _runs(server: ServerThread) -> list[dict[str, Any]]:
    return list(_get(server, "/api/v1/training_runs?limit=100")["training_runs"])


def _checkpoints(server: ServerThread) -> list[dict[str, Any]]:
    return list(_get(server, "/api/v1/checkpoints?limit=1000")["checkpoints"])


def test_naive_dates(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "naive-dates")
    for before, after in zip(_checkpoints(plain), _checkpoints(quirky), strict=True):
        assert before["time"].endswith("Z")
        assert after["time"] == before["time"][:-1]
        assert NAIVE.match(after["time"])
        if before["expires_at"] is not None:
            assert after["expires_at"] == before["expires_at"][:-1]
    run = _runs(quirky)[0]
    assert NAIVE.match(run["last_request_time"])
    # Names and ids are untouched; only datetimes lose their offset.
    assert run["training_run_id"] == _runs(plain)[0]["training_run_id"]


def test_no_sizes(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "no-sizes")
    listed = _checkpoints(quirky)
    assert len(listed) == len(_checkpoints(plain))
    for checkpoint in listed:
        assert not {"size_bytes", "public", "expires_at"} & set(checkpoint)
        assert checkpoint["tinker_path"]
    last = next(r["last_checkpoint"] for r in _runs(quirky) if r["last_checkpoint"])
    assert "size_bytes" not in last


def test_null_times(start_server: Any) -> None:
    _plain, quirky = _pair(start_server, "null-times")
    assert all(checkpoint["time"] is None for checkpoint in _checkpoints(quirky))
    run = next(r for r in _runs(quirky) if r["last_checkpoint"])
    assert run["last_checkpoint"]["time"] is None
    assert run["last_request_time"] is not None


def test_bare_ids(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "bare-ids")
    for before, after in zip(_checkpoints(plain), _checkpoints(quirky), strict=True):
        kind, name = before["checkpoint_id"].split("/")
        assert after["checkpoint_id"] == name
        assert after["tinker_path"] == before["tinker_path"]
        assert after["tinker_path"].endswith(f"/{kind}/{name}")


def test_model_id(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "model-id")
    names = [
        m["model_name"] for m in _get(plain, "/api/v1/get_server_capabilities")["supported_models"]
    ]
    models = _get(quirky, "/api/v1/get_server_capabilities")["supported_models"]
    assert len(models) == len(names)
    assert all("model_name" not in model for model in models)
    named = [model.get("model_id") for model in models]
    assert None in named
    assert [n for n in named if n is not None] == [
        name for index, name in enumerate(names) if index % 4 != 3
    ]


def test_no_last_checkpoint(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "no-last-checkpoint")
    assert any(run["last_checkpoint"] for run in _runs(plain))
    runs = _runs(quirky)
    assert all(run["last_checkpoint"] is None for run in runs)
    assert any(run["last_sampler_checkpoint"] for run in runs)


def _archive_url(server: ServerThread) -> str:
    """The smallest sampler checkpoint's URL (the tests download it whole)."""
    plain = [c for c in _checkpoints(server) if c["checkpoint_type"] == "sampler"]
    smallest = min(plain, key=lambda c: c.get("size_bytes") or 0)
    run_id = smallest["tinker_path"].removeprefix("tinker://").split("/")[0]
    return (
        f"{server.url}/api/v1/training_runs/{run_id}/checkpoints/sampler_weights/"
        + (smallest["tinker_path"].rsplit("/", 1)[-1])
    )


def test_file_archive(start_server: Any) -> None:
    server = start_server(quirks=("file-archive",))
    answer = httpx.get(f"{_archive_url(server)}/archive", headers=KEY)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith("file:///")
    assert "sampler" in location
    missing = httpx.get(
        f"{server.url}/api/v1/training_runs/nope/checkpoints/weights/x/archive", headers=KEY
    )
    assert missing.status_code == 404


def test_file_archive_hpcai(start_server: Any) -> None:
    server = start_server(flavor="hpcai", quirks=("file-archive",))
    run = next(r for r in _runs(server) if r["last_sampler_checkpoint"])
    name = run["last_sampler_checkpoint"]["checkpoint_id"]
    url = f"{server.url}/api/v1/training_runs/{run['training_run_id']}/checkpoints/{name}/archive"
    answer = httpx.get(url, headers=KEY)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith("file:///")


def test_empty_member(start_server: Any) -> None:
    plain, quirky = _pair(start_server, "empty-member")
    location = httpx.get(f"{_archive_url(quirky)}/archive", headers=KEY).headers["location"]
    download = httpx.get(location)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/gzip"
    assert download.content[:2] == b"\x1f\x8b"
    with tarfile.open(fileobj=io.BytesIO(download.content), mode="r:gz") as archive:
        members = archive.getmembers()
    assert members[0].name == ""
    assert members[0].isdir()
    assert [m.name for m in members[1:]] == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "checkpoint_complete",
    ]
    # Without the quirk the same checkpoint is a plain tar that starts with its first file.
    plain_location = httpx.get(f"{_archive_url(plain)}/archive", headers=KEY).headers["location"]
    head = httpx.get(plain_location, headers={"Range": "bytes=0-511"}).content
    assert tarfile.TarInfo.frombuf(head, "utf-8", "strict").name == "adapter_config.json"


def test_quirks_combine(start_server: Any) -> None:
    server = start_server(quirks=("naive-dates", "bare-ids", "no-sizes"))
    checkpoint = _checkpoints(server)[0]
    assert NAIVE.match(checkpoint["time"])
    assert "/" not in checkpoint["checkpoint_id"]
    assert "size_bytes" not in checkpoint


def test_unknown_quirk_is_refused() -> None:
    with pytest.raises(CompatSpecError, match="valid names: naive-dates"):
        parse_quirks("naive-dates,sloppy")
    done = subprocess.run(
        [sys.executable, "-m", "lazytinker", "serve", "--port", "0", "--quirks", "sloppy"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown name 'sloppy'" in done.stderr
    assert "empty-member" in done.stderr


def test_every_quirk_is_documented() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "lazytinker", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for name in QUIRKS:
        assert f"  {name} " in shown


def test_default_answers_are_unchanged() -> None:
    config = ServerConfig(sessions=3, runs=4, checkpoints_per_run=4)
    with ServerThread(config) as server:
        checkpoint = _checkpoints(server)[0]
        assert checkpoint["time"].endswith("Z")
        assert "/" in checkpoint["checkpoint_id"]
        assert "size_bytes" in checkpoint
