"""The main screen: header, problem box, the views, detail panel, status line and key bar; it
composes them and routes between them, and nothing else.

Routing is: switching views (`1`..`6`), the downloads screen (`D`), moving between a view's
panes (`h`/`l`), drilling in (`enter`) and out (`esc`), going to a typed path (`:`), keeping the
detail and status line on the pane in use, handing the store's announcements to the views; and
the two keys about the whole store, refresh (`r`) and watch (`w`). What a key does inside a view
belongs to the view (`lazytinker.ui.views`, `lazytinker.ui.actions`); the status line's wording
to `lazytinker.ui.status`.

Stable widget ids, for Pilot tests and the command palette: tables `#sessions`, `#runs`,
`#checkpoints`, `#all-checkpoints`, `#samplers`, `#models`, `#storage`, `#billing` (each inside a
pane `#<id>-pane`); `#detail`, `#header`, `#status`, `#problem` (start-up problems), `#views` (a
ContentSwitcher of `browse` and the other views' panes; a view is mounted the first time it is
opened). Store changes are applied row by row: a refresh that changes nothing repaints nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import DescendantFocus, Resize
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Change, Store
from lazytinker.ui.cleanup_keys import CleanupKeys
from lazytinker.ui.detail import DetailPanel
from lazytinker.ui.header import HeaderLine
from lazytinker.ui.keybar import KeyBar
from lazytinker.ui.pane import Pane
from lazytinker.ui.pane_in_use import PaneInUse
from lazytinker.ui.problem import ProblemBox
from lazytinker.ui.start_up import capabilities_changed, say_identity_failure, take_preloaded
from lazytinker.ui.status import StatusLine
from lazytinker.ui.store_control import StoreControl
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.training_sync import go_to_run
from lazytinker.ui.view_shelf import ViewShelf
from lazytinker.ui.views.base import View
from lazytinker.ui.views.browse import BrowseView

NARROW = 110
AGE_TICK = 60.0


class MainScreen(CleanupKeys, StoreControl):
    """Everything the user browses; the store is its only source of data."""

    # Focused as the screen mounts, so the first frame is painted with it (a focus change
    # after the first frame restyles the panes and repaints the whole screen).
    AUTO_FOCUS = "#runs"

    # `esc` (id `back`) is declared on each pane, so the key bar lists it with the pane's keys;
    # its action is this screen's `back`.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h,left", "focus_pane(-1)", "Pane left", show=False, id="pane_left"),
        Binding("l,right", "focus_pane(1)", "Pane right", show=False, id="pane_right"),
        Binding("D", "downloads", "Downloads", show=False, id="downloads"),
        Binding("colon", "goto", "Go to", show=False, id="goto"),
        Binding("z", "zoom_detail", "Zoom", id="zoom_detail"),
        Binding("J", "zoom_detail(True)", "Raw JSON", show=False, id="raw_json"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("w", "toggle_watch", "Watch", id="toggle_watch"),
        Binding("1", "view('browse')", "Browse", show=False, id="view_browse"),
        Binding("2", "view('all-checkpoints')", "All checkpoints", show=False, id="view_all"),
        Binding("3", "view('samplers')", "Samplers", show=False, id="view_samplers"),
        Binding("4", "view('models')", "Models", show=False, id="view_models"),
        Binding("5", "view('storage')", "Storage", show=False, id="view_storage"),
        Binding("6", "view('billing')", "Billing", show=False, id="view_billing"),
        Binding("7", "view('audit')", "Audit log", show=False, id="view_audit"),
        Binding("m", "view('metrics')", "Metrics", show=False, id="metrics"),
    ]

    def __init__(self, store: Store, *, watch: bool = True) -> None:
        super().__init__()
        self.store = store
        self.auto_watch = watch
        self.view = "browse"
        self.browse = browse = BrowseView(store)
        self.header = HeaderLine(store, id="header")
        self.detail = DetailPanel(store, id="detail")
        self.status = StatusLine(store, id="status")
        self.problem = ProblemBox(id="problem")
        self.in_use = PaneInUse(self, self.detail, self.status)
        self.in_use.mark(browse.runs)  # before the first styling, not after it
        # The panes by name; a view's entry pane joins when the view is first built.
        self.panes: dict[str, Pane] = {}
        for name in ("sessions", "runs", "checkpoints"):
            self._wire_pane(name, getattr(browse, name))
        self.views = ViewShelf(store, browse, self._wire_view)
        # The browse tables by name, for tests and scripts that read what is shown.
        self.sessions, self.runs = browse.sessions.table, browse.runs.table
        self.checkpoints = browse.checkpoints.table
        self._unsubscribe: list[Callable[[], None]] = []
        self._starting = False

    def _wire_pane(self, name: str, pane: Pane) -> None:
        self.panes[name] = pane
        pane.on_changed = self.in_use.follow
        pane.table.on_highlighted = self.in_use.cursor_moved

    def _wire_view(self, name: str, view: View) -> None:
        self._wire_pane(name, view.entry())

    def view_table(self, name: str) -> VirtualTable[Any]:
        """The table of a one-pane view (`samplers`, `all-checkpoints`, ...), built if need be."""
        return self.views[name].entry().table

    @property
    def current_run(self) -> str | None:
        """The run whose checkpoints the browse view shows."""
        return self.browse.current_run

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Header, problem box, views, detail, status line, key bar."""
        # The layout classes before the first styling: set at the first resize instead, they
        # restyled the whole screen once more before the first frame in a small terminal.
        self._fit(self.app.size)
        yield self.header
        yield self.problem
        # The other views are mounted the first time they are opened: start-up (the first
        # frame) only pays for what it shows.
        with ContentSwitcher(initial="browse", id="views"):
            yield self.browse
        yield self.detail
        yield self.status
        yield KeyBar()

    def on_mount(self) -> None:
        """Listen to the store, show what it already loaded, then connect and load."""
        self._unsubscribe.append(self.store.subscribe(self.on_store_change))
        take_preloaded(self)
        manager = getattr(self.app, "downloads", None)
        if manager is not None:
            self._unsubscribe.append(manager.subscribe(lambda _item: self.header.redraw()))
        self.set_interval(AGE_TICK, self._age_tick)
        self.startup()

    def on_unmount(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def on_screen_suspend(self) -> None:
        """A modal (a confirmation, the help) covers the screen: the watch waits. Under a
        screen that shows data (the zoomed detail, downloads) it goes on."""
        if isinstance(self.app.screen, ModalScreen):
            self.store.set_paused(True)

    def on_screen_resume(self) -> None:
        """Back on top: the watch resumes."""
        self.store.set_paused(False)

    def on_resize(self, event: Resize) -> None:
        """Narrow terminals show one browse pane at a time."""
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        self.set_class(size.width < NARROW, "-narrow")
        self.set_class(size.height < 30, "-short")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Remember which pane is in use (narrow layouts show only that one)."""
        node: Any = event.widget
        while node is not None and not isinstance(node, Pane):
            node = node.parent
        if isinstance(node, Pane):
            self.in_use.mark(node)
        self.in_use.say_status()
        self.refresh_bindings()

    # --- the store's announcements ---------------------------------------------------------

    def on_store_change(self, change: Change) -> None:
        """Hand one announcement to the view that shows that collection, or act on it here."""
        name = change.collection
        if any(view.apply(change) for view in self.views.values()):
            self.in_use.refresh_detail(change)
            # Counts and sizes follow the rows as the watch changes them, not only the cursor.
            self.in_use.say_status()
        elif name == "weights_info":
            if isinstance(self.detail.item, Checkpoint) and self.detail.item.path in change.updated:
                self.detail.redraw()
        elif name == "operation":
            self.status.show_operation()
        elif name == "status":
            self.header.redraw()
            self.problem.follow(self.store, retrying=self.retrying)
            for view in self.views.values():
                view.show_errors()
        elif name == "clock":
            self.header.redraw()
            self._say_times_again()
        elif name in ("capabilities", "identity"):
            capabilities_changed(self)  # the header says who the key is too
            say_identity_failure(self, name)
        elif name.startswith("checkpoints:") and name in self.store.errors:
            self.notify(self.store.errors[name], severity="error")

    def _age_tick(self) -> None:
        """Once a minute even with no refresh, the shown moment moves on (see `clock`)."""
        self.store.tick()

    def _say_times_again(self) -> None:
        """The shown moment moved: every relative time on screen ("3m ago") is said again,
        all together; only the cells whose text changed are repainted."""
        for pane in self.panes.values():
            if pane.is_attached and pane.display and pane.table.row_count:
                pane.table.invalidate()
        self.detail.redraw()

    # --- panes ----------------------------------------------------------------------------

    def _focused_table(self) -> VirtualTable[Any] | None:
        return self.in_use.table

    def action_focus_pane(self, step: int) -> None:
        """Move to the pane on the left or right (in a view of several panes)."""
        panes = self.views[self.view].panes()
        if len(panes) < 2:
            return
        current = self.in_use.pane if self.in_use.pane in panes else panes[0]
        index = panes.index(current) if current in panes else 0
        self.in_use.focus(panes[max(0, min(len(panes) - 1, index + step))])

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.in_use.cursor_moved(event.table, event.key)

    # --- drilling in and out ---------------------------------------------------------------

    @on(VirtualTable.Activated)
    def _activated(self, event: VirtualTable.Activated) -> None:
        if event.table is self.sessions:
            self.in_use.focus(self.browse.open_session(event.key))
        elif event.table is self.runs:
            self.open_run(event.key)
        elif event.table.id == "all-checkpoints":
            self.open_checkpoint(event.key)
        elif event.table.id == "samplers":
            self._open_sampler(event.key)

    def _open_sampler(self, sampler_id: str) -> None:
        """`enter` on a sampler: the checkpoint it serves, under its run."""
        sampler = self.store.samplers.get(sampler_id)
        if sampler is None or not sampler.model_path:
            self.notify("This sampler serves a base model, not a saved checkpoint.")
            return
        self.open_checkpoint(sampler.model_path)

    def open_run(self, run_id: str) -> None:
        """Drill into a run: the checkpoints pane shows its checkpoints."""
        self.in_use.focus(self.browse.open_run(run_id))
        self._update_visible()

    def open_checkpoint(self, path: str) -> None:
        """Show a checkpoint in the browse view, under its run."""
        try:
            ref = CheckpointRef.parse(path)
        except ValueError as error:
            self.notify(str(error), severity="error")
            return
        self.action_view("browse")
        self.in_use.focus(self.browse.show_checkpoint(ref.run_id, path))
        self._update_visible()

    def action_back(self) -> None:
        """`esc`: clear a filter, else go back one level (checkpoints → runs → sessions; any
        other view → browse)."""
        pane = self.in_use.pane
        if pane is not None and pane.clear_filter():
            pane.table.focus()
            return
        if self.view != "browse":
            self.action_view("browse")
            return
        target = self.browse.back_from(pane)
        if target is not None:
            self.in_use.focus(target)

    @work(group="action")
    async def action_goto(self) -> None:
        """`:`: jump to a typed `tinker://` or `hpcai://` path, or a run by its id or name."""
        from lazytinker.ui.modals import GotoModal

        typed: str | None = await self.app.push_screen_wait(GotoModal(self.store.find_run))
        if not typed or go_to_run(self, typed):
            return
        try:
            found = await self.store.find_path(typed)
        except (ValueError, Exception) as error:
            self.notify(str(error), severity="error")
            return
        self.open_checkpoint(found.path)

    # --- views -----------------------------------------------------------------------------

    def action_view(self, name: str) -> None:
        """Switch to a view (browse, all checkpoints, samplers, models, storage, billing)."""
        view = self.views[name]
        why = view.unavailable()
        if why is not None:
            self.notify(why)
            return
        self.view = name
        switcher = self.query_one("#views", ContentSwitcher)
        if not view.is_attached:
            view.display = False
            switcher.mount(view)  # registered at once; mounted before the focus
        switcher.current = view.id
        panes = view.panes()
        self.in_use.focus(self.in_use.pane if self.in_use.pane in panes else view.entry())
        view.opened()
        self._update_visible()

    def _update_visible(self) -> None:
        self.store.set_visible(self.views[self.view].collections())

    def action_zoom_detail(self, raw: bool = False) -> None:
        """`z`: the highlighted item's every field on a screen of its own (`J`: its raw JSON);
        it follows the item while open."""
        table = self.in_use.table
        key = table.cursor_key if table is not None else None
        if table is None or key is None:
            self.notify("Nothing highlighted to zoom into.", timeout=3)
            return
        from lazytinker.ui.zoom import ZoomScreen

        self.app.push_screen(ZoomScreen(self.store, lambda: table.get(key), raw=raw))

    def action_downloads(self) -> None:
        """`D`: the downloads view (progress, cancel, retry)."""
        manager = getattr(self.app, "downloads", None)
        if manager is not None:
            from lazytinker.ui.views.downloads import DownloadsScreen

            self.app.push_screen(DownloadsScreen(manager))
