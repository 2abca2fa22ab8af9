"""Clean-up: delete 2,000 checkpoints of one run through the app's store, and with the official
`tinker checkpoint delete --run-id RUN -y`, each against a fresh stand-in server with the same
seed, side by side in one run.

    .venv/bin/python benchmarks/cleanup.py [--checkpoints 2000] [--rtt MS] [--repeat 1]

With `--rtt`, both reach their server through the same latency proxy (`latency.py`). Ours is
timed from connecting to the last delete confirmed (connect, list the run, delete with up to 32
in flight, paced on 429); the CLI's from starting the process to its exit (its Python start-up
included; `tinker --help` alone is printed beside it). Each side's server is then asked what is
left of the run: nothing, or the benchmark says so. Target: ours no slower than the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import time

import httpx

from latency import proxied
from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile
from lazytinker.store import Store
from ptyapp import KEY, app_env, serve, tinker_cli


def fresh_server(count: int) -> tuple[subprocess.Popen[bytes], str, str]:
    """A stand-in holding one run of `count` checkpoints (seed 0); its process, URL, run id."""
    process, url = serve(
        "--sessions", "1", "--runs", "1", "--checkpoints-per-run", str(count), "--seed", "0"
    )
    runs = httpx.get(f"{url}/api/v1/training_runs", headers={"X-API-Key": KEY}).json()
    return process, url, runs["training_runs"][0]["training_run_id"]


def left_on(url: str, run_id: str) -> int:
    """Checkpoints the run still has."""
    got = httpx.get(f"{url}/api/v1/training_runs/{run_id}/checkpoints", headers={"X-API-Key": KEY})
    return len(got.json()["checkpoints"])


async def ours(url: str, run_id: str) -> tuple[float, float, int]:
    """Seconds from connecting to the last delete, the deletes' own seconds, and failures."""
    profile = Profile(name="bench", flavor="tinker", base_url=url, api_key=KEY, key_source="bench")
    store = Store(TinkerAPI(profile.target()), refresh=3600)
    began = time.perf_counter()
    await store.connect()
    await store.load_checkpoints(run_id)
    refs = [CheckpointRef.parse(c.path) for c in store.run_checkpoints(run_id)]
    deleting = time.perf_counter()
    results = await store.delete(refs)
    ended = time.perf_counter()
    await store.close()
    return ended - began, ended - deleting, sum(not r.ok for r in results)


def theirs(cli: str, url: str, run_id: str) -> float:
    """Seconds of `tinker checkpoint delete --run-id RUN -y`, start to exit."""
    began = time.perf_counter()
    done = subprocess.run(
        [cli, "checkpoint", "delete", "--run-id", run_id, "-y"],
        env=app_env(url),
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        print(f"(tinker checkpoint delete failed: {done.stderr.decode()[-300:]})")
    return seconds


def cli_start(cli: str) -> float:
    """Seconds of `tinker --help`: the CLI's start-up alone."""
    began = time.perf_counter()
    subprocess.run([cli, "--help"], capture_output=True, check=False)
    return time.perf_counter() - began


def main() -> int:
    """Delete the same number both ways; print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", type=int, default=2000)
    parser.add_argument("--rtt", type=float, default=0.0, help="added round trip in ms (proxy)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (medians)")
    args = parser.parse_args()
    cli = tinker_cli()
    mine: list[tuple[float, float, int]] = []
    cli_runs: list[float] = []
    left: list[int] = []
    for _ in range(args.repeat):
        process, direct, run_id = fresh_server(args.checkpoints)
        with contextlib.ExitStack() as link:
            url = link.enter_context(proxied(direct, args.rtt))
            mine.append(asyncio.run(ours(url, run_id)))
        left.append(left_on(direct, run_id))
        process.terminate()
        process.wait(timeout=30)
        if cli is None:
            continue
        process, direct, run_id = fresh_server(args.checkpoints)
        with contextlib.ExitStack() as link:
            url = link.enter_context(proxied(direct, args.rtt))
            cli_runs.append(theirs(str(cli), url, run_id))
        left.append(left_on(direct, run_id))
        process.terminate()
        process.wait(timeout=30)
    where = f"{args.rtt:g} ms added round trip" if args.rtt else "loopback"
    total = statistics.median(m[0] for m in mine)
    deletes = statistics.median(m[1] for m in mine)
    failed = max(m[2] for m in mine)
    print(f"cleanup: delete {args.checkpoints} checkpoints of one run, {where}, "
          f"medians of {args.repeat}, fresh server (seed 0) per side")  # fmt: skip
    rate = args.checkpoints / deletes
    print(f"  lazytinker store (connect, list, delete)  {total:7.2f} s"
          f"   deletes alone {deletes:.2f} s, {rate:,.0f}/s, {failed} failed")  # fmt: skip
    if cli_runs:
        cli_total = statistics.median(cli_runs)
        print(f"  tinker checkpoint delete --run-id -y       {cli_total:7.2f} s"
              f"   its start-up alone (tinker --help) {cli_start(str(cli)):.2f} s")  # fmt: skip
        verdict = "met" if total <= cli_total else "not met"
        print(f"  ratio ours/theirs                          {total / cli_total:7.2f}x"
              f"  (target <= 1.00x: {verdict})")  # fmt: skip
    print(f"  checkpoints left afterwards              {', '.join(map(str, left))}")
    return 0 if all(n == 0 for n in left) else 1


if __name__ == "__main__":
    sys.exit(main())
