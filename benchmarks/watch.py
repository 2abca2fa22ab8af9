"""An idle watch: bytes written to the terminal per refresh and CPU used, at a 1 s refresh.

    .venv/bin/python benchmarks/watch.py [--seconds 30]

The app runs in a pseudo-terminal (160x48) against a stand-in server with no live activity,
so every refresh finds nothing new. Targets: under 200 bytes per refresh on average, under 3% of
a core.
"""

from __future__ import annotations

import argparse
import sys
import time

from ptyapp import ROOT, PtyApp, app_env, serve


def main() -> int:
    """Start, settle, then count what an idle watch writes and costs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    server, url = serve("--runs", "200", "--sessions", "20", "--checkpoints-per-run", "5")
    app = PtyApp([str(ROOT / ".venv" / "bin" / "lazytinker"), "--refresh", "1"], app_env(url))
    try:
        app.wait_for(b":train:")
        app.quiet(gap=1.5)
        before_bytes, before_cpu = len(app.output), app.cpu_seconds()
        start = time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            app.read(0.2)
        wall = time.perf_counter() - start
        written = len(app.output) - before_bytes
        cpu = app.cpu_seconds() - before_cpu
    finally:
        app.close()
        server.terminate()
    refreshes = int(wall // 1.0)
    print(f"idle watch at a 1 s refresh, {wall:.0f} s, {refreshes} refreshes")
    print(
        f"  bytes written to the terminal   {written} ({written / refreshes:.0f} per refresh;"
        " target < 200)"
    )
    print(f"  CPU                             {100 * cpu / wall:.1f}% of a core (target < 3%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
