"""A TCP proxy on 127.0.0.1 that adds a delay in each direction (and optionally a bandwidth cap).

Put it between any client and the stand-in server to measure over a link like a real one: with
`--rtt 80` every byte arrives 40 ms after it was sent, in each direction, so one request and its
answer cost 80 ms more than on loopback, while bytes already in flight keep flowing (the delay is a
pipe's latency, not a pause per request). The benchmarks start it in its own process, so it never
competes with the measured program for the interpreter:

    python benchmarks/latency.py --upstream 127.0.0.1:8000 --rtt 80 [--port 0] [--mbit 100]

prints `listening on 127.0.0.1:PORT` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 1 << 16


@dataclass(frozen=True)
class Link:
    """What the proxy adds: one-way delay (s), and a rate cap (bytes/s; 0: none)."""

    delay: float
    rate: float = 0.0


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link) -> None:
    """Copy one direction, releasing each chunk `link.delay` after it arrived."""
    due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def receive() -> None:
        try:
            while chunk := await reader.read(CHUNK):
                await due.put((time.monotonic() + link.delay, chunk))
        finally:
            # A connection reset ends this side too: its sender must not wait for ever.
            due.put_nowait((time.monotonic() + link.delay, b""))

    async def send() -> None:
        free_at = 0.0  # when the capped link can take the next byte
        while True:
            at, chunk = await due.get()
            wait = max(at, free_at) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:
                with contextlib.suppress(OSError):
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()
            if link.rate:
                free_at = max(time.monotonic(), free_at) + len(chunk) / link.rate

    receiving = asyncio.create_task(receive())
    try:
        await send()
    finally:
        receiving.cancel()


def _no_delay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def serve(upstream: tuple[str, int], link: Link, port: int = 0) -> None:
    """Accept connections on 127.0.0.1:`port` and relay each to `upstream` through `link`."""

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*upstream)
        except OSError:
            client_w.close()
            return
        for writer in (client_w, server_w):
            _no_delay(writer)
        try:
            await asyncio.gather(
                _pump(client_r, server_w, link), _pump(server_r, client_w, link),
                return_exceptions=True,
            )  # fmt: skip
        finally:
            for writer in (client_w, server_w):
                writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def proxied(url: str, rtt_ms: float, mbit: float = 0.0) -> Iterator[str]:
    """`url` (http://host:port) seen through a proxy process adding `rtt_ms` (0: no proxy)."""
    if rtt_ms <= 0 and mbit <= 0:
        yield url
        return
    hostport = url.split("://", 1)[1].rstrip("/")
    command = [sys.executable, __file__, "--upstream", hostport, "--rtt", str(rtt_ms)]
    if mbit:
        command += ["--mbit", str(mbit)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"the latency proxy did not start: {line!r}")
        yield "http://" + line.split()[-1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    """Run the proxy until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, metavar="HOST:PORT")
    parser.add_argument("--rtt", type=float, default=80.0, help="added round trip, ms (default 80)")
    parser.add_argument("--mbit", type=float, default=0.0, help="bandwidth cap, Mbit/s (0: none)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    link = Link(delay=args.rtt / 2000.0, rate=args.mbit * 125_000.0)
    # The benchmarks stop it with SIGTERM: it holds nothing worth a clean shutdown, and
    # asyncio's would complain of every connection still open.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve((host or "127.0.0.1", int(port)), link, args.port))


if __name__ == "__main__":
    main()
