"""Download benchmark: our engine against `curl -o` and the hpcai SDK, on a ~1 GiB archive.

    .venv/bin/python benchmarks/download.py [--size-gib 1] [--runs 3]

Starts the stand-in server (tinker and hpcai flavors) in their own processes, picks the
smallest archive of at least the asked size (seed 1: 1.1 GiB), and prints medians of:

- throughput: `lazytinker`'s engine vs `curl -o` of the same kind of signed URL (target >= 0.9x);
- peak memory (max RSS of the downloading process): ours vs the hpcai SDK's
  `download_checkpoint_archive` (which returns the archive as one `bytes`), target < 80 MB;
- resume: the time to finish a transfer that was cut at half way, against a whole transfer.

Every measured download runs in a child process, so timings and memory are the downloader's
alone. The hpcai SDK runs from the SDK tests' cached venv (`tests/sdk/venvs.py`, built on first
use; skipped with a note when it cannot be).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import CheckpointDownload, download_checkpoint, new_fetcher
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.stream import part_path
from lazytinker.config import Profile

ROOT = Path(__file__).resolve().parent.parent
KEY = "tml-demo"
MIB = 1024 * 1024

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


# --- child processes ------------------------------------------------------------------------


async def _child_ours(url: str, path: str, out: str, cut_at: int | None) -> dict[str, float]:
    ref = CheckpointRef.parse(path)
    job = CheckpointDownload(ref, Path(out), extract=False, force=True)
    start = time.perf_counter()
    cpu_start = _cpu()
    async with TinkerAPI(Profile("bench", ref.flavor, url, KEY).target()) as api:
        task = asyncio.create_task(download_checkpoint(api, new_fetcher(), job))
        if cut_at is None:
            result = await task
            return {
                "seconds": time.perf_counter() - start,
                "bytes": result.bytes,
                "max_rss": _rss(),
                "cpu": _cpu() - cpu_start,
            }
        part = part_path(job.final_path)
        # Polling the file (not progress events) cuts at what is really on disk.
        while not task.done() and (part.stat().st_size if part.exists() else 0) < cut_at:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    size = part.stat().st_size if part.exists() else 0
    return {"seconds": time.perf_counter() - start, "bytes": size, "max_rss": _rss()}


def _rss() -> float:
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_main(argv: list[str]) -> int:
    """Entry point of a child process: `--child ours|cut URL PATH OUT SIZE`."""
    mode, url, path, out, size = argv
    cut_at = int(size) // 2 if mode == "cut" else None
    result = asyncio.run(_child_ours(url, path, out, cut_at))
    print(json.dumps(result))
    return 0


# --- the parent ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(flavor: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "lazytinker", "serve", "--port", str(port)]
    # Seed 1 has an archive of 1.1 GiB, the closest to the 1 GiB the issue asks for.
    command += ["--flavor", flavor, "--seed", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if flavor == "hpcai" or httpx.get(f"{url}/api/v1/healthz").status_code == 200:
                httpx.get(url)
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {flavor} stand-in server did not start")


async def _pick(url: str, size: int) -> tuple[str, int]:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    candidates = [c for c in found if c.size_bytes and c.checkpoint_type != "external"]
    # The smallest archive of at least `size`, else the largest there is.
    big = [c for c in candidates if (c.size_bytes or 0) >= size]
    best = (
        min(big, key=lambda c: c.size_bytes or 0)
        if big
        else max(candidates, key=lambda c: c.size_bytes or 0)
    )
    assert best.tinker_path is not None
    assert best.size_bytes is not None
    return best.tinker_path, best.size_bytes


async def _signed(url: str, path: str) -> str:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        return (await api.get_archive_url(CheckpointRef.parse(path))).url


def _child(args: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def _curl(url: str, out: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["curl", "-sS", "-f", "-o", str(out), url], check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "bytes": out.stat().st_size, "cpu": cpu}


def _hpcai_python() -> Path | None:
    """The SDK tests' cached hpcai venv (`tests/sdk/venvs.py`), built on first use."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.sdk.venvs import HPCAI_STEPS, sdk_python

        return sdk_python("hpcai", HPCAI_STEPS)
    except BaseException as error:  # its failures are pytest outcomes: say why, measure the rest
        print(f"  (no hpcai SDK venv: {str(error).strip().splitlines()[:1]})")
        return None


def _hpcai(python: Path | None, url: str, path: str) -> dict[str, float] | None:
    if python is None:
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
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _mb_s(result: dict[str, float]) -> float:
    return result["bytes"] / MIB / result["seconds"]


def main() -> int:
    """Run the benchmark and print medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sdk", action="store_true", help="skip the hpcai SDK (it is slow)")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the comparison")
    tinker, tinker_url = _serve("tinker")
    hpcai, hpcai_url = _serve("hpcai")
    work = Path(tempfile.mkdtemp(prefix="lazytinker-bench-"))
    try:
        path, size = asyncio.run(_pick(tinker_url, int(args.size_gib * 1024 * MIB)))
        ref = CheckpointRef.parse(path)
        hpcai_path = ref.with_flavor("hpcai").path
        print(f"archive: {path} ({size / MIB:.0f} MiB), {args.runs} runs each, medians\n")
        sdk_python = None if args.no_sdk else _hpcai_python()
        ours, curls, sdk, resumes = [], [], [], []
        for run in range(args.runs):
            out = work / f"ours-{run}"
            ours.append(_child(["ours", tinker_url, path, str(out), str(size)]))
            shutil.rmtree(out, ignore_errors=True)
            curl_out = work / f"curl-{run}.tar"
            curls.append(_curl(asyncio.run(_signed(tinker_url, path)), curl_out))
            curl_out.unlink()
            out = work / f"resume-{run}"
            cut = _child(["cut", tinker_url, path, str(out), str(size)])
            assert size // 2 <= cut["bytes"] < size, cut
            resumes.append(_child(["ours", tinker_url, path, str(out), str(size)]))
            shutil.rmtree(out, ignore_errors=True)
            measured = _hpcai(sdk_python, hpcai_url, hpcai_path)
            if measured is not None:
                sdk.append(measured)
        _print(ours, curls, sdk, resumes)
    finally:
        for process in (tinker, hpcai):
            process.terminate()
            process.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _print(
    ours: list[dict[str, float]],
    curls: list[dict[str, float]],
    sdk: list[dict[str, float]],
    resumes: list[dict[str, float]],
) -> None:
    ours_rate = statistics.median(_mb_s(r) for r in ours)
    curl_rate = statistics.median(_mb_s(r) for r in curls)
    ours_rss = statistics.median(r["max_rss"] for r in ours) / MIB
    ours_time = statistics.median(r["seconds"] for r in ours)
    resume_time = statistics.median(r["seconds"] for r in resumes)
    rows = [
        ("throughput", f"{ours_rate:8.0f} MiB/s", f"curl -o {curl_rate:8.0f} MiB/s"),
        ("  ratio", f"{ours_rate / curl_rate:8.2f}x", "target >= 0.90x"),
        ("CPU per GiB", f"{_cpu_per_gib(ours):8.2f} s", f"curl -o {_cpu_per_gib(curls):8.2f} s"),
        ("peak memory", f"{ours_rss:8.1f} MiB", _sdk_memory(sdk)),
        ("whole transfer", f"{ours_time:8.2f} s", ""),
        ("resume from 1/2", f"{resume_time:8.2f} s", f"{resume_time / ours_time:.0%} of whole"),
    ]
    print(f"{'':18}{'lazytinker':>16}   other")
    for name, mine, other in rows:
        print(f"{name:18}{mine:>16}   {other}")


def _cpu_per_gib(results: list[dict[str, float]]) -> float:
    # Ours counts from the API handshake on (not the interpreter's start-up); curl's whole run.
    return statistics.median(r["cpu"] / (r["bytes"] / (1024 * MIB)) for r in results)


def _sdk_memory(sdk: list[dict[str, float]]) -> str:
    if not sdk:
        return "hpcai SDK: not measured (--no-sdk, or no venv)"
    rss = statistics.median(r["max_rss"] for r in sdk) / MIB
    rate = statistics.median(_mb_s(r) for r in sdk)
    return f"hpcai SDK {rss:8.1f} MiB  ({rate:.0f} MiB/s)"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
