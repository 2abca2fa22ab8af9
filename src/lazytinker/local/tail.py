"""Incremental reading of append-only line files (`metrics.jsonl`, `checkpoints.jsonl`, `logs.log`).

A `LineTail` remembers how far it has read and, on each call, reads only the bytes appended since,
handing complete lines to a sink and keeping a partial last line for the next call. A file that was
replaced (new inode), shrank, or no longer holds the bytes it held where we stopped (a resume
rewrites `metrics.jsonl` from the resume step and then appends) is read again from the start, after
telling the sink to forget what it had.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

from lazytinker.local.safe_io import (
    MAX_LINE_BYTES,
    FileStamp,
    open_regular,
    pread_exact,
    stat_regular,
)

CHUNK_BYTES = 1 << 20
"""Bytes read per system call; also the most the sink is handed at once."""

_MARK_BYTES = 64
"""Bytes at the head, and just before the offset, that show a file still holds what was read."""


class LineSink(Protocol):
    """What a `LineTail` feeds: complete lines, and a signal to start over."""

    def restart(self) -> None:
        """The file was replaced or rewritten: forget everything read from it."""

    def feed(self, lines: list[bytes]) -> None:
        """Complete lines (without their newline), in file order; blank lines are left out."""


@dataclass(frozen=True, slots=True)
class TailResult:
    """What one `LineTail.read` did."""

    changed: bool
    """Lines were fed, or the sink was restarted."""
    caught_up: bool
    """Everything the file held when it was opened has been read (False when the budget ran out)."""


class LineTail:
    """Reads the complete lines appended to one file since the previous call."""

    def __init__(self, path: str, *, max_line: int = MAX_LINE_BYTES) -> None:
        self.path = path
        self.max_line = max_line
        self.bytes_read = 0
        """Data bytes read from the file over this tail's life (the rewrite checks not counted)."""
        self.skipped_lines = 0
        """Lines dropped for being longer than `max_line`, since the last restart."""
        self._stamp: FileStamp | None = None
        self._offset = 0
        self._pending = bytearray()
        self._skipping = False
        self._head = b""
        self._mark = b""

    @property
    def stamp(self) -> FileStamp | None:
        """The file's stamp when last read, or None if it was never found."""
        return self._stamp

    @property
    def offset(self) -> int:
        """How many bytes of the file have been consumed."""
        return self._offset

    def read(self, sink: LineSink, max_bytes: int | None = None) -> TailResult:
        """Feed `sink` the lines appended since the last call, reading at most `max_bytes`."""
        current = stat_regular(self.path)
        if current is None:
            return TailResult(self._forget(sink), caught_up=True)
        if current == self._stamp and self._offset == current.size:
            return TailResult(changed=False, caught_up=True)
        opened = open_regular(self.path)
        if opened is None:
            return TailResult(self._forget(sink), caught_up=True)
        fd, stamp = opened
        try:
            restarted = self._check_same_file(fd, stamp, sink)
            fed = self._read_appended(fd, stamp.size, sink, max_bytes)
        finally:
            os.close(fd)
        self._stamp = stamp
        return TailResult(restarted or fed, caught_up=self._offset >= stamp.size)

    def _forget(self, sink: LineSink) -> bool:
        """The file is gone (or is no regular file): drop our state; True if there was any."""
        had_state = self._stamp is not None or self._offset > 0
        self._reset()
        self._stamp = None
        if had_state:
            sink.restart()
        return had_state

    def _reset(self) -> None:
        self._offset = 0
        self._pending.clear()
        self._skipping = False
        self._head = b""
        self._mark = b""
        self.skipped_lines = 0

    def _check_same_file(self, fd: int, stamp: FileStamp, sink: LineSink) -> bool:
        """Start over if the file is not the one (or no longer holds the bytes) we read before."""
        previous = self._stamp
        if previous is None and self._offset == 0:
            return False
        same = (
            previous is not None
            and (previous.device, previous.inode) == (stamp.device, stamp.inode)
            and stamp.size >= self._offset
            and pread_exact(fd, len(self._head), 0) == self._head
            and pread_exact(fd, len(self._mark), self._offset - len(self._mark)) == self._mark
        )
        if same:
            return False
        self._reset()
        sink.restart()
        return True

    def _read_appended(self, fd: int, size: int, sink: LineSink, max_bytes: int | None) -> bool:
        end = size if max_bytes is None else min(size, self._offset + max_bytes)
        fed = False
        while self._offset < end:
            chunk = pread_exact(fd, min(CHUNK_BYTES, end - self._offset), self._offset)
            if not chunk:
                break
            self._offset += len(chunk)
            self.bytes_read += len(chunk)
            if len(self._head) < _MARK_BYTES:
                self._head = (self._head + chunk)[:_MARK_BYTES]
            self._mark = (self._mark + chunk[-_MARK_BYTES:])[-_MARK_BYTES:]
            lines = self._split(chunk)
            if lines:
                sink.feed(lines)
                fed = True
        return fed

    def _split(self, chunk: bytes) -> list[bytes]:
        """Complete lines of `chunk` joined to the pending partial line; the new partial is kept."""
        parts = chunk.split(b"\n")
        tail = parts.pop()
        lines: list[bytes] = []
        if parts:
            first = parts[0]
            if self._skipping:
                self._skipping = False
            else:
                self._pending += first
                lines.append(bytes(self._pending))
            self._pending.clear()
            lines.extend(parts[1:])
        kept: list[bytes] = []
        for line in lines:
            if len(line) > self.max_line:
                self.skipped_lines += 1
            elif line and not line.isspace():
                kept.append(line)
        if not self._skipping:
            if len(self._pending) + len(tail) > self.max_line:
                # A line that never ends within bounds: drop it now, and its rest as it arrives.
                self._pending.clear()
                self._skipping = True
                self.skipped_lines += 1
            else:
                self._pending += tail
        return kept
