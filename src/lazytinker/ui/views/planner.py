"""The retention planner (`C`): keep by rules, preview what goes per run and in total, then
apply the plan as a delete or as an expiry, with progress and every failure listed.

It opens on the highlighted run, the selected runs, or every run (`e` switches to every run),
reads their checkpoints afresh, and previews the plan at once: a line per run (kept, going,
freed, saved per month), the checkpoints of the highlighted run with what becomes of each, and
the total. Nothing happens before `a` and a confirmation. `w` saves the rules in the config's
`[cleanup]` table, so the next clean-up starts from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from lazytinker import human
from lazytinker.api.models import Checkpoint
from lazytinker.store import Capability, Change, Store
from lazytinker.store.planner import Plan, PlanChoice, RunPlan, make_plan
from lazytinker.store.ttl import describe_ttl, parse_ttl
from lazytinker.ui import format as fmt
from lazytinker.ui.actions.refs import actionable, run_id_or_none
from lazytinker.ui.cost import per_month, rate_source, size_and_cost, usd
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.keys import key_for
from lazytinker.ui.modals import ConfirmModal
from lazytinker.ui.planner_form import RulesForm
from lazytinker.ui.table import Column, VirtualTable
from lazytinker.ui.text import printable

SHOWN_FAILURES = 5
RUN_ROWS = 4
"""Run lines shown before the runs table scrolls (the checkpoints below get the rest)."""


@dataclass(frozen=True)
class PlannerScope:
    """What a clean-up looks at: some runs, or every run (`run_ids` None)."""

    label: str
    run_ids: tuple[str, ...] | None


def planner_scope(pane: Any, browse: Any) -> PlannerScope:
    """What `C` plans over: the runs pane's selected runs, else its highlighted run; the open
    run from its checkpoints; every run from anywhere else."""
    from lazytinker.ui.views.browse_panes import RunCheckpointsPane, RunsPane

    if isinstance(pane, RunsPane):
        targets = pane.run_targets()
        if len(targets) == 1:
            return PlannerScope(f"run {fmt.short_id(targets[0], 28)}", tuple(targets))
        if targets:
            return PlannerScope(f"{len(targets)} selected runs", tuple(targets))
    if isinstance(pane, RunCheckpointsPane) and browse.current_run is not None:
        run_id = browse.current_run
        return PlannerScope(f"run {fmt.short_id(run_id, 28)}", (run_id,))
    return PlannerScope("every run", None)


@dataclass(frozen=True)
class PlanRow:
    """One checkpoint of the highlighted run, and what the plan does with it."""

    checkpoint: Checkpoint
    verdict: str


def run_columns(store: Store) -> list[Column[RunPlan]]:
    """Per run: id, kept, going, freed, saved per month."""

    def saved(run: RunPlan) -> str:
        amount = store.money.monthly(run.go_bytes)
        return "-" if amount is None else usd(amount)

    return [
        Column("run", "Run", lambda r: r.run_id, min_width=14, priority=9, cut="middle"),
        Column("keep", "Keep", lambda r: str(len(r.keep)), width=5, align="right",
               sort=lambda r: len(r.keep), searchable=False),
        Column("go", "Go", lambda r: str(len(r.go)), width=5, align="right",
               sort=lambda r: len(r.go), searchable=False),
        Column("frees", "Frees", lambda r: fmt.size(r.go_bytes), width=9, align="right",
               sort=lambda r: r.go_bytes, searchable=False, priority=7),
        Column("saves", "Saves/mo", saved, width=9, align="right",
               sort=lambda r: r.go_bytes, searchable=False, priority=6),
    ]  # fmt: skip


def checkpoint_columns(store: Store) -> list[Column[PlanRow]]:
    """Per checkpoint of the highlighted run: what becomes of it, id, type, size, created."""
    return [
        Column("plan", "Plan", lambda r: r.verdict, width=20, priority=9,
               mark=lambda r: "danger" if r.verdict == "go" else "good"),
        Column("id", "Checkpoint", lambda r: r.checkpoint.checkpoint_id, min_width=12,
               priority=8, cut="middle"),
        Column("type", "Type", lambda r: r.checkpoint.checkpoint_type, width=8, priority=4),
        Column("size", "Size", lambda r: fmt.size(r.checkpoint.size_bytes), width=8,
               align="right", searchable=False, priority=6),
        Column("created", "Created", lambda r: fmt.ago(r.checkpoint.time, store.moment),
               width=8, align="right", searchable=False, priority=3),
    ]  # fmt: skip


class PlannerScreen(Screen[None]):
    """Rules, the preview per run and per checkpoint, the total; `a` applies after a yes."""

    DEFAULT_CSS: ClassVar[str] = """
    PlannerScreen #planner-title { text-style: bold; padding: 0 1; height: 1; }
    PlannerScreen #plan-runs { height: 3; }
    PlannerScreen #plan-checkpoints { height: 1fr; }
    PlannerScreen #plan-total { padding: 0 1; height: 1; text-style: bold; }
    PlannerScreen #plan-outcome { padding: 0 1; height: auto; max-height: 4; color: $text-muted; }
    PlannerScreen #plan-outcome.-failed { color: $text-error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "apply", "Apply", id="planner_apply"),
        Binding("w", "save_rules", "Save rules", id="planner_save"),
        Binding("e", "every_run", "Every run", id="planner_every"),
        Binding("X", "cancel", "Cancel", show=False, id="planner_cancel"),
        Binding("escape", "close", "Close", id="planner_close"),
    ]

    def __init__(
        self,
        store: Store,
        scope: PlannerScope,
        choice: PlanChoice,
        save: Callable[[PlanChoice], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.scope = scope
        self.choice: PlanChoice | None = choice
        self.save = save
        self.plan: Plan | None = None
        self.checkpoints: dict[str, list[Checkpoint]] = {}
        self.busy = False
        self.runs = VirtualTable(
            run_columns(store), key=lambda r: r.run_id, empty_text="Reading…", id="plan-runs"
        )
        self.rows: VirtualTable[PlanRow] = VirtualTable(
            checkpoint_columns(store),
            key=lambda r: r.checkpoint.path,
            empty_text="No checkpoints.",
            id="plan-checkpoints",
        )
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        """Title, rules, runs, checkpoints, total, outcome, keys."""
        yield Static("", id="planner-title", markup=False)
        yield RulesForm(self.choice or PlanChoice(), id="rules")
        yield self.runs
        yield self.rows
        yield Static("", id="plan-total", markup=False)
        yield Static("", id="plan-outcome", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        """Read the scope's checkpoints, then preview."""
        self._unsubscribe = self.store.subscribe(self._on_store_change)
        self._title()
        self.runs.focus()
        self._read()

    def on_unmount(self) -> None:
        """Stop listening to the store."""
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _title(self, extra: str = "") -> None:
        every = "" if self.scope.run_ids is None else " (e: every run)"
        text = f"Clean-up plan · {self.scope.label}{every}{extra}"
        self.query_one("#planner-title", Static).update(Content(printable(text)))

    # --- reading and planning --------------------------------------------------------------

    @work(group="planner-read", exclusive=True)
    async def _read(self) -> None:
        self._title(" · reading…")
        store = self.store
        if self.scope.run_ids is None and store.supports(Capability.USER_CHECKPOINTS):
            await store.load_user_checkpoints()
        elif self.scope.run_ids is None:
            await store.read_runs(list(store.runs.items))
        else:
            await store.read_runs(self.scope.run_ids)
        self._title()
        self.replan()

    def _scope_checkpoints(self) -> dict[str, list[Checkpoint]]:
        """The scope's checkpoints as the store holds them now (after a read or an apply)."""
        store = self.store
        if self.scope.run_ids is not None:
            return {r: list(store.run_checkpoints(r)) for r in self.scope.run_ids}
        if store.supports(Capability.USER_CHECKPOINTS):
            grouped: dict[str, list[Checkpoint]] = {}
            for checkpoint in store.user_checkpoints:
                run_id = run_id_or_none(checkpoint.path)
                if run_id is not None:  # a path of the server's own shape: nothing to plan
                    grouped.setdefault(run_id, []).append(checkpoint)
            return grouped
        return {r: list(store.run_checkpoints(r)) for r in store.runs.items}

    def replan(self) -> None:
        """Make the plan again from the rules and the checkpoints, and show it."""
        if self.choice is None:
            return
        self.plan = plan = make_plan(self._scope_checkpoints(), self.choice.rules)
        self.runs.styles.height = min(max(1, len(plan.runs)), RUN_ROWS) + 1
        self.runs.set_items(plan.runs)
        self._show_run(self.runs.cursor_key)
        go = plan.go
        size = size_and_cost(self.store, plan.go_bytes).replace("/mo", "/mo saved")
        total = (
            f"Total: {len(go)} go, {plan.keep_count} kept,"
            f" over {human.count(len(plan.runs), 'run')} · "
            f"frees {size}"
        )
        self.query_one("#plan-total", Static).update(Content(total))
        if not self.busy and not self.query_one("#plan-outcome", Static).has_class("-kept"):
            self._say(f"Rates: {rate_source(self.store)}.  a applies, after a confirmation.")

    def _show_run(self, run_id: str | None) -> None:
        plan = self.plan
        found = next((r for r in plan.runs if r.run_id == run_id), None) if plan else None
        if found is None:
            self.rows.set_items([])
            return
        rows = [PlanRow(c, f"keep · {found.why[c.path]}") for c in found.keep]
        rows += [PlanRow(c, "go") for c in found.go]
        rows.sort(key=lambda r: r.checkpoint.time, reverse=True)
        self.rows.set_items(rows)

    @on(VirtualTable.Highlighted, "#plan-runs")
    def _run_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_run(event.key)

    @on(RulesForm.Changed)
    def _rules_changed(self, event: RulesForm.Changed) -> None:
        self.choice = event.choice
        if event.choice is None:
            self._say(event.problem, failed=True)
            return
        self._title()
        self.replan()

    # --- applying --------------------------------------------------------------------------

    def _say(self, text: str, *, failed: bool = False) -> None:
        outcome = self.query_one("#plan-outcome", Static)
        outcome.update(Content(printable(text)))
        outcome.set_class(failed, "-failed")

    def _on_store_change(self, change: Change) -> None:
        operation = self.store.operation
        if change.collection == "operation" and self.busy and operation is not None:
            text = f"{operation.label}: {operation.done}/{operation.total}"
            if operation.failures:
                text += f", {len(operation.failures)} failed"
            if operation.cancelling:
                text += " · cancelling"
            elif not operation.finished:
                text += f" · {key_for(self, 'planner_cancel', 'X')} cancels"
            self._say(text)

    @work(group="planner-apply", exclusive=True)
    async def action_apply(self) -> None:
        """`a`: confirm, then delete (or set to expire) every checkpoint that goes."""
        plan, choice = self.plan, self.choice
        if self.busy or plan is None or choice is None:
            return
        go = plan.go
        if not go:
            self.notify("Nothing goes under these rules.", markup=False)
            return
        if self.store.read_only:
            self.notify("Read-only mode: cannot clean up.", severity="warning", markup=False)
            return
        runs = sum(1 for r in plan.runs if r.go)
        saved = per_month(self.store, plan.go_bytes)
        freed = fmt.size(plan.go_bytes) + (f", {saved} saved" if saved else "")
        if choice.expire:
            seconds = parse_ttl(choice.expire_in)
            title = (
                f"Set {human.count(len(go), 'checkpoint')} of {human.count(runs, 'run')} to expire"
                f" in {describe_ttl(seconds)}?"
            )
            body = f"Keeping {choice.rules.describe()}. When they expire: {freed}."
            confirm = ConfirmModal(title, body, confirm_label=f"Expire {len(go)}")
        else:
            title = (
                f"Delete {human.count(len(go), 'checkpoint')} of {human.count(runs, 'run')}?"
                " This is permanent."
            )
            body = f"Keeping {choice.rules.describe()} ({plan.keep_count}). Frees {freed}."
            confirm = ConfirmModal(title, body, confirm_label=f"Delete {len(go)}", danger=True)
        if not await self.app.push_screen_wait(confirm):
            return
        self.busy = True
        refs = actionable(go, lambda text: self.notify(text, severity="warning", markup=False))
        label = f"Cleaning up {len(go)} checkpoints"
        try:
            if choice.expire:
                results = await self.store.set_ttl(refs, parse_ttl(choice.expire_in), label=label)
            else:
                results = await self.store.delete(refs, label=label)
        finally:
            self.busy = False
        self.replan()
        self._report(results)

    def _report(self, results: Sequence[Any]) -> None:
        """The outcome: done, failures listed (a few, and how many more), what was cancelled."""
        failed = [r for r in results if r.attempted and not r.ok]
        skipped = sum(not r.attempted for r in results)
        done = len(results) - len(failed) - skipped
        text = f"Done: {done} of {len(results)}."
        if skipped:
            text += f" Cancelled: {skipped} not attempted, left as they were."
        if failed:
            text += f" {len(failed)} failed:\n" + "\n".join(
                r.message for r in failed[:SHOWN_FAILURES]
            )
            if len(failed) > SHOWN_FAILURES:
                text += f"\n… and {len(failed) - SHOWN_FAILURES} more"
        self._say(text, failed=bool(failed))
        # The outcome stays until the next apply (a change of rules must not wipe it).
        self.query_one("#plan-outcome", Static).add_class("-kept")

    def action_cancel(self) -> None:
        """`X`: cancel the clean-up in progress (what is done stays done)."""
        self.store.cancel_operation()

    def action_save_rules(self) -> None:
        """`w`: remember these rules in the config (`[cleanup]`)."""
        if self.choice is None:
            self.notify("Fix the rules first.", severity="warning", markup=False)
            return
        if self.save is None:
            self.notify("There is no config file to save to.", severity="warning", markup=False)
            return
        try:
            self.save(self.choice)
        except Exception as error:  # a config that cannot be written: say why, keep going
            self.notify(f"Could not save the rules: {error}", severity="error", markup=False)
            return
        setattr(self.app, "plan_choice", self.choice)  # noqa: B010
        self.notify("Rules saved in the config ([cleanup]).", markup=False)

    def action_every_run(self) -> None:
        """`e`: plan over every run."""
        if self.scope.run_ids is None or self.busy:
            return
        self.scope = PlannerScope("every run", None)
        self._read()

    def action_close(self) -> None:
        """`esc`: leave a field, else close the planner (a clean-up in progress goes on)."""
        if self.focused is not None and self.focused not in (self.runs, self.rows):
            self.runs.focus()
            return
        if self.choice is not None:  # the next `C` of this session starts from these rules
            setattr(self.app, "plan_choice", self.choice)  # noqa: B010
        self.app.pop_screen()
