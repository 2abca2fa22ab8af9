"""The API's connections: 32 at most, kept as a few small httpcore pools rather than one big one.

httpcore's pool looks after its connections in time that grows with the square of their number:
every request added or finished walks every connection, asks each whether it has expired (a
`poll` of its socket) and, for each idle one, counts the idle ones again. With the 32
connections a bulk delete keeps busy over a real link, that was ~3 ms of CPU per call, half of
our client's CPU and more than the call itself (`benchmarks/cleanup.py --rtt 80`, sampled with
py-spy). Four pools of eight hold the same 32 connections for a fraction of that work.

A call goes to the pool with the fewest calls under way, the first of them on a tie: one call
at a time keeps reusing one connection (a new pool per call would open a new connection, and
over TLS pay two more round trips, each time), and 32 at once fill every pool evenly. A pool is
built when first needed, so a start-up that makes three calls builds no more than three.

Over https each pool offers HTTP/2 (ALPN): a server that takes it carries all of the pool's
calls on one connection at once, so 32 calls in flight hold four connections, not 32 (and pay
four TLS handshakes). Plain `http://` stays HTTP/1.1 (no server here speaks HTTP/2 without
TLS). `LAZYTINKER_HTTP2=0` offers HTTP/1.1 only, for a server whose HTTP/2 misbehaves.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from ssl import SSLContext

import httpx

CONNECTIONS = 32
"""Connections to one service at most (the official CLI keeps 32 deletes in flight)."""
PER_POOL = 8
"""Connections in one httpcore pool: small enough that its upkeep stays cheap."""
HTTP2_SWITCH = "LAZYTINKER_HTTP2"
"""`LAZYTINKER_HTTP2=0`: offer HTTP/1.1 only (read as each pool is built)."""


class _Counted(httpx.AsyncByteStream):
    """A response body that says when it is closed: its call no longer holds a connection."""

    def __init__(self, stream: httpx.AsyncByteStream, done: Callable[[], None]) -> None:
        self._stream = stream
        self._done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


class SplitPool(httpx.AsyncBaseTransport):
    """An httpx transport keeping `connections` connections as pools of `per_pool` at most."""

    def __init__(
        self,
        verify: SSLContext,
        *,
        connections: int = CONNECTIONS,
        per_pool: int = PER_POOL,
    ) -> None:
        self._verify = verify
        connections = max(1, connections)
        per_pool = max(1, min(per_pool, connections))
        full, rest = divmod(connections, per_pool)
        self._sizes = [per_pool] * full + ([rest] if rest else [])
        count = len(self._sizes)
        self._pools: list[httpx.AsyncHTTPTransport | None] = [None] * count
        self.under_way: list[int] = [0] * count
        """Calls each pool holds now: sent, their answer's body not yet closed."""

    @property
    def pools_built(self) -> int:
        """How many of the pools were needed so far."""
        return sum(pool is not None for pool in self._pools)

    def _pool(self, index: int) -> httpx.AsyncHTTPTransport:
        pool = self._pools[index]
        if pool is None:
            size = self._sizes[index]
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            pool = self._pools[index] = httpx.AsyncHTTPTransport(
                verify=self._verify, limits=limits, http2=os.environ.get(HTTP2_SWITCH) != "0"
            )
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request through the least busy pool."""
        under_way = self.under_way
        index = under_way.index(min(under_way))
        under_way[index] += 1

        def release() -> None:
            under_way[index] -= 1

        try:
            response = await self._pool(index).handle_async_request(request)
        except BaseException:
            release()
            raise
        stream = response.stream
        if isinstance(stream, httpx.AsyncByteStream):
            response.stream = _Counted(stream, release)
        else:  # not a stream this pool could still be reading (httpx gives one always)
            release()
        return response

    async def aclose(self) -> None:
        """Close every pool built."""
        for pool in self._pools:
            if pool is not None:
                await pool.aclose()
