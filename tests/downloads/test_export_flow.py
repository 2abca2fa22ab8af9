"""The 0.38 export flow against the stand-in with `/archive` gone (`archive=False`, as `serve
--no-archive`): the files equal the server's, the temporary export is deleted and the session
finished, whatever happens (a cut, a failing file, Ctrl-C)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    Limits,
    Progress,
    download_checkpoint,
    new_fetcher,
)
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.rawhttp import Exchange, Fetcher
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer
from tests.interrupt import sigint_default
from tests.server.exporting import (
    KEY,
    export_checkpoint,
    smallest_training_checkpoint,
)

FAST = Limits(backoff=0.01)
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _api(server: ServerThread) -> TinkerAPI:
    return TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target())


def _externals(api: httpx.Client) -> list[str]:
    body = api.get("/api/v1/checkpoints?limit=1000").json()
    return sorted(
        c["tinker_path"] for c in body["checkpoints"] if c["checkpoint_type"] == "external"
    )


def _sessions(api: httpx.Client) -> set[str]:
    return set(api.get("/api/v1/sessions?limit=1000").json()["sessions"])


def _status(api: httpx.Client, session_id: str) -> dict[str, Any]:
    found = api.post("/api/v1/sessions/search", json={"session_id": session_id}).json()
    status: dict[str, Any] = found["sessions"][0]["status"]
    return status


class _Prepared:
    """A server without `/archive`, a training checkpoint, and what an export of it holds."""

    def __init__(self, start_server: StartServer, **faults: Any) -> None:
        # The reference comes from a twin without faults: the same seed and clock serve the
        # same checkpoints and the same exported bytes.
        twin = start_server(archive=False, now=NOW)
        with httpx.Client(base_url=twin.url, headers=KEY) as clean:
            self.path = smallest_training_checkpoint(clean)
            self.files = export_checkpoint(clean, self.path, name="reference").files
        self.server = start_server(archive=False, now=NOW, **faults)
        self.http = httpx.Client(base_url=self.server.url, headers=KEY)
        self.externals = _externals(self.http)
        self.sessions = _sessions(self.http)

    def new_session(self) -> str:
        [session] = _sessions(self.http) - self.sessions
        return session


class _Counting:
    """The real API, counting the TTL renewals of the temporary export."""

    def __init__(self, api: TinkerAPI) -> None:
        self._api = api
        self.renewed: list[tuple[str, int | None]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None:
        self.renewed.append((ref.path, ttl_seconds))
        await self._api.set_checkpoint_ttl(ref, ttl_seconds)


async def test_a_training_checkpoint_is_exported_downloaded_and_cleaned_up(
    start_server: StartServer, tmp_path: Path
) -> None:
    prepared = _Prepared(start_server)
    events: list[Progress] = []
    notes: list[str] = []
    async with _api(prepared.server) as api:
        counting = _Counting(api)
        result = await download_checkpoint(
            counting,  # type: ignore[arg-type]
            new_fetcher(),
            CheckpointDownload(CheckpointRef.parse(prepared.path), tmp_path),
            on_progress=events.append,
            on_note=notes.append,
        )
    target = tmp_path / prepared.path.removeprefix("tinker://").replace("/", "_")
    assert result.path == target
    assert {p.name: p.read_bytes() for p in target.iterdir()} == prepared.files
    assert result.bytes == sum(map(len, prepared.files.values()))
    # The export was renewed for an hour each time its URLs were signed, then deleted.
    [(renewed_path, ttl)] = counting.renewed[:1]
    assert ttl == 3600
    assert "/external_weights/download" in renewed_path
    assert notes == [f"the temporary export {renewed_path} was deleted"]
    assert _externals(prepared.http) == prepared.externals
    session = prepared.new_session()
    assert _status(prepared.http, session) == {
        "type": "client_finished",
        "reason": {"type": "success"},
        "detail": None,
    }
    steps = [e.detail for e in events if e.phase == "exporting"]
    assert steps == [
        "starting a session to export it",
        "loading the checkpoint on the server",
        "saving it as external weights",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


async def test_a_cut_in_the_middle_resumes_and_still_cleans_up(
    start_server: StartServer, tmp_path: Path
) -> None:
    prepared = _Prepared(start_server, faults="cut:0.5@/signed/file")
    ranges: list[str] = []

    def record(exchange: Exchange) -> None:
        if "Range" in exchange.headers:
            ranges.append(exchange.headers["Range"])

    async with _api(prepared.server) as api:
        result = await download_checkpoint(
            api,
            Fetcher(on_exchange=record),
            CheckpointDownload(CheckpointRef.parse(prepared.path), tmp_path),
            limits=Limits(backoff=0.01, max_failures=30),
        )
    assert ranges, "the fault never cut a transfer"
    assert {p.name: p.read_bytes() for p in result.path.iterdir()} == prepared.files
    assert _externals(prepared.http) == prepared.externals
    assert _status(prepared.http, prepared.new_session())["reason"] == {"type": "success"}


async def test_a_failing_file_ends_in_one_line_and_the_export_is_deleted(
    start_server: StartServer, tmp_path: Path
) -> None:
    prepared = _Prepared(start_server, faults="500:1@/signed/file")
    async with _api(prepared.server) as api:
        with pytest.raises(DownloadError) as caught:
            await download_checkpoint(
                api,
                new_fetcher(),
                CheckpointDownload(CheckpointRef.parse(prepared.path), tmp_path),
                limits=FAST,
            )
    message = str(caught.value)
    assert "\n" not in message
    assert "kept failing" in message
    assert "/external_weights/download was deleted" in message
    assert _externals(prepared.http) == prepared.externals
    status = _status(prepared.http, prepared.new_session())
    assert status["reason"] == {"type": "errored"}


async def test_a_sampler_checkpoint_is_explained_in_one_line(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(archive=False)
    with httpx.Client(base_url=server.url, headers=KEY) as http:
        body = http.get("/api/v1/checkpoints?limit=1000").json()["checkpoints"]
        sampler = next(c["tinker_path"] for c in body if c["checkpoint_type"] == "sampler")
        before = _sessions(http)
        async with _api(server) as api:
            with pytest.raises(DownloadError, match=r"sampler checkpoint.*cannot export"):
                await download_checkpoint(
                    api,
                    new_fetcher(),
                    CheckpointDownload(CheckpointRef.parse(sampler), tmp_path),
                )
        assert _sessions(http) == before  # no session was started for it
    assert list(tmp_path.iterdir()) == []


async def test_declining_the_session_starts_nothing(
    start_server: StartServer, tmp_path: Path
) -> None:
    prepared = _Prepared(start_server)
    asked: list[str] = []

    async def decline(ref: CheckpointRef) -> bool:
        asked.append(ref.path)
        return False

    async with _api(prepared.server) as api:
        with pytest.raises(DownloadError, match="billable"):
            await download_checkpoint(
                api,
                new_fetcher(),
                CheckpointDownload(CheckpointRef.parse(prepared.path), tmp_path),
                confirm_export=decline,
            )
    assert asked == [prepared.path]
    assert _sessions(prepared.http) == prepared.sessions


# --- the command line ---------------------------------------------------------------------


def _env(server: ServerThread, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "LAZYTINKER_CONFIG": str(tmp_path / "no-config.toml"),
        "HOME": str(tmp_path / "home"),
    }


def test_the_command_asks_for_yes_before_a_billable_session(
    start_server: StartServer, tmp_path: Path
) -> None:
    prepared = _Prepared(start_server)
    command = [sys.executable, "-m", "lazytinker", "download", prepared.path, "-o", "out"]
    declined = subprocess.run(
        [*command, "--json"],
        capture_output=True,
        text=True,
        env=_env(prepared.server, tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert declined.returncode == 1
    assert "billable" in declined.stderr
    assert "--yes" in declined.stderr
    assert json.loads(declined.stdout)["status"] == "failed"
    assert _sessions(prepared.http) == prepared.sessions
    done = subprocess.run(
        [*command, "--yes", "--json"],
        capture_output=True,
        text=True,
        env=_env(prepared.server, tmp_path),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["status"] == "completed"
    assert record["notes"] == [record["notes"][0]]
    assert record["notes"][0].endswith("was deleted")
    folder = tmp_path / record["destination"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == prepared.files
    assert _externals(prepared.http) == prepared.externals


def test_ctrl_c_during_the_export_deletes_it_and_finishes_the_session(
    start_server: StartServer, tmp_path: Path
) -> None:
    # Each signed file answers slowly, so the interrupt lands while the files are fetched.
    prepared = _Prepared(start_server, faults="slow:1@/signed/file", slow_seconds=30.0)
    process = subprocess.Popen(
        [sys.executable, "-m", "lazytinker", "download", prepared.path, "-o", "out", "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(prepared.server, tmp_path),
        cwd=tmp_path,
        preexec_fn=sigint_default,
    )
    assert process.stderr is not None
    line = process.stderr.readline()  # the billable note: the flow has started
    assert "billable" in line
    _wait_for_export(prepared)
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "was deleted" in rest
    assert "interrupted" in rest
    assert _externals(prepared.http) == prepared.externals
    assert _status(prepared.http, prepared.new_session())["reason"] == {"type": "interrupted"}


def _wait_for_export(prepared: _Prepared) -> None:
    """Until the temporary export exists on the server (bounded)."""
    import time

    for _ in range(600):
        if len(_externals(prepared.http)) > len(prepared.externals):
            time.sleep(0.3)  # the file requests are on their way
            return
        time.sleep(0.05)
    raise AssertionError("the export never appeared")
