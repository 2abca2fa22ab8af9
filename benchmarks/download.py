"""Download benchmark: ours against curl and the official CLI, on the same server and files.

    .venv/bin/python benchmarks/download.py [--size-gib 1] [--runs 3] [--no-sdk] [--dir DIR]

Starts the stand-in server in its own processes (seed 1) and prints medians, ours and the other
side next to each other, from one run (steps interleaved: the machine is shared, so compare
within a run):

- an archive (the smallest of at least `--size-gib`): ours is `lazytinker download PATH
  --no-extract --json`, the command a user runs; the anchor is `curl -o FILE URL` followed by
  `sync FILE`, since ours fsyncs the file before it gets its final name (plain `curl -o`, which
  leaves the file in the page cache, is printed too). Every step starts after a `sync`.
  - throughput: bytes over seconds; ours from its first API call to the rename (the elapsed
    time it reports), curl + sync from curl's start to the sync's end (target >= 0.9x);
  - CPU per GiB: user + system seconds of each whole process, from `os.wait4` for both (ours
    includes Python's start-up), target <= 1.3x. Ours starts the write-back of each 64 MiB
    window itself (`sync_file_range`), so that work is charged to it; for curl the kernel's
    flusher threads do it, charged to no process. Once a window is on disk ours drops it from
    the page cache, so the next windows reuse those pages instead of touching fresh ones (see
    `lazytinker/api/writeback.py`). Ours with both turned off, as the kernel and curl leave
    it, is printed too, to show what they save;
  - peak memory: ours (target < 80 MB), and the hpcai SDK's, which holds the archive in memory
    (`--no-sdk` skips it);
  - resume: a download SIGKILLed at 40% (as when an SSH session drops), then the same command
    again; the elapsed time each reports (target <= 0.7x of a whole download);
  - with extraction, as `download` runs by default (fetch, fsync, extract into a folder, remove
    the archive), process start to exit, against `curl -o`, `tar -xf`, `rm` and `sync` run one
    after the other (no target);
- the 0.38 export flow, on a server that has dropped `/archive` (`serve --no-archive`): a
  training checkpoint through a short session, `lazytinker download --yes` against the official
  `tinker checkpoint download` 0.38.0, each timed from process start to exit (no target).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import download_steps as step
from download_steps import MIB, Result
from lazytinker.api.paths import CheckpointRef
from ptyapp import serve, tinker_cli

GIB = 1024 * MIB
KERNEL = "ours with write-back and drop-behind left to the kernel"


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
    servers = [serve("--seed", "1"), serve("--seed", "1", "--no-archive")]
    if not args.no_sdk:
        servers.append(serve("--seed", "1", "--flavor", "hpcai"))
    url, gone_url = servers[0][1], servers[1][1]
    work = Path(tempfile.mkdtemp(prefix="lazytinker-bench-", dir=args.dir))
    try:
        path, size = step.pick(url, int(args.size_gib * GIB))
        print(f"archive: {path} ({size / MIB:.0f} MiB), {args.runs} runs each, medians\n")
        rows = _archive(url, path, size, work, args.runs)
        rows.update(_export(gone_url, work, args.runs))
        if not args.no_sdk:
            rows["sdk"] = _sdk(servers[2][1], path)
        _print(rows)
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _archive(url: str, path: str, size: int, work: Path, runs: int) -> dict[str, list[Result]]:
    keys = ("ours", "kernel", "curl_sync", "curl", "resume", "extracting", "curl_tar")
    rows: dict[str, list[Result]] = {k: [] for k in keys}
    for run in range(runs):
        for key, writeback in (("ours", True), ("kernel", False)):
            out = work / f"{key}-{run}"
            rows[key].append(step.ours(url, path, out, writeback=writeback))
            shutil.rmtree(out, ignore_errors=True)
        for key, sync in (("curl_sync", True), ("curl", False)):
            target = work / f"{key}-{run}.tar"
            rows[key].append(step.curl(step.signed(url, path), target, sync=sync))
            target.unlink()
        out = work / f"resume-{run}"
        kept = step.killed_at(url, path, out, size, 0.4)
        assert 0.4 * size <= kept < size, (kept, size)
        rows["resume"].append({**step.ours(url, path, out), "kept": kept})
        shutil.rmtree(out, ignore_errors=True)
        for key, measure in (("extracting", step.ours_extracting), ("curl_tar", None)):
            out = work / f"{key}-{run}"
            if measure is None:
                rows[key].append(step.curl_tar(step.signed(url, path), out))
            else:
                rows[key].append(measure(url, path, out))
            shutil.rmtree(out, ignore_errors=True)
    return rows


def _export(url: str, work: Path, runs: int) -> dict[str, list[Result]]:
    path, _ = step.pick(url, 0, "training")
    print(f"export flow: {path} on serve --no-archive\n")
    tinker = tinker_cli()
    rows: dict[str, list[Result]] = {"export": [], "official": []}
    for run in range(runs):
        rows["export"].append(step.export_ours(url, path, work / f"export-{run}"))
        if tinker is not None:
            rows["official"].append(step.export_official(tinker, url, path, work / f"tk-{run}"))
    return rows


def _sdk(url: str, path: str) -> list[Result]:
    python = step.hpcai_python()
    if python is None:
        return []
    measured = step.hpcai_sdk(python, url, CheckpointRef.parse(path).with_flavor("hpcai").path)
    return [measured] if measured else []


# --- printing ---------------------------------------------------------------------------------


def _median(results: list[Result], key: str) -> float:
    return statistics.median(r[key] for r in results)


def _rate(results: list[Result]) -> float:
    return statistics.median(r["bytes"] / MIB / r["seconds"] for r in results)


def _cpu_per_gib(results: list[Result]) -> float:
    return statistics.median(r["cpu"] / (r["bytes"] / GIB) for r in results)


def _print(rows: dict[str, list[Result]]) -> None:
    ours, anchor, plain, kernel = rows["ours"], rows["curl_sync"], rows["curl"], rows["kernel"]
    rate, anchor_rate = _rate(ours), _rate(anchor)
    cpu, anchor_cpu = _cpu_per_gib(ours), _cpu_per_gib(anchor)
    whole, resume = _median(ours, "seconds"), _median(rows["resume"], "seconds")
    kept = _median(rows["resume"], "kept") / _median(ours, "bytes")
    rss = _median(ours, "max_rss") / MIB
    lines = [
        ("throughput", f"{rate:.0f} MiB/s", f"curl + sync {anchor_rate:.0f} MiB/s"),
        ("  ratio", f"{rate / anchor_rate:.2f}x", "target >= 0.90x"),
        ("  curl -o alone", "", f"{_rate(plain):.0f} MiB/s"),
        ("CPU per GiB", f"{cpu:.2f} s", f"curl + sync {anchor_cpu:.2f} s"),
        ("  ratio", f"{cpu / anchor_cpu:.2f}x", "target <= 1.30x"),
        ("  curl -o alone", "", f"{_cpu_per_gib(plain):.2f} s"),
        (
            "  without them",
            f"{_cpu_per_gib(kernel):.2f} s",
            f"{_rate(kernel):.0f} MiB/s; {KERNEL}",
        ),
        ("peak memory", f"{rss:.1f} MiB", f"target < 80 MB; {_sdk_line(rows)}"),
        ("whole download", f"{whole:.2f} s", f"start to exit {_median(ours, 'wall'):.2f} s"),
        (f"resume from {kept:.0%}", f"{resume:.2f} s", f"{resume / whole:.2f}x, target <= 0.70x"),
        *_extract_lines(rows),
        *_export_lines(rows),
    ]
    print(f"{'':18}{'lazytinker':>12}   other")
    for name, mine, other in lines:
        print(f"{name:18}{mine:>12}   {other}".rstrip())


def _extract_lines(rows: dict[str, list[Result]]) -> list[tuple[str, str, str]]:
    ours, theirs = rows["extracting"], rows["curl_tar"]
    return [
        (
            "with extraction",
            f"{_median(ours, 'seconds'):.2f} s",
            f"curl + tar -x + rm + sync {_median(theirs, 'seconds'):.2f} s (start to exit)",
        ),
        (
            "  CPU",
            f"{_median(ours, 'cpu'):.2f} s",
            f"curl + tar -x + rm + sync {_median(theirs, 'cpu'):.2f} s",
        ),
    ]


def _export_lines(rows: dict[str, list[Result]]) -> list[tuple[str, str, str]]:
    ours, official = rows["export"], rows["official"]
    seconds, cpu = _median(ours, "seconds"), _median(ours, "cpu")
    size = f"{_median(ours, 'bytes') / MIB:.0f} MiB of files"
    if not official:
        return [("export flow", f"{seconds:.2f} s", f"no official CLI ({size})")]
    theirs = f"tinker CLI {_median(official, 'seconds'):.2f} s ({size})"
    rss, their_rss = _median(ours, "max_rss") / MIB, _median(official, "max_rss") / MIB
    return [
        ("export flow", f"{seconds:.2f} s", theirs),
        ("  CPU", f"{cpu:.2f} s", f"tinker CLI {_median(official, 'cpu'):.2f} s"),
        ("  peak memory", f"{rss:.0f} MiB", f"tinker CLI {their_rss:.0f} MiB"),
    ]


def _sdk_line(rows: dict[str, list[Result]]) -> str:
    sdk = rows.get("sdk", [])
    if not sdk:
        return "hpcai SDK not measured"
    return f"hpcai SDK {_median(sdk, 'max_rss') / MIB:.0f} MiB ({_rate(sdk):.0f} MiB/s)"


if __name__ == "__main__":
    sys.exit(main())
