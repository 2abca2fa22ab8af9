"""Scale: 2,000 runs x 50 checkpoints. Time until the all-checkpoints view holds all 100,000
rows (against `tinker checkpoint list --limit 0`), key-press-to-repaint latency while scrolling
and filtering there, and peak memory.

    .venv/bin/python benchmarks/scale.py [--runs 2000] [--per-run 68] [--keys 40] [--no-cli]
                                         [--rtt MS]

With `--rtt`, the app and the CLI reach the server through the same latency proxy (`latency.py`).

Everything is measured from outside: the app runs in a pseudo-terminal (160x48); latency is the
time from writing a key to the pty until the app's repaint has been written in full (the end of
its output burst), so it includes Textual's frame and the terminal write, not Pilot's overhead.
Targets: load at most half of the CLI's time, p95 latency <= 50 ms, peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time

import httpx

from latency import proxied
from ptyapp import ROOT, PtyApp, app_env, serve, tinker_cli

QUERIES = ("step-00012", "sampler", "train:3", "weights/step-0004")
"""Filter queries typed in turn: 41 keys, so that the p95 is not just the slowest key."""


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    """Load, scroll, filter; print the figures beside the CLI's."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    # The seed gives each run about 3/4 of this on average (active runs are younger, other
    # users' runs are not listed): 68 makes the 100,000 rows the issue asks for.
    parser.add_argument("--per-run", type=int, default=68)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--no-cli", action="store_true", help="skip the official CLI's run (~60 s)")
    parser.add_argument("--rtt", type=float, default=0.0, help="added round trip in ms (proxy)")
    args = parser.parse_args()
    sessions = max(1, args.runs // 10)
    link = contextlib.ExitStack()
    server, direct = serve(
        "--runs", str(args.runs), "--sessions", str(sessions),
        "--checkpoints-per-run", str(args.per_run),
    )  # fmt: skip
    url = link.enter_context(proxied(direct, args.rtt))
    app = PtyApp([str(ROOT / ".venv" / "bin" / "lazytinker"), "--refresh", "3600"], app_env(url))
    total = 0
    try:
        app.wait_for(b":train:")
        app.quiet(gap=0.5)
        import os

        total = httpx.get(
            f"{direct}/api/v1/checkpoints",
            params={"limit": 1},
            headers={"X-API-Key": "tml-demo"},
        ).json()["cursor"]["total_count"]
        shown = f"({total})".encode()
        os.write(app.fd, b"2")
        start = time.perf_counter()
        app.wait_for(shown, timeout=600)
        load = time.perf_counter() - start
        app.quiet(gap=0.5)
        scroll = [app.key_latency(b"j") for _ in range(args.keys)]
        scroll += [app.key_latency(b"\x1b[6~") for _ in range(args.keys // 4)]  # PgDn
        typed: list[tuple[str, float]] = []
        # Queries a user would type: each a key at a time, then esc back to all 100,000 rows.
        for query in QUERIES:
            app.key_latency(b"/")
            for n, ch in enumerate(query, 1):
                typed.append((f"/{query[:n]}", app.key_latency(ch.encode())))
            app.key_latency(b"\r")
            typed.append((f"esc after /{query}", app.key_latency(b"\x1b")))
        typing = [seconds for label, seconds in typed if not label.startswith("esc")]
        clearing = [seconds for label, seconds in typed if label.startswith("esc")]
        rss = app.peak_rss_mib()
    finally:
        app.close()
    cli = None if args.no_cli else tinker_cli()
    theirs = None
    if cli is not None:
        began = time.perf_counter()
        done = subprocess.run(
            [str(cli), "checkpoint", "list", "--limit", "0"],
            env=app_env(url),
            capture_output=True,
            check=False,
        )
        theirs = time.perf_counter() - began
        if done.returncode != 0:
            print(f"(tinker checkpoint list failed: {done.stderr.decode()[-300:]})")
    link.close()
    server.terminate()
    ms = 1000
    where = f"{args.rtt:g} ms added round trip" if args.rtt else "loopback"
    print(f"scale: {args.runs} runs x ~{args.per_run} checkpoints = {total} rows, {where}")
    print(f"  all-checkpoints view holds every row     {load:7.2f} s")
    if theirs is not None:
        print(
            f"  tinker checkpoint list --limit 0         {theirs:7.2f} s"
            f"   ratio {load / theirs:.2f}x (target <= 0.50x)"
        )
    print(
        f"  scrolling: key to repaint  median {statistics.median(scroll) * ms:5.1f} ms"
        f"  p95 {p95(scroll) * ms:5.1f} ms  ({len(scroll)} keys; target p95 <= 50 ms)"
    )
    print(
        f"  filtering: key to repaint  median {statistics.median(typing) * ms:5.1f} ms"
        f"  p95 {p95(typing) * ms:5.1f} ms  ({len(typing)} keys typed over {total} rows;"
        " target p95 <= 50 ms)"
    )
    slowest = sorted((p for p in typed if not p[0].startswith("esc")), key=lambda p: -p[1])[:4]
    print(
        "    slowest: " + ", ".join(f"{label} {seconds * ms:.0f} ms" for label, seconds in slowest)
    )
    print(
        f"  esc, back to every row     median {statistics.median(clearing) * ms:5.1f} ms"
        f"  ({len(clearing)} times; includes Textual's ESCDELAY, 100 ms, which tells a lone"
        " esc from an escape sequence)"
    )
    print(f"  peak memory (VmHWM)               {rss:6.0f} MiB (target <= 300)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
