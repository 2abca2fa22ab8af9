"""Downloads from the UI: the `s` flow (ask where, then queue), a session's trace (`e`), the
toasts when one ends, the unfinished downloads of the last run, and the question `q` asks while
downloads run.

The downloads themselves run in the store's `DownloadManager`; the downloads view
(`lazytinker.ui.views.downloads`) shows their progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.app import App
from textual.notifications import SeverityLevel
from textual.widget import Widget

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.download_notices import completion_notices
from lazytinker.store.downloads import DownloadItem, DownloadManager
from lazytinker.ui.actions.refs import actionable, run_id_or_none
from lazytinker.ui.text import printable

if TYPE_CHECKING:
    # The modals and the downloads view's rows are imported when first asked for, not on the
    # path to the first screen.
    from lazytinker.ui.modals.download import DownloadChoice, DownloadTarget
    from lazytinker.ui.modals.quit import QuitModal


def download_targets(checkpoints: list[Checkpoint]) -> list[DownloadTarget]:
    """What the download modal lists for these checkpoints."""
    from lazytinker.ui.modals.download import DownloadTarget

    return [DownloadTarget(c.path, c.checkpoint_type, c.size_bytes) for c in checkpoints]


def start_downloads(
    manager: DownloadManager, checkpoints: list[Checkpoint], choice: DownloadChoice
) -> list[DownloadItem]:
    """Queue the checkpoints the modal accepted; the manager runs a few at a time."""
    return [
        manager.add_checkpoint(
            CheckpointRef.parse(c.path),
            choice.directory,
            extract=choice.extract,
            force=choice.force,
            expected_size=c.size_bytes,
        )
        for c in checkpoints
    ]


async def save_checkpoints(
    host: Widget,
    manager: DownloadManager,
    checkpoints: list[Checkpoint],
    *,
    directory: str,
    extract: bool,
) -> list[DownloadItem]:
    """The whole `s` flow: ask with the modal, queue what was accepted, say so (as `host`, the
    widget or screen the key was pressed on).

    Call it from a worker (it waits for the modal): `@work async def action_save(self)`.
    """
    if not checkpoints:
        host.notify(
            "Highlight or select a checkpoint to download.", severity="warning", markup=False
        )
        return []
    actionable(checkpoints, lambda text: host.notify(text, severity="warning", markup=False))
    checkpoints = [c for c in checkpoints if run_id_or_none(c.path) is not None]
    if not checkpoints:
        return []
    from lazytinker.ui.modals.download import DownloadModal

    modal = DownloadModal(download_targets(checkpoints), directory=directory, extract=extract)
    choice = await host.app.push_screen_wait(modal)
    if choice is None:
        return []
    items = start_downloads(manager, checkpoints, choice)
    what = "1 checkpoint" if len(items) == 1 else f"{len(items)} checkpoints"
    host.notify(f"Downloading {what} to {choice.directory}", markup=False, timeout=4)
    return items


async def export_trace(
    host: Widget, manager: DownloadManager, session_id: str, *, directory: str
) -> DownloadItem | None:
    """The whole `e` flow: ask where with the modal, then queue the session's trace export (the
    server builds it first). Call it from a worker (it waits for the modal)."""
    from lazytinker.ui.modals.trace import TraceModal

    folder = await host.app.push_screen_wait(TraceModal(session_id, directory=directory))
    if folder is None:
        return None
    item = manager.add_trace(session_id, folder)
    host.notify(
        f"Exporting the trace of {printable(session_id)} to {folder}", markup=False, timeout=4
    )
    return item


def follow_downloads(app: App[None], manager: DownloadManager, directory: str) -> None:
    """Toast each download's end (naming the checkpoint and the folder), and list the unfinished
    downloads an earlier run left in `directory`, ready to resume."""

    def toast(message: str, severity: str) -> None:
        app.notify(printable(message), severity=cast(SeverityLevel, severity), markup=False)

    completion_notices(manager, toast)

    async def adopt() -> None:
        found = await manager.adopt_partials(Path(directory))
        if found:
            what = (
                "1 unfinished download" if len(found) == 1 else f"{len(found)} unfinished downloads"
            )
            app.notify(
                f"{what} from last time in {directory}: D lists them, r resumes",
                markup=False,
                timeout=8,
            )

    # After the first frame: the folder's scan and its modules are not needed to paint it.
    app.call_after_refresh(
        lambda: app.run_worker(adopt(), name="unfinished downloads", group="downloads")
    )


def quit_modal(manager: DownloadManager, directory: str) -> QuitModal:
    """The question `q` asks while downloads run: what is running, and that parts are kept."""
    from lazytinker.ui.modals.quit import QuitModal
    from lazytinker.ui.views.download_row import describe

    running = [(item.label, describe(item)) for item in manager.active()]
    return QuitModal(running, directory)
