"""The steps `download.py` times: each one a process, measured from outside the same way.

Every step starts after a `sync` (nothing left to write back), and its process is reaped with
`os.wait4`, which gives that one process's CPU (user + system) and peak memory, whatever else
ran before it (`RUSAGE_CHILDREN` would keep the largest child so far: the hpcai SDK's, say).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile
from ptyapp import KEY, ROOT

MIB = 1024 * 1024
Result = dict[str, float]

_LAZYTINKER = [sys.executable, "-m", "lazytinker"]
_CONFIG = str(ROOT / ".cache" / "no-such-config.toml")
_ENV = {**os.environ, "TINKER_API_KEY": KEY, "LAZYTINKER_CONFIG": _CONFIG}

# Ours with its write-back (and so its drop-behind) turned off: the kernel's flusher threads
# write the pages back during the transfer instead, as for curl, and their CPU is charged to no
# process.
KERNEL_WRITEBACK = """
import sys
import lazytinker.api.writeback as writeback
writeback.Flusher.wrote = lambda self, count: None
from lazytinker.cli import main
sys.exit(main(sys.argv[1:]))
"""

HPCAI_CHILD = """
import json, resource, sys, time
import hpcai
url, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
rest = hpcai.ServiceClient(base_url=url, api_key="tml-demo").create_rest_client()
data = rest.download_checkpoint_archive_by_checkpoint_path(path).result()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "bytes": len(data)}))
"""


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[Result, str]:
    """Run `command` to its end: wall seconds, CPU seconds and peak memory of that process, and
    its stdout. A failure ends the benchmark with the command's last line of stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{Path(command[0]).name} failed: {stderr.strip().splitlines()[-1:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "max_rss": float(usage.ru_maxrss * 1024)}, stdout


def settle() -> None:
    """Nothing left to write back before a measured step (what curl + sync leaves behind)."""
    subprocess.run(["sync"], check=True)
    time.sleep(1.0)


def _cli(
    url: str, path: str, out: Path, *extra: str, program: list[str] = _LAZYTINKER
) -> list[str]:
    return [*program, "download", path, "-o", str(out), "--json", "--base-url", url, *extra]


def ours(url: str, path: str, out: Path, *, writeback: bool = True) -> Result:
    """`lazytinker download --no-extract`, the command a user runs (without `writeback`, with
    its write-back turned off). `seconds` is the elapsed time it reports (first API call to
    the rename; Python's start-up is not the download)."""
    settle()
    program = _LAZYTINKER if writeback else [sys.executable, "-c", KERNEL_WRITEBACK]
    command = _cli(url, path, out, "--no-extract", "--force", program=program)
    measured, stdout = run(command, _ENV)
    record = json.loads(stdout)
    seconds, size = float(record["elapsed_seconds"]), float(record["size_bytes"])
    return {**measured, "seconds": seconds, "bytes": size}


def curl(url: str, out: Path, *, sync: bool) -> Result:
    """`curl -o FILE URL`, then (with `sync`) `sync FILE`: the two processes' sums."""
    settle()
    measured, _ = run(["curl", "-sS", "-f", "-o", str(out), url])
    if sync:
        synced, _ = run(["sync", str(out)])
        measured["wall"] += synced["wall"]
        measured["cpu"] += synced["cpu"]
    return {**measured, "seconds": measured["wall"], "bytes": float(out.stat().st_size)}


def ours_extracting(url: str, path: str, out: Path) -> Result:
    """`lazytinker download` as it runs by default: the archive fetched, fsynced, extracted into
    a folder and removed; process start to exit."""
    settle()
    measured, stdout = run(_cli(url, path, out, "--force"), _ENV)
    return {
        **measured,
        "seconds": measured["wall"],
        "bytes": float(json.loads(stdout)["size_bytes"]),
    }


def curl_tar(url: str, out: Path) -> Result:
    """The same by hand: `curl -o`, `tar -xf` into a folder, `rm` the archive, `sync`; the four
    processes' sums."""
    settle()
    archive, folder = out / "archive.tar", out / "folder"
    folder.mkdir(parents=True)
    steps = [
        ["curl", "-sS", "-f", "-o", str(archive), url],
        ["tar", "-xf", str(archive), "-C", str(folder)],
        ["rm", str(archive)],
        ["sync"],
    ]
    total = {"wall": 0.0, "cpu": 0.0, "max_rss": 0.0}
    size = 0
    for command in steps:
        if command[0] == "rm":
            size = archive.stat().st_size
        measured, _ = run(command)
        total["wall"] += measured["wall"]
        total["cpu"] += measured["cpu"]
        total["max_rss"] = max(total["max_rss"], measured["max_rss"])
    return {**total, "seconds": total["wall"], "bytes": float(size)}


def killed_at(url: str, path: str, out: Path, size: int, fraction: float) -> int:
    """Start our download and SIGKILL it once `fraction` of the file is on disk (as when an SSH
    session drops); the size of the part it leaves."""
    settle()
    command = _cli(url, path, out, "--no-extract", "--force")
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV
    )
    part = out / f"{path.removeprefix('tinker://').replace('/', '_')}.tar.part"
    while process.poll() is None:
        if part.exists() and part.stat().st_size >= size * fraction:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    return part.stat().st_size if part.exists() else 0


def export_ours(url: str, path: str, out: Path) -> Result:
    """The 0.38 export flow through `lazytinker download --yes`, process start to exit."""
    settle()
    measured, stdout = run(_cli(url, path, out, "--yes"), _ENV)
    return {
        **measured,
        "seconds": measured["wall"],
        "bytes": float(json.loads(stdout)["size_bytes"]),
    }


def export_official(tinker: Path, url: str, path: str, home: Path) -> Result:
    """The official `tinker checkpoint download` (0.38.0, unmodified), process start to exit."""
    settle()
    home.mkdir(parents=True, exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TINKER_")}
    env = {**clean, "TINKER_BASE_URL": url, "TINKER_API_KEY": KEY, "HOME": str(home)}
    command = [str(tinker), "-f", "json", "checkpoint", "download", path, "-o", str(home / "out")]
    measured, stdout = run(command, env)
    size = float(json.loads(stdout)["file_size_bytes"])
    return {**measured, "seconds": measured["wall"], "bytes": size}


def hpcai_sdk(python: Path, url: str, path: str) -> Result | None:
    """The hpcai SDK's archive download (it holds the whole archive in memory)."""
    settle()
    try:
        measured, stdout = run(
            [str(python), "-c", HPCAI_CHILD, url, path], {**os.environ, "HPCAI_TELEMETRY": "0"}
        )
    except SystemExit as failed:
        print(f"  (the hpcai SDK failed: {failed})")
        return None
    record = json.loads(stdout.strip().splitlines()[-1])
    return {**measured, "seconds": float(record["seconds"]), "bytes": float(record["bytes"])}


def hpcai_python() -> Path | None:
    """The cached hpcai SDK venv's interpreter, or None (and why) when it cannot be built."""
    try:
        from tests.sdk.venvs import HPCAI_STEPS, sdk_python

        return sdk_python("hpcai", HPCAI_STEPS)
    except BaseException as error:  # pytest.skip raises a BaseException when offline
        print(f"  (no hpcai SDK venv: {str(error).strip().splitlines()[:1]})")
        return None


# --- what to download -------------------------------------------------------------------------


async def _listing(url: str) -> list[tuple[str, str, int]]:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    return [(c.path, c.checkpoint_type, c.size_bytes or 0) for c in found if c.size_bytes]


def pick(url: str, size: int, kind: str = "archive") -> tuple[str, int]:
    """The smallest checkpoint of at least `size` bytes (else the largest): one with an archive,
    or (`kind="training"`) a training checkpoint for the export flow."""
    found = asyncio.run(_listing(url))
    if kind == "archive":
        candidates = [(p, s) for p, k, s in found if k != "external"]
    else:
        candidates = [(p, s) for p, k, s in found if k == "training"]
    big = [c for c in candidates if c[1] >= size]
    return min(big, key=lambda c: c[1]) if big else max(candidates, key=lambda c: c[1])


async def _signed_url(url: str, path: str) -> str:
    async with TinkerAPI(Profile("bench", "tinker", url, KEY).target()) as api:
        return (await api.get_archive_url(CheckpointRef.parse(path))).url


def signed(url: str, path: str) -> str:
    """A fresh signed URL of the checkpoint's archive (what curl fetches)."""
    return asyncio.run(_signed_url(url, path))
