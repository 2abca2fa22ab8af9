"""Archives as real (and hostile) servers make them: bounded tar headers refused quickly in little
memory whatever the interpreter's patch level, names too long or colliding refused, the empty
root member accepted, and a full disk while extracting keeps the downloaded archive."""

from __future__ import annotations

import asyncio
import io
import subprocess
import tarfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    download_checkpoint,
    folder_name,
)
from lazytinker.api.extract import ExtractError, safe_extract
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.rawhttp import Exchange, Fetcher
from lazytinker.config import Profile
from tests.conftest import StartServer
from tests.downloads.common import names, tar_of

GiB = 1024**3


def _header(name: str, kind: bytes, size: int, fmt: int = tarfile.USTAR_FORMAT) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    return info.tobuf(format=fmt)


def _pax(records: dict[str, str]) -> bytes:
    """A PAX extended header block and its data, for the member that follows."""
    data = b""
    for key, value in records.items():
        body = f" {key}={value}\n".encode()
        length = len(body) + len(str(len(body)))
        length = len(body) + len(str(length))
        data += str(length).encode() + body
    padded = data + b"\0" * (-len(data) % 512)
    return _header("././@PaxHeader", tarfile.XHDTYPE, len(data)) + padded


def _write(path: Path, *parts: bytes) -> Path:
    path.write_bytes(b"".join(parts) + b"\0" * 1024)
    return path


def _refused_lightly(archive: Path, dest: Path, match: str) -> None:
    """`safe_extract` refuses `archive` with `match`, without allocating megabytes."""
    tracemalloc.start()
    try:
        with pytest.raises(ExtractError, match=match) as caught:
            safe_extract(archive, dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"{peak} bytes allocated to refuse it"
    assert "\n" not in str(caught.value)
    assert not dest.exists()
    assert names(dest.parent) == [archive.name]


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [(tarfile.XHDTYPE, tarfile.USTAR_FORMAT), (tarfile.GNUTYPE_LONGNAME, tarfile.GNU_FORMAT)],
)
def test_a_4_gib_extended_header_is_refused_before_it_is_read(
    tmp_path: Path, kind: bytes, fmt: int
) -> None:
    # The header claims 4 GiB; only 64 KiB follow. tarfile alone would try to read it all.
    archive = _write(tmp_path / "a.tar", _header("x", kind, 4 * GiB, fmt), b"9" * 65536)
    _refused_lightly(archive, tmp_path / "out", "extended header of 4294967296 bytes")


def test_a_pax_header_of_300000_digits_is_refused(tmp_path: Path) -> None:
    digits = b"3" * 300_000
    data = digits + b" path=x\n"
    archive = _write(tmp_path / "a.tar", _header("x", tarfile.XHDTYPE, len(data)), data)
    _refused_lightly(archive, tmp_path / "out", "extended header of 300008 bytes")


def test_a_small_pax_header_with_a_huge_number_is_refused(tmp_path: Path) -> None:
    # Under the size bound, but a run of digits no real field has (the regex trap).
    data = b"60020 comment=" + b"1" * 60000 + b"\n"
    archive = _write(tmp_path / "a.tar", _header("x", tarfile.XHDTYPE, len(data)), data)
    _refused_lightly(archive, tmp_path / "out", "number longer than any real field")


def test_a_pax_size_is_followed_to_the_next_header(tmp_path: Path) -> None:
    # The member's own size field says 0; its PAX header says 5: tarfile reads 5 bytes, and the
    # guard must find the next header where tarfile does.
    member = _header("five.bin", tarfile.REGTYPE, 0)
    second = tar_of({"after.bin": b"later"})[:-1024]
    archive = _write(
        tmp_path / "a.tar", _pax({"size": "5"}), member, b"12345" + b"\0" * 507, second
    )
    safe_extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / "five.bin").read_bytes() == b"12345"
    assert (tmp_path / "out" / "after.bin").read_bytes() == b"later"


def test_long_names_within_bounds_still_extract(tmp_path: Path) -> None:
    name = "sub/" + "n" * 200 + ".bin"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    archive = tmp_path / "a.tar"
    archive.write_bytes(buffer.getvalue())
    safe_extract(archive, tmp_path / "out")
    assert (tmp_path / "out" / name).read_bytes() == b"abc"


def _tar_with(members: list[tuple[str, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ([("x" * 300, b"a")], "too long"),
        ([("a.bin", b"1"), ("a.bin", b"2")], "same name"),
        ([("Model.bin", b"1"), ("model.bin", b"2")], "same name"),
        ([("a", b"1"), ("a/b.bin", b"2")], "inside the file"),
        ([("ok.bin", b"1"), ("bad\x1b[2J.bin", b"2")], "control characters"),
    ],
)
def test_names_too_long_colliding_or_unsafe_leave_nothing(
    tmp_path: Path, members: list[tuple[str, bytes | None]], why: str
) -> None:
    archive = tmp_path / "a.tar"
    archive.write_bytes(_tar_with(members))
    with pytest.raises(ExtractError, match=why) as caught:
        safe_extract(archive, tmp_path / "out")
    assert "\n" not in str(caught.value)
    assert "\x1b" not in str(caught.value)
    assert names(tmp_path) == ["a.tar"]


@pytest.mark.parametrize("root", ["", ".", "./"])
def test_an_empty_root_member_is_accepted(tmp_path: Path, root: str) -> None:
    members: list[tuple[str, bytes | None]] = [(root, None), ("adapter_config.json", b"{}")]
    archive = tmp_path / "a.tar.gz"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(buffer.getvalue())
    safe_extract(archive, tmp_path / "out")
    assert names(tmp_path / "out") == ["adapter_config.json"]


def test_an_empty_named_file_is_still_refused(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar"
    archive.write_bytes(_tar_with([("", b"data")]))
    with pytest.raises(ExtractError, match="empty name"):
        safe_extract(archive, tmp_path / "out")


# --- a full disk while extracting ---------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, or a skip saying why one cannot be mounted here."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        # A file still open inside (a leak) would make this fail: then the test fails too.
        done = subprocess.run(["umount", str(mount)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


async def test_a_full_disk_while_extracting_keeps_the_archive(
    start_server: StartServer, small_disk: Path
) -> None:
    # `empty-member`: a .tar.gz that compresses to a few kilobytes but expands to megabytes,
    # whose first member has the empty name.
    server = start_server(quirks=("empty-member",))
    fetched: list[str] = []
    fetcher = Fetcher(on_exchange=lambda exchange: fetched.append(_path(exchange)))
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        found = (await api.list_user_checkpoints(limit=1000)).checkpoints
        sampler = min(
            (c for c in found if c.checkpoint_type == "sampler" and (c.size_bytes or 0) > 8e6),
            key=lambda c: c.size_bytes or 0,
        )
        ref = CheckpointRef.parse(sampler.path)
        job = CheckpointDownload(ref, small_disk, expected_size=sampler.size_bytes)
        with pytest.raises(DownloadError, match="No space left") as caught:
            await download_checkpoint(api, fetcher, job)
        message = str(caught.value)
        kept = small_disk / f".{folder_name(ref)}.tar"
        assert "\n" not in message
        assert f"kept at {kept}" in message
        assert names(small_disk) == [kept.name]
        assert len(fetched) == 1
        # Room is made; the same download extracts what it kept, fetching nothing again.
        remount = ["mount", "-o", "remount,size=256m", str(small_disk)]
        await asyncio.to_thread(subprocess.run, remount, check=True)
        result = await download_checkpoint(api, fetcher, job)
    assert len(fetched) == 1
    assert names(result.path) == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "checkpoint_complete",
    ]
    assert names(small_disk) == [result.path.name]


def _path(exchange: Exchange) -> str:
    return exchange.url.split("?", 1)[0]
