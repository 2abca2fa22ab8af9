"""A receipt for each completed download, so that a re-run can tell "already there, complete and
verified" from "something else is in the way".

Receipts live in the user's state folder (`$XDG_STATE_HOME/lazytinker/receipts`, by default
`~/.local/state/…`), one per destination, never in the download folder: that holds only the
checkpoint's own files. A receipt lists every file written with its size and says what was
downloaded. A re-run finds `NAME` and its receipt, checks that the files on disk are exactly
those, of those sizes, and counts the download as done; a folder without a receipt (or one that
no longer matches) is left alone and reported as in the way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path

from lazytinker.api.partfile import create_fresh, open_regular
from lazytinker.api.transfer import DownloadError

__all__ = ["receipt_path", "verified", "write_receipt"]

_MAX_FILES = 100_000
_MAX_RECEIPT = 16 * 1024 * 1024


def receipt_path(final: Path) -> Path:
    """Where the receipt of `final` is kept: named after its absolute path."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    where = os.path.join(os.path.realpath(final.parent), final.name)
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return Path(state) / "lazytinker" / "receipts" / f"{digest}.json"


def _files(final: Path) -> dict[str, int] | None:
    """Every regular file under `final` (or `final` itself) with its size; None when a link or
    something other than files and folders is there."""
    info = final.lstat()
    if stat.S_ISREG(info.st_mode):
        return {"": info.st_size}
    if not stat.S_ISDIR(info.st_mode):
        return None
    found: dict[str, int] = {}
    for folder, dirs, names in os.walk(final):
        for name in [*dirs, *names]:
            path = Path(folder, name)
            entry = path.lstat()
            if stat.S_ISDIR(entry.st_mode):
                continue
            if not stat.S_ISREG(entry.st_mode):
                return None
            found[path.relative_to(final).as_posix()] = entry.st_size
            if len(found) > _MAX_FILES:
                return None
    return found


def write_receipt(final: Path, source: str) -> None:
    """Record what `final` holds now (best effort: a download is not failed for its receipt)."""
    with contextlib.suppress(OSError, DownloadError):
        files = _files(final)
        if files is None:
            return
        receipt = receipt_path(final)
        receipt.parent.mkdir(parents=True, exist_ok=True)
        fd = create_fresh(receipt)
        with os.fdopen(fd, "wb") as out:
            out.write(json.dumps({"source": source, "files": files}).encode())


def verified(final: Path, source: str) -> bool:
    """Whether `final` is a complete download of `source`, as its receipt says."""
    try:
        fd = open_regular(receipt_path(final), os.O_RDONLY)
    except (OSError, DownloadError):
        return False
    try:
        with os.fdopen(fd, "rb") as file:
            data = json.loads(file.read(_MAX_RECEIPT))
        if not isinstance(data, dict) or data.get("source") != source:
            return False
        return _files(final) == data.get("files")
    except (OSError, ValueError, RecursionError):
        return False
