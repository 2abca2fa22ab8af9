"""A guard in front of `tarfile`: every header is read here first, and an extended header that is
too large or malformed is refused before `tarfile` reads (and buffers, and parses) it.

`tarfile` reads a PAX or GNU long-name header whole into memory, however large its size field
says it is, and parses PAX records with regular expressions that take quadratic time on long runs
of digits; how much of that a given interpreter has patched varies. So the guard decompresses the
archive itself (gzip, bzip2, xz or none), walks the uncompressed stream header by header as the
bytes go by, and raises `TarHeaderError` for an extended header over `max_header` bytes, a PAX
record that does not parse, a run of digits longer than any real field, sparse members, or more
headers than `max_headers`. Memory stays at one buffered header.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import tarfile
from pathlib import Path
from typing import Protocol

__all__ = ["MAX_HEADER", "HeaderGuard", "TarHeaderError", "open_decompressed"]

BLOCK = 512
MAX_HEADER = 64 * 1024
_EXTENDED = frozenset(b"xgXLK")  # PAX (x, g, Solaris X) and GNU long name/link (L, K)
_PAX = frozenset(b"xgX")
_LONG_DIGITS = re.compile(rb"\d{33}")
_RECORD_LENGTH = re.compile(rb"[1-9]\d{0,7} ")
# As tarfile does: data follows regular files and types it does not know, not links or folders.
_NO_DATA = frozenset(t[0] for t in tarfile.SUPPORTED_TYPES) - frozenset(
    t[0] for t in tarfile.REGULAR_TYPES
)


class Readable(Protocol):
    """A stream of bytes: a file, or a decompressing reader on one."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes; b"" at the end."""
        ...

    def close(self) -> None:
        """Let go of the stream."""
        ...


class TarHeaderError(Exception):
    """A tar header the guard refuses; the message says which and why."""


def open_decompressed(path: Path) -> Readable:
    """`path` opened for reading, decompressed by its magic number when compressed."""
    with path.open("rb") as probe:
        magic = probe.read(6)
    # Opened by name, so closing the reader closes the file too.
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(path, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(path, "rb")
    return path.open("rb")


class HeaderGuard(io.RawIOBase):
    """A readable stream of an uncompressed tar that checks each header as it passes."""

    def __init__(
        self, stream: Readable, *, max_header: int = MAX_HEADER, max_headers: int = 40_000
    ) -> None:
        super().__init__()
        self._stream = stream
        self._max_header = max_header
        self._max_headers = max_headers
        self._position = 0  # bytes handed on so far
        self._next_header = 0  # where the next header block starts
        self._pending = bytearray()  # a header block, or an extended header's data, being read
        self._collecting: int | None = None  # bytes of extended data still to come
        self._collect_type = 0
        self._headers = 0
        self._ended = False
        self._size_next: int | None = None  # a PAX `size` for the next member
        self._size_all: int | None = None  # a global PAX `size` (tarfile applies it to all)

    def readable(self) -> bool:
        """Always."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Read from the stream into `buffer`, checking the headers in what was read."""
        read_into = getattr(self._stream, "readinto", None)
        if read_into is not None:  # files and decompressors: no bytes object in between
            count: int = read_into(buffer)
        else:
            data = self._stream.read(len(buffer))
            count = len(data)
            buffer[:count] = data
        if count and not self._ended:
            self._scan(memoryview(buffer)[:count])
        self._position += count
        return count

    def close(self) -> None:
        """Close the underlying stream too."""
        self._stream.close()
        super().close()

    def _scan(self, data: memoryview) -> None:
        start = self._position
        end = start + len(data)
        cursor = start
        while cursor < end and not self._ended:
            if self._collecting is not None:
                take = min(self._collecting, end - cursor)
                self._pending += data[cursor - start : cursor - start + take]
                self._collecting -= take
                cursor += take
                if self._collecting == 0:
                    self._check_extended(bytes(self._pending))
                    self._pending.clear()
                    self._collecting = None
                continue
            if cursor < self._next_header:
                cursor = min(self._next_header, end)
                continue
            take = min(BLOCK - len(self._pending), end - cursor)
            self._pending += data[cursor - start : cursor - start + take]
            cursor += take
            if len(self._pending) == BLOCK:
                block = bytes(self._pending)
                self._pending.clear()
                self._header(block, cursor)

    def _header(self, block: bytes, after: int) -> None:
        if block == bytes(BLOCK):
            self._ended = True  # the end-of-archive marker: tarfile reads no further headers
            return
        if not _checksum_ok(block):
            self._ended = True  # not a header at all: tarfile refuses it, or stops there
            return
        self._headers += 1
        if self._headers > self._max_headers:
            raise TarHeaderError(f"more than {self._max_headers} headers")
        kind = block[156]
        size = _size(block[124:136])
        if kind == ord("S"):
            raise TarHeaderError("a sparse member (not a plain file)")
        if kind in _EXTENDED:
            if size > self._max_header:
                raise TarHeaderError(
                    f"an extended header of {size} bytes (at most {self._max_header})"
                )
            self._next_header = after + _padded(size)
            self._collect_type = kind
            self._collecting = size if size else None
            return
        override, self._size_next = self._size_next, None
        if override is None:
            override = self._size_all
        if override is not None:
            size = override
        self._next_header = after + (0 if kind in _NO_DATA else _padded(size))

    def _check_extended(self, data: bytes) -> None:
        if self._collect_type not in _PAX:
            return  # a GNU long name: read as a plain string, its size already bounded
        if _LONG_DIGITS.search(data):
            raise TarHeaderError("a PAX header with a number longer than any real field")
        position = 0
        while position < len(data):
            if data[position] == 0:
                break  # NUL padding after the records
            match = _RECORD_LENGTH.match(data, position)
            if match is None:
                raise TarHeaderError("a PAX header whose records do not parse")
            length = int(match.group()[:-1])
            record = data[match.end() : position + length]
            if position + length > len(data) or not record.endswith(b"\n") or b"=" not in record:
                raise TarHeaderError("a PAX header whose records do not parse")
            key, _, value = record[:-1].partition(b"=")
            if key.startswith(b"GNU.sparse"):
                raise TarHeaderError("a sparse member (not a plain file)")
            if key == b"size":
                self._size_from_pax(value)
            position += length

    def _size_from_pax(self, value: bytes) -> None:
        try:
            size = int(value)
        except ValueError:
            size = 0  # what tarfile takes an unreadable number for
        if size < 0:
            raise TarHeaderError("a PAX header with a negative size")
        if self._collect_type == ord("g"):
            self._size_all = size
        else:
            self._size_next = size


def _checksum_ok(block: bytes) -> bool:
    """Whether the header's checksum holds (unsigned or signed sums, as tarfile accepts)."""
    field = block[148:156].split(b"\x00", 1)[0].strip()
    try:
        expected = int(field, 8)
    except ValueError:
        return False
    rest = block[:148] + b" " * 8 + block[156:]
    unsigned = sum(rest)
    signed = sum(byte - 256 if byte > 127 else byte for byte in rest)
    return expected in (unsigned, signed)


def _padded(size: int) -> int:
    return -(-size // BLOCK) * BLOCK


def _size(field: bytes) -> int:
    """A header's size field: octal digits, or base-256 when the high bit is set."""
    if field and field[0] == 0xFF:
        raise TarHeaderError("a header with a negative size")
    if field and field[0] & 0x80:
        value = field[0] & 0x7F
        for byte in field[1:]:
            value = value * 256 + byte
        return value
    text = field.split(b"\x00", 1)[0].strip()
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise TarHeaderError("a header whose size field is not a number") from None
