"""A TCP proxy on 127.0.0.1 that adds a delay in each direction (and optionally a bandwidth cap).

Put it between any client and the stand-in server to measure over a link like a real one: with
`--rtt 80` every byte arrives 40 ms after it was sent, in each direction, so one request and its
answer cost 80 ms more than on loopback, while bytes already in flight keep flowing (the delay is a
pipe's latency, not a pause per request). The benchmarks start it in its own process, so it never
competes with the measured program for the interpreter:

    python benchmarks/latency.py --upstream 127.0.0.1:8000 --rtt 80 [--port 0] [--mbit 100]

prints `listening on 127.0.0.1:PORT` once it accepts connections. With `--tls-cert PEM` it
speaks TLS to its clients (and plain TCP upstream): `proxied(..., tls=True)` puts one such hop,
without delay, behind the delaying one, so that every TLS handshake crosses the slow link as it
would on the internet, and the clients trust its throw-away CA through `SSL_CERT_FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


async def serve(
    upstream: tuple[str, int], link: Link, port: int = 0, tls: ssl.SSLContext | None = None
) -> None:
    """Accept connections on 127.0.0.1:`port` (over TLS with `tls`) and relay each to
    `upstream` through `link`."""

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

    server = await asyncio.start_server(handle, "127.0.0.1", port, ssl=tls)
    bound = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{bound}", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def proxied(url: str, rtt_ms: float, mbit: float = 0.0, *, tls: bool = False) -> Iterator[str]:
    """`url` (http://host:port) seen through a proxy process adding `rtt_ms` (0 and no `tls`:
    no proxy); with `tls`, over https, trusted through `SSL_CERT_FILE` while inside."""
    with contextlib.ExitStack() as stack:
        if tls:
            url = stack.enter_context(_tls_hop(url))
        if rtt_ms > 0 or mbit > 0:
            url = stack.enter_context(_hop(url, "--rtt", str(rtt_ms), "--mbit", str(mbit)))
        yield url


@contextlib.contextmanager
def _tls_hop(url: str) -> Iterator[str]:
    import trustme  # a development dependency, as the benchmarks are

    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as folder:
        served, trusted = Path(folder) / "served.pem", Path(folder) / "ca.pem"
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(served))
        ca.cert_pem.write_to_path(str(trusted))
        before = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = str(trusted)
        try:
            with _hop(url, "--rtt", "0", "--tls-cert", str(served)) as hop:
                yield hop.replace("http://", "https://", 1)
        finally:
            if before is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = before


@contextlib.contextmanager
def _hop(url: str, *options: str) -> Iterator[str]:
    """One proxy process in front of `url`; yields its own URL."""
    hostport = url.split("://", 1)[1].rstrip("/")
    command = [sys.executable, __file__, "--upstream", hostport, *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise SystemExit(f"the latency proxy did not start: {line!r}")
        yield url.split("://", 1)[0] + "://" + line.split()[-1]
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
    parser.add_argument(
        "--tls-cert", metavar="PEM", help="speak TLS to clients with this key+chain"
    )
    args = parser.parse_args()
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert)
    host, _, port = args.upstream.rpartition(":")
    link = Link(delay=args.rtt / 2000.0, rate=args.mbit * 125_000.0)
    # The benchmarks stop it with SIGTERM: it holds nothing worth a clean shutdown, and
    # asyncio's would complain of every connection still open.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve((host or "127.0.0.1", int(port)), link, args.port, tls))


if __name__ == "__main__":
    main()
