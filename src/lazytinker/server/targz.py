"""The `empty-member` archive: a gzip-compressed tar whose first member has the empty name ''.

Some servers pack a checkpoint folder with its root as the first entry, a directory whose name is
empty (GNU tar lists it as `/`, Python's tarfile as ''). The files follow as usual. Compressed on
the fly in constant memory, so the length is not known up front (no Content-Length, no Range).
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator

from lazytinker.server.archive import Blob

__all__ = ["empty_root_header", "gzip_stream"]

_GZIP_WBITS = 16 + zlib.MAX_WBITS


def empty_root_header(mtime: int) -> bytes:
    """The tar header of a directory entry named '' (written `/`, read back as '')."""
    info = tarfile.TarInfo("")
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = mtime
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def gzip_stream(first: bytes, blob: Blob, level: int = 1) -> Iterator[bytes]:
    """`first` then `blob`, gzip-compressed, in chunks as they come out of the compressor."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP_WBITS)
    out = compressor.compress(first)
    if out:
        yield out
    for chunk in blob.iter_range():
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()
