"""Many calls at once over https and a real link: the client's pools with HTTP/2 (what it
offers now, where the server takes it) against the same pools on HTTP/1.1 (`LAZYTINKER_HTTP2=0`).

The stand-in runs under hypercorn (HTTP/2 by ALPN) in a process of its own, behind the delay
proxy of `latency.py`, which passes TCP through (TLS and ALPN are between the client and
hypercorn). Each round builds a fresh client, so every connection pays its TCP and TLS
handshakes across the link. Printed: the median wall time of a round, and how many
connections the server saw in it.

    .venv/bin/python benchmarks/http2.py [--rtt 80] [--calls 256] [--at-once 32] [--repeat 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import trustme

from latency import proxied
from lazytinker.api import tls
from lazytinker.api.client import TinkerAPI
from lazytinker.api.pool import HTTP2_SWITCH
from lazytinker.server.app import create_app
from lazytinker.server.config import ServerConfig
from ptyapp import ROOT

RUNS = 64
SEEN = "/__seen"
"""Asked directly (not through the proxy): what the server saw since it was last asked."""


def serve(certfile: str, url_file: str) -> None:
    """The server process: the stand-in over https with HTTP/2 until killed."""
    from tests.h2_server import Recording, serve_https_h2  # `ptyapp` put them on sys.path

    class Reporting(Recording):
        """`Recording` that answers `SEEN` with the versions and connections seen, then forgets."""

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"] == SEEN:
                versions = sorted({version for version, _ in self.seen})
                ports = len({port for _, port in self.seen})
                body = json.dumps({"versions": versions, "ports": ports}).encode()
                self.seen.clear()
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": body})
                return
            await super().__call__(scope, receive, send)

    app = Reporting(create_app(ServerConfig(sessions=4, runs=RUNS, checkpoints_per_run=2)))
    with serve_https_h2(app, certfile) as url:
        Path(url_file + ".part").write_text(url)
        os.replace(url_file + ".part", url_file)
        while True:
            time.sleep(3600)


async def _round(url: str, calls: int, at_once: int) -> float:
    """One fresh client making `calls` checkpoint listings, `at_once` at a time."""
    from tests.ui.harness import profile_for

    tls._built.clear()  # a fresh context, as a new process would build
    start = time.perf_counter()
    async with TinkerAPI(profile_for(url).target()) as api:
        page = await api.list_training_runs(limit=RUNS, offset=0)
        runs = [run.training_run_id for run in page.training_runs]
        gate = asyncio.Semaphore(at_once)

        async def one(run: str) -> None:
            async with gate:
                await api.list_checkpoints(run)

        await asyncio.gather(*(one(runs[i % len(runs)]) for i in range(calls)))
    return time.perf_counter() - start


def main() -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt", type=float, default=80.0, help="added round trip in ms")
    parser.add_argument("--calls", type=int, default=256)
    parser.add_argument("--at-once", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--serve", nargs=2, metavar=("CERT", "URL_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    folder = Path(tempfile.mkdtemp())
    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(folder / "s.pem"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    os.environ["SSL_CERT_FILE"] = str(folder / "ca.pem")
    url_file = folder / "url"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder / "s.pem"), str(url_file)], cwd=ROOT
    )
    try:
        while not url_file.exists():
            if server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        direct = url_file.read_text()
        results: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
        with proxied(direct.replace("https://", "http://"), args.rtt) as proxy:
            url = proxy.replace("http://", "https://")
            for i in range(args.repeat):
                for on in (True, False) if i % 2 else (False, True):  # alternate who goes first
                    os.environ[HTTP2_SWITCH] = "1" if on else "0"
                    wall = asyncio.run(_round(url, args.calls, args.at_once))
                    seen = httpx.get(direct + SEEN, verify=str(folder / "ca.pem")).json()
                    expected = ["2"] if on else ["1.1"]
                    if seen["versions"] != expected:
                        raise SystemExit(f"expected HTTP {expected}, the server saw {seen}")
                    results[on].append((wall, seen["ports"]))
    finally:
        server.kill()
        server.wait()
    print(
        f"{args.calls} checkpoint listings, {args.at_once} at a time, over https with "
        f"{args.rtt:g} ms added round trip; fresh client per round, median of {args.repeat}"
    )
    for on, label in ((True, "HTTP/2 (as shipped)"), (False, "HTTP/1.1")):
        wall = statistics.median(r[0] for r in results[on])
        connections = statistics.median(r[1] for r in results[on])
        print(f"  {label:22s} {wall:6.2f} s   {connections:4.0f} connections")


if __name__ == "__main__":
    main()
