"""The three panes of the browse view, each with the keys that work on its rows: sessions (`e`
exports a trace, `y`), training runs (`y`), a run's checkpoints (the checkpoint keys, `y`,
`S`/`A`)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType

from lazytinker.api.models import TrainingRun
from lazytinker.store import SessionInfo, Store
from lazytinker.ui import columns as cols
from lazytinker.ui.actions.copy import COPY_PATH, CopyPathKey
from lazytinker.ui.actions.downloads import export_trace
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import fresh_mark
from lazytinker.ui.views.checkpoint_list import CheckpointList, checkpoint_table


class SessionsPane(Pane, CopyPathKey):
    """Sessions: `enter` shows a session's runs, `e` exports its trace, `y` copies its id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export_trace", "Export trace", id="export_trace"),
        COPY_PATH,
    ]

    def __init__(self, store: Store) -> None:
        table: VirtualTable[SessionInfo] = VirtualTable(
            cols.session_columns(store),
            key=lambda s: s.session_id,
            row_mark=fresh_mark(store),
            empty_text="No sessions yet.",
            id="sessions",
        )
        super().__init__("Sessions", table, id="sessions-pane")
        self.store = store

    def copy_text(self) -> str | None:
        """The highlighted session's id."""
        item = self.highlighted()
        return item.session_id if isinstance(item, SessionInfo) else None

    @work(group="action")
    async def action_export_trace(self) -> None:
        """`e`: save the highlighted session's trace export, after asking where (the server
        builds it first)."""
        app = self.app
        manager = getattr(app, "downloads", None)
        key = self.table.cursor_key
        if manager is None or key is None:
            self.notify(
                "Highlight a session to export its trace.", severity="warning", markup=False
            )
            return
        await export_trace(
            self, manager, key, directory=getattr(app, "download_directory", "~/tinker-checkpoints")
        )


class RunsPane(Pane, CopyPathKey):
    """Training runs: `enter` shows a run's checkpoints, `y` copies its id."""

    BINDINGS: ClassVar[list[BindingType]] = [COPY_PATH]

    def __init__(self, store: Store) -> None:
        table: VirtualTable[TrainingRun] = VirtualTable(
            cols.run_columns(store),
            key=lambda r: r.training_run_id,
            row_mark=fresh_mark(store),
            empty_text="No training runs yet: runs you start with the Tinker SDK appear here.",
            id="runs",
        )
        super().__init__("Training runs", table, id="runs-pane")
        self.store = store

    def copy_text(self) -> str | None:
        """The highlighted run's id."""
        item = self.highlighted()
        return item.training_run_id if isinstance(item, TrainingRun) else None


class RunCheckpointsPane(CheckpointList):
    """The checkpoints of the run opened with `enter`."""

    def __init__(self, store: Store) -> None:
        table = checkpoint_table(
            store, id="checkpoints", empty="Press enter on a run to see its checkpoints."
        )
        super().__init__("Checkpoints", table, selectable=True, id="checkpoints-pane")
        self.store = store
