"""What the user is told when downloads end: a toast per download, or one for a burst of them.

A run-level `s` ends many downloads within moments when their checkpoints are already on disk
(or small), and a toast each filled the screen. Ends are gathered until none has come for
`GATHER` seconds (but never held longer than `HOLD`), then told together: one toast per kind
(downloaded, already there, failed), with the count and the folder. A lone end, as a large
download's usually is, still names its checkpoint. The downloads view lists every one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec

from lazytinker.store.download_items import DownloadItem, DownloadState

if TYPE_CHECKING:
    from lazytinker.store.downloads import DownloadManager

GATHER = 0.5
"""Seconds without another end after which the gathered ends are told."""
HOLD = 4.0
"""Seconds at most between the first end gathered and its toast."""

Notify = Callable[[str, str], None]
Kind = Literal["done", "skipped", "failed"]


class Ended(msgspec.Struct, frozen=True):
    """What one toast needs of a finished download, taken as it finished (a retry may reuse
    the item before the toast is shown)."""

    kind: Kind
    label: str
    where: Path
    folder: Path
    error: str | None
    checkpoint: bool


def ended(item: DownloadItem) -> Ended:
    """How `item` ended (it must be finished, not cancelled)."""
    if item.state is DownloadState.DONE:
        kind: Kind = "skipped" if item.skipped else "done"
    else:
        kind = "failed"
    where = item.result or item.destination
    return Ended(kind, item.label, where, item.folder, item.error, item.kind == "checkpoint")


def _one(end: Ended) -> tuple[str, str]:
    if end.kind == "skipped":
        return f"{end.label} is already in {end.where}", "information"
    if end.kind == "done":
        return f"Downloaded {end.label} to {end.where}", "information"
    return f"Download of {end.label} into {end.folder} failed: {end.error}", "error"


def _many(kind: Kind, ends: Sequence[Ended]) -> tuple[str, str]:
    noun = "checkpoints" if all(e.checkpoint for e in ends) else "downloads"
    folders = {e.folder for e in ends}
    into = str(next(iter(folders))) if len(folders) == 1 else f"{len(folders)} folders"
    count = len(ends)
    if kind == "skipped":
        return f"{count} {noun} are already in {into}", "information"
    if kind == "done":
        return f"Downloaded {count} {noun} into {into}", "information"
    first = ends[0]
    return (
        f"{count} downloads into {into} failed; {first.label}: {first.error} (D lists each)",
        "error",
    )


def summarise(ends: Sequence[Ended]) -> list[tuple[str, str]]:
    """The toasts (message, severity) for downloads that ended together, kind by kind."""
    toasts: list[tuple[str, str]] = []
    for kind in ("done", "skipped", "failed"):
        of_kind = [e for e in ends if e.kind == kind]
        if len(of_kind) == 1:
            toasts.append(_one(of_kind[0]))
        elif of_kind:
            toasts.append(_many(kind, of_kind))
    return toasts


def completion_notices(
    manager: DownloadManager, notify: Notify, *, gather: float = GATHER, hold: float = HOLD
) -> Callable[[], None]:
    """Call `notify(message, severity)` when downloads complete or fail: once for a lone end,
    naming the checkpoint and the folder, once per kind for ends that come less than `gather`
    seconds apart (told `hold` seconds after the first at the latest). Returns the function
    that stops it (telling what was still gathered)."""
    told: dict[str, DownloadState] = {}
    gathered: list[Ended] = []
    timer: asyncio.TimerHandle | None = None
    first_at = 0.0

    def tell() -> None:
        nonlocal timer
        timer = None
        ends = list(gathered)
        gathered.clear()
        for message, severity in summarise(ends):
            notify(message, severity)

    def listen(item: DownloadItem) -> None:
        nonlocal timer, first_at
        if not item.state.finished:
            told.pop(item.id, None)  # a retry may end again and deserves a new toast
            return
        if told.get(item.id) is item.state or item.state is DownloadState.CANCELLED:
            return
        told[item.id] = item.state
        gathered.append(ended(item))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # told outside the event loop: nothing to wait with
            tell()
            return
        now = loop.time()
        if timer is None:
            first_at = now
        else:
            timer.cancel()
        timer = loop.call_at(min(now + gather, first_at + hold), tell)

    unsubscribe = manager.subscribe(listen)

    def stop() -> None:
        unsubscribe()
        if timer is not None:
            timer.cancel()
            tell()

    return stop
