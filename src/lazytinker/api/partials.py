"""Partial downloads left in a folder by an earlier run (quit, Ctrl-C, a dropped SSH session), found
so they can be offered for resuming.

Every part has a validator beside it (`NAME.part.json`) that says which checkpoint or trace it
belongs to: an archive's part (`NAME.tar.part`, or the hidden `.NAME.tar.part` of one being
extracted), a trace's (`SESSION.pftrace.part`), or the files of an external-weights download
inside its staging folder `NAME.part/`. The scan is bounded and reads only small files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lazytinker.api.partfile import PartValidator
from lazytinker.api.paths import CheckpointRef, InvalidPathError

__all__ = ["PartialDownload", "find_partials"]

_MAX_ENTRIES = 5000
_MAX_FILES_INSIDE = 200


@dataclass(frozen=True, slots=True)
class PartialDownload:
    """A download an earlier run left unfinished."""

    kind: Literal["checkpoint", "trace"]
    source: str  # the checkpoint's path, or the session id of a trace
    out_dir: Path
    extract: bool
    done: int  # bytes already on disk
    total: int | None  # the whole file's length, when one file and known


def find_partials(folder: Path) -> list[PartialDownload]:
    """The unfinished downloads in `folder`, one per checkpoint or trace, sorted by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)[:_MAX_ENTRIES]
    except OSError:
        return []
    found: dict[str, PartialDownload] = {}
    for entry in entries:
        name = entry.name
        if name.endswith(".part.json"):
            partial = _from_validator(folder, Path(entry.path))
        elif name.endswith(".part") and _is_dir(entry):
            partial = _from_staging(folder, Path(entry.path))
        else:
            continue
        if partial is not None and partial.source not in found:
            found[partial.source] = partial
    return list(found.values())


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return stat.S_ISDIR(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return False


def _size(path: Path) -> int:
    try:
        info = path.lstat()
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _from_validator(folder: Path, meta: Path) -> PartialDownload | None:
    validator = PartValidator.load(meta)
    if validator is None or validator.source is None:
        return None
    part = meta.with_name(meta.name.removesuffix(".json"))
    done = _size(part)
    if validator.source.startswith("trace:"):
        session = validator.source.removeprefix("trace:")
        return PartialDownload("trace", session, folder, False, done, validator.total)
    if not _checkpoint(validator.source):
        return None
    extract = validator.extract if validator.extract is not None else True
    return PartialDownload("checkpoint", validator.source, folder, extract, done, validator.total)


def _from_staging(folder: Path, staging: Path) -> PartialDownload | None:
    source: str | None = None
    done = 0
    count = 0
    for root, _dirs, files in os.walk(staging):
        for name in files:
            count += 1
            if count > _MAX_FILES_INSIDE:
                break
            path = Path(root, name)
            if name.endswith(".part.json"):
                validator = PartValidator.load(path)
                if validator is not None and validator.source and source is None:
                    source = validator.source
            else:
                done += _size(path)
    if source is None or not _checkpoint(source):
        return None
    return PartialDownload("checkpoint", source, folder, True, done, None)


def _checkpoint(source: str) -> bool:
    try:
        CheckpointRef.parse(source)
    except InvalidPathError:
        return False
    return True
