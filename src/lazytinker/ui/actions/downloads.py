"""Starting downloads from the UI: the `s` flow (ask where, then queue) and a session's trace.

The downloads themselves run in the store's `DownloadManager`; the downloads view
(`lazytinker.ui.views.downloads`) shows their progress.
"""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.downloads import DownloadItem, DownloadManager
from lazytinker.ui.actions.refs import actionable, run_id_or_none
from lazytinker.ui.modals.download import DownloadChoice, DownloadModal, DownloadTarget


def download_targets(checkpoints: list[Checkpoint]) -> list[DownloadTarget]:
    """What the download modal lists for these checkpoints."""
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
    modal = DownloadModal(download_targets(checkpoints), directory=directory, extract=extract)
    choice = await host.app.push_screen_wait(modal)
    if choice is None:
        return []
    items = start_downloads(manager, checkpoints, choice)
    what = "1 checkpoint" if len(items) == 1 else f"{len(items)} checkpoints"
    host.notify(f"Downloading {what} to {choice.directory}", markup=False, timeout=4)
    return items


def export_trace(
    host: Widget, manager: DownloadManager, session_id: str, *, directory: str
) -> DownloadItem:
    """Queue a session's trace export (the server builds it first) into `directory`."""
    item = manager.add_trace(session_id, Path(directory))
    host.notify(f"Exporting the trace of {session_id}", markup=False, timeout=4)
    return item
