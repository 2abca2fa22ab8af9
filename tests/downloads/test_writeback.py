"""Write-back during a download: each full window is started at once, and the transfer waits for
the window two back, so it never runs far ahead of the disk (and a killed download leaves little
unwritten); a disk error in write-back surfaces as an error."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from lazytinker.api import writeback
from lazytinker.api.writeback import WINDOW, Flusher

START, FINISH = 2, 7


def test_windows_are_started_and_the_one_two_back_is_waited_for(tmp_path: Path) -> None:
    calls: list[tuple[int, int, int]] = []

    def record(fd: int, offset: int, count: int, flags: int) -> int:
        calls.append((offset, count, flags))
        return 0

    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = Flusher(fd, 1000, sync_range=record)
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
        (*windows[3], START),
        (*windows[1], FINISH),
    ]


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
