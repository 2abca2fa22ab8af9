"""Checkpoint downloads end to end: the API client, the stand-in server, the writer, extraction.

Contracts the stand-in cannot play on demand (503 exactly twice, bytes served by the archive
endpoint itself, HTML, malicious tars) come from the scripted ASGI app, still over real HTTP.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import tarfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    Limits,
    Progress,
    download_checkpoint,
    download_trace,
    folder_name,
    new_fetcher,
)
from lazytinker.api.errors import NotFoundError
from lazytinker.api.extract import ExtractError
from lazytinker.api.models import (
    Checkpoint,
    CheckpointArchiveUrlResponse,
    ExternalWeightsUrlsResponse,
    TraceExportResponse,
)
from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor
from lazytinker.api.rawhttp import Exchange, Fetcher
from lazytinker.config import Profile
from tests.client_asgi import Reply, ScriptedApp, serve
from tests.conftest import StartServer

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FAST = Limits(backoff=0.01, max_build_wait=30.0)
CHECKPOINT_FILES = ["adapter_config.json", "adapter_model.safetensors", "checkpoint_complete"]


def _api(url: str, flavor: Flavor = "tinker") -> TinkerAPI:
    return TinkerAPI(Profile("test", flavor, url, "tml-demo").target())


@pytest.fixture
def http() -> Fetcher:
    return new_fetcher()


async def _smallest(api: TinkerAPI, kind: CheckpointKind) -> Checkpoint:
    """The smallest checkpoint of a kind the server lists (keeps the tests quick)."""
    found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    of_kind = [c for c in found if c.checkpoint_type == kind.value]
    return min(of_kind, key=lambda c: c.size_bytes or 0)


def _ref(checkpoint: Checkpoint) -> CheckpointRef:
    return CheckpointRef.parse(checkpoint.tinker_path or checkpoint.checkpoint_path or "")


async def _sha_of_url(url: str) -> str:
    digest = hashlib.sha256()
    async with (
        httpx.AsyncClient() as client,
        client.stream("GET", url) as response,
    ):
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            digest.update(chunk)
    return digest.hexdigest()


def _sha_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the stand-in server --------------------------------------------------------------------


async def test_archive_contract_extracts_into_the_official_folder_name(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        checkpoint = await _smallest(api, CheckpointKind.SAMPLER)
        ref = _ref(checkpoint)
        events: list[Progress] = []
        result = await download_checkpoint(
            api, http, CheckpointDownload(ref, tmp_path), on_progress=events.append
        )
    expected = tmp_path / f"{ref.run_id}_sampler_weights_{ref.name}"
    assert result.path == expected
    assert result.bytes == checkpoint.size_bytes
    assert _names(tmp_path) == [expected.name]
    assert _names(expected) == CHECKPOINT_FILES
    assert events[-1].phase == "done"
    assert any(e.phase == "extracting" for e in events)


async def test_no_extract_keeps_a_tar_equal_to_the_servers_bytes(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER))
        result = await download_checkpoint(
            api, http, CheckpointDownload(ref, tmp_path, extract=False)
        )
        signed = await api.get_archive_url(ref)
    assert result.path == tmp_path / f"{folder_name(ref)}.tar"
    assert _names(tmp_path) == [result.path.name]
    assert _sha_of_file(result.path) == await _sha_of_url(signed.url)


async def test_hpcai_flavor_follows_its_archive_to_the_bytes(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    # hpcai lists no sizes: a tinker twin of the same seed says which checkpoint is small.
    twin = start_server(now=NOW, seed=5)
    server = start_server(now=NOW, seed=5, flavor="hpcai")
    async with _api(twin.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER)).with_flavor("hpcai")
    async with _api(server.url, "hpcai") as api:
        result = await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
    assert result.path.name == f"{ref.run_id}_sampler_{ref.name}"
    assert _names(result.path) == CHECKPOINT_FILES


async def test_external_weights_land_file_by_file(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.EXTERNAL))
        urls = await api.get_external_weights_urls(ref)
        result = await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
    assert result.path == tmp_path / folder_name(ref)
    assert _names(tmp_path) == [folder_name(ref)]
    assert _names(result.path) == sorted(urls.urls)
    for name, url in urls.urls.items():
        assert _sha_of_file(result.path / name) == await _sha_of_url(url)


async def test_a_cut_mid_body_resumes_and_the_bytes_equal_the_servers(
    start_server: StartServer, tmp_path: Path
) -> None:
    faulty = start_server(now=NOW, seed=3, faults="cut:0.9@/signed/archive")
    clean = start_server(now=NOW, seed=3)
    ranges: list[str] = []

    def record(exchange: Exchange) -> None:
        if "Range" in exchange.headers:
            ranges.append(exchange.headers["Range"])

    http = Fetcher(on_exchange=record)
    async with _api(faulty.url) as api, _api(clean.url) as twin:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER))
        result = await download_checkpoint(
            api, http, CheckpointDownload(ref, tmp_path, extract=False), limits=FAST
        )
        reference = await _sha_of_url((await twin.get_archive_url(ref)).url)
    assert ranges, "the fault never cut the transfer, so nothing was resumed"
    assert _sha_of_file(result.path) == reference
    assert _names(tmp_path) == [result.path.name]


class _StaleFirst:
    """The real API, except that the first archive URL it hands out has already expired."""

    def __init__(self, api: TinkerAPI, stale: CheckpointArchiveUrlResponse | None) -> None:
        self.api = api
        self.stale: CheckpointArchiveUrlResponse | None = stale
        self.flavor = api.flavor

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        stale, self.stale = self.stale, None
        return stale or await self.api.get_archive_url(ref)

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        return await self.api.get_external_weights_urls(ref)

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        return await self.api.get_trace_export(session_id)

    def auth_headers_for(self, url: str) -> dict[str, str]:
        return self.api.auth_headers_for(url)


class _Counting(_StaleFirst):
    """The real API, counting how often the external-weights map is signed."""

    def __init__(self, api: TinkerAPI) -> None:
        super().__init__(api, None)
        self.signed = 0

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        self.signed += 1
        return await self.api.get_external_weights_urls(ref)


async def test_external_urls_about_to_expire_are_signed_again_before_each_file(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server(signed_url_ttl=120.0)  # inside the 5-minute margin from the start
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.EXTERNAL))
        counting = _Counting(api)
        result = await download_checkpoint(counting, http, CheckpointDownload(ref, tmp_path))
    files = _names(result.path)
    assert len(files) == 2
    assert counting.signed == 1 + len(files)  # the listing, then once before each file


async def test_an_expired_signed_url_is_signed_again(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(signed_url_ttl=1.0)
    statuses: list[int] = []

    def record(exchange: Exchange) -> None:
        if "/signed/" in exchange.url:
            statuses.append(exchange.status)

    http = Fetcher(on_exchange=record)
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER))
        stale = await api.get_archive_url(ref)
        expires = int(parse_qs(urlsplit(stale.url).query)["expires"][0])
        await asyncio.sleep(max(0.0, expires - time.time()) + 0.1)
        result = await download_checkpoint(
            _StaleFirst(api, stale), http, CheckpointDownload(ref, tmp_path)
        )
    assert statuses == [403, 200]
    assert _names(result.path) == CHECKPOINT_FILES


async def test_an_archive_being_built_is_waited_for_and_reported(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server(archive_build_seconds=1.0)
    events: list[Progress] = []
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER))
        result = await download_checkpoint(
            api, http, CheckpointDownload(ref, tmp_path), on_progress=events.append, limits=FAST
        )
    building = [e for e in events if e.phase == "building"]
    assert building
    assert building[0].retry_after == 1.0
    assert _names(result.path) == CHECKPOINT_FILES


async def test_a_missing_checkpoint_is_one_line_and_leaves_nothing(
    server: object, http: Fetcher, tmp_path: Path
) -> None:
    url = server.url  # type: ignore[attr-defined]
    ref = CheckpointRef.parse("tinker://no-such-run:train:0/weights/step-000001")
    async with _api(url) as api:
        with pytest.raises(NotFoundError) as caught:
            await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
    assert "\n" not in str(caught.value)
    assert _names(tmp_path) == []


async def test_an_existing_folder_needs_force(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server()
    async with _api(server.url) as api:
        ref = _ref(await _smallest(api, CheckpointKind.SAMPLER))
        (tmp_path / folder_name(ref)).mkdir()
        (tmp_path / folder_name(ref) / "mine").write_text("keep")
        with pytest.raises(DownloadError, match="already exists; use --force"):
            await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
        assert _names(tmp_path / folder_name(ref)) == ["mine"]
        result = await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path, force=True))
    assert _names(result.path) == CHECKPOINT_FILES


async def test_an_unwritable_destination_is_refused_up_front(
    server: object, http: Fetcher, tmp_path: Path
) -> None:
    url = server.url  # type: ignore[attr-defined]
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    ref = CheckpointRef.parse("tinker://run:train:0/weights/final")
    async with _api(url) as api:
        with pytest.raises(DownloadError, match="Cannot create"):
            await download_checkpoint(api, http, CheckpointDownload(ref, blocker / "sub"))
    assert _names(tmp_path) == ["file"]


async def test_a_trace_export_is_polled_then_saved(
    start_server: StartServer, http: Fetcher, tmp_path: Path
) -> None:
    server = start_server(trace_export_polls=2)
    events: list[Progress] = []
    async with _api(server.url) as api:
        session = (await api.list_sessions()).sessions[0]
        dest = tmp_path / f"{session}.pftrace"
        result = await download_trace(
            api, http, session, dest, poll_seconds=0.05, on_progress=events.append
        )
    assert result.path == dest
    assert session in dest.read_text()
    assert [e.phase for e in events].count("building") >= 1
    assert _names(tmp_path) == [dest.name]


# --- scripted replies: contracts the stand-in does not play on demand ----------------------


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _member(
    name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE
) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        return info, data
    info.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
    return info, None


GOOD_TAR = _tar([_member("adapter_config.json", b"{}"), _member("checkpoint_complete")])
REF = CheckpointRef.parse("tinker://sess:train:0/weights/final")
ARCHIVE = "/api/v1/training_runs/sess:train:0/checkpoints/weights/final/archive"


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedApp, str]]:
    app = ScriptedApp()
    with serve(app) as url:
        yield app, url


def _redirect_to_tar(app: ScriptedApp, url: str, body: bytes, content_type: str) -> None:
    app.on("GET", "/files/ckpt.tar", Reply(200, body, content_type=content_type))
    app.on("GET", ARCHIVE, Reply(302, None, headers={"Location": f"{url}/files/ckpt.tar"}))


async def test_503_twice_then_ready(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = scripted
    app.on("GET", "/files/ckpt.tar", Reply(200, GOOD_TAR, content_type="application/x-tar"))
    not_ready = Reply(503, {"detail": "building"}, headers={"Retry-After": "1"})
    ready = Reply(302, None, headers={"Location": f"{url}/files/ckpt.tar"})
    app.on("GET", ARCHIVE, not_ready, not_ready, ready)
    events: list[Progress] = []
    async with _api(url) as api:
        result = await download_checkpoint(
            api, http, CheckpointDownload(REF, tmp_path), on_progress=events.append, limits=FAST
        )
    assert [e.retry_after for e in events if e.phase == "building"] == [1.0, 1.0]
    assert len(app.calls("GET", ARCHIVE)) == 3
    assert _names(result.path) == ["adapter_config.json", "checkpoint_complete"]


async def test_200_json_contract(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = scripted
    app.on("GET", "/files/ckpt.tar", Reply(200, GOOD_TAR, content_type="application/x-tar"))
    body = {"url": f"{url}/files/ckpt.tar", "expires": "2030-01-01T00:00:00Z"}
    app.on("GET", ARCHIVE, Reply(200, body))
    async with _api(url) as api:
        result = await download_checkpoint(api, http, CheckpointDownload(REF, tmp_path))
    assert _names(result.path) == ["adapter_config.json", "checkpoint_complete"]


async def test_hpcai_direct_bytes_are_streamed_with_the_key(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = scripted
    path = "/api/v1/training_runs/run-9/checkpoints/final/archive"
    app.on("GET", path, Reply(200, GOOD_TAR, content_type="application/gzip"))
    ref = CheckpointRef.parse("hpcai://run-9/training/final")
    async with _api(url, "hpcai") as api:
        result = await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
    assert result.path == tmp_path / "run-9_training_final"
    assert _names(result.path) == ["adapter_config.json", "checkpoint_complete"]
    assert all(call.headers.get("x-api-key") == "tml-demo" for call in app.calls("GET", path))


async def test_html_instead_of_a_tar_is_refused(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = scripted
    _redirect_to_tar(app, url, b"<!DOCTYPE html><html>Sign in</html>", "text/html")
    async with _api(url) as api:
        with pytest.raises(DownloadError, match="HTML") as caught:
            await download_checkpoint(api, http, CheckpointDownload(REF, tmp_path))
    assert "\n" not in str(caught.value)
    assert _names(tmp_path) == []


async def test_a_sampler_the_server_cannot_export_is_explained(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path
) -> None:
    app, url = scripted
    path = "/api/v1/training_runs/sess:train:0/checkpoints/sampler_weights/s1/archive"
    app.on("GET", path, Reply(404, {"detail": "Not Found"}))
    ref = CheckpointRef.parse("tinker://sess:train:0/sampler_weights/s1")
    async with _api(url) as api:
        with pytest.raises(DownloadError, match=r"sampler checkpoint.*cannot export"):
            await download_checkpoint(api, http, CheckpointDownload(ref, tmp_path))
    assert _names(tmp_path) == []


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("adapter_model.safetensors")
        info.size = 300 * 1024 * 1024
        tar.addfile(info, _Zeros(info.size))
    return buffer.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = b"\x00" * n
        self.left -= n
        return n


MALICIOUS = {
    "dotdot": lambda: _tar([_member("adapter_config.json", b"{}"), _member("../x", b"evil")]),
    "absolute": lambda: _tar([_member("/etc/x", b"evil")]),
    "symlink": lambda: _tar([_member("adapter_config.json", b"{}"), _member("l", b"", b"2")]),
    "device": lambda: _tar([_member("dev", b"", tarfile.CHRTYPE)]),
    "bomb": _bomb,
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
async def test_a_malicious_archive_is_refused_and_leaves_nothing(
    scripted: tuple[ScriptedApp, str], http: Fetcher, tmp_path: Path, case: str
) -> None:
    app, url = scripted
    _redirect_to_tar(app, url, MALICIOUS[case](), "application/x-tar")
    out = tmp_path / "out"
    async with _api(url) as api:
        with pytest.raises(ExtractError, match="Refused member") as caught:
            await download_checkpoint(api, http, CheckpointDownload(REF, out))
    assert "\n" not in str(caught.value)
    assert _names(out) == []
    assert not (tmp_path / "x").exists()
