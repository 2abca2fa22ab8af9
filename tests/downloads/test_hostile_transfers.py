"""A hostile or broken file server cannot take the key, loop for ever, or fill the disk.

Byte-level answers come from `raw.serve_raw` (a second listener on another port); the API side is
the scripted ASGI app. Each case ends in one line, after a bounded number of requests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lazytinker.api import stream
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    Limits,
    download_checkpoint,
    new_fetcher,
)
from lazytinker.api.partfile import free_bytes
from lazytinker.api.stream import fetch_to_file
from lazytinker.api.transfer import Target
from tests.client_asgi import Reply, ScriptedApp
from tests.downloads.common import (
    ARCHIVE,
    EXTERNAL,
    EXTERNAL_URLS,
    FAST,
    GOOD_TAR,
    KEY,
    REF,
    api_for,
    names,
)
from tests.downloads.raw import Request, response, serve_raw


def _bytes_at(body: bytes) -> Iterator[bytes]:
    yield response(
        "200 OK",
        {
            "Content-Length": str(len(body)),
            "Content-Type": "application/x-tar",
            "Connection": "close",
        },
        body,
    )


# --- the key stays with the API's origin -------------------------------------------------


async def test_a_redirect_to_another_port_never_carries_the_key(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    with serve_raw(lambda request: _bytes_at(GOOD_TAR)) as other:
        # The archive URL is on the API's origin (sent with the key), and redirects elsewhere.
        app.on("GET", ARCHIVE, Reply(302, None, headers={"Location": f"{url}/files/ckpt.tar"}))
        app.on("GET", "/files/ckpt.tar", Reply(302, None, headers={"Location": f"{other.url}/x"}))
        async with api_for(url) as api:
            result = await download_checkpoint(
                api, new_fetcher(), CheckpointDownload(REF, tmp_path), limits=FAST
            )
    assert names(result.path) == ["adapter_config.json", "checkpoint_complete"]
    assert app.calls("GET", "/files/ckpt.tar")[0].headers.get("x-api-key") == KEY
    assert [r.target for r in other.requests] == ["/x"]
    assert all(KEY not in str(r.headers) for r in other.requests)


async def test_hpcai_bytes_redirected_elsewhere_lose_the_key(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    from lazytinker.api.paths import CheckpointRef

    path = "/api/v1/training_runs/run-9/checkpoints/final/archive"
    with serve_raw(lambda request: _bytes_at(GOOD_TAR)) as other:
        app.on("GET", path, Reply(307, None, headers={"Location": f"{other.url}/bytes"}))
        ref = CheckpointRef.parse("hpcai://run-9/training/final")
        async with api_for(url, "hpcai") as api:
            result = await download_checkpoint(
                api, new_fetcher(), CheckpointDownload(ref, tmp_path), limits=FAST
            )
    assert names(result.path) == ["adapter_config.json", "checkpoint_complete"]
    assert other.requests
    assert all("x-api-key" not in r.headers for r in other.requests)


async def test_external_weights_and_their_redirects_never_carry_the_key(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    with serve_raw(lambda request: _bytes_at(b"weights")) as other:
        urls = {"a.bin": f"{url}/signed/a", "b.bin": f"{other.url}/b"}
        app.on("GET", EXTERNAL_URLS, Reply(200, {"urls": urls, "expires": "2099-01-01T00:00:00Z"}))
        app.on("GET", "/signed/a", Reply(302, None, headers={"Location": f"{other.url}/a"}))
        async with api_for(url) as api:
            result = await download_checkpoint(
                api, new_fetcher(), CheckpointDownload(EXTERNAL, tmp_path), limits=FAST
            )
    assert names(result.path) == ["a.bin", "b.bin"]
    assert "x-api-key" not in app.calls("GET", "/signed/a")[0].headers
    assert sorted(r.target for r in other.requests) == ["/a", "/b"]
    assert all("x-api-key" not in r.headers for r in other.requests)


# --- no request storms ------------------------------------------------------------------------


def _always(status: str, headers: dict[str, str]) -> object:
    def handler(request: Request) -> Iterator[bytes]:
        yield response(status, {**headers, "Content-Length": "0", "Connection": "close"})

    return handler


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        ("416 Range Not Satisfiable", {"Content-Range": "bytes */999"}, "416"),
        ("206 Partial Content", {"Content-Range": "bytes 5-9/10"}, "Content-Range"),
    ],
)
async def test_a_server_that_never_continues_the_part_is_given_up_on(
    tmp_path: Path, status: str, headers: dict[str, str], reason: str
) -> None:
    with serve_raw(_always(status, headers)) as other:  # type: ignore[arg-type]

        async def resolve() -> Target:
            return Target(f"{other.url}/blob")

        with pytest.raises(DownloadError, match=reason) as caught:
            await fetch_to_file(
                new_fetcher(), resolve, tmp_path / "ckpt.tar", limits=Limits(backoff=0.01)
            )
    assert "Gave up" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(other.requests) == Limits().max_restarts + 1
    assert names(tmp_path) == []


async def test_restarts_back_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between two restarts the writer waits longer each time (not a tight loop)."""
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float) -> None:
        slept.append(delay)
        await real_sleep(0)

    with serve_raw(_always("416 Range Not Satisfiable", {})) as other:  # type: ignore[arg-type]

        async def resolve() -> Target:
            return Target(f"{other.url}/blob")

        monkeypatch.setattr(stream.asyncio, "sleep", recording_sleep)
        with pytest.raises(DownloadError):
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "x", limits=Limits())
    assert len(slept) == Limits().max_restarts
    assert slept == sorted(slept)
    assert slept[-1] > slept[0] >= 0.5


# --- bodies that do not end ---------------------------------------------------------------


def _endless(request: Request) -> Iterator[bytes]:
    # No Content-Length and no chunking: the body runs until the connection closes, which it
    # never does by itself.
    yield response("200 OK", {"Content-Type": "application/octet-stream"})
    chunk = b"\0" * 65536
    while True:
        yield chunk


async def test_a_body_without_length_stops_at_the_listed_size(tmp_path: Path) -> None:
    with serve_raw(_endless) as other:

        async def resolve() -> Target:
            return Target(f"{other.url}/blob")

        with pytest.raises(DownloadError, match="kept sending past") as caught:
            await fetch_to_file(
                new_fetcher(), resolve, tmp_path / "ckpt.tar", max_bytes=4 * 1024 * 1024
            )
    assert "\n" not in str(caught.value)
    assert names(tmp_path) == []  # the junk part is not kept


async def test_an_endless_body_of_unknown_size_cannot_fill_the_disk(tmp_path: Path) -> None:
    free = free_bytes(tmp_path)
    assert free is not None
    # The reserve is set just under what is free now: the guard trips after a few megabytes, as
    # it would with the default reserve on a disk about to fill.
    limits = Limits(backoff=0.01, disk_reserve=max(0, free - 8 * 1024 * 1024))
    with serve_raw(_endless) as other:

        async def resolve() -> Target:
            return Target(f"{other.url}/trace")

        with pytest.raises(DownloadError, match="No space left") as caught:
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "x.pftrace", limits=limits)
    assert "\n" not in str(caught.value)
    part = tmp_path / "x.pftrace.part"
    assert not part.exists() or part.stat().st_size < 200 * 1024 * 1024


async def test_an_announced_length_larger_than_the_listing_is_refused(tmp_path: Path) -> None:
    def huge(request: Request) -> Iterator[bytes]:
        yield response("200 OK", {"Content-Length": str(10**15), "Connection": "close"})

    with serve_raw(huge) as other:

        async def resolve() -> Target:
            return Target(f"{other.url}/blob")

        with pytest.raises(DownloadError, match="far more than the listing"):
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "a", max_bytes=1000)
        with pytest.raises(DownloadError, match="No space left"):
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "b", limits=FAST)
    assert names(tmp_path) == []


# --- addresses the app cannot use ---------------------------------------------------------


@pytest.mark.parametrize("scheme", ["file", "ftp", "s3"])
async def test_an_address_of_another_scheme_is_named_in_one_line(
    scripted: tuple[ScriptedApp, str], tmp_path: Path, scheme: str
) -> None:
    app, url = scripted
    location = f"{scheme}://somewhere/var/lib/tinker/checkpoints/sess/weights/final"
    app.on("GET", ARCHIVE, Reply(302, None, headers={"Location": location}))
    async with api_for(url) as api:
        with pytest.raises(DownloadError) as caught:
            await download_checkpoint(
                api, new_fetcher(), CheckpointDownload(REF, tmp_path), limits=FAST
            )
    message = str(caught.value)
    assert f"{scheme}://" in message
    assert "only http:// and https://" in message
    assert "\n" not in message
    assert names(tmp_path) == []


async def test_a_redirect_to_a_file_url_is_named_too(tmp_path: Path) -> None:
    def to_file(request: Request) -> Iterator[bytes]:
        yield response("302 Found", {"Location": "file:///etc/passwd", "Content-Length": "0"})

    with serve_raw(to_file) as other:

        async def resolve() -> Target:
            return Target(f"{other.url}/blob")

        with pytest.raises(DownloadError, match=r"file:// URL \(a path on the server's own disk\)"):
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "x")
    assert not os.path.exists(tmp_path / "x")
