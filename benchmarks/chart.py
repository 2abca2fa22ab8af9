"""Which chart for the metrics view: our braille chart (`lazytinker.ui.chart`) or textual-plotext.

For each, in fresh processes (medians of --repeat): the import cost on top of Textual (time
and peak memory), the time to draw 4 lines of 256 points at 120x30, and the bytes a full
repaint of that chart writes to a truecolor terminal (what crosses an SSH link).

    .venv/bin/python benchmarks/chart.py [--repeat 7] [--plotext-python PATH]

textual-plotext is not a dependency: give a Python that has it (`--plotext-python`, e.g. a
scratch venv with `pip install textual-plotext==1.0.1 textual==8.2.8`); the same run then
prints both sides, measured on the same machine in the same minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OURS = r"""
import io, json, math, resource, time
import textual.app, textual.widget, rich.console, rich.text
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
from lazytinker.ui.chart import Series, draw
t1 = time.perf_counter()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
lines = [Series([(s, (k + 1) / (1 + s / 40) + 0.05 * math.sin(s * (k + 1))) for s in range(256)])
         for k in range(4)]
colors = ["#ffa62b", "#4ebf71", "#ffc473", "#ba3c5b"]
t2 = time.perf_counter()
rows = draw(lines, 120, 30)
text = rich.text.Text()
for row in rows:
    for chunk, style in row:
        color = colors[int(style[7:]) % 4] if style.startswith("series-") else "#7f7f7f"
        text.append(chunk, style=color if style else "")
    text.append("\n")
t3 = time.perf_counter()
out = io.StringIO()
rich.console.Console(file=out, force_terminal=True, color_system="truecolor", width=120).print(
    text, end="")
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "import_kib": after - before,
                  "draw_ms": (t3 - t2) * 1e3, "bytes": len(out.getvalue().encode())}))
"""

PLOTEXT = r"""
import json, math, resource, time
import textual.app, textual.widget, rich.console, rich.text
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
import textual_plotext
t1 = time.perf_counter()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import plotext as plt
t2 = time.perf_counter()
plt.clf()
plt.plotsize(120, 30)
plt.theme("dark")
for k in range(4):
    xs = list(range(256))
    plt.plot(xs, [(k + 1) / (1 + s / 40) + 0.05 * math.sin(s * (k + 1)) for s in xs],
             marker="braille")
built = plt.build()
text = rich.text.Text.from_ansi(built)  # what textual-plotext does on every render
t3 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "import_kib": after - before,
                  "draw_ms": (t3 - t2) * 1e3, "bytes": len(built.encode())}))
"""


def _run(python: str, code: str, repeat: int) -> dict[str, float] | None:
    results = []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for _ in range(repeat):
        done = subprocess.run(
            [python, "-c", code], capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            print(f"  ({python}: {done.stderr.strip().splitlines()[-1]})", file=sys.stderr)
            return None
        results.append(json.loads(done.stdout))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def main() -> None:
    """Measure both sides and print them side by side."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--plotext-python", default=sys.executable)
    args = parser.parse_args()
    ours = _run(sys.executable, OURS, args.repeat)
    other = _run(args.plotext_python, PLOTEXT, args.repeat)
    print(f"4 lines x 256 points at 120x30, medians of {args.repeat} fresh processes")
    print(f"{'':28}{'braille (ours)':>16}{'textual-plotext':>18}")
    rows = [
        ("import on top of Textual", "import_ms", "{:.1f} ms"),
        ("  peak memory added", "import_kib", "{:.0f} KiB"),
        ("draw (to styled text)", "draw_ms", "{:.1f} ms"),
        ("bytes of a full repaint", "bytes", "{:,.0f}"),
    ]
    for label, key, form in rows:
        mine = form.format(ours[key]) if ours else "-"
        theirs = form.format(other[key]) if other else "not installed"
        print(f"{label:28}{mine:>16}{theirs:>18}")


if __name__ == "__main__":
    main()
