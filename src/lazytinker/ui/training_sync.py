"""Keeps what the screen shows in step with the training box: a `local` change (log folders
added, grown, gone) repaints the rows it names and nothing else.

A folder's change touches the runs it names (their name and state cells, and their search
text, so `/` finds a run by its new name), those runs' sessions, the open run's checkpoints
(steps, gone rows), the metrics view, and the detail panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lazytinker.store import Change, session_of_run
from lazytinker.ui.text import printable

if TYPE_CHECKING:
    from lazytinker.ui.main_screen import MainScreen
    from lazytinker.ui.views.browse import BrowseView


class LocalSync:
    """Applies the store's `local` announcements to the browse view's panes and the detail
    (the metrics view applies them to itself)."""

    def __init__(self, browse: BrowseView) -> None:
        self.browse = browse
        self._runs_of: dict[str, tuple[str, ...]] = {}
        """Folder key -> the run ids it named when last announced (a removed folder's runs)."""

    def runs_touched(self, change: Change) -> set[str]:
        """The service run ids whose log folder the change added, updated or removed."""
        local = self.browse.store.local.runs
        touched: set[str] = set()
        for key in (*change.added, *change.updated, *change.removed):
            touched.update(self._runs_of.pop(key, ()))
            run = local.get(key)
            if run is not None:
                self._runs_of[key] = run.run_ids
                touched.update(run.run_ids)
        return touched

    def apply(self, change: Change) -> None:
        """Repaint what the change touched."""
        browse = self.browse
        store = browse.store
        run_ids = self.runs_touched(change)
        if run_ids:
            _upsert_same(browse.runs.table, [store.runs.get(run_id) for run_id in run_ids])
            sessions = {session_of_run(run_id) for run_id in run_ids}
            _upsert_same(browse.sessions.table, [store.sessions.get(s) for s in sessions])
            pane = browse.checkpoints
            if pane.run_id is not None and pane.run_id in run_ids:
                pane.sync(records=True)
        self._repaint_detail(change)

    def sessions_changed(self, change: Change) -> None:
        """Sessions arrived or changed: their runs' names (a session's display name) too."""
        keys = {*change.added, *change.updated}
        if not keys:
            return
        store = self.browse.store
        runs = [run for run in store.runs if session_of_run(run.training_run_id) in keys]
        _upsert_same(self.browse.runs.table, runs)
        self._repaint_detail(change)

    def _repaint_detail(self, change: Change) -> None:
        browse = self.browse
        detail = getattr(browse.screen, "detail", None) if browse.is_attached else None
        if detail is not None and not change.is_empty:
            detail.redraw()


def _upsert_same(table: Any, items: list[Any]) -> None:
    """Upsert the rows a table holds whose cells now read differently (a name or state that
    comes from the log folder changed): their cells and search text are made again, and only
    those rows repaint (a folder growing every few seconds changes no cell of its run)."""
    stale = []
    for item in items:
        key = table.key_of(item) if item is not None else None
        if key is None or table.get(key) is None:
            continue
        cells = tuple(printable(column.render(item)) for column in table.columns)
        # The search text too: a repaint may already have made the cells anew (the clock's
        # tick remakes the rows on screen), which leaves `/` looking in the old name.
        if cells != table.row_text(key) or table.model.search_is_stale(key, item):
            stale.append(item)
    if stale:
        table.upsert_many(stale)


def go_to_run(screen: MainScreen, typed: str) -> bool:
    """`:` with a run's id or name (not a path): open that run in the browse view, its row
    under the cursor. False when the text is a path or names no single run."""
    run_id = screen.store.find_run(typed) if "://" not in typed else None
    if run_id is None:
        return False
    screen.action_view("browse")
    screen.runs.move_to_key(run_id)
    screen.open_run(run_id)
    return True
