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

A window that is on disk is also dropped from the page cache (`drop_behind`, when nothing will
read the file back at once): a checkpoint of gigabytes then does not push the user's own cached
files out of memory, and the kernel hands the same few hundred megabytes of pages back to the
next windows. Those pages are already mapped and warm; fresh ones are not, and in a virtual
machine the first touch of a fresh page is paid to the host. Measured on this project's 2-core
VM, copying into fresh pages was two thirds of a download's CPU (`benchmarks/download.py`).
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
Drop = Callable[[int, int, int], None]


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


def _drop_pages(fd: int, offset: int, count: int) -> None:
    os.posix_fadvise(fd, offset, count, os.POSIX_FADV_DONTNEED)


_SYNC_FILE_RANGE = _load_sync_file_range()
_DROP: Drop | None = _drop_pages if hasattr(os, "posix_fadvise") else None


class Flusher:
    """Writes a file's pages back window by window as `wrote` is told of new bytes."""

    def __init__(
        self,
        fd: int,
        start: int,
        *,
        drop_behind: bool = True,
        sync_range: SyncRange | None = _SYNC_FILE_RANGE,
        drop: Drop | None = _DROP,
    ) -> None:
        self.fd = fd
        self.mark = start  # where the window being filled begins
        self.position = start
        self._sync_range = sync_range
        self._drop = drop if drop_behind else None
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
            written = self._started.popleft()
            self._range(written, _FINISH)  # the disk sets the pace
            if self._drop is not None:
                self._drop(self.fd, *written)  # clean now, so dropping it loses nothing

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
