"""Start-up: process start to the first run rows painted, ours against `tinker run list`.

    .venv/bin/python benchmarks/startup.py [--runs 1000] [--repeat 5] [--rtt MS] [--tls]
                                           [--compare-early]

Our app runs in a pseudo-terminal (160x48) and is timed until a run id (`:train:`) is on the
screen; the official CLI (0.38.0, in its own cached venv) is timed until it exits with its table
printed. Both talk to the same stand-in server seeded with `--runs` runs, through the same
latency proxy when `--rtt` is given (`latency.py`: that many ms added to each round trip), and
with `--tls` over https (a TLS hop behind the delay: each new connection pays its handshake).
Targets: our median at most half of the CLI's at `--rtt 80`, at most 0.8x on loopback. A third
line times `startup_floor.py`, the least an app on our stack (Textual, httpx, pydantic) can do to
paint the same first rows: the floor under our figure.

The three are run interleaved (ours, the floor, the CLI, then again, each round starting one
further along), so that a slow spell of this shared machine falls on all of them alike; each
line gives the median and the spread (lowest-highest) of `--repeat` runs, and the ratio is of
medians from the same run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from latency import proxied
from ptyapp import ROOT, PtyApp, app_env, serve, tinker_cli

Timing = tuple[float, float]
"""Seconds of wall clock, and of CPU (user + system) the program used meanwhile."""


def _first_rows(argv: list[str], url: str, early: bool = True) -> Timing:
    env = app_env(url)
    if not early:
        env["LAZYTINKER_EARLY"] = "0"
    # Bytecode as an installed wheel has it (pip compiles at install; the CLI's venv has it too).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = PtyApp(argv, env)
    try:
        return app.wait_for(b":train:", timeout=60), app.cpu_seconds()
    finally:
        app.close()


def ours(url: str, early: bool = True) -> Timing:
    """Seconds from exec to the first run rows on screen (`early`: the first requests sent
    before the client is imported, as the app does unless told not to)."""
    return _first_rows([str(ROOT / ".venv" / "bin" / "lazytinker")], url, early=early)


def floor(url: str) -> Timing:
    """Seconds from exec to the first run ids painted by `startup_floor.py`: the same three
    requests and a first frame, in a Textual + httpx + pydantic app that does nothing else."""
    script = ROOT / "benchmarks" / "startup_floor.py"
    return _first_rows([str(ROOT / ".venv" / "bin" / "python"), str(script)], url)


def theirs(cli: str, url: str) -> Timing:
    """Seconds for `tinker run list` to print and exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([cli, "run", "list"], env=app_env(url), capture_output=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or b":train:" not in done.stdout:
        print(f"(tinker run list failed: {done.stderr.decode()[-300:]})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main() -> int:
    """Print both medians side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rtt", type=float, default=0.0, help="added round trip in ms (proxy)")
    parser.add_argument(
        "--tls", action="store_true", help="over https (each new connection pays its handshake)"
    )
    parser.add_argument(
        "--compare-early",
        action="store_true",
        help="also time ours with LAZYTINKER_EARLY=0 (the first requests sent by the client)",
    )
    args = parser.parse_args()
    server, direct = serve(
        "--runs", str(args.runs), "--sessions", "100", "--checkpoints-per-run", "2"
    )
    try:
        with proxied(direct, args.rtt, tls=args.tls) as url:
            series = _measure(url, args.repeat, args.compare_early)
    finally:
        server.terminate()
    link = f"{args.rtt:g} ms added round trip" if args.rtt else "loopback"
    if args.tls:
        link += ", over TLS"
    print(
        f"start-up to first run rows, {args.runs} runs, {link}, {args.repeat} runs each "
        "(interleaved), median [lowest-highest]; CPU = user+system seconds meanwhile"
    )
    print(f"  lazytinker (pty, first rows painted)   {_line(series['ours'])}")
    if "late" in series:
        print(f"  the same, LAZYTINKER_EARLY=0           {_line(series['late'])}")
    print(f"  floor: bare Textual+httpx+pydantic app {_line(series['floor'])}")
    if "cli" in series:
        target = "0.50x" if args.rtt >= 80 else "0.80x"
        cli = series["cli"]
        print(f"  tinker run list (to exit)              {_line(cli)}")
        ratio = _ratio(series["ours"], cli)
        print(f"  ratio                                  {ratio}  (target <= {target})")
        if "late" in series:
            print(f"  ratio, LAZYTINKER_EARLY=0              {_ratio(series['late'], cli)}")
        print(f"  floor's ratio                          {_ratio(series['floor'], cli)}")
    return 0


def _line(times: list[Timing]) -> str:
    wall = [t[0] for t in times]
    cpu = statistics.median(t[1] for t in times)
    return f"{statistics.median(wall):6.2f} s  [{min(wall):.2f}-{max(wall):.2f}]  CPU {cpu:5.2f} s"


def _ratio(ours: list[Timing], theirs: list[Timing]) -> str:
    wall = statistics.median(t[0] for t in ours) / statistics.median(t[0] for t in theirs)
    cpu = statistics.median(t[1] for t in ours) / statistics.median(t[1] for t in theirs)
    return f"{wall:6.2f}x  (CPU {cpu:.2f}x)"


def _measure(url: str, repeat: int, compare_early: bool) -> dict[str, list[Timing]]:
    """Start-up times against `url` of ours (and ours not early), the floor and the CLI,
    interleaved."""
    cli = tinker_cli()
    sides: dict[str, Callable[[], Timing]] = {"ours": lambda: ours(url)}
    if compare_early:
        sides["late"] = lambda: ours(url, early=False)
    sides["floor"] = lambda: floor(url)
    if cli is not None:
        sides["cli"] = lambda: theirs(str(cli), url)
    for side in sides.values():
        side()  # warm the OS caches for each, as a user's second start would be
    series: dict[str, list[Timing]] = {name: [] for name in sides}
    names = list(sides)
    for round_ in range(repeat):
        # Each round starts one further along: no side always runs right after the CLI's
        # 1.3 s of CPU (the one that did measured ~60 ms slower, whichever it was).
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            series[name].append(sides[name]())
    return series


if __name__ == "__main__":
    sys.exit(main())
