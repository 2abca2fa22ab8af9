"""Reading an API answer's body within a size cap, decompressing it ourselves.

httpx inflates a compressed body a whole network chunk at a time, with no limit: one 64 KiB chunk
of a gzip bomb becomes ~64 MiB before anyone can count it, and a 4 MB body becomes 4 GiB. Here
the raw bytes are inflated with `zlib`'s `max_length`, so no more than the cap (plus one byte) is
ever produced, and a body that would pass the cap is refused, not decoded.

We ask for `gzip, deflate` only (`ACCEPT_ENCODING`); a server that answers in another encoding
is refused by name rather than guessed at.
"""

from __future__ import annotations

import zlib

import httpx

MAX_BODY = 32 * 1024 * 1024
"""The largest API answer read, decoded: 80 times a page of 1,000 checkpoints."""
MAX_ERROR_BODY = 256 * 1024
"""An error answer is read this far; its `detail` is all we want from it."""


class BodyTooLarge(Exception):
    """The body is larger than the cap (decoded), or grows past it while inflating."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(f"larger than {cap // (1024 * 1024) or 1} MiB")


class UnsupportedEncoding(Exception):
    """The body came in a `Content-Encoding` we did not ask for."""


class _Inflater:
    """One `Content-Encoding` undone chunk by chunk, never producing more than it is allowed."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: zlib._Decompress | None = None
        if encoding == "gzip":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            # Servers send either zlib-wrapped or raw deflate under this name; the first bytes tell.
            self._zlib = None
        elif encoding not in ("", "identity"):
            raise UnsupportedEncoding(encoding)

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Decode `chunk`, producing at most `room + 1` bytes when inflating (`room` is what is
        left under the cap: one byte more tells the caller the cap is passed)."""
        if self.encoding in ("", "identity"):
            return chunk
        if self._zlib is None:
            raw = len(chunk) < 2 or (chunk[0] & 0x0F) != 8 or (chunk[0] << 8 | chunk[1]) % 31
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        try:
            out = self._zlib.decompress(chunk, room + 1)
        except zlib.error as exc:
            raise UnsupportedEncoding(f"{self.encoding} that does not decode ({exc})") from None
        return out


def _encoding_of(resp: httpx.Response) -> str:
    value = str(resp.headers.get("content-encoding", "")).strip().lower()
    if "," in value:
        # Stacked encodings: we asked for one at most.
        raise UnsupportedEncoding(value)
    return value


async def read_capped(resp: httpx.Response, cap: int, *, truncate: bool = False) -> bytes:
    """The decoded body of a streamed response, at most `cap` bytes.

    Past the cap: `BodyTooLarge`, or with `truncate` the first `cap` bytes (for error answers,
    whose start is all we read). A declared `Content-Length` past the cap is refused before a
    byte is read. The body is also kept as `resp.content`, as `aread` would keep it.
    """
    declared = resp.headers.get("content-length", "")
    encoding = _encoding_of(resp)
    if not truncate and encoding in ("", "identity") and declared.isdigit() and int(declared) > cap:
        await resp.aclose()
        raise BodyTooLarge(cap)
    inflater = _Inflater(encoding)
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in resp.aiter_raw():
            out = inflater.feed(chunk, cap - size)
            if size + len(out) > cap:
                if not truncate:
                    raise BodyTooLarge(cap)
                out = out[: cap - size]
            parts.append(out)
            size += len(out)
            if truncate and size >= cap:
                break
    finally:
        await resp.aclose()
    body = b"".join(parts)
    # httpx keeps a read body here (`Response.aread` sets it the same way); `resp.content`,
    # `resp.json()` and every parser downstream read it from there.
    resp._content = body
    return body
