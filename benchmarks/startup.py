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
import statistics
import subprocess
import sys
import time

from latency import proxied
from ptyapp import ROOT, PtyApp, app_env, serve, tinker_cli


def ours(url: str) -> float:
    """Seconds from exec to the first run rows on screen."""
    env = app_env(url)
    # Bytecode as an installed wheel has it (pip compiles at install; the CLI's venv has it too).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = PtyApp([str(ROOT / ".venv" / "bin" / "lazytinker")], env)
    try:
        return app.wait_for(b":train:", timeout=60)
    finally:
        app.close()


def floor(url: str) -> float:
    """Seconds from exec to the first run ids painted by `startup_floor.py`: the same three
    requests and a first frame, in a Textual + httpx + pydantic app that does nothing else."""
    env = app_env(url)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = ROOT / "benchmarks" / "startup_floor.py"
    app = PtyApp([str(ROOT / ".venv" / "bin" / "python"), str(script)], env)
    try:
        return app.wait_for(b":train:", timeout=60)
    finally:
        app.close()


def theirs(cli: str, url: str) -> float:
    """Seconds for `tinker run list` to print and exit."""
    start = time.perf_counter()
    done = subprocess.run([cli, "run", "list"], env=app_env(url), capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or b":train:" not in done.stdout:
        print(f"(tinker run list failed: {done.stderr.decode()[-300:]})")
    return seconds


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
        "(interleaved), median [lowest-highest]"
    )
    print(f"  lazytinker (pty, first rows painted)   {_line(mine)}")
    print(f"  floor: bare Textual+httpx+pydantic app {_line(least)}")
    if other:
        target = "0.50x" if args.rtt >= 80 else "0.80x"
        ratio = statistics.median(mine) / statistics.median(other)
        print(f"  tinker run list (to exit)              {_line(other)}")
        print(f"  ratio                                  {ratio:6.2f}x  (target <= {target})")
        least_ratio = statistics.median(least) / statistics.median(other)
        print(f"  floor's ratio                          {least_ratio:6.2f}x")
    return 0


def _line(times: list[float]) -> str:
    return f"{statistics.median(times):6.2f} s  [{min(times):.2f}-{max(times):.2f}]"


def _measure(url: str, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Ours, the floor's and the CLI's start-up times against `url`, interleaved."""
    cli = tinker_cli()
    # Warm the OS caches for all three, as a user's second start would be.
    ours(url)
    floor(url)
    if cli is not None:
        theirs(str(cli), url)
    mine: list[float] = []
    least: list[float] = []
    other: list[float] = []
    for _ in range(repeat):
        mine.append(ours(url))
        least.append(floor(url))
        if cli is not None:
            other.append(theirs(str(cli), url))
    return mine, least, other


if __name__ == "__main__":
    sys.exit(main())
