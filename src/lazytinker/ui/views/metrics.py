"""The metrics view (`m`): the training runs on this box and a chart of their metrics over steps.

The top pane lists every cookbook log folder found (name, state, step, progress, ETA, cost, the
main metric's latest value). The chart below draws the chosen metrics of the highlighted run, or
of every run selected with `space` to compare them. It follows the runs as `metrics.jsonl`
grows: the store's `local` announcements name the folders that changed, and only a change to a
charted one draws the chart again. `c` chooses the metrics, `[`/`]` steps through them, `L`
puts the values on a log scale, `enter` opens the run in the browse view.

The chart module is imported when the view is first opened, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content

from lazytinker.local import LocalRun
from lazytinker.store import Change, Store
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import Column, VirtualTable
from lazytinker.ui.text import printable
from lazytinker.ui.training_detail import STATE_WORD, duration, number, short_name
from lazytinker.ui.training_sync import go_to_run
from lazytinker.ui.views.base import View

if TYPE_CHECKING:
    from lazytinker.ui.chart import MetricChart

MAX_LINES = 6
"""Lines on one chart: more can't be told apart."""


def local_run_columns() -> list[Column[LocalRun]]:
    """The log folders: name, state, step, progress, ETA, cost, main metric, run."""

    def main(run: LocalRun) -> str:
        if not run.main_metrics:
            return ""
        name = run.main_metrics[0]
        return f"{short_name(name)} {number(run.latest(name))}"

    return [
        Column("name", "Log folder", lambda r: r.name, min_width=16, priority=9, cut="middle"),
        Column(
            "state",
            "State",
            lambda r: STATE_WORD[r.status],
            width=9,
            priority=8,
            mark=lambda r: {"running": "active", "completed": "good"}.get(r.status.value, "dim"),
        ),
        Column(
            "step",
            "Step",
            lambda r: "" if r.step is None else str(r.step),
            width=7,
            align="right",
            searchable=False,
            sort=lambda r: r.step,
            priority=7,
        ),
        Column(
            "progress",
            "Done",
            lambda r: "" if r.progress is None else f"{r.progress:.0%}",
            width=5,
            align="right",
            searchable=False,
            sort=lambda r: r.progress,
            priority=6,
        ),
        Column(
            "eta",
            "ETA",
            lambda r: duration(r.eta_seconds) if r.eta_seconds is not None else "",
            width=6,
            align="right",
            searchable=False,
            sort=lambda r: r.eta_seconds,
            priority=3,
        ),
        Column(
            "cost",
            "Cost",
            lambda r: "" if r.cost_usd is None else f"${r.cost_usd:,.2f}",
            width=9,
            align="right",
            searchable=False,
            sort=lambda r: r.cost_usd,
            priority=4,
        ),
        Column("main", "Main metric", main, min_width=14, priority=5, searchable=False),
        Column("run", "Run", lambda r: r.run_id or "", min_width=14, priority=2, cut="middle"),
    ]


class LocalRunsPane(Pane):
    """The log folders on this box; `space` selects runs to compare on the chart."""

    HELP_ROWS = "On local runs"

    def __init__(self, store: Store) -> None:
        table: VirtualTable[LocalRun] = VirtualTable(
            local_run_columns(),
            key=lambda r: r.key,
            empty_text="No tinker-cookbook log folders found (see --logs).",
            id="local-runs",
        )
        # Running ones first, then by name: an order that holds still while runs write (a
        # cursor or a selection in progress must not be moved by a metrics line).
        table.default_sort = lambda r: (r.status.value != "running", r.name)
        table.activatable = True  # opens the run in the browse view
        super().__init__("Training logs", table, selectable=True, id="local-runs-pane")
        self.store = store
        self.on_selection: Any = None

    def action_select(self) -> None:
        """Select a run to compare (the chart then shows every selected run)."""
        super().action_select()
        if self.on_selection is not None:
            self.on_selection()


class MetricsView(Vertical, View):
    """The log folders above, the chart of the chosen metrics below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "choose_metrics", "Choose metrics", id="choose_metrics"),
        Binding("right_square_bracket", "step_metric(1)", "Next metric", id="next_metric"),
        Binding("left_square_bracket", "step_metric(-1)", "Previous metric", id="prev_metric"),
        Binding("L", "log_scale", "Log scale", id="log_scale"),
    ]

    DEFAULT_CSS = """
    MetricsView #local-runs-pane { height: 40%; min-height: 6; }
    MetricsView #metrics-chart-box { border: round $panel-lighten-2; height: 1fr; }
    """

    def __init__(self, store: Store) -> None:
        super().__init__(id="metrics")
        self.store = store
        self.runs = LocalRunsPane(store)
        self.runs.on_selection = self.redraw
        self.chosen: list[str] | None = None
        """The metrics chosen to chart (None: the main metrics of the first charted run)."""
        self.chart: MetricChart | None = None
        self._charted: set[str] = set()
        self.chart_box = Vertical(id="metrics-chart-box")

    def compose(self) -> ComposeResult:
        """The runs pane, then the chart (its module is imported now, on first opening)."""
        from lazytinker.ui.chart import MetricChart

        self.chart = MetricChart(id="metrics-chart")
        yield self.runs
        with self.chart_box:
            yield self.chart

    # --- the View interface ----------------------------------------------------------------

    def panes(self) -> list[Pane]:
        """The runs pane."""
        return [self.runs]

    def collections(self) -> set[str]:
        """The training logs."""
        return {"local"}

    def unavailable(self) -> str | None:
        """No log roots are followed (`[local] logs = []`)."""
        if not self.store.has_local_logs:
            return "No training logs are followed: start with --logs DIR."
        return None

    def opened(self) -> None:
        """Show what the store has read, read what changed since, draw the chart."""
        self.runs.table.set_items(self.store.local.runs.values())
        self.runs.update_title()
        self.redraw()
        self._read()

    @work(group="local-read", exclusive=True)
    async def _read(self) -> None:
        await self.store.load_local()

    def apply(self, change: Change) -> bool:
        """Folders added, grown or gone: their rows, and the chart if it shows one of them."""
        if change.collection != "local":
            return False
        if not self.is_attached:
            return True
        runs = self.store.local.runs
        table = self.runs.table
        keys = change.added + change.updated
        if keys:
            table.upsert_many(runs[k] for k in keys if k in runs)
        if change.removed:
            table.remove_many(change.removed)
        self.runs.update_title()
        if self._charted & {*keys, *change.removed}:
            self.redraw()
        return True

    # --- the chart -------------------------------------------------------------------------

    def charted_runs(self) -> list[LocalRun]:
        """The selected runs, else the highlighted one."""
        table = self.runs.table
        selected = [r for r in table.selected_items() if isinstance(r, LocalRun)]
        if selected:
            return selected[:MAX_LINES]
        key = table.cursor_key
        run = table.get(key) if key is not None else None
        return [run] if run is not None else []

    def metrics_of(self, runs: list[LocalRun]) -> list[str]:
        """Every metric the runs logged, in the order first seen."""
        names: dict[str, None] = {}
        for run in runs:
            names.update(dict.fromkeys(run.metrics))
        return list(names)

    def charted_metrics(self, runs: list[LocalRun]) -> list[str]:
        """The chosen metrics the runs have, else the first run's main metrics."""
        logged = set(self.metrics_of(runs))
        chosen = [m for m in self.chosen or () if m in logged]
        if chosen:
            return chosen
        return list(runs[0].main_metrics) if runs else []

    def redraw(self) -> None:
        """Draw the chart of the charted runs and metrics again."""
        chart = self.chart
        if chart is None:
            return
        from lazytinker.ui.chart import ChartLine

        runs = self.charted_runs()
        metrics = self.charted_metrics(runs)
        lines: list[ChartLine] = []
        for run in runs:
            for name in metrics:
                curve = run.metrics.get(name)
                if curve is None or len(lines) >= MAX_LINES:
                    continue
                label = _label(run, name, len(runs), len(metrics))
                lines.append(ChartLine(label, curve.points, curve.latest))
        self._charted = {run.key for run in runs}
        empty = "No metrics logged yet." if runs else "Highlight a run to chart its metrics."
        chart.set_lines(lines, empty_text=empty)
        what = ", ".join(short_name(m) for m in metrics) or "metrics"
        scope = runs[0].name if len(runs) == 1 else f"{len(runs)} runs"
        log = " · log scale" if chart.log_y else ""
        # A log folder's name is the user's disk, but not always the user's writing.
        self.chart_box.border_title = Content(printable(f"{what} over steps · {scope}{log}"))

    @on(VirtualTable.Highlighted)
    def _cursor_moved(self, event: VirtualTable.Highlighted) -> None:
        if event.table is self.runs.table and not self.runs.table.selected:
            self.redraw()

    @on(VirtualTable.Activated)
    def _open_run(self, event: VirtualTable.Activated) -> None:
        """`enter`: the run in the browse view, its checkpoints open."""
        event.stop()
        run = self.runs.table.get(event.key)
        screen: Any = self.screen
        if run is None or run.run_id is None:
            self.notify("This log folder names no run yet.", timeout=3, markup=False)
            return
        go_to_run(screen, run.run_id)

    # --- keys ------------------------------------------------------------------------------

    def _choose(self, metrics: list[str] | None) -> None:
        self.chosen = metrics or None
        detail = getattr(self.screen, "detail", None)
        if detail is not None:
            detail.metrics = self.chosen
            detail.redraw()
        self.redraw()

    def action_step_metric(self, step: int) -> None:
        """`]`/`[`: chart the next (or previous) metric alone."""
        runs = self.charted_runs()
        names = self.metrics_of(runs)
        if not names:
            return
        current = self.charted_metrics(runs)
        at = names.index(current[0]) if current and current[0] in names else -step
        self._choose([names[(at + step) % len(names)]])

    def action_log_scale(self) -> None:
        """`L`: values on a logarithmic scale, or back."""
        if self.chart is not None:
            self.chart.toggle_log()
            self.redraw()

    @work(group="metric-pick")
    async def action_choose_metrics(self) -> None:
        """`c`: tick the metrics to chart."""
        from lazytinker.ui.modals.metric_pick import MetricPickModal

        runs = self.charted_runs()
        names = self.metrics_of(runs)
        if not names:
            self.notify("No metrics logged yet.", timeout=3, markup=False)
            return
        picked = await self.app.push_screen_wait(MetricPickModal(names, self.charted_metrics(runs)))
        if picked is not None:
            self._choose(picked)


def _label(run: LocalRun, metric: str, runs: int, metrics: int) -> str:
    """A line's legend: the metric for one run, the run for one metric, else both."""
    if runs == 1:
        return short_name(metric)
    if metrics == 1:
        return run.name
    return f"{run.name} · {short_name(metric)}"
