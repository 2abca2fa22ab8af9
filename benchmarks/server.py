"""Stand-in server benchmark: seeding speed and checkpoint-listing throughput.

    .venv/bin/python benchmarks/server.py [--runs 2000] [--checkpoints-per-run 50] [--seconds 5]

Prints the time to seed RUNS x CHECKPOINTS (in memory and in a WAL file), then requests per second
for `GET /api/v1/checkpoints?limit=1000` pages over real HTTP on 127.0.0.1, from one client and
from several concurrent ones.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from lazytinker.server.db import Database
from lazytinker.server.seed import SeedSize, now_ms, seed_database

KEY = {"X-API-Key": "tml-demo"}


def time_seed(size: SeedSize, path: str | None) -> tuple[float, int]:
    """Seconds to seed `size` into a fresh database, and the checkpoints written."""
    db = Database(path)
    started = time.perf_counter()
    seed_database(db, size, seed=0, now=now_ms(None))
    elapsed = time.perf_counter() - started
    with db.tx() as conn:
        count = int(conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0])
    db.close()
    return elapsed, count


def pages_per_second(url: str, seconds: float, clients: int) -> tuple[float, int]:
    """Pages of 1000 checkpoints per second over `clients` concurrent connections."""
    first = httpx.get(f"{url}/api/v1/checkpoints?limit=0", headers=KEY, timeout=60).json()
    span = max(1, first["cursor"]["total_count"] - 1000)
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> int:
        done = 0
        with httpx.Client(base_url=url, headers=KEY, timeout=60) as client:
            while time.perf_counter() < deadline:
                offset = (done * 1000 + index * 7000) % span
                response = client.get(f"/api/v1/checkpoints?limit=1000&offset={offset}")
                response.raise_for_status()
                assert len(response.json()["checkpoints"]) == 1000
                done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        total = sum(pool.map(worker, range(clients)))
    return total / (time.perf_counter() - started), total


def main() -> None:
    """Run the benchmark and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--checkpoints-per-run", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    size = SeedSize(args.sessions, args.runs, args.checkpoints_per_run)

    elapsed, count = time_seed(size, None)
    print(f"seed {args.runs} runs x {args.checkpoints_per_run} checkpoints in memory: "
          f"{elapsed:.2f} s ({count} checkpoints, {count / elapsed:,.0f}/s)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        elapsed, count = time_seed(size, str(Path(tmp) / "bench.db"))
    print(f"seed {args.runs} runs x {args.checkpoints_per_run} checkpoints in a WAL file: "
          f"{elapsed:.2f} s")  # fmt: skip

    # The server runs in its own process, so the client's work does not share its GIL.
    command = [sys.executable, "-m", "lazytinker", "serve", "--port", "0",
               "--sessions", str(args.sessions), "--runs", str(args.runs),
               "--checkpoints-per-run", str(args.checkpoints_per_run)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split("listening on ")[1].strip()
        for clients in (1, 4):
            rate, pages = pages_per_second(url, args.seconds, clients)
            per_second = f"{rate:.1f} requests/s ({rate * 1000:,.0f} checkpoints/s, {pages} pages)"
            print(f"GET /api/v1/checkpoints?limit=1000, {clients} client(s): {per_second}")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
