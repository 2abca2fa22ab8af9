"""Safe extraction: good archives land whole, malicious ones are refused and leave nothing."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from lazytinker.api.extract import ExtractError, safe_extract


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def _write_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str) -> Path:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _leftovers(folder: Path, archive: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != archive)


GOOD = [
    _file("adapter_config.json", b'{"r": 8}'),
    _file("adapter_model.safetensors", b"\x00" * 4096),
    _file("checkpoint_complete", b""),
]


@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_a_good_archive_is_extracted_whole(tmp_path: Path, mode: str) -> None:
    archive = _write_tar(tmp_path / "good.tar", GOOD, mode)
    result = safe_extract(archive, tmp_path / "out")
    assert result.files == 3
    assert result.bytes == 8 + 4096
    assert (tmp_path / "out" / "adapter_config.json").read_bytes() == b'{"r": 8}'
    assert (tmp_path / "out" / "adapter_model.safetensors").stat().st_size == 4096
    assert _leftovers(tmp_path, archive) == ["out"]
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


MALICIOUS = {
    "dotdot": (_file("../x", b"evil"), "'..'"),
    "nested-dotdot": (_file("a/../../x", b"evil"), "'..'"),
    "absolute": (_file("/etc/x", b"evil"), "absolute"),
    "symlink": (_special("link", tarfile.SYMTYPE, "/etc/passwd"), "link"),
    "hardlink": (_special("hard", tarfile.LNKTYPE, "adapter_config.json"), "link"),
    "char-device": (_special("dev", tarfile.CHRTYPE), "device"),
    "block-device": (_special("blk", tarfile.BLKTYPE), "device"),
    "fifo": (_special("pipe", tarfile.FIFOTYPE), "device or a pipe"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_a_malicious_member_is_refused_and_nothing_is_left(tmp_path: Path, case: str) -> None:
    bad, why = MALICIOUS[case]
    # The bad member comes after good ones, so the refusal must also remove what was written.
    archive = _write_tar(tmp_path / "bad.tar", [*GOOD, bad], "w")
    with pytest.raises(ExtractError) as caught:
        safe_extract(archive, tmp_path / "out")
    assert caught.value.member == bad[0].name
    assert bad[0].name in str(caught.value)
    assert why in str(caught.value)
    assert _leftovers(tmp_path, archive) == []
    assert not (tmp_path.parent / "x").exists()


def test_a_compression_bomb_is_refused_before_its_bytes_are_written(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("adapter_model.safetensors")
        info.size = 64 * 1024 * 1024
        tar.addfile(info, _Zeros(info.size))
    assert archive.stat().st_size < 1024 * 1024
    with pytest.raises(ExtractError, match="limit") as caught:
        safe_extract(archive, tmp_path / "out", max_total_bytes=8 * 1024 * 1024)
    assert caught.value.member == "adapter_model.safetensors"
    assert _leftovers(tmp_path, archive) == []


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    members = [_file(f"f{i}", b"x") for i in range(20)]
    archive = _write_tar(tmp_path / "many.tar", members, "w")
    with pytest.raises(ExtractError, match="more than 10 members"):
        safe_extract(archive, tmp_path / "out", max_members=10)
    assert _leftovers(tmp_path, archive) == []


def test_html_instead_of_a_tar_is_a_one_line_error(tmp_path: Path) -> None:
    archive = tmp_path / "page.tar"
    archive.write_bytes(b"<!doctype html><html><body>Sign in</body></html>\n" * 20)
    with pytest.raises(ExtractError, match="not a readable tar archive") as caught:
        safe_extract(archive, tmp_path / "out")
    assert "\n" not in str(caught.value)
    assert _leftovers(tmp_path, archive) == []


def test_an_existing_folder_is_kept_without_force_and_replaced_with_it(tmp_path: Path) -> None:
    archive = _write_tar(tmp_path / "good.tar", GOOD, "w")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(ExtractError, match="already exists"):
        safe_extract(archive, out)
    assert (out / "mine.txt").read_text() == "keep me"
    safe_extract(archive, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "checkpoint_complete",
    ]


def test_a_refused_archive_with_force_keeps_the_old_folder(tmp_path: Path) -> None:
    archive = _write_tar(tmp_path / "bad.tar", [*GOOD, _file("../x", b"evil")], "w")
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(ExtractError):
        safe_extract(archive, out, force=True)
    assert (out / "mine.txt").read_text() == "keep me"


class _Zeros(io.RawIOBase):
    """A readable stream of `size` zero bytes, so a bomb can be built without holding it."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = b"\x00" * n
        self.left -= n
        return n
