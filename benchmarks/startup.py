"""Start-up: process start to the first run rows painted, ours against `tinker run list`.

    .venv/bin/python benchmarks/startup.py [--runs 1000] [--repeat 5] [--rtt MS]

Our app runs in a pseudo-terminal (160x48) and is timed until a run id (`:train:`) is on the
screen; the official CLI (0.38.0, in its own cached venv) is timed until it exits with its table
printed. Both talk to the same stand-in server seeded with `--runs` runs, through the same
latency proxy when `--rtt` is given (`latency.py`: that many ms added to each round trip).
Targets: our median at most half of the CLI's at `--rtt 80`, at most 0.8x on loopback. A third
line times `startup_floor.py`, the least an app on our stack (Textual, httpx, pydantic) can do to
paint the same first rows: the floor under our figure.

The three are run interleaved (ours, the floor, the CLI, then again), so that a slow spell of
this shared machine falls on all of them alike; each line gives the median and the spread
(lowest-highest) of `--repeat` runs, and the ratio is of medians from the same run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from latency import proxied
from ptyapp import ROOT, PtyApp, app_env, serve, tinker_cli

Timing = tuple[float, float]
"""Seconds of wall clock, and of CPU (user + system) the program used meanwhile."""


def _first_rows(argv: list[str], url: str) -> Timing:
    env = app_env(url)
    # Bytecode as an installed wheel has it (pip compiles at install; the CLI's venv has it too).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = PtyApp(argv, env)
    try:
        return app.wait_for(b":train:", timeout=60), app.cpu_seconds()
    finally:
        app.close()


def ours(url: str) -> Timing:
    """Seconds from exec to the first run rows on screen."""
    return _first_rows([str(ROOT / ".venv" / "bin" / "lazytinker")], url)


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
    args = parser.parse_args()
    server, direct = serve(
        "--runs", str(args.runs), "--sessions", "100", "--checkpoints-per-run", "2"
    )
    try:
        with proxied(direct, args.rtt) as url:
            mine, least, other = _measure(url, args.repeat)
    finally:
        server.terminate()
    link = f"{args.rtt:g} ms added round trip" if args.rtt else "loopback"
    print(
        f"start-up to first run rows, {args.runs} runs, {link}, {args.repeat} runs each "
        "(interleaved), median [lowest-highest]; CPU = user+system seconds meanwhile"
    )
    print(f"  lazytinker (pty, first rows painted)   {_line(mine)}")
    print(f"  floor: bare Textual+httpx+pydantic app {_line(least)}")
    if other:
        target = "0.50x" if args.rtt >= 80 else "0.80x"
        print(f"  tinker run list (to exit)              {_line(other)}")
        print(
            f"  ratio                                  {_ratio(mine, other)}  (target <= {target})"
        )
        print(f"  floor's ratio                          {_ratio(least, other)}")
    return 0


def _line(times: list[Timing]) -> str:
    wall = [t[0] for t in times]
    cpu = statistics.median(t[1] for t in times)
    return f"{statistics.median(wall):6.2f} s  [{min(wall):.2f}-{max(wall):.2f}]  CPU {cpu:5.2f} s"


def _ratio(ours: list[Timing], theirs: list[Timing]) -> str:
    wall = statistics.median(t[0] for t in ours) / statistics.median(t[0] for t in theirs)
    cpu = statistics.median(t[1] for t in ours) / statistics.median(t[1] for t in theirs)
    return f"{wall:6.2f}x  (CPU {cpu:.2f}x)"


def _measure(url: str, repeat: int) -> tuple[list[Timing], list[Timing], list[Timing]]:
    """Ours, the floor's and the CLI's start-up times against `url`, interleaved."""
    cli = tinker_cli()
    # Warm the OS caches for all three, as a user's second start would be.
    ours(url)
    floor(url)
    if cli is not None:
        theirs(str(cli), url)
    mine: list[Timing] = []
    least: list[Timing] = []
    other: list[Timing] = []
    for _ in range(repeat):
        mine.append(ours(url))
        least.append(floor(url))
        if cli is not None:
            other.append(theirs(str(cli), url))
    return mine, least, other


if __name__ == "__main__":
    sys.exit(main())
