"""Reading files a training box may hold, without trusting them.

Every open is non-blocking and refuses anything but a regular file (a FIFO named `metrics.jsonl`
must not hang a scan; a symlink to `/dev/zero` must not feed us forever), every read is bounded,
and a line that is too long, not UTF-8, not JSON, not an object or nested too deep becomes one
skipped line: never an exception, never unbounded memory.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from typing import Any

MAX_LINE_BYTES = 1 << 20
"""A JSONL line longer than this is skipped (a cookbook metrics line is a few kilobytes)."""

MAX_JSON_FILE_BYTES = 8 << 20
"""config.json larger than this is not read (the cookbook's is tens of kilobytes)."""

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What a stat says about a file: enough to tell "unchanged" without reading it."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @property
    def mtime(self) -> float:
        """The modification time in seconds since the epoch."""
        return self.mtime_ns / 1e9


def stamp_of(result: os.stat_result) -> FileStamp:
    """The stamp of a stat result."""
    return FileStamp(result.st_dev, result.st_ino, result.st_size, result.st_mtime_ns)


def stat_regular(path: str) -> FileStamp | None:
    """The stamp of a regular file at `path` (symlinks followed), or None for anything else."""
    try:
        result = os.stat(path)
    except (OSError, ValueError):
        return None
    return stamp_of(result) if stat.S_ISREG(result.st_mode) else None


def open_regular(path: str) -> tuple[int, FileStamp] | None:
    """Open a regular file for reading: its descriptor and stamp, or None.

    O_NONBLOCK makes opening a FIFO return at once; the fstat afterwards (not a stat before, which
    would race with a rename) is what refuses it, a device or a directory.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        result = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(result.st_mode):
        os.close(fd)
        return None
    return fd, stamp_of(result)


def pread_exact(fd: int, size: int, offset: int) -> bytes:
    """Up to `size` bytes at `offset` (fewer at the end of the file, or b"" on an error)."""
    chunks: list[bytes] = []
    while size > 0:
        try:
            chunk = os.pread(fd, size, offset)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def parse_object(line: bytes) -> dict[str, Any] | None:
    """One JSON object from one line, or None for anything else.

    Too long, invalid UTF-8, not JSON, a huge integer, nested past the interpreter's recursion
    limit, or not an object: all None.
    """
    if len(line) > MAX_LINE_BYTES:
        return None
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def parse_objects(lines: list[bytes]) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects of many lines, and how many lines were not one.

    The lines are parsed as one JSON array (one call into the C parser instead of one per line,
    about twice as fast); if that fails or yields a different count (a line holding `1, 2`, or two
    halves of one object), each line is parsed on its own.
    """
    if not lines:
        return [], 0
    try:
        values = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):
        values = None
    if not isinstance(values, list) or len(values) != len(lines):
        values = [parse_object(line) for line in lines]
    objects = [value for value in values if isinstance(value, dict)]
    return objects, len(lines) - len(objects)


def read_json_object(path: str, max_bytes: int = MAX_JSON_FILE_BYTES) -> dict[str, Any] | None:
    """A whole small JSON file holding one object (config.json), or None if it is not that."""
    opened = open_regular(path)
    if opened is None:
        return None
    fd, stamp = opened
    try:
        if stamp.size > max_bytes:
            return None
        # One byte more than the size: a file that grew since is caught below or fails to parse.
        data = pread_exact(fd, min(stamp.size, max_bytes) + 1, 0)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
