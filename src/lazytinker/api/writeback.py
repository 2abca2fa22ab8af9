"""Write-back during a download: dirty pages go to disk while the transfer goes on, and the
transfer never runs more than two 64 MiB windows ahead of the disk.

Without it the final fsync of a multi-gigabyte file waits for all of it at the end. Without the
bound, a network faster than the disk leaves a growing backlog of dirty pages: a download killed
at 40% (a dropped SSH session) has half of what it received still unwritten, and the resumed
download must write all of that before it can finish, which is why a resume took as long as a
whole download.

On Linux each full window is handed to `sync_file_range` (start writing it now; wait for the one
two windows back): data reaches the disk as it arrives, with no journal commit and no flush of
the disk's cache until the one fsync at the end. An fsync per window, as before, asked the disk
(and a virtual machine's host) to flush its cache forty times for a 2.5 GB file. Elsewhere a
helper thread fdatasyncs each window instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from collections import deque
from collections.abc import Callable

__all__ = ["Flusher"]

WINDOW = 64 * 1024 * 1024
_START = 2  # SYNC_FILE_RANGE_WRITE
_FINISH = 1 | 2 | 4  # SYNC_FILE_RANGE_WAIT_BEFORE | WRITE | WAIT_AFTER

SyncRange = Callable[[int, int, int, int], int]


def _load_sync_file_range() -> SyncRange | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None  # not Linux
    function.argtypes = [ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong, ctypes.c_uint]
    function.restype = ctypes.c_int
    call: SyncRange = function
    return call


_SYNC_FILE_RANGE = _load_sync_file_range()


class Flusher:
    """Writes a file's pages back window by window as `wrote` is told of new bytes."""

    def __init__(self, fd: int, start: int, *, sync_range: SyncRange | None = _SYNC_FILE_RANGE):
        self.fd = fd
        self.mark = start  # where the window being filled begins
        self.position = start
        self._sync_range = sync_range
        self._started: deque[tuple[int, int]] = deque()
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def wrote(self, count: int) -> None:
        """`count` more bytes were written; hand a full window to the disk."""
        self.position += count
        if self.position - self.mark < WINDOW:
            return
        window = (self.mark, self.position - self.mark)
        self.mark = self.position
        if self._sync_range is None:
            self._fallback()
            return
        self._range(window, _START)
        self._started.append(window)
        if len(self._started) > 2:
            self._range(self._started.popleft(), _FINISH)  # the disk sets the pace

    def _range(self, window: tuple[int, int], flags: int) -> None:
        assert self._sync_range is not None
        if self._sync_range(self.fd, window[0], window[1], flags) != 0:
            number = ctypes.get_errno()
            raise OSError(number, os.strerror(number))

    def _fallback(self) -> None:
        # One fdatasync in flight at a time; a second window waits for it.
        if self._thread is not None:
            self._thread.join()
        self._raise()
        self._thread = threading.Thread(target=self._fdatasync, name="lazytinker-writeback")
        self._thread.start()

    def _fdatasync(self) -> None:
        try:
            os.fdatasync(self.fd)
        except OSError as error:  # ENOSPC, EIO: surfaces at the next window or the drain
            self._error = error

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def drain(self) -> None:
        """Wait for the write-back in flight, if any (the descriptor must outlive it)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._raise()
