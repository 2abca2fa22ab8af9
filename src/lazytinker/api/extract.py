"""Safe extraction of a downloaded checkpoint archive (design.md §6).

`tarfile`'s `data` filter plus our own, stricter rules: only regular files and directories, no
absolute names, no `..`, no links or devices, and a cap on the total size written (a gzip bomb is
refused at its header, before its bytes are written). The archive is read as a stream, in one pass,
into a hidden staging folder beside the destination, which is renamed into place only when every
member was accepted; a refusal removes the staging folder and names the member.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lazytinker.api.errors import LazytinkerError

DEFAULT_MAX_MEMBERS = 10_000
# An uncompressed tar is never larger inside than outside; compression of model weights gains a
# few percent. Anything past this ratio is a bomb, not a checkpoint.
_BOMB_RATIO = 20
_MIN_CAP = 256 * 1024 * 1024


class ExtractError(LazytinkerError):
    """The archive was refused or could not be extracted; nothing was left behind."""

    def __init__(self, message: str, *, member: str | None = None) -> None:
        self.member = member
        super().__init__(message)


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
    """Why our rules refuse `member`, or None when it is a plain file or folder with a safe name."""
    name = member.name
    if not name or "\x00" in name:
        return "it has an empty or invalid name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "its name is an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "its name contains '..'"
    if member.issym() or member.islnk():
        return "it is a link"
    if member.ischr() or member.isblk() or member.isfifo():
        return "it is a device or a pipe"
    if not (member.isfile() or member.isdir()):
        return "it is not a regular file or folder"
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
    succeeded). Raises `ExtractError` naming the refused member; on any failure nothing is left.
    """
    if dest.exists() and not force:
        raise ExtractError(f"{dest} already exists; use --force to replace it")
    cap = max_total_bytes if max_total_bytes is not None else default_size_cap(_size(archive))
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Not mkdtemp: its 0700 would become the checkpoint folder's mode; mkdir honours the umask.
    staging = dest.parent / f".{dest.name}.extracting-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
    except OSError as error:
        raise ExtractError(f"Cannot write to {dest.parent}: {error.strerror or error}") from None
    try:
        files, written = _extract_into(archive, staging, cap=cap, max_members=max_members)
        if dest.exists():
            _remove(dest)
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExtractResult(dest, files, written)


def _extract_into(archive: Path, staging: Path, *, cap: int, max_members: int) -> tuple[int, int]:
    files = 0
    total = 0
    count = 0
    try:
        # "r|*": a forward-only stream, so memory stays constant whatever the archive holds.
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                count += 1
                if count > max_members:
                    raise ExtractError(
                        f"Refused {archive.name}: more than {max_members} members",
                        member=member.name,
                    )
                why = check_member(member)
                if why is not None:
                    raise ExtractError(
                        f"Refused member {member.name!r} of {archive.name}: {why}",
                        member=member.name,
                    )
                total += member.size if member.isfile() else 0
                if total > cap:
                    raise ExtractError(
                        f"Refused member {member.name!r} of {archive.name}: the archive expands "
                        f"past the {cap} byte limit",
                        member=member.name,
                    )
                try:
                    tar.extract(member, staging, filter="data")
                except tarfile.FilterError as error:
                    raise ExtractError(
                        f"Refused member {member.name!r} of {archive.name}: {error}",
                        member=member.name,
                    ) from None
                files += member.isfile()
    except ExtractError:
        raise
    except (tarfile.TarError, EOFError, ValueError) as error:
        raise ExtractError(f"{archive.name} is not a readable tar archive: {error}") from None
    except OSError as error:
        raise ExtractError(f"Could not extract {archive.name}: {error.strerror or error}") from None
    if count == 0:
        raise ExtractError(f"{archive.name} is an empty archive")
    return files, total


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
