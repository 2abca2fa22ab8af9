"""Write-back during a download: each full window is started at once, and the transfer waits for
the window two back, so it never runs far ahead of the disk (and a killed download leaves little
unwritten); a disk error in write-back surfaces as an error."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import mmap
import os
import sys
from pathlib import Path

import pytest

from lazytinker.api import writeback
from lazytinker.api.writeback import WINDOW, Flusher

START, FINISH = 2, 7
DROP = -1  # marks a drop from the page cache in the recorded calls


def test_windows_are_started_and_the_one_two_back_is_waited_for(tmp_path: Path) -> None:
    calls: list[tuple[int, int, int]] = []

    def record(fd: int, offset: int, count: int, flags: int) -> int:
        calls.append((offset, count, flags))
        return 0

    def dropped(fd: int, offset: int, count: int) -> None:
        calls.append((offset, count, DROP))

    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(fd, 1000, sync_range=record, drop=dropped)
        for _ in range(4 * 4):
            flusher.wrote(WINDOW // 4)
        flusher.drain()
    finally:
        os.close(fd)
    windows = [(1000 + i * WINDOW, WINDOW) for i in range(4)]
    assert calls == [
        (*windows[0], START),
        (*windows[1], START),
        (*windows[2], START),
        (*windows[0], FINISH),
        (*windows[0], DROP),
        (*windows[3], START),
        (*windows[1], FINISH),
        (*windows[1], DROP),
    ]


def test_without_drop_behind_the_written_windows_stay_cached(tmp_path: Path) -> None:
    dropped: list[int] = []
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(
            fd,
            0,
            drop_behind=False,
            sync_range=lambda *_: 0,
            drop=lambda fd, offset, count: dropped.append(offset),
        )
        for _ in range(5):
            flusher.wrote(WINDOW)
    finally:
        os.close(fd)
    assert dropped == []


def test_a_failed_write_back_is_an_error(tmp_path: Path) -> None:
    def failing(fd: int, offset: int, count: int, flags: int) -> int:
        import ctypes

        ctypes.set_errno(errno.EIO)
        return -1

    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(fd, 0, sync_range=failing)
        with pytest.raises(OSError, match="Input/output error"):
            flusher.wrote(WINDOW)
    finally:
        os.close(fd)


def test_without_sync_file_range_a_thread_syncs_each_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fdatasync

    def counting(fd: int) -> None:
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(writeback.os, "fdatasync", counting)
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(fd, 0, sync_range=None)
        flusher.wrote(WINDOW - 1)
        assert synced == []
        flusher.wrote(1)
        flusher.wrote(WINDOW)
        flusher.drain()
    finally:
        os.close(fd)
    assert synced == [fd, fd]


@pytest.mark.skipif(writeback._SYNC_FILE_RANGE is None, reason="Linux only")
def test_windows_on_disk_leave_the_page_cache(tmp_path: Path) -> None:
    """Real writes, the real calls: afterwards the kernel holds only the last windows' pages."""
    if not _evictable(tmp_path):
        pytest.skip("this filesystem keeps file pages in memory (tmpfs)")
    path = tmp_path / "f"
    piece = memoryview(b"\x5a" * (WINDOW // 16))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(fd, 0)
        for _ in range(5 * 16):
            os.write(fd, piece)
            flusher.wrote(len(piece))
        flusher.drain()
    finally:
        os.close(fd)
    resident = _resident_windows(path)
    assert resident[:3] == [0.0, 0.0, 0.0]  # on disk and dropped
    assert min(resident[3:]) > 0.9  # two windows still in flight when it ended


def _evictable(folder: Path) -> bool:
    tmpfs = 0x01021994
    buffer = ctypes.create_string_buffer(256)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    if libc.statfs(str(folder).encode(), buffer) != 0:
        return False
    return int.from_bytes(buffer.raw[:8], sys.byteorder) != tmpfs


def _resident_windows(path: Path) -> list[float]:
    """For each window of the file, the share of its pages in the page cache (`mincore`)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size, page = path.stat().st_size, mmap.PAGESIZE
    vector = ctypes.create_string_buffer(size // page)
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
        try:
            assert libc.mincore(address, size, vector) == 0, ctypes.get_errno()
        finally:
            libc.munmap(address, size)
    finally:
        os.close(fd)
    per = WINDOW // page
    pages = vector.raw[: size // page]
    return [sum(b & 1 for b in pages[i : i + per]) / per for i in range(0, len(pages), per)]
