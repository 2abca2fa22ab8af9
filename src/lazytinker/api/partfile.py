"""The file side of a download: the `.part` file the bytes go to, the validator saved beside it
(ETag, total length and what the part belongs to, so a resume knows it continues the same file
and a later start can list it), the final fsyncs, the free-space guard, and disk errors said
plainly. (Write-back during the transfer is `writeback.py`'s.)

Nothing here writes through a link: a part or validator is created fresh (`O_EXCL`) or reopened
only when it is a regular file of ours with a single name (`O_NOFOLLOW`, then `fstat`).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from lazytinker.api.transfer import DownloadError

# Errors that mean "the disk (or a limit on it) takes nothing more".
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_VALIDATOR_MAX = 64 * 1024


def part_path(dest: Path) -> Path:
    """Where the bytes of `dest` are written until it is complete."""
    return dest.with_name(dest.name + ".part")


def validator_path(dest: Path) -> Path:
    """Where the validator of `dest`'s part is saved."""
    return dest.with_name(dest.name + ".part.json")


@dataclass(slots=True)
class PartValidator:
    """What identifies the file a part belongs to: the server's ETag and the total length, and
    (for listing parts found at start-up) the checkpoint or trace it is part of."""

    etag: str | None
    total: int | None
    source: str | None = None
    extract: bool | None = None

    @classmethod
    def load(cls, path: Path) -> PartValidator | None:
        """The saved validator, or None when it is missing, unreadable, or not a plain file of
        ours (the part is then not trusted)."""
        try:
            fd = open_regular(path, os.O_RDONLY)
        except (OSError, DownloadError):
            return None
        try:
            with os.fdopen(fd, "rb") as file:
                data = json.loads(file.read(_VALIDATOR_MAX))
            etag, total = data.get("etag"), data.get("total")
            source, extract = data.get("source"), data.get("extract")
        except (OSError, ValueError, AttributeError, RecursionError):
            return None
        if not isinstance(etag, str | None) or not isinstance(total, int | None):
            return None
        if isinstance(total, bool) or (total is not None and total < 0):
            return None
        return cls(
            etag,
            total,
            source if isinstance(source, str) else None,
            extract if isinstance(extract, bool) else None,
        )

    def save(self, path: Path) -> None:
        """Save beside the part (replacing the old one, never writing through a link)."""
        data = {"etag": self.etag, "total": self.total}
        if self.source is not None:
            data["source"] = self.source
        if self.extract is not None:
            data["extract"] = self.extract
        fd = create_fresh(path)
        with os.fdopen(fd, "wb") as file:
            file.write(json.dumps(data).encode())


def create_fresh(path: Path) -> int:
    """A new, empty regular file at `path` opened for writing: whatever was there (a file, a
    link, a pipe) is unlinked first, never opened."""
    try:
        path.unlink(missing_ok=True)
    except IsADirectoryError:
        raise DownloadError(f"{path} is a folder; refusing to replace it") from None
    except OSError as error:
        raise disk_error(error, path, path) from None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, 0o644)
    except OSError as error:
        raise disk_error(error, path, path) from None


def open_regular(path: Path, flags: int) -> int:
    """Open an existing file only if it is a regular file of ours with one name; never follow a
    link, never block on a pipe. Raises `DownloadError` saying why not, or `OSError`."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DownloadError(
                f"{path} is a symbolic link; refusing to write through it (remove it)"
            ) from None
        if error.errno == errno.ENXIO:
            raise DownloadError(f"{path} is not a regular file; refusing to use it") from None
        raise
    try:
        info = os.fstat(fd)
        why = _not_ours(info)
        if why is not None:
            raise DownloadError(f"{path} {why}; refusing to use it (remove it)")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _not_ours(info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_uid != os.geteuid():
        return "belongs to another user"
    if info.st_nlink != 1:
        return "has other names (a hard link)"
    return None


def open_part(part: Path, start: int) -> int:
    """The part's file descriptor, positioned at `start` and cut there (0: a new, empty file)."""
    if start == 0:
        return create_fresh(part)
    try:
        fd = open_regular(part, os.O_WRONLY)
    except OSError as error:
        raise disk_error(error, part, part) from None
    try:
        # Cut only what goes past `start` (a part is normally exactly that long): on ext4 a
        # truncate also starts write-back of every dirty page of the file (auto_da_alloc), and
        # the resumed transfer then competes with it from its first byte.
        if os.fstat(fd).st_size != start:
            os.ftruncate(fd, start)
        os.lseek(fd, start, os.SEEK_SET)
    except OSError as error:
        os.close(fd)
        raise disk_error(error, part, part) from None
    return fd


def part_size(part: Path) -> int:
    """How many bytes a part holds (0 when there is none, or it is not a plain file)."""
    try:
        info = part.lstat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def write_all(fd: int, chunk: memoryview) -> None:
    """Write all of `chunk`, or raise `OSError` (ENOSPC when the disk takes nothing more)."""
    # A nearly full disk may take less than it was given; write the rest.
    while chunk:
        count = os.write(fd, chunk)
        if not count:
            raise OSError(errno.ENOSPC, "No space left on device")
        chunk = chunk[count:]


def free_bytes(folder: Path) -> int | None:
    """Bytes an unprivileged user may still write in `folder`'s file system (None: unknown)."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def default_reserve(folder: Path) -> int:
    """What a download leaves free: 1% of the file system, at most 1 GiB."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return 0
    return min(1024 * 1024 * 1024, info.f_blocks * info.f_frsize // 100)


def disk_error(error: OSError, dest: Path, part: Path) -> DownloadError:
    """The `DownloadError` a disk failure means, saying where the partial file is kept."""
    if error.errno in NO_SPACE:
        kept = f"partial file kept at {part}; " if part.exists() and part != dest else ""
        return DownloadError(
            f"No space left on the device for {dest.name} in {dest.parent} "
            f"({kept}free some space and run again to resume)"
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DownloadError(f"Cannot write to {dest.parent}: {error.strerror}")
    if error.errno == errno.ENAMETOOLONG:
        return DownloadError(f"Cannot write {dest.name}: the name is too long for the file system")
    if error.errno == errno.ELOOP:
        return DownloadError(f"{dest} is a symbolic link; refusing to write through it")
    return DownloadError(f"Cannot write {dest.name}: {error.strerror or error}")


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk."""
    # The rename is durable only once the directory entry is on disk too.
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
