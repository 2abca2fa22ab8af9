"""The streaming writer against a small in-test ASGI file server over real HTTP.

The file server plays the faults a signed-URL host can have: a connection cut mid-body, an expired
signature, a file that changed between two attempts, an HTML page, Range ignored.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from lazytinker.api.errors import ArchiveNotReadyError
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.stream import (
    DownloadError,
    Limits,
    Progress,
    Target,
    fetch_to_file,
    part_path,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BLOB = os.urandom(3 * 1024 * 1024 + 17)
FAST = Limits(backoff=0.01, max_build_wait=10.0)


@dataclass
class FileHost:
    """An ASGI app serving one blob at `/blob?sig=N`, with switchable faults."""

    blob: bytes = BLOB
    etag: str = '"v1"'
    valid_sigs: set[str] = field(default_factory=lambda: {"1"})
    cut_after: list[int] = field(default_factory=list)  # one entry per request to cut
    honour_range: bool = True
    html: bool = False
    stall_after: int | None = None  # the next response stops sending here until released
    busy: list[int] = field(default_factory=list)  # statuses to answer first, one per request
    content_type: bytes = b"application/x-tar"
    released: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = scope["query_string"].decode()
        self.requests.append({"query": query, **headers})
        sig = query.removeprefix("sig=")
        if self.html:
            await _respond(send, 200, b"<!DOCTYPE html><html>login</html>", "text/html")
            return
        if self.busy:
            await _respond(send, self.busy.pop(0), b"busy", "text/plain", [(b"retry-after", b"1")])
            return
        if sig not in self.valid_sigs:
            await _respond(send, 403, b'{"detail": "signature expired"}', "application/json")
            return
        start = 0
        status = 200
        extra: list[tuple[bytes, bytes]] = []
        range_header = headers.get("range")
        if_range = headers.get("if-range")
        if range_header and self.honour_range and (if_range is None or if_range == self.etag):
            start = int(range_header.removeprefix("bytes=").split("-")[0])
            if start >= len(self.blob):
                await _respond(send, 416, b"", "text/plain")
                return
            status = 206
            extra.append(
                (b"content-range", f"bytes {start}-{len(self.blob) - 1}/{len(self.blob)}".encode())
            )
        body = self.blob[start:]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", self.content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"etag", self.etag.encode()),
                    (b"accept-ranges", b"bytes"),
                    *extra,
                ],
            }
        )
        cut = self.cut_after.pop(0) if self.cut_after else None
        stall, self.stall_after = self.stall_after, None
        step = 256 * 1024
        for offset in range(0, len(body), step):
            piece = body[offset : offset + step]
            if stall is not None and offset >= stall:
                # `released` is set from the test's thread, so no asyncio.Event can carry it.
                while not self.released:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            if cut is not None and offset + len(piece) > cut:
                await send(
                    {"type": "http.response.body", "body": piece[: cut - offset], "more_body": True}
                )
                raise ConnectionAbortedError("cut by the test")
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Uvicorn:
    """uvicorn on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="critical", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Uvicorn:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def host() -> Iterator[tuple[FileHost, str]]:
    app = FileHost()
    with Uvicorn(app) as server:
        yield app, server.url
        app.released = True


@pytest.fixture
def http() -> Fetcher:
    return Fetcher(timeout=10)


class Signer:
    """Stands for the API: hands out the current signature, counts how often it was asked."""

    def __init__(self, base: str, app: FileHost, not_ready: int = 0) -> None:
        self.base = base
        self.app = app
        self.calls = 0
        self.not_ready = not_ready

    async def __call__(self) -> Target:
        self.calls += 1
        if self.not_ready:
            self.not_ready -= 1
            raise ArchiveNotReadyError("still building", host="127.0.0.1", retry_after=0.2)
        return Target(f"{self.base}/blob?sig={max(self.app.valid_sigs)}")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_whole_file_is_streamed_and_renamed(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    events: list[Progress] = []
    dest = tmp_path / "ckpt.tar"
    size = await fetch_to_file(http, Signer(url, app), dest, on_progress=events.append)
    assert size == len(BLOB)
    assert _sha(dest.read_bytes()) == _sha(BLOB)
    assert not part_path(dest).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.tar"]
    assert events[-1].done == len(BLOB)
    assert events[-1].total == len(BLOB)
    # Nothing listed a size here: the total comes from the answer's length, from the start.
    assert all(e.total == len(BLOB) for e in events if e.phase == "downloading")


async def test_a_cut_mid_body_resumes_with_range(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    first, second = 1024 * 1024 + 5, 1024 * 1024 + 9  # bytes into each response's body
    app.cut_after = [first, second]
    dest = tmp_path / "ckpt.tar"
    await fetch_to_file(http, Signer(url, app), dest, limits=FAST)
    assert _sha(dest.read_bytes()) == _sha(BLOB)
    ranges = [r.get("range") for r in app.requests]
    assert ranges == [None, f"bytes={first}-", f"bytes={first + second}-"]
    assert all(r.get("if-range") == '"v1"' for r in app.requests[1:])


async def _leave_a_part(app: FileHost, url: str, http: Fetcher, dest: Path) -> int:
    """Start a download, cancel it while the server holds back the second MiB; the part's size."""
    app.stall_after = 1024 * 1024
    part = part_path(dest)
    task = asyncio.create_task(fetch_to_file(http, Signer(url, app), dest))
    for _ in range(500):
        if part.exists() and part.stat().st_size == 1024 * 1024:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    kept = part.stat().st_size
    assert kept == 1024 * 1024
    assert not dest.exists()
    return kept


async def test_a_restart_resumes_the_part_left_by_a_cancelled_task(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    dest = tmp_path / "ckpt.tar"
    kept = await _leave_a_part(app, url, http, dest)
    await fetch_to_file(http, Signer(url, app), dest)
    assert _sha(dest.read_bytes()) == _sha(BLOB)
    assert app.requests[-1]["range"] == f"bytes={kept}-"
    assert app.requests[-1]["if-range"] == '"v1"'


async def test_a_changed_file_is_fetched_again_from_zero(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    dest = tmp_path / "ckpt.tar"
    await _leave_a_part(app, url, http, dest)
    app.blob = os.urandom(len(BLOB))
    app.etag = '"v2"'
    await fetch_to_file(http, Signer(url, app), dest)
    assert _sha(dest.read_bytes()) == _sha(app.blob)
    assert app.requests[-1]["if-range"] == '"v1"'


async def test_a_server_ignoring_range_restarts_cleanly(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    app.honour_range = False
    app.cut_after = [1024 * 1024]
    dest = tmp_path / "ckpt.tar"
    await fetch_to_file(http, Signer(url, app), dest, limits=FAST)
    assert _sha(dest.read_bytes()) == _sha(BLOB)


async def test_an_expired_signature_is_signed_again(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    signer = Signer(url, app)
    first = await signer()
    app.valid_sigs = {"2"}  # the URL handed out above has expired
    calls = 0

    async def resolve() -> Target:
        nonlocal calls
        calls += 1
        return first if calls == 1 else await signer()

    dest = tmp_path / "ckpt.tar"
    await fetch_to_file(http, resolve, dest)
    assert calls == 2
    assert _sha(dest.read_bytes()) == _sha(BLOB)
    assert [r["query"] for r in app.requests] == ["sig=1", "sig=2"]


async def test_a_forbidden_api_url_is_not_re_signed(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host

    async def resolve() -> Target:
        return Target(f"{url}/blob?sig=nope", headers={"X-API-Key": "tml-x"}, resignable=False)

    with pytest.raises(DownloadError, match="does not permit"):
        await fetch_to_file(http, resolve, tmp_path / "ckpt.tar")
    assert len(app.requests) == 1
    assert list(tmp_path.iterdir()) == []


async def test_503_while_building_is_waited_out_and_reported(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    signer = Signer(url, app, not_ready=2)
    events: list[Progress] = []
    dest = tmp_path / "ckpt.tar"
    await fetch_to_file(http, signer, dest, on_progress=events.append, limits=FAST)
    building = [e for e in events if e.phase == "building"]
    assert [e.retry_after for e in building] == [0.2, 0.2]
    assert signer.calls == 3
    assert _sha(dest.read_bytes()) == _sha(BLOB)


async def test_a_busy_file_host_is_asked_again_after_its_retry_after(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    app.busy = [503, 429]
    dest = tmp_path / "ckpt.tar"
    await fetch_to_file(http, Signer(url, app), dest, limits=FAST)
    assert len(app.requests) == 3
    assert _sha(dest.read_bytes()) == _sha(BLOB)


async def test_a_json_file_is_saved_as_it_is(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    # A signed URL may serve adapter_config.json as application/json: those are the bytes.
    app, url = host

    async def resolve() -> Target:
        return Target(f"{url}/json")

    app.blob = b'{"url": "http://elsewhere/x", "expires": "2030-01-01T00:00:00Z"}'
    app.valid_sigs = {""}
    app.content_type = b"application/json"
    dest = tmp_path / "adapter_config.json"
    await fetch_to_file(http, resolve, dest)
    assert dest.read_bytes() == app.blob


async def test_html_instead_of_bytes_is_refused_without_a_file(
    host: tuple[FileHost, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = host
    app.html = True
    with pytest.raises(DownloadError, match="HTML") as caught:
        await fetch_to_file(http, Signer(url, app), tmp_path / "ckpt.tar")
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs, or a skip saying why one cannot be mounted here."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


async def test_a_full_disk_is_a_clear_error_and_no_final_file(
    host: tuple[FileHost, str], http: Fetcher, small_disk: Path
) -> None:
    app, url = host
    dest = small_disk / "ckpt.tar"
    with pytest.raises(DownloadError, match="No space left") as caught:
        await fetch_to_file(http, Signer(url, app), dest)
    assert "\n" not in str(caught.value)
    assert not dest.exists()
