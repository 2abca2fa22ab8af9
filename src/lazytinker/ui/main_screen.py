"""The main screen: header, browse panes (sessions → runs → checkpoints), views, detail, status.

Stable widget ids, for Pilot tests (ours and the actions helper's) and the command palette:
tables `#sessions`, `#runs`, `#checkpoints`, `#all-checkpoints`, `#samplers`, `#models`,
`#storage`, `#billing` (each inside a pane `#<id>-pane`); `#detail`, `#header`, `#status`,
`#problem` (start-up problems), `#views` (a ContentSwitcher of `browse` and the view panes; a
view's pane is mounted the first time the view is opened).
Store changes arrive through `Store.subscribe` and are applied row by row (`upsert_many`,
`remove_many`): a refresh that changes nothing repaints nothing.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static

from lazytinker.api.models import AccessScope, Checkpoint, TrainingRun
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import (
    Capability,
    Change,
    Connection,
    Keyed,
    ReadOnlyError,
    SessionInfo,
    Store,
    checkpoints_collection,
)
from lazytinker.ui import columns as cols
from lazytinker.ui import format as fmt
from lazytinker.ui.detail import DetailPanel
from lazytinker.ui.downloads_view import DownloadsScreen, export_trace, save_checkpoints
from lazytinker.ui.header import HeaderLine, StatusLine
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.modals import (
    ConfirmModal,
    DeleteItem,
    DeleteModal,
    GotoModal,
    TtlChoice,
    TtlModal,
)
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.text import printable

NARROW = 110
AGE_TICK = 60.0
VIEWS = ("browse", "all-checkpoints", "samplers", "models", "storage", "billing")
VIEW_COLLECTION = {
    "all-checkpoints": "user_checkpoints",
    "samplers": "samplers",
    "models": "models",
    "storage": "storage",
    "billing": "billing",
}


def _checkpoint_size(item: Any) -> int:
    return (item.size_bytes or 0) if isinstance(item, Checkpoint) else 0


def _billing_rows(store: Store) -> list[cols.BillingRow]:
    """Billing events summed by day, kind, model and session."""
    if store.billing is None:
        return []
    sums: dict[tuple[str, str, str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for event in store.billing.data:
        info = event.event_info
        kind = info.type
        if kind == "storage":
            amount, unit = float(getattr(info, "gigabyte_hours", 0.0)), "GBh"
        elif kind == "checkpoint":
            amount, unit = float(getattr(info, "count", 0)), "count"
        else:
            amount, unit = float(getattr(info, "token_count", 0)), "tokens"
        key = (
            event.bucket_start.strftime("%Y-%m-%d"),
            kind,
            event.base_model or "-",
            event.session_id or "-",
            unit,
        )
        sums[key][0] += amount
        sums[key][1] += event.estimated_cost_usd or 0.0
    return [
        cols.BillingRow("|".join(k), k[0], k[2], k[3], k[1], v[0], k[4], v[1])
        for k, v in sorted(sums.items())
    ]


class MainScreen(Screen[None]):
    """Everything the user browses; the store is its only source of data."""

    # Focused as the screen mounts, so the first frame is painted with it (a focus change
    # after the first frame restyles the panes and repaints the whole screen).
    AUTO_FOCUS = "#runs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back"),
        Binding("h,left", "focus_pane(-1)", "Pane left", show=False, id="pane_left"),
        Binding("l,right", "focus_pane(1)", "Pane right", show=False, id="pane_right"),
        Binding("p", "publish", "Publish", id="publish"),
        Binding("d", "delete", "Delete", id="delete"),
        Binding("t", "ttl", "TTL", id="ttl"),
        Binding("s", "save", "Save", id="save"),
        Binding("y", "copy_path", "Copy path", id="copy_path"),
        Binding("D", "downloads", "Downloads", show=False, id="downloads"),
        Binding("e", "export_trace", "Export trace", show=False, id="export_trace"),
        Binding("colon", "goto", "Go to", show=False, id="goto"),
        Binding("S", "sort_checkpoints('size')", "Biggest", id="sort_size"),
        Binding("A", "sort_checkpoints('created')", "Oldest", id="sort_age"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("w", "toggle_watch", "Watch", id="toggle_watch"),
        Binding("a", "toggle_scope", "Owned/accessible", show=False, id="toggle_scope"),
        Binding("1", "view('browse')", "Browse", show=False, id="view_browse"),
        Binding("2", "view('all-checkpoints')", "All checkpoints", show=False, id="view_all"),
        Binding("3", "view('samplers')", "Samplers", show=False, id="view_samplers"),
        Binding("4", "view('models')", "Models", show=False, id="view_models"),
        Binding("5", "view('storage')", "Storage", show=False, id="view_storage"),
        Binding("6", "view('billing')", "Billing", show=False, id="view_billing"),
    ]

    def __init__(self, store: Store, *, watch: bool = True) -> None:
        super().__init__()
        self.store = store
        self.auto_watch = watch
        self.view = "browse"
        self.current_session: str | None = None
        self.current_run: str | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._weights_timer: Timer | None = None
        self._current_pane: Pane | None = None
        self._size_cache: dict[int, tuple[tuple[Any, ...], int]] = {}
        self._size_timer: Timer | None = None
        fresh = self._row_mark

        def table(columns: list[Any], key: Callable[[Any], str], tid: str, empty: str) -> Any:
            return VirtualTable(columns, key=key, row_mark=fresh, empty_text=empty, id=tid)

        self.sessions = table(
            cols.session_columns(store),
            lambda s: s.session_id,
            "sessions",
            "No sessions yet.",
        )
        self.runs = table(
            cols.run_columns(store),
            lambda r: r.training_run_id,
            "runs",
            "No training runs yet: runs you start with the Tinker SDK appear here.",
        )
        self.checkpoints = table(
            cols.checkpoint_columns(store),
            lambda c: c.path,
            "checkpoints",
            "Press enter on a run to see its checkpoints.",
        )
        self.all_checkpoints = table(
            cols.checkpoint_columns(store, with_run=True),
            lambda c: c.path,
            "all-checkpoints",
            "No checkpoints in this account.",
        )
        # Newest first even for rows the watch finds later (they would otherwise go last).
        self.all_checkpoints.default_sort = lambda c: -c.time.timestamp()
        self.samplers = table(
            cols.sampler_columns(store), lambda s: s.sampler_id, "samplers", "No samplers."
        )
        self.models = table(
            cols.model_columns(store), lambda m: m.model_name or "?", "models", "No models."
        )
        self.storage = table(
            cols.storage_columns(store),
            lambda i: f"{i.project_id}|{i.org_user_urn}|{i.user_email}",
            "storage",
            "No storage used.",
        )
        self.billing = table(cols.billing_columns(store), lambda r: r.key, "billing", "No usage.")
        self.panes: dict[str, Pane] = {
            "sessions": Pane("Sessions", self.sessions, id="sessions-pane"),
            "runs": Pane("Training runs", self.runs, id="runs-pane"),
            "checkpoints": Pane(
                "Checkpoints", self.checkpoints, selectable=True, id="checkpoints-pane"
            ),
            "all-checkpoints": Pane(
                "All checkpoints (newest first)",
                self.all_checkpoints,
                selectable=True,
                id="all-checkpoints-pane",
            ),
            "samplers": Pane("Samplers", self.samplers, id="samplers-pane"),
            "models": Pane("Supported models", self.models, id="models-pane"),
            "storage": Pane("Checkpoint storage", self.storage, id="storage-pane"),
            "billing": Pane("Billing usage (last 7 days)", self.billing, id="billing-pane"),
        }
        for pane in self.panes.values():
            pane.on_filtered = self._follow_cursor
            pane.table.on_highlighted = self._cursor_moved
        self.header = HeaderLine(store, id="header")
        self.detail = DetailPanel(store, id="detail")
        self.status = StatusLine(id="status")
        self.problem = Static("", id="problem", markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast whose text is literal by default: ours quote paths, ids and server errors."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Header, problem box, views, detail, status line, footer."""
        yield self.header
        yield self.problem
        # The other views are mounted the first time they are opened: start-up (the first
        # frame) only pays for what it shows.
        with ContentSwitcher(initial="browse", id="views"), Horizontal(id="browse"):
            if self.store.supports(Capability.SESSIONS):
                yield self.panes["sessions"]
            yield self.panes["runs"]
            yield self.panes["checkpoints"]
        yield self.detail
        yield self.status
        yield KeyBar()

    def on_mount(self) -> None:
        """Listen to the store, then connect and load."""
        self._unsubscribe.append(self.store.subscribe(self.on_store_change))
        manager = getattr(self.app, "downloads", None)
        if manager is not None:
            self._unsubscribe.append(manager.subscribe(lambda _item: self.header.redraw()))
        self._current_pane = self.panes["runs"]
        self._current_pane.add_class("-current")
        self.set_interval(AGE_TICK, self._age_tick)
        self.startup()

    def on_unmount(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def on_screen_suspend(self) -> None:
        """A modal (or help) covers the screen: the watch waits."""
        self.store.set_paused(True)

    def on_screen_resume(self) -> None:
        """Back on top: the watch resumes."""
        self.store.set_paused(False)

    def on_resize(self, event: Resize) -> None:
        """Narrow terminals show one browse pane at a time."""
        self.set_class(event.size.width < NARROW, "-narrow")
        self.set_class(event.size.height < 30, "-short")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Remember which pane is in use (narrow layouts show only that one)."""
        node: Any = event.widget
        while node is not None and not isinstance(node, Pane):
            node = node.parent
        if isinstance(node, Pane) and node is not self._current_pane:
            if self._current_pane is not None:
                self._current_pane.remove_class("-current")
            node.add_class("-current")
            self._current_pane = node
        self._say_selection()
        self.refresh_bindings()

    # --- start-up --------------------------------------------------------------------------

    @work(exclusive=True, group="startup")
    async def startup(self) -> None:
        """Connect; on failure say what to do; else load runs and sessions and start watching."""
        self.problem.remove_class("-shown")
        ok = await self.store.connect()
        self.header.redraw()
        if not ok:
            self._show_problem()
            return
        self._update_visible()
        for pane in (self.panes["runs"], self.panes["sessions"]):
            pane.fetching = True
            pane.update_title()
        await asyncio.gather(self.store.load_runs(), self.store.load_sessions())
        for pane in (self.panes["runs"], self.panes["sessions"]):
            pane.fetching = False
            pane.update_title()
        if self.store.connection is not Connection.CONNECTED:
            self._show_problem()
            return
        if not len(self.store.runs) and not len(self.store.sessions) and not self.store.errors:
            self.notify("This account has no sessions or training runs yet.", timeout=8)
        if self.auto_watch:
            self.store.start_watch()

    def _show_problem(self) -> None:
        store = self.store
        error = store.last_error or "unknown error"
        if store.connection is Connection.KEY_REJECTED:
            text = (
                f"The server at {store.display_url} rejected the API key.\n{error}\n"
                "Set TINKER_API_KEY (or api_key / api_key_cmd in the profile of the config file)"
                " to a valid key, then press r to retry, q to quit."
            )
        elif store.connection is Connection.UNREACHABLE:
            text = (
                f"Could not reach {store.display_url}.\n{error}\n"
                "Check the base URL (--base-url, TINKER_BASE_URL or the profile) and the network;"
                " press r to retry, q to quit."
            )
        elif store.connection is Connection.NO_CREDENTIAL:
            text = (
                f"No API key for {store.display_url}.\n{error}\n"
                "Set TINKER_API_KEY (HPCAI_API_KEY for hpcai), or api_key / api_key_cmd in a"
                " profile of the config file, or run `tinker auth login`; then press r to retry."
            )
        else:
            text = f"{error}\nPress r to retry, q to quit."
        self.problem.update(Content(printable(text).replace("\\n", "\n")))
        self.problem.add_class("-shown")

    # --- the store's announcements ---------------------------------------------------------

    def _row_mark(self, key: str, item: Any) -> str | None:
        return "fresh" if self.store.is_fresh(key) else None

    def _sources(self) -> dict[str, tuple[Pane, Keyed[Any]]]:
        store = self.store
        found: dict[str, tuple[Pane, Keyed[Any]]] = {
            "sessions": (self.panes["sessions"], store.sessions),
            "runs": (self.panes["runs"], store.runs),
            "user_checkpoints": (self.panes["all-checkpoints"], store.user_checkpoints),
            "samplers": (self.panes["samplers"], store.samplers),
            "models": (self.panes["models"], store.models),
        }
        if self.current_run is not None:
            found[checkpoints_collection(self.current_run)] = (
                self.panes["checkpoints"],
                store.run_checkpoints(self.current_run),
            )
        return found

    def on_store_change(self, change: Change) -> None:
        """Apply one announcement to whatever shows that collection."""
        name = change.collection
        source = self._sources().get(name)
        if source is not None:
            pane, keyed = source
            if change.added or change.updated:
                keys = change.added + change.updated
                pane.table.upsert_many(keyed.items[k] for k in keys if k in keyed.items)
            if change.removed:
                pane.table.remove_many(change.removed)
            pane.set_error(self.store.errors.get(name))
            pane.update_title()
            if name == "sessions" and self.current_session is not None:
                self._scope_runs(self.current_session)
            self._refresh_detail(change)
        elif name == "storage":
            self._show_storage()
        elif name == "billing":
            self.billing.set_items(_billing_rows(self.store))
            self.panes["billing"].set_error(self.store.errors.get("billing"))
            self.panes["billing"].update_title()
        elif name == "weights_info":
            if isinstance(self.detail.item, Checkpoint) and self.detail.item.path in change.updated:
                self.detail.redraw()
        elif name == "operation":
            self._say_operation()
        elif name in ("status", "clock"):
            self.header.redraw()
        elif name.startswith("checkpoints:") and name in self.store.errors:
            self.notify(self.store.errors[name], severity="error")

    def _show_storage(self) -> None:
        pane = self.panes["storage"]
        usage = self.store.storage
        self.storage.set_items(usage.data if usage else [])
        pane.set_error(self.store.errors.get("storage"))
        if usage is not None:
            total = sum(i.size_bytes for i in usage.data)
            cost = sum(i.estimated_monthly_cost_usd or 0.0 for i in usage.data)
            pane.border_subtitle = Content(f"total {fmt.size(total)} · ~${cost:,.2f}/month")
        pane.update_title()

    def _refresh_detail(self, change: Change) -> None:
        table = self._focused_table()
        if table is None:
            return
        key = table.cursor_key
        if key is not None and (key in change.updated or key in change.added):
            self.detail.show(table.get(key))

    def _age_tick(self) -> None:
        """Relative times ("3m ago") move on: repaint the rows on screen once a minute."""
        for pane in self.panes.values():
            if pane.is_attached and pane.display and pane.table.row_count:
                pane.table.invalidate()
        self.detail.redraw()

    # --- navigation ------------------------------------------------------------------------

    def _focused_table(self) -> VirtualTable[Any] | None:
        pane = self._current_pane
        return pane.table if pane is not None else None

    def _browse_panes(self) -> list[Pane]:
        names = ["runs", "checkpoints"]
        if self.store.supports(Capability.SESSIONS):
            names.insert(0, "sessions")
        return [self.panes[n] for n in names]

    def _focus_pane(self, pane: Pane) -> None:
        if self._current_pane is not None:
            self._current_pane.remove_class("-current")
        pane.add_class("-current")
        self._current_pane = pane
        # The detail follows the pane: its cursor may not move, so no Highlighted would come.
        self._follow_cursor()
        self.call_after_refresh(pane.table.focus)

    def action_focus_pane(self, step: int) -> None:
        """Move to the pane on the left or right (browse view)."""
        if self.view != "browse":
            return
        panes = self._browse_panes()
        current = self._current_pane if self._current_pane in panes else panes[0]
        index = panes.index(current) if current in panes else 0
        self._focus_pane(panes[max(0, min(len(panes) - 1, index + step))])

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._cursor_moved(event.table, event.key)

    def _cursor_moved(self, table: VirtualTable[Any], key: str | None) -> None:
        """The cursor moved: the detail and status line are repainted in its frame (called by
        the table at once, before its Highlighted message, which arrives a frame later)."""
        if table is self._focused_table():
            self._show_highlighted(table, key)
            self._say_selection()

    def _follow_cursor(self) -> None:
        """The detail and status line follow the focused table's cursor now: after a filter
        changed what is shown, or a switch of pane, where the cursor's key may not change."""
        table = self._focused_table()
        if table is not None:
            self._show_highlighted(table, table.cursor_key)
        self._say_selection()

    def _show_highlighted(self, table: VirtualTable[Any], key: str | None) -> None:
        item = table.get(key) if key else None
        self.detail.show(item)
        if isinstance(item, Checkpoint) and item.path not in self.store.weights_info:
            if self._weights_timer is not None:
                self._weights_timer.stop()
            path = item.path
            self._weights_timer = self.set_timer(0.3, lambda: self._load_weights(path))

    def _load_weights(self, path: str) -> None:
        if self.store.supports(Capability.WEIGHTS_INFO):
            self.run_worker(self.store.load_weights_info(path), group="weights")

    @on(VirtualTable.Activated)
    def _activated(self, event: VirtualTable.Activated) -> None:
        if event.table is self.sessions:
            self.open_session(event.key)
        elif event.table is self.runs:
            self.open_run(event.key)
        elif event.table is self.all_checkpoints:
            self.open_checkpoint(event.key)

    def _scope_runs(self, session_id: str) -> None:
        run_ids = self.store.runs_of_session(session_id)
        self.runs.set_predicate(lambda r: r.training_run_id in run_ids)

    def open_session(self, session_id: str) -> None:
        """Drill into a session: the runs pane shows its runs."""
        self.current_session = session_id
        self._scope_runs(session_id)
        info = self.store.sessions.get(session_id)
        label = info.display_name if info and info.display_name else fmt.short_id(session_id, 16)
        self.panes["runs"].scope = f"session {printable(label)}"
        self.panes["runs"].update_title()
        self._focus_pane(self.panes["runs"])
        if info is None or info.training_run_ids is None:
            self.run_worker(self.store.load_session(session_id), group="session")

    def open_run(self, run_id: str) -> None:
        """Drill into a run: the checkpoints pane shows its checkpoints."""
        self.current_run = run_id
        pane = self.panes["checkpoints"]
        keyed = self.store.run_checkpoints(run_id)
        self.checkpoints.selected.clear()
        self.checkpoints.set_items(keyed.items.values())
        pane.scope = fmt.short_id(printable(run_id), 28)
        pane.fetching = not keyed.loaded
        pane.set_error(self.store.errors.get(keyed.name))
        pane.update_title()
        self._focus_pane(pane)
        self._update_visible()
        self._load_run(run_id)

    @work(group="checkpoints", exclusive=True)
    async def _load_run(self, run_id: str) -> None:
        await self.store.load_checkpoints(run_id)
        pane = self.panes["checkpoints"]
        pane.fetching = False
        pane.update_title()

    def open_checkpoint(self, path: str) -> None:
        """Show a checkpoint in the browse view, under its run."""
        try:
            ref = CheckpointRef.parse(path)
        except ValueError as error:
            self.notify(str(error), severity="error")
            return
        self.action_view("browse")
        if self.runs.get(ref.run_id) is not None:
            self.runs.move_to_key(ref.run_id)
        self.open_run(ref.run_id)
        self.call_after_refresh(self._place_checkpoint_cursor, path)

    def _place_checkpoint_cursor(self, path: str) -> None:
        if not self.checkpoints.move_to_key(path):
            self.set_timer(0.2, lambda: self.checkpoints.move_to_key(path))

    def action_back(self) -> None:
        """`esc`: clear a filter, else go back one level (checkpoints → runs → sessions)."""
        pane = self._current_pane
        if pane is not None and pane.clear_filter():
            pane.table.focus()
            return
        if self.view != "browse":
            self.action_view("browse")
            return
        if pane is self.panes["checkpoints"]:
            self._focus_pane(self.panes["runs"])
        elif pane is self.panes["runs"] and self.current_session is not None:
            session = self.current_session
            self.current_session = None
            self.runs.set_predicate(None)
            self.panes["runs"].scope = ""
            self.panes["runs"].update_title()
            self._focus_pane(self.panes["sessions"])
            self.sessions.move_to_key(session)
        elif pane is self.panes["runs"] and self.store.supports(Capability.SESSIONS):
            self._focus_pane(self.panes["sessions"])

    def action_view(self, name: str) -> None:
        """Switch to a view (browse, all checkpoints, samplers, models, storage, billing)."""
        if name == "all-checkpoints" and not self.store.supports(Capability.USER_CHECKPOINTS):
            self.notify(f"The {self.store.flavor} service has no user-wide checkpoint list.")
            return
        if name == "samplers" and not self.store.supports(Capability.SAMPLERS):
            self.notify(f"The {self.store.flavor} service has no samplers listing.")
            return
        self.view = name
        switcher = self.query_one("#views", ContentSwitcher)
        if name != "browse" and not self.panes[name].is_attached:
            self.panes[name].display = False
            switcher.mount(self.panes[name])  # registered at once; mounted before the focus
        switcher.current = name if name == "browse" else f"{name}-pane"
        if name == "browse":
            panes = self._browse_panes()
            target = self._current_pane if self._current_pane in panes else self.panes["runs"]
            self._focus_pane(target)
        else:
            pane = self.panes[name]
            self._focus_pane(pane)
            collection = VIEW_COLLECTION[name]
            loaded = self.store._collection(collection)
            if loaded is None or not loaded.loaded:
                pane.fetching = True
                pane.update_title()
                self._load_view(name, collection)
        self._update_visible()

    @work(group="view")
    async def _load_view(self, name: str, collection: str) -> None:
        await self.store.refresh([collection])
        pane = self.panes[name]
        pane.fetching = False
        pane.set_error(self.store.errors.get(collection))
        pane.update_title()

    def _update_visible(self) -> None:
        if self.view == "browse":
            names = {"runs"}
            if self.store.supports(Capability.SESSIONS):
                names.add("sessions")
            if self.current_run is not None:
                names.add(checkpoints_collection(self.current_run))
        else:
            names = {VIEW_COLLECTION[self.view]}
        self.store.set_visible(names)

    # --- refresh, watch, scope -------------------------------------------------------------

    def action_refresh(self) -> None:
        """`r`: retry the start-up after a failure, else reload what is on screen."""
        if self.problem.has_class("-shown") or self.store.connection in (
            Connection.KEY_REJECTED,
            Connection.UNREACHABLE,
        ):
            self.startup()
            return
        self._refresh_now()

    @work(group="refresh", exclusive=True)
    async def _refresh_now(self) -> None:
        ok = await self.store.refresh()
        self.notify("Refreshed." if ok else "Refresh failed; see the pane.", timeout=2)

    def action_toggle_watch(self) -> None:
        """`w`: watch on or off."""
        on = self.store.toggle_watch()
        self.store.start_watch()
        self.notify(f"Watch {'on' if on else 'off'}.", timeout=2)

    def action_toggle_scope(self) -> None:
        """`a`: owned runs or every run the key can access."""
        scope: AccessScope = "accessible" if self.store.run_scope == "owned" else "owned"
        self.panes["runs"].title = "Training runs" if scope == "owned" else "Accessible runs"
        self._reload_scope(scope)

    @work(group="scope", exclusive=True)
    async def _reload_scope(self, scope: AccessScope) -> None:
        self.runs.set_items([])
        await self.store.load_runs(scope)
        self.panes["runs"].update_title()

    # --- checkpoint actions (issue 6) ------------------------------------------------------

    def _targets(self) -> list[Checkpoint]:
        """The selected checkpoints of the pane in use, else the highlighted one."""
        table = self._focused_table()
        if table not in (self.checkpoints, self.all_checkpoints) or table is None:
            return []
        selected = table.selected_items()
        if selected:
            return list(selected)
        key = table.cursor_key
        item = table.get(key) if key else None
        return [item] if isinstance(item, Checkpoint) else []

    def _need_targets(self, what: str) -> list[Checkpoint] | None:
        targets = self._targets()
        if not targets:
            self.notify(f"Highlight or select a checkpoint to {what}.", severity="warning")
            return None
        if self.store.read_only:
            self.notify(
                f"Read-only mode: cannot {what} (--read-only or ui.read_only).",
                severity="warning",
            )
            return None
        return targets

    def _refs(self, targets: list[Checkpoint]) -> list[CheckpointRef]:
        return [CheckpointRef.parse(c.path) for c in targets]

    def _clear_selection(self) -> None:
        for table in (self.checkpoints, self.all_checkpoints):
            if table.selected:
                table.selected.clear()
                table.refresh()
        for name in ("checkpoints", "all-checkpoints"):
            self.panes[name].update_title()
        self._say_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what the service lacks (hpcai: no publish, no TTL)."""
        if action == "publish":
            return self.store.supports(Capability.PUBLISH)
        if action == "ttl":
            return self.store.supports(Capability.TTL)
        if action == "sort_checkpoints":
            return self._focused_table() in (self.checkpoints, self.all_checkpoints)
        return True

    def action_sort_checkpoints(self, column: str) -> None:
        """`S` biggest first, `A` oldest first: the storage clean-up orders."""
        table = self._focused_table()
        if table is None or table not in (self.checkpoints, self.all_checkpoints):
            return
        table.sort_by(column, reverse=column == "size")
        if self._current_pane is not None:
            self._current_pane.update_title()
        self._say_selection()

    @work(group="action")
    async def action_publish(self) -> None:
        """`p`: publish (or unpublish, when all targets are public) after a confirmation."""
        targets = self._need_targets("publish")
        if targets is None:
            return
        public = not all(c.public for c in targets)
        if public:
            targets = [c for c in targets if not c.public]
        word = "public" if public else "private"
        if len(targets) == 1:
            title = f"Make this checkpoint {word}?"
            body = f"Make {targets[0].path} {word}?"
        else:
            title = f"Make {len(targets)} checkpoints {word}?"
            body = "\n".join(c.path for c in targets[:20])
            if len(targets) > 20:
                body += f"\n… and {len(targets) - 20} more"
        body += (
            "\nAnyone with the path can then load it."
            if public
            else "\nOnly you will be able to load it."
        )
        label = "Publish" if public else "Unpublish"
        if not await self.app.push_screen_wait(ConfirmModal(title, body, confirm_label=label)):
            return
        refs = self._refs(targets)
        try:
            results = await (self.store.publish(refs) if public else self.store.unpublish(refs))
        except ReadOnlyError as error:
            self.notify(str(error), severity="warning")
            return
        self._clear_selection()
        done = sum(r.ok for r in results)
        if done and len(results) > 1:
            self.notify(f"{done} of {len(results)} checkpoint(s) are now {word}.")
        elif done == 1 and results[0].ok and "already" not in results[0].message:
            self.notify(results[0].message or f"Now {word}.")

    @work(group="action")
    async def action_ttl(self) -> None:
        """`t`: set or remove the expiry after choosing it in a modal."""
        targets = self._need_targets("set the expiry of")
        if targets is None:
            return
        choice: TtlChoice | None = await self.app.push_screen_wait(
            TtlModal([c.path for c in targets], now=self.store.now())
        )
        if choice is None:
            return
        try:
            results = await self.store.set_ttl(self._refs(targets), choice.seconds)
        except ReadOnlyError as error:
            self.notify(str(error), severity="warning")
            return
        self._clear_selection()
        done = sum(r.ok for r in results)
        what = "removed" if choice.seconds is None else "set"
        self.notify(f"Expiry {what} on {done} of {len(results)} checkpoint(s).")

    @work(group="action")
    async def action_delete(self) -> None:
        """`d`: list what will go, confirm, delete in the background with progress."""
        targets = self._need_targets("delete")
        if targets is None:
            return
        items = [DeleteItem(c.path, c.size_bytes, c.time) for c in targets]
        if not await self.app.push_screen_wait(DeleteModal(items, now=self.store.now())):
            return
        self._clear_selection()
        try:
            await self.store.delete(self._refs(targets))
        except ReadOnlyError as error:
            self.notify(str(error), severity="warning")

    @work(group="action")
    async def action_save(self) -> None:
        """`s`: download the highlighted or selected checkpoints (asks where first)."""
        manager = getattr(self.app, "downloads", None)
        if manager is None:
            self.notify("Downloads are not available here.", severity="warning")
            return
        await save_checkpoints(
            self,
            manager,
            self._targets(),
            directory=getattr(self.app, "download_directory", "~/tinker-checkpoints"),
            extract=getattr(self.app, "extract", True),
        )
        self._clear_selection()

    def action_downloads(self) -> None:
        """`D`: the downloads view (progress, cancel, retry)."""
        manager = getattr(self.app, "downloads", None)
        if manager is not None:
            self.app.push_screen(DownloadsScreen(manager))

    def action_export_trace(self) -> None:
        """`e` on a session: save its trace export (the server builds it first)."""
        manager = getattr(self.app, "downloads", None)
        table = self._focused_table()
        key = table.cursor_key if table is self.sessions else None
        if manager is None or key is None:
            self.notify("Highlight a session to export its trace.", severity="warning")
            return
        export_trace(self, manager, key, directory=getattr(self.app, "download_directory", "."))

    def action_copy_path(self) -> None:
        """`y`: copy the highlighted path to the clipboard (OSC 52: works over SSH)."""
        table = self._focused_table()
        key = table.cursor_key if table else None
        item = table.get(key) if table and key else None
        if isinstance(item, Checkpoint):
            text = item.path
        elif isinstance(item, TrainingRun):
            text = item.training_run_id
        elif isinstance(item, SessionInfo):
            text = item.session_id
        else:
            self.notify("Nothing to copy here.", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {printable(text)}", timeout=3)

    @work(group="action")
    async def action_goto(self) -> None:
        """`:`: jump to a typed `tinker://` or `hpcai://` path."""
        typed: str | None = await self.app.push_screen_wait(GotoModal())
        if not typed:
            return
        try:
            found = await self.store.find_path(typed)
        except (ValueError, Exception) as error:
            self.notify(str(error), severity="error")
            return
        self.open_checkpoint(found.path)

    # --- status line -----------------------------------------------------------------------

    def _say_selection(self) -> None:
        if self.store.operation is not None and not self.store.operation.finished:
            return
        table = self._focused_table()
        is_checkpoints = table is self.checkpoints or table is self.all_checkpoints
        if table is not None and is_checkpoints and table.selected:
            items = table.selected_items()
            total = sum(c.size_bytes or 0 for c in items if isinstance(c, Checkpoint))
            self.status.say(
                f"{len(items)} selected · deleting them would free {fmt.size(total)}"
                " · d delete  p publish  t ttl  space unselect"
            )
        elif table is not None and is_checkpoints and table.total_count:
            size = self._shown_size(table, compute=False)
            if size is None:
                # Summing 100,000 sizes on every key typed into a filter would eat the
                # latency budget: the sum comes a moment later, once the typing pauses.
                if self._size_timer is not None:
                    self._size_timer.stop()
                self._size_timer = self.set_timer(0.3, self._say_size_later)
            self.status.say(
                f"{table.row_count} shown · {'…' if size is None else fmt.size(size)}"
                " · space selects · S biggest first · A oldest first"
            )
        else:
            self.status.say("enter opens · esc back · / filter · o sort · ? help")

    def _say_size_later(self) -> None:
        self._size_timer = None
        table = self._focused_table()
        if table is self.checkpoints or table is self.all_checkpoints:
            self._shown_size(table)
            self._say_selection()

    def _shown_size(self, table: VirtualTable[Any], *, compute: bool = True) -> int | None:
        """Total size of the rows shown, computed once per change of what is shown; None when
        it is not known yet and `compute` is off."""
        signature = (table.row_count, table.total_count, table.filter_text, id(table.predicate))
        cached = self._size_cache.get(id(table))
        if cached is not None and cached[0] == signature:
            return cached[1]
        if not compute:
            return None
        total = table.sum_shown(_checkpoint_size)
        self._size_cache[id(table)] = (signature, total)
        return total

    def _say_operation(self) -> None:
        operation = self.store.operation
        if operation is None:
            return
        failed = len(operation.failures)
        text = f"{operation.label}: {operation.done}/{operation.total}"
        if failed:
            text += f", {failed} failed"
        if operation.finished:
            text += " · done"
        self.status.say(text, busy=not operation.finished)
