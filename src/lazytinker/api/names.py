"""Names that came from a server become file names only here, once checked to stay inside the
folder the user chose.

A session id, run id, checkpoint name or an external-weights file name is text someone else
wrote: `../x`, an absolute path, a NUL, an escape sequence or 300 bytes would otherwise decide
where (or whether) a file is written. Each check answers in one line naming what was refused.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePosixPath

from lazytinker.api.transfer import DownloadError

__all__ = ["MAX_NAME_BYTES", "child_path", "relative_path", "safe_name"]

MAX_NAME_BYTES = 255
_MAX_PATH_BYTES = 4000
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def safe_name(name: str, what: str) -> str:
    """`name` as one file name, or `DownloadError` saying why it cannot be one."""
    shown = _shown(name)
    if name in ("", ".", ".."):
        raise DownloadError(f"Refused {what} {shown}: it is not a usable file name")
    if "/" in name or "\\" in name:
        raise DownloadError(f"Refused {what} {shown}: a file name cannot contain a slash")
    if any(_unsafe(char) for char in name):
        raise DownloadError(f"Refused {what} {shown}: it contains control characters")
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise DownloadError(f"Refused {what} {shown}: it is not valid text") from None
    if size > MAX_NAME_BYTES:
        raise DownloadError(
            f"Refused {what} {shown}: {size} bytes is too long for a file name "
            f"(at most {MAX_NAME_BYTES})"
        )
    return name


def child_path(folder: Path, name: str, what: str) -> Path:
    """`folder / name`, with `name` checked to be one plain file name."""
    return folder / safe_name(name, what)


def relative_path(folder: Path, relative: str, what: str) -> Path:
    """`folder / relative` for a relative path with sub-folders (`a/b.bin`), each part checked;
    absolute paths, `..`, backslashes and empty parts are refused."""
    shown = _shown(relative)
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise DownloadError(f"Refused {what} {shown}: it is not a relative path inside the folder")
    parts = PurePosixPath(relative).parts
    if not parts or ".." in parts or len(relative.encode("utf-8", "replace")) > _MAX_PATH_BYTES:
        raise DownloadError(f"Refused {what} {shown}: it is not a relative path inside the folder")
    path = folder
    for part in parts:
        path = path / safe_name(part, what)
    return path


def _unsafe(char: str) -> bool:
    if char in _BIDI:
        return True
    return unicodedata.category(char) in ("Cc", "Cs")


def _shown(name: str) -> str:
    """The name for a message: quoted, escapes visible, cut to a readable length."""
    text = repr(name[:80])
    return text + ("…" if len(name) > 80 else "")
