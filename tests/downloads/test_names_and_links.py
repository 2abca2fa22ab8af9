"""Names from the server are never paths, and nothing is written through a link or another user's
file: each case is one line, and nothing is left behind or changed outside the folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    download_checkpoint,
    download_trace,
    folder_name,
    new_fetcher,
    trace_file,
)
from lazytinker.api.names import relative_path, safe_name
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.stream import fetch_to_file
from lazytinker.api.transfer import Resolver, Target
from lazytinker.store.downloads import DownloadManager, DownloadState
from tests.client_asgi import Reply, ScriptedApp
from tests.downloads.common import (
    ARCHIVE,
    EXTERNAL,
    EXTERNAL_URLS,
    FAST,
    GOOD_TAR,
    REF,
    api_for,
    names,
)
from tests.downloads.raw import Request, response, serve_raw

BLOB = os.urandom(200_000)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../x", "slash"),
        ("/etc/x", "slash"),
        ("..", "not a usable file name"),
        ("", "not a usable file name"),
        ("a\x1b]52;c;aGk=\x07", "control characters"),
        ("a\u202eb", "control characters"),
        ("x" * 300, "too long"),
    ],
)
def test_a_name_that_is_not_one_file_name_is_refused(name: str, why: str) -> None:
    with pytest.raises(DownloadError, match=why) as caught:
        safe_name(name, "session id")
    assert "\n" not in str(caught.value)
    assert "\x1b" not in str(caught.value)


@pytest.mark.parametrize("relative", ["../x", "/abs", "a/../../b", "a\\b", "", "\x00"])
def test_an_external_file_name_that_escapes_is_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(DownloadError, match="Refused"):
        relative_path(tmp_path, relative, "file name")


def test_checkpoint_folder_names_are_checked() -> None:
    assert folder_name(REF) == "sess:train:0_weights_final"
    with pytest.raises(DownloadError, match="too long"):
        folder_name(CheckpointRef.parse("tinker://run/weights/" + "n" * 300))


async def test_a_session_id_cannot_place_the_trace_outside_the_folder(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    folder = tmp_path / "traces"
    async with api_for(url) as api:
        manager = DownloadManager(api, limits=FAST, trace_poll_seconds=0.01)
        for session in ("../../escaped", "/tmp/absolute", "../x"):
            item = manager.add_trace(session, folder)
            assert item.state is DownloadState.FAILED
            assert item.error is not None
            assert "Refused session id" in item.error
        await manager.aclose()
    assert app.api_calls == []  # nothing was even asked of the server
    assert names(tmp_path) == []
    with pytest.raises(DownloadError):
        trace_file(folder, "../x")


async def test_a_trace_is_saved_under_its_checked_name(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    app.on(
        "GET",
        "/api/v1/sessions/s-1/trace_export",
        Reply(200, {"status": "ready", "url": f"{url}/t"}),
    )
    app.on("GET", "/t", Reply(200, b"trace bytes", content_type="application/octet-stream"))
    async with api_for(url) as api:
        result = await download_trace(api, new_fetcher(), "s-1", trace_file(tmp_path, "s-1"))
    assert result.path == tmp_path / "s-1.pftrace"
    assert result.path.read_bytes() == b"trace bytes"


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (["../evil.bin", "ok.bin"], "Refused file name"),
        (["/etc/evil"], "Refused file name"),
        (["Model.bin", "model.bin"], "same name"),
        (["a", "a/b.bin"], "both a file and a folder"),
    ],
)
async def test_external_weights_with_unsafe_or_colliding_names_write_nothing(
    scripted: tuple[ScriptedApp, str], tmp_path: Path, files: list[str], why: str
) -> None:
    app, url = scripted
    urls = {name: f"{url}/f/{i}" for i, name in enumerate(files)}
    app.on("GET", EXTERNAL_URLS, Reply(200, {"urls": urls, "expires": "2099-01-01T00:00:00Z"}))
    out = tmp_path / "out"
    async with api_for(url) as api:
        with pytest.raises(DownloadError, match=why) as caught:
            await download_checkpoint(api, new_fetcher(), CheckpointDownload(EXTERNAL, out))
    assert "\n" not in str(caught.value)
    assert names(out) == []
    assert not (tmp_path / "evil.bin").exists()
    assert [c for c in app.requests if c.path.startswith("/f/")] == []


# --- links and files that are not ours ----------------------------------------------------


def _serve_blob(app: ScriptedApp) -> None:
    app.on("GET", "/blob", Reply(200, BLOB, content_type="application/octet-stream"))


async def test_a_part_that_is_a_symlink_is_replaced_not_followed(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    _serve_blob(app)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    dest = tmp_path / "ckpt.bin"
    (tmp_path / "ckpt.bin.part").symlink_to(victim)

    async def resolve() -> Target:
        return Target(f"{url}/blob")

    await fetch_to_file(new_fetcher(), resolve, dest)
    assert victim.read_bytes() == b"precious"
    assert dest.read_bytes() == BLOB
    assert not dest.is_symlink()


def _fixed(url: str) -> Resolver:
    async def resolve() -> Target:
        return Target(url)

    return resolve


def _ranges(request: Request) -> Iterator[bytes]:
    """BLOB, honouring `Range: bytes=N-` (so a part is resumed, not replaced)."""
    start = int(request.headers.get("range", "bytes=0-").removeprefix("bytes=").split("-")[0])
    status = "206 Partial Content" if start else "200 OK"
    headers = {"Content-Length": str(len(BLOB) - start), "Connection": "close"}
    if start:
        headers["Content-Range"] = f"bytes {start}-{len(BLOB) - 1}/{len(BLOB)}"
    yield response(status, headers, BLOB[start:])


async def test_a_part_of_another_user_is_refused_in_one_line(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    dest = tmp_path / "ckpt.bin"
    part = tmp_path / "ckpt.bin.part"
    part.write_bytes(BLOB[:1000])
    (tmp_path / "ckpt.bin.part.json").write_text('{"etag": null, "total": 200000}')
    os.chown(part, 4242, 4242)
    with serve_raw(_ranges) as server:
        resolve = _fixed(f"{server.url}/blob")
        with pytest.raises(DownloadError, match="another user") as caught:
            await fetch_to_file(new_fetcher(), resolve, dest, limits=FAST)
    assert "\n" not in str(caught.value)
    assert part.read_bytes() == BLOB[:1000]
    assert not dest.exists()


async def test_a_hard_linked_part_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(BLOB[:1000])
    os.link(victim, tmp_path / "ckpt.bin.part")
    (tmp_path / "ckpt.bin.part.json").write_text('{"etag": null, "total": 200000}')
    with serve_raw(_ranges) as server:
        resolve = _fixed(f"{server.url}/blob")
        with pytest.raises(DownloadError, match="hard link"):
            await fetch_to_file(new_fetcher(), resolve, tmp_path / "ckpt.bin", limits=FAST)
    assert victim.read_bytes() == BLOB[:1000]


async def test_a_validator_that_is_a_symlink_is_not_trusted(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    _serve_blob(app)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"etag": null, "total": 200000}')
    (tmp_path / "ckpt.bin.part").write_bytes(b"x" * 1000)
    (tmp_path / "ckpt.bin.part.json").symlink_to(elsewhere)

    async def resolve() -> Target:
        return Target(f"{url}/blob")

    await fetch_to_file(new_fetcher(), resolve, tmp_path / "ckpt.bin")
    assert (tmp_path / "ckpt.bin").read_bytes() == BLOB  # fetched again from zero
    assert elsewhere.read_text() == '{"etag": null, "total": 200000}'
    assert [r.headers.get("range") for r in app.calls("GET", "/blob")] == [None]


async def test_a_dangling_link_in_the_way_is_one_line_and_left_alone(
    scripted: tuple[ScriptedApp, str], tmp_path: Path
) -> None:
    app, url = scripted
    app.on("GET", ARCHIVE, Reply(302, None, headers={"Location": f"{url}/files/ckpt.tar"}))
    app.on("GET", "/files/ckpt.tar", Reply(200, GOOD_TAR, content_type="application/x-tar"))
    link = tmp_path / folder_name(REF)
    link.symlink_to(tmp_path / "nowhere")
    async with api_for(url) as api:
        with pytest.raises(DownloadError, match="symbolic link") as caught:
            await download_checkpoint(api, new_fetcher(), CheckpointDownload(REF, tmp_path))
        assert "\n" not in str(caught.value)
        assert names(tmp_path) == [link.name]
        assert not (tmp_path / "nowhere").exists()
        # --force replaces the link itself; its target is never created or written.
        result = await download_checkpoint(
            api, new_fetcher(), CheckpointDownload(REF, tmp_path, force=True)
        )
    assert not result.path.is_symlink()
    assert names(result.path) == ["adapter_config.json", "checkpoint_complete"]
    assert not (tmp_path / "nowhere").exists()
