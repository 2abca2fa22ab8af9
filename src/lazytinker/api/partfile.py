"""The file side of a download: the `.part` file the bytes go to, the validator saved beside it
(ETag and total length, so a resume knows the part belongs to the same file), unbuffered writes,
background write-back, the final fsyncs, and disk errors said plainly.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lazytinker.api.transfer import DownloadError


def part_path(dest: Path) -> Path:
    """Where the bytes of `dest` are written until it is complete."""
    return dest.with_name(dest.name + ".part")


def validator_path(dest: Path) -> Path:
    """Where the validator of `dest`'s part is saved."""
    return dest.with_name(dest.name + ".part.json")


@dataclass(slots=True)
class PartValidator:
    """What identifies the file a part belongs to: the server's ETag and the total length."""

    etag: str | None
    total: int | None

    @classmethod
    def load(cls, path: Path) -> PartValidator | None:
        """The saved validator, or None when it is missing or unreadable (the part is then
        not trusted)."""
        try:
            data = json.loads(path.read_text())
            etag, total = data.get("etag"), data.get("total")
        except (OSError, ValueError, AttributeError):
            return None
        if (etag is not None and not isinstance(etag, str)) or (
            total is not None and not isinstance(total, int)
        ):
            return None
        return cls(etag, total)

    def save(self, path: Path) -> None:
        """Save beside the part."""
        path.write_text(json.dumps({"etag": self.etag, "total": self.total}))


class Flusher:
    """Writes dirty pages back in a thread while the transfer goes on.

    Without it the final fsync of a multi-gigabyte file waits for all of it at the end; with it,
    only the last few megabytes are left to sync, and memory holds no long queue of dirty pages.
    """

    EVERY = 64 * 1024 * 1024

    def __init__(self) -> None:
        self.pending = 0
        self.task: asyncio.Task[None] | None = None

    def wrote(self, fd: int, count: int) -> None:
        """`count` more bytes were written to `fd`; start a write-back when enough are dirty."""
        self.pending += count
        if self.pending >= self.EVERY and (self.task is None or self.task.done()):
            if self.task is not None:
                self.task.result()  # a failed sync (ENOSPC, EIO) surfaces here
            self.pending = 0
            self.task = asyncio.create_task(asyncio.to_thread(os.fdatasync, fd))

    async def drain(self, *, cancelled_ok: bool = False) -> None:
        """Wait for the write-back in flight, if any."""
        task, self.task = self.task, None
        if task is None:
            return
        if cancelled_ok:
            # Shielded: a cancelled download still waits for the thread to let go of the file.
            await asyncio.gather(asyncio.shield(task), return_exceptions=True)
        else:
            await task


def write_all(out: IO[bytes], chunk: bytes) -> None:
    """Write all of `chunk`, or raise `OSError` (ENOSPC when the disk takes nothing more)."""
    # An unbuffered file may take less than it was given (a nearly full disk); write the rest.
    view = memoryview(chunk)
    while view:
        count = out.write(view)
        if not count:
            raise OSError(errno.ENOSPC, "No space left on device")
        view = view[count:]


def open_part(part: Path, start: int) -> IO[bytes]:
    """The part file, unbuffered, positioned at `start` and cut there (0: a new, empty file)."""
    try:
        # Unbuffered: the network already hands us large chunks, and what progress reports as
        # written is then what a resume will find on disk.
        if start == 0:
            return part.open("wb", buffering=0)
        out = part.open("r+b", buffering=0)
        out.seek(start)
        out.truncate()
        return out
    except OSError as error:
        raise disk_error(error, part, part) from None


def disk_error(error: OSError, dest: Path, part: Path) -> DownloadError:
    """The `DownloadError` a disk failure means, saying where the partial file is kept."""
    if error.errno == errno.ENOSPC:
        return DownloadError(
            f"No space left on the device for {dest.name} in {dest.parent} "
            f"(partial file kept at {part}; free some space and run again to resume)"
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DownloadError(f"Cannot write to {dest.parent}: {error.strerror}")
    return DownloadError(f"Cannot write {dest.name}: {error.strerror or error}")


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk."""
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
