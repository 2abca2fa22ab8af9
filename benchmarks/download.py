"""Download benchmark: our engine against curl on the same server and the same file.

    .venv/bin/python benchmarks/download.py [--size-gib 1] [--runs 3] [--no-sdk]

Starts the stand-in server in its own process (seed 1), picks the smallest archive of at least the
asked size, and prints medians, ours and the anchor side by side in one run:

- the anchor is `curl -o FILE URL` followed by `sync FILE`: ours fsyncs the file before it gets
  its final name, so curl's copy is made as durable (plain `curl -o` is printed too);
- ours is `lazytinker download PATH --no-extract --json`, the command a user runs; every step
  starts after a `sync`, with nothing left to write back;
- throughput: bytes over seconds, ours from its first API call to the rename (the elapsed time it
  reports; Python's start-up is not the download), curl + sync from curl's start to the end of
  the sync (target >= 0.9x);
- CPU per GiB: user + system seconds of the whole process, counted from outside the same way for
  both (`RUSAGE_CHILDREN` around each step; ours includes Python's start-up), target <= 1.3x;
- peak memory: max RSS of our process (target < 80 MB), and the hpcai SDK's, which holds the
  archive in memory (`--no-sdk` skips it);
- resume: a download SIGKILLed at 40% (as when an SSH session drops), then the same command run
  again: the elapsed time it reports against a whole download's (target <= 0.7x);
- the 0.38 export flow: a training checkpoint through a short session on a server that has
  dropped `/archive` (`serve --no-archive`), from start to the session's end (no target).

The machine is shared: compare within a run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile

ROOT = Path(__file__).resolve().parent.parent
KEY = "tml-demo"
MIB = 1024 * 1024
GIB = 1024 * MIB
Result = dict[str, float]

HPCAI_CHILD = """
import json, resource, sys, time
import hpcai
url, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
rest = hpcai.ServiceClient(base_url=url, api_key="tml-demo").create_rest_client()
data = rest.download_checkpoint_archive_by_checkpoint_path(path).result()
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "bytes": len(data), "max_rss": rss}))
"""


# --- measuring from outside, the same way for every process ----------------------------------


def _run(command: list[str], env: dict[str, str] | None = None) -> tuple[Result, str]:
    """Run `command`; its wall time, CPU (user + system) and peak memory, and its stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    out, err = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {err.strip().splitlines()[-1:]}")
    return {"wall": wall}, out


class _Usage:
    """The CPU and peak memory of the processes run inside a `with` block."""

    def __enter__(self) -> _Usage:
        self.before = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc: object) -> None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime - self.before.ru_utime) + (after.ru_stime - self.before.ru_stime)


def _settle() -> None:
    """Every measured step starts with nothing left to write back (what curl + sync leaves)."""
    subprocess.run(["sync"], check=True)
    time.sleep(1.0)


def _cli(url: str, path: str, out: Path) -> list[str]:
    return [
        *_LAZYTINKER,
        "download",
        path,
        "-o",
        str(out),
        "--no-extract",
        "--force",
        "--json",
        "--base-url",
        url,
    ]


_LAZYTINKER = [sys.executable, "-m", "lazytinker"]
_ENV = {**os.environ, "TINKER_API_KEY": KEY, "LAZYTINKER_CONFIG": "/nonexistent/config.toml"}


def _ours(url: str, path: str, out: Path) -> Result:
    """`lazytinker download`, the command a user runs, measured as a whole process."""
    _settle()
    with _Usage() as usage:
        measured, stdout = _run(_cli(url, path, out), _ENV)
    record = json.loads(stdout)
    return {
        **measured,
        "seconds": float(record["elapsed_seconds"]),
        "bytes": float(record["size_bytes"]),
        "cpu": usage.cpu,
        "max_rss": _peak_rss(),
    }


def _peak_rss() -> float:
    # The largest child so far: ours (curl and sync are a few megabytes).
    return float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)


def _curl(url: str, out: Path, *, sync: bool) -> Result:
    _settle()
    with _Usage() as usage:
        measured, _ = _run(["curl", "-sS", "-f", "-o", str(out), url])
        if sync:
            synced, _ = _run(["sync", str(out)])
            measured["wall"] += synced["wall"]
    return {
        "seconds": measured["wall"],
        "wall": measured["wall"],
        "bytes": float(out.stat().st_size),
        "cpu": usage.cpu,
    }


def _killed_at(url: str, path: str, out: Path, size: int, fraction: float) -> int:
    """Start our download and SIGKILL it once `fraction` of the file is on disk; the part's
    size."""
    _settle()
    process = subprocess.Popen(
        _cli(url, path, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV
    )
    part = out / f"{path.removeprefix('tinker://').replace('/', '_')}.tar.part"
    while process.poll() is None:
        if part.exists() and part.stat().st_size >= size * fraction:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    return part.stat().st_size if part.exists() else 0


# --- the servers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(*flags: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "lazytinker", "serve", "--port", str(port), "--seed", "1"]
    process = subprocess.Popen(
        [*command, *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the stand-in server ({' '.join(flags)}) did not start")


async def _pick(url: str, size: int, kind: str = "archive") -> tuple[str, int]:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    if kind == "archive":
        candidates = [c for c in found if c.size_bytes and c.checkpoint_type != "external"]
    else:
        candidates = [c for c in found if c.size_bytes and c.checkpoint_type == "training"]
    big = [c for c in candidates if (c.size_bytes or 0) >= size]
    best = (
        min(big, key=lambda c: c.size_bytes or 0)
        if big
        else max(candidates, key=lambda c: c.size_bytes or 0)
    )
    return best.path, best.size_bytes or 0


async def _signed(url: str, path: str) -> str:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        return (await api.get_archive_url(CheckpointRef.parse(path))).url


def _export(url: str, path: str, out: Path) -> Result:
    """The 0.38 export flow through `lazytinker download --yes`, start to exit."""
    _settle()
    command = [*_LAZYTINKER, "download", path, "-o", str(out), "--yes", "--json"]
    measured, stdout = _run([*command, "--base-url", url], _ENV)
    return {**measured, "bytes": float(json.loads(stdout)["size_bytes"])}


def _hpcai(url: str, path: str) -> Result | None:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.sdk.venvs import HPCAI_STEPS, sdk_python

        python = sdk_python("hpcai", HPCAI_STEPS)
    except BaseException as error:  # its failures are pytest outcomes: say why, measure the rest
        print(f"  (no hpcai SDK venv: {str(error).strip().splitlines()[:1]})")
        return None
    done = subprocess.run(
        [str(python), "-c", HPCAI_CHILD, url, path],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HPCAI_TELEMETRY": "0"},
    )
    if done.returncode != 0:
        print(f"  (hpcai SDK failed: {done.stderr.strip().splitlines()[-1:]})")
        return None
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the run ----------------------------------------------------------------------------------


def main() -> int:
    """Run the benchmark and print medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sdk", action="store_true", help="skip the hpcai SDK (it is slow)")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the files are written (default: a temp dir)"
    )
    args = parser.parse_args()
    for tool in ("curl", "sync"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed for the comparison")
    tinker, url = _serve()
    hpcai, hpcai_url = (None, "") if args.no_sdk else _serve("--flavor", "hpcai")
    gone, gone_url = _serve("--no-archive")
    work = Path(tempfile.mkdtemp(prefix="lazytinker-bench-", dir=args.dir))
    try:
        path, size = asyncio.run(_pick(url, int(args.size_gib * GIB)))
        export_path, _ = asyncio.run(_pick(gone_url, 0, "training"))
        print(f"archive: {path} ({size / MIB:.0f} MiB), {args.runs} runs each, medians\n")
        rows = _measure(url, path, size, work, args.runs)
        rows["export"] = [_export(gone_url, export_path, work / f"export-{i}") for i in range(3)]
        if hpcai is not None:
            hpcai_path = CheckpointRef.parse(path).with_flavor("hpcai").path
            measured = _hpcai(hpcai_url, hpcai_path)
            rows["sdk"] = [measured] if measured else []
        _print(rows)
    finally:
        for process in (tinker, hpcai, gone):
            if process is not None:
                process.terminate()
                process.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _measure(url: str, path: str, size: int, work: Path, runs: int) -> dict[str, list[Result]]:
    rows: dict[str, list[Result]] = {k: [] for k in ("ours", "curl_sync", "curl", "resume")}
    for run in range(runs):
        out = work / f"ours-{run}"
        rows["ours"].append(_ours(url, path, out))
        shutil.rmtree(out, ignore_errors=True)
        for key, sync in (("curl_sync", True), ("curl", False)):
            target = work / f"{key}-{run}.tar"
            rows[key].append(_curl(asyncio.run(_signed(url, path)), target, sync=sync))
            target.unlink()
        out = work / f"resume-{run}"
        kept = _killed_at(url, path, out, size, 0.4)
        assert 0.4 * size <= kept < size, (kept, size)
        resumed = _ours(url, path, out)
        rows["resume"].append({**resumed, "kept": kept})
        shutil.rmtree(out, ignore_errors=True)
    return rows


def _median(results: list[Result], key: str) -> float:
    return statistics.median(r[key] for r in results)


def _rate(results: list[Result]) -> float:
    return statistics.median(r["bytes"] / MIB / r["seconds"] for r in results)


def _cpu_per_gib(results: list[Result]) -> float:
    return statistics.median(r["cpu"] / (r["bytes"] / GIB) for r in results)


def _print(rows: dict[str, list[Result]]) -> None:
    ours, anchor, plain = rows["ours"], rows["curl_sync"], rows["curl"]
    rate, anchor_rate = _rate(ours), _rate(anchor)
    cpu, anchor_cpu = _cpu_per_gib(ours), _cpu_per_gib(anchor)
    whole, resume = _median(ours, "seconds"), _median(rows["resume"], "seconds")
    kept = _median(rows["resume"], "kept") / _median(ours, "bytes")
    lines = [
        ("throughput", f"{rate:8.0f} MiB/s", f"curl + sync {anchor_rate:6.0f} MiB/s"),
        (
            "  ratio",
            f"{rate / anchor_rate:8.2f}x",
            f"target >= 0.90x (curl -o alone {_rate(plain):.0f} MiB/s)",
        ),
        ("CPU per GiB", f"{cpu:8.2f} s", f"curl + sync {anchor_cpu:6.2f} s"),
        (
            "  ratio",
            f"{cpu / anchor_cpu:8.2f}x",
            f"target <= 1.30x (curl -o alone {_cpu_per_gib(plain):.2f} s)",
        ),
        ("peak memory", f"{_median(ours, 'max_rss') / MIB:8.1f} MiB", "target < 80 MB"),
        ("", "", _sdk(rows.get("sdk", []))),
        (
            "whole download",
            f"{whole:8.2f} s",
            f"process start to exit {_median(ours, 'wall'):.2f} s",
        ),
        (
            f"resume from {kept:.0%}",
            f"{resume:8.2f} s",
            f"{resume / whole:.2f}x of whole, target <= 0.70x",
        ),
        (
            "export flow",
            f"{_median(rows['export'], 'wall'):8.2f} s",
            f"{_median(rows['export'], 'bytes') / MIB:.0f} MiB of files, serve --no-archive",
        ),
    ]
    print(f"{'':20}{'lazytinker':>16}   other")
    for name, mine, other in lines:
        print(f"{name:20}{mine:>16}   {other}".rstrip())


def _sdk(sdk: list[Result]) -> str:
    if not sdk:
        return "hpcai SDK: not measured (--no-sdk, or no venv)"
    rss = _median(sdk, "max_rss") / MIB
    return f"hpcai SDK peak memory {rss:.0f} MiB ({_rate(sdk):.0f} MiB/s)"


if __name__ == "__main__":
    sys.exit(main())
