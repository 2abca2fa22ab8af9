"""Safe extraction of a downloaded checkpoint archive (design.md §6).

Our own rules, not the interpreter's: every header passes `targuard.HeaderGuard` first (extended
headers bounded and checked), then only plain files and folders are accepted, with relative names
that stay inside the folder (no absolute names, no `..`, no control characters, no name too long),
no two members on the same name, at most `max_members`, and a cap on the total size (a gzip bomb is
refused at its header, before its bytes are written). Files are written by us, created fresh
(`O_EXCL`, never through a link), from a forward-only stream in one pass, into a hidden staging
folder that is renamed into place only when every member was accepted. A refusal removes the
staging folder and names the member; so does a full disk (`ExtractDiskError`: the archive itself
is fine, and the caller keeps it).

A leading folder entry with an empty name (`''`, `.`, `./`: the root, as some servers pack a
checkpoint and as GNU tar accepts) is skipped.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lazytinker.api.errors import LazytinkerError
from lazytinker.api.names import relative_path
from lazytinker.api.partfile import NO_SPACE, write_all
from lazytinker.api.targuard import HeaderGuard, TarHeaderError, open_decompressed
from lazytinker.api.transfer import DownloadError
from lazytinker.api.writeback import Flusher

DEFAULT_MAX_MEMBERS = 10_000
# An uncompressed tar is never larger inside than outside; compression of model weights gains a
# few percent. Anything past this ratio is a bomb, not a checkpoint.
_BOMB_RATIO = 20
_MIN_CAP = 256 * 1024 * 1024
# tarfile copies every read into new bytes objects (its stream buffer, the member's reader). At
# 1 MiB each of those was a fresh mapping, faulted in page by page: 14-26 s for a 2.5 GB archive
# on our VM. At 32 KiB they come from the heap and stay warm: about 4 s (16 KiB: 5.6 s, per-call
# overhead; 64 KiB: 7-8 s, the heap is given back and taken again).
_COPY_CHUNK = 32 * 1024
_ROOT_NAMES = frozenset({"", ".", "./"})


class ExtractError(LazytinkerError):
    """The archive was refused or could not be extracted; nothing was left behind."""

    def __init__(self, message: str, *, member: str | None = None) -> None:
        self.member = member
        super().__init__(message)


class ExtractDiskError(ExtractError):
    """The disk (or the folder) failed while extracting: the archive is not at fault."""


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """What an extraction wrote: the folder, how many files, how many bytes."""

    path: Path
    files: int
    bytes: int


def default_size_cap(archive_size: int) -> int:
    """The default cap on the bytes an archive of `archive_size` bytes may expand to."""
    return max(archive_size * _BOMB_RATIO, _MIN_CAP)


def check_member(member: tarfile.TarInfo) -> str | None:
    """Why our rules refuse `member`, or None when it is a plain file or folder."""
    name = member.name
    if "\x00" in name:
        return "it has an invalid name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "its name is an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "its name contains '..'"
    if member.issym() or member.islnk():
        return "it is a link"
    if member.ischr() or member.isblk() or member.isfifo():
        return "it is a device or a pipe"
    if member.issparse():
        return "it is a sparse file"
    if not (member.isfile() or member.isdir()):
        return "it is not a regular file or folder"
    if not name.strip("/") and not member.isdir():
        return "it has an empty name"
    return None


def safe_extract(
    archive: Path,
    dest: Path,
    *,
    max_total_bytes: int | None = None,
    max_members: int = DEFAULT_MAX_MEMBERS,
    force: bool = False,
) -> ExtractResult:
    """Extract `archive` (tar, optionally compressed) into the new folder `dest`.

    `dest` must not exist unless `force` (then it is replaced, but only once the extraction has
    succeeded). Raises `ExtractError` naming the refused member, or `ExtractDiskError`; on any
    failure nothing is left.
    """
    if os.path.lexists(dest) and not force:
        raise ExtractError(f"{dest} already exists; use --force to replace it")
    cap = max_total_bytes if max_total_bytes is not None else default_size_cap(_size(archive))
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Not mkdtemp: its 0700 would become the checkpoint folder's mode; mkdir honours the umask.
    staging = dest.parent / f".{dest.name}.extracting-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
    except OSError as error:
        raise _disk(error, archive, dest) from None
    try:
        files, written = _Extraction(archive, staging, cap, max_members).run()
        if os.path.lexists(dest):
            _remove(dest)
        os.replace(staging, dest)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _disk(error, archive, dest) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExtractResult(dest, files, written)


class _Extraction:
    """One pass over an archive into a staging folder."""

    def __init__(self, archive: Path, staging: Path, cap: int, max_members: int) -> None:
        self.archive = archive
        self.staging = staging
        self.cap = cap
        self.max_members = max_members
        self.seen: dict[str, tarfile.TarInfo] = {}
        self.files = 0
        self.total = 0
        self.buffer = memoryview(bytearray(_COPY_CHUNK))

    def run(self) -> tuple[int, int]:
        count = 0
        stream = open_decompressed(self.archive)
        try:
            guard = HeaderGuard(stream, max_headers=self.max_members * 4)
            # Not tarfile's default: it reads a stream 10 KiB at a time otherwise.
            with tarfile.open(fileobj=guard, mode="r|", bufsize=_COPY_CHUNK) as tar:
                for member in tar:
                    count += 1
                    if count > self.max_members:
                        raise self._refuse(member, f"more than {self.max_members} members")
                    self._one(tar, member)
        except (ExtractError, OSError):
            raise
        except TarHeaderError as error:
            raise ExtractError(f"Refused {self.archive.name}: it has {error}") from None
        except (tarfile.TarError, EOFError, ValueError, LookupError) as error:
            raise ExtractError(
                f"{self.archive.name} is not a readable tar archive: {error}"
            ) from None
        finally:
            stream.close()
        if count == 0:
            raise ExtractError(f"{self.archive.name} is an empty archive")
        return self.files, self.total

    def _one(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        why = check_member(member)
        if why is not None:
            raise self._refuse(member, why)
        if member.isdir() and member.name in _ROOT_NAMES:
            return  # the root folder itself, as some servers pack it
        try:
            path = relative_path(self.staging, member.name.rstrip("/"), "archive member")
        except DownloadError as error:
            raise ExtractError(f"{self.archive.name}: {error}", member=member.name) from None
        key = str(path.relative_to(self.staging)).casefold()
        earlier = self.seen.get(key)
        if earlier is not None and not (earlier.isdir() and member.isdir()):
            raise self._refuse(member, f"it lands on the same name as {earlier.name!r}")
        for parent in PurePosixPath(key).parents:
            above = self.seen.get(str(parent))
            if above is not None and not above.isdir():
                raise self._refuse(member, f"it would go inside the file {above.name!r}")
        self.seen[key] = member
        if member.isdir():
            path.mkdir(parents=True, exist_ok=True)
            return
        self.total += member.size
        if self.total > self.cap:
            raise self._refuse(member, f"the archive expands past the {self.cap} byte limit")
        path.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:  # pragma: no cover - only for links, refused above
            raise self._refuse(member, "it has no data")
        assert isinstance(source, io.BufferedIOBase)  # tarfile's ExFileObject is a BufferedReader
        self._write(path, source, member)
        self.files += 1

    def _write(self, path: Path, source: io.BufferedIOBase, member: tarfile.TarInfo) -> None:
        mode = 0o777 if member.mode & 0o100 else 0o666
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, mode)
        except FileExistsError:
            raise self._refuse(member, "another member has the same name") from None
        # Written back and dropped from the page cache as it goes, as a download is: nothing
        # reads a checkpoint's files back at once, and fresh pages cost more than reused ones.
        flusher = Flusher(fd, 0)
        try:
            while count := source.readinto(self.buffer):
                write_all(fd, self.buffer[:count])
                flusher.wrote(count)
            flusher.drain()
        finally:
            os.close(fd)
        with contextlib.suppress(OSError, OverflowError, ValueError):
            os.utime(path, (member.mtime, member.mtime))

    def _refuse(self, member: tarfile.TarInfo, why: str) -> ExtractError:
        return ExtractError(
            f"Refused member {member.name[:200]!r} of {self.archive.name}: {why}",
            member=member.name,
        )


def _disk(error: OSError, archive: Path, dest: Path) -> ExtractError:
    if error.errno in NO_SPACE:
        return ExtractDiskError(f"No space left on the device while extracting into {dest}")
    if isinstance(error, PermissionError):
        return ExtractDiskError(f"Cannot write to {dest.parent}: {error.strerror}")
    return ExtractDiskError(f"Could not extract {archive.name}: {error.strerror or error}")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as error:
        raise ExtractError(f"Cannot read {path}: {error.strerror or error}") from None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
