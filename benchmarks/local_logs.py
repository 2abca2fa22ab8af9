"""The training box: scanning 1,000 cookbook log folders and tailing a 100,000-line metrics.jsonl.

    .venv/bin/python benchmarks/local_logs.py [--folders 1000] [--lines 100000] [--repeat 5]

Generated in a temporary folder (the files are in the page cache, as on a box where they were
just written). Each figure is the median of `--repeat` runs; time is measured without tracing and
peak memory (Python allocations, tracemalloc) in a separate run, as tracing slows the work down.

- first scan: a fresh `LocalLogs` finds every folder and reads all four files of each;
- re-scan: the same object, forced to search again, nothing changed (a stat per folder and file);
- first read: a fresh tail of the big metrics.jsonl, parsed into bounded curves;
- append: one more line appended and read.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lazytinker.local import LocalLogs
from lazytinker.local.metrics import MetricsLog
from lazytinker.local.tail import LineTail

RECIPES = ("chat_sl", "math_rl", "sweeps/2025-06-01", "distillation")


def metrics_row(step: int, total: int, rng: random.Random) -> dict[str, Any]:
    """A supervised cookbook row of typical width (~20 keys, ~700 bytes)."""
    return {
        "step": step,
        "learning_rate": 2e-4 * (1 - step / total),
        "progress": (step + 1) / total,
        "num_sequences": 128,
        "num_tokens": 65_536 + rng.randrange(4096),
        "num_loss_tokens": 30_000 + rng.randrange(4096),
        "train_mean_nll": 2.0 / (1 + step / 100) + rng.random() * 0.05,
        "train_mean_bpb": 0.9 / (1 + step / 100) + rng.random() * 0.02,
        "optim/unclipped_grad_l2:mean": rng.random(),
        "optim/update_l2": rng.random() * 1e-3,
        "cost/step_usd": 0.02,
        "cost/cumulative_usd": 0.02 * (step + 1),
        "tokens/cumulative/trained": 65_536 * (step + 1),
        "time/total": 4.0 + rng.random(),
        "time/step:total": 3.1 + rng.random(),
        "time/fwd_bwd:total": 2.2 + rng.random(),
        "time/optim_step:total": 0.4 + rng.random(),
        "time/save_checkpoint:total": 0.0,
        **({"test/nll": 2.1 / (1 + step / 100)} if step % 10 == 0 else {}),
    }


def make_folders(root: Path, count: int, steps: int) -> None:
    """`count` log folders with a config, a log, `steps` metrics rows and a checkpoint each."""
    rng = random.Random(7)
    for n in range(count):
        folder = root / RECIPES[n % len(RECIPES)] / f"run-{n:05d}"
        folder.mkdir(parents=True)
        run_id = f"{n:08x}-session:train:0"
        config = {"log_path": str(folder), "model_name": "Qwen/Qwen3-8B", "learning_rate": 2e-4,
                  "lora_rank": 32, "num_epochs": 1, "wandb_name": f"run-{n}"}  # fmt: skip
        (folder / "config.json").write_text(json.dumps(config, indent=2))
        (folder / "logs.log").write_text(
            f"service_client:294 [INFO] TrainingClient initialized for model {run_id}\n"
        )
        rows = (json.dumps(metrics_row(step, steps, rng)) for step in range(steps))
        (folder / "metrics.jsonl").write_text("\n".join(rows) + "\n")
        record = {"name": "000020", "epoch": 0, "batch": 20,
                  "state_path": f"tinker://{run_id}/weights/000020",
                  "sampler_path": f"tinker://{run_id}/sampler_weights/000020"}  # fmt: skip
        (folder / "checkpoints.jsonl").write_text(json.dumps(record) + "\n")


def measure(
    prepare: Callable[[], Any], work: Callable[[Any], object], repeat: int
) -> tuple[float, float]:
    """Median seconds and median peak MiB of `work(prepare())`; preparing is not measured."""
    times: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        subject = prepare()
        start = time.perf_counter()
        work(subject)
        times.append(time.perf_counter() - start)
        subject = prepare()
        tracemalloc.start()
        work(subject)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return statistics.median(times), statistics.median(peaks)


def read_all(tail: tuple[LineTail, MetricsLog]) -> None:
    """Read a file to its end, with no budget."""
    reader, sink = tail
    while not reader.read(sink).caught_up:
        pass


def main() -> int:
    """Generate, measure, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--folders", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=50, help="metrics rows per scanned folder")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="lazytinker-bench-") as tmp:
        root = Path(tmp) / "runs"
        make_folders(root, args.folders, args.steps)

        def fresh() -> LocalLogs:
            return LocalLogs([root], scan_interval=0, max_bytes_per_refresh=None)

        # One clock for the scan and its re-scan: on a busy machine the folders written
        # before can pass the 120 s "running" window between the two, and the re-scan would
        # then rightly announce them as turned idle.
        now = time.time()

        def scanned() -> LocalLogs:
            logs = fresh()
            logs.refresh(now)
            return logs

        def first_scan(logs: LocalLogs) -> None:
            change = logs.refresh()
            assert len(change.added) == args.folders, len(change.added)

        def rescan(logs: LocalLogs) -> None:
            assert logs.refresh(now, rescan=True).is_empty

        label = f"{args.folders:,} folders"
        rows.append((f"scan {label}: first", *measure(fresh, first_scan, args.repeat)))
        rows.append((f"scan {label}: re-scan", *measure(scanned, rescan, args.repeat)))

        big = Path(tmp) / "big" / "metrics.jsonl"
        big.parent.mkdir()
        rng = random.Random(11)
        with big.open("w") as out:
            for step in range(args.lines):
                out.write(json.dumps(metrics_row(step, args.lines, rng)) + "\n")
        size_mib = big.stat().st_size / 2**20

        def tail() -> tuple[LineTail, MetricsLog]:
            return LineTail(str(big)), MetricsLog()

        def tailed() -> tuple[LineTail, MetricsLog]:
            subject = tail()
            read_all(subject)
            with big.open("a") as out:
                out.write(json.dumps(metrics_row(args.lines, args.lines, rng)) + "\n")
            return subject

        label = f"{args.lines:,}-line metrics.jsonl ({size_mib:.0f} MiB)"
        rows.append((f"tail {label}: first read", *measure(tail, read_all, args.repeat)))
        rows.append((f"tail {label}: append", *measure(tailed, read_all, args.repeat)))

    width = max(len(name) for name, _, _ in rows)
    print(f"{'case':<{width}}  {'median':>10}  {'peak':>9}")
    for name, seconds, peak in rows:
        print(f"{name:<{width}}  {seconds * 1000:>7.1f} ms  {peak:>5.1f} MiB")
    print(f"(medians of {args.repeat}; peak = Python allocations during the step, tracemalloc)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
