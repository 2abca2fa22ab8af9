"""The browse view (`1`): sessions → training runs → checkpoints, side by side.

`enter` on a session scopes the runs pane to its runs; `enter` on a run fills the checkpoints
pane; `esc` goes back a level. The screen routes those keys here (`open_session`, `open_run`,
`back_from`) and moves the focus to the pane they return. `a` switches the runs listing between
owned and accessible runs.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal

from lazytinker.api.models import AccessScope
from lazytinker.store import Capability, Change, Keyed, Store, checkpoints_collection
from lazytinker.ui import format as fmt
from lazytinker.ui.pane import Pane
from lazytinker.ui.text import printable
from lazytinker.ui.training_sync import LocalSync
from lazytinker.ui.views.base import View, show_error
from lazytinker.ui.views.browse_panes import RunCheckpointsPane, RunsPane, SessionsPane


class BrowseView(Horizontal, View):
    """The three browse panes and where the user has drilled to (a session, a run)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "toggle_scope", "Owned/accessible", show=False, id="toggle_scope"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(id="browse")
        self.store = store
        self.sessions = SessionsPane(store)
        self.runs = RunsPane(store)
        self.checkpoints = RunCheckpointsPane(store)
        self.current_session: str | None = None
        self.current_run: str | None = None
        self.local_sync = LocalSync(self)

    def compose(self) -> ComposeResult:
        """Sessions (where the service has them), runs, checkpoints."""
        if self.store.supports(Capability.SESSIONS):
            yield self.sessions
        yield self.runs
        yield self.checkpoints

    # --- the View interface ----------------------------------------------------------------

    def panes(self) -> list[Pane]:
        """Sessions (if offered), runs, checkpoints."""
        shown: list[Pane] = [self.runs, self.checkpoints]
        if self.store.supports(Capability.SESSIONS):
            shown.insert(0, self.sessions)
        return shown

    def entry(self) -> Pane:
        """The runs pane."""
        return self.runs

    def collections(self) -> set[str]:
        """Runs, sessions, and the checkpoints of the open run."""
        names = {"runs"}
        if self.store.supports(Capability.SESSIONS):
            names.add("sessions")
        if self.current_run is not None:
            names.add(checkpoints_collection(self.current_run))
        if self.store.has_local_logs:
            names.add("local")
        return names

    def show_errors(self) -> None:
        """Each pane's error."""
        for name, (pane, _keyed) in self._sources().items():
            show_error(pane, self.store, name)

    def _sources(self) -> dict[str, tuple[Pane, Keyed[Any]]]:
        store = self.store
        found: dict[str, tuple[Pane, Keyed[Any]]] = {
            "sessions": (self.sessions, store.sessions),
            "runs": (self.runs, store.runs),
        }
        if self.current_run is not None:
            found[checkpoints_collection(self.current_run)] = (
                self.checkpoints,
                store.run_checkpoints(self.current_run),
            )
        return found

    def apply(self, change: Change) -> bool:
        """Sessions, runs and the open run's checkpoints, row by row; runs' new counts; what the
        training logs on this box say of them (other views see that change too)."""
        if change.collection == "local":
            self.local_sync.apply(change)
            return False
        if change.collection == "run_totals":
            self.runs.totals_changed(change.updated)
            return False
        if change.collection == "storage":  # the storage rate may be known now: $/mo cells
            self.runs.table.invalidate()
            return False
        source = self._sources().get(change.collection)
        if source is None:
            return False
        pane, keyed = source
        if change.added or change.updated:
            keys = change.added + change.updated
            pane.table.upsert_many(keyed.items[k] for k in keys if k in keyed.items)
        if change.removed:
            pane.table.remove_many(change.removed)
        show_error(pane, self.store, change.collection)
        pane.update_title()
        if pane is self.checkpoints:
            self.checkpoints.sync(added=bool(change.added))
        if change.collection == "sessions":
            self.local_sync.sessions_changed(change)
        if pane is self.runs:
            self.runs.count_on_screen()
        if change.collection == "sessions" and self.current_session is not None:
            self._scope_runs(self.current_session)
        return True

    async def load(self) -> None:
        """Load runs and sessions (start-up), saying so in the panes' titles meanwhile."""
        panes = (self.runs, self.sessions)
        for pane in panes:
            pane.fetching = True
            pane.update_title()
        await asyncio.gather(self.store.load_runs(), self.store.load_sessions())
        for pane in panes:
            pane.fetching = False
            pane.update_title()
        # The training logs on this box after the runs: their names and curves join them.
        self.run_worker(self.store.load_local(), group="local", exclusive=True)
        # The server's storage rate, for the $/month figures (quietly: it needs an admin role).
        self.run_worker(self.store.learn_rate(), group="rate")

    # --- drilling in and out ---------------------------------------------------------------

    def _scope_runs(self, session_id: str) -> None:
        run_ids = self.store.runs_of_session(session_id)
        self.runs.table.set_predicate(lambda r: r.training_run_id in run_ids)

    def open_session(self, session_id: str) -> Pane:
        """Drill into a session: the runs pane shows its runs (and is returned, to focus)."""
        self.current_session = session_id
        self._scope_runs(session_id)
        info = self.store.sessions.get(session_id)
        label = info.display_name if info and info.display_name else fmt.short_id(session_id, 16)
        self.runs.scope = f"session {printable(label)}"
        self.runs.update_title()
        if info is None or info.training_run_ids is None:
            self.run_worker(self.store.load_session(session_id), group="session")
        return self.runs

    def open_run(self, run_id: str) -> Pane:
        """Drill into a run: the checkpoints pane shows its checkpoints (and is returned)."""
        self.current_run = run_id
        pane = self.checkpoints
        keyed = self.store.run_checkpoints(run_id)
        pane.table.selected.clear()
        pane.before_run(run_id)
        pane.table.set_items(keyed.items.values())
        pane.table.empty.text = "This run has saved no checkpoints yet."
        pane.sync()
        pane.scope = fmt.short_id(printable(run_id), 28)
        pane.fetching = not keyed.loaded
        show_error(pane, self.store, keyed.name)
        pane.update_title()
        self._load_run(run_id)
        return pane

    def show_checkpoint(self, run_id: str, path: str) -> Pane:
        """Open the run `run_id`, the cursor on the checkpoint `path` once its row is there
        (and return the checkpoints pane)."""
        if self.runs.table.get(run_id) is not None:
            self.runs.table.move_to_key(run_id)
        pane = self.open_run(run_id)
        self.call_after_refresh(self._place_checkpoint_cursor, path)
        return pane

    def _place_checkpoint_cursor(self, path: str) -> None:
        table = self.checkpoints.table
        if not table.move_to_key(path):
            self.set_timer(0.2, lambda: table.move_to_key(path))

    @work(group="checkpoints", exclusive=True)
    async def _load_run(self, run_id: str) -> None:
        await self.store.load_checkpoints(run_id)
        self.checkpoints.fetching = False
        self.checkpoints.update_title()

    def back_from(self, pane: Pane | None) -> Pane | None:
        """`esc` on `pane`: the pane a level up (checkpoints → runs → sessions), leaving a
        session's runs for all runs; None at the top."""
        has_sessions = self.store.supports(Capability.SESSIONS)
        if pane is self.checkpoints:
            return self.runs
        if pane is self.runs and self.current_session is not None:
            session = self.current_session
            self.current_session = None
            self.runs.table.set_predicate(None)
            self.runs.scope = ""
            self.runs.update_title()
            self.sessions.table.move_to_key(session)
            return self.sessions
        if pane is self.runs and has_sessions:
            return self.sessions
        return None

    # --- owned or accessible runs ----------------------------------------------------------

    def action_toggle_scope(self) -> None:
        """`a`: owned runs or every run the key can access."""
        scope: AccessScope = "accessible" if self.store.run_scope == "owned" else "owned"
        self.runs.title = "Training runs" if scope == "owned" else "Accessible runs"
        self._reload_scope(scope)

    @work(group="scope", exclusive=True)
    async def _reload_scope(self, scope: AccessScope) -> None:
        self.runs.table.set_items([])
        await self.store.load_runs(scope)
        self.runs.update_title()
