"""The delete confirmation: every checkpoint with its size and age, the total; permanent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from lazytinker.ui.modals._format import human_age, human_size, literal
from lazytinker.ui.modals.confirm import YesNoModal
from lazytinker.ui.modals.widgets import PathText


@dataclass(frozen=True, slots=True)
class DeleteItem:
    """One checkpoint to delete, as the modal lists it."""

    path: str
    size_bytes: int | None
    created: datetime


class DeleteModal(YesNoModal):
    """Asks to delete one or many checkpoints; answers True only on an explicit Yes.

    The list scrolls when it is long, so a selection made across a filter is shown in full.
    """

    DEFAULT_CSS = """
    DeleteModal #items {
        height: auto;
        max-height: 40vh;
        border: round $error 50%;
        padding: 0 1;
    }
    DeleteModal #total {
        margin-top: 1;
    }
    DeleteModal.-short #items { max-height: 25vh; }
    DeleteModal.-short #total { margin-top: 0; }
    """

    def __init__(self, items: list[DeleteItem], *, now: datetime | None = None) -> None:
        count = len(items)
        noun = "checkpoint" if count == 1 else f"{count} checkpoints"
        super().__init__(
            f"Delete {noun}? This is permanent.",
            confirm_label=f"Delete {noun}",
            cancel_label="Cancel",
            danger=True,
        )
        self.items = list(items)
        self._now = now

    def compose_body(self) -> ComposeResult:
        """The list of checkpoints, then the total size and the warning."""
        now = self._now or datetime.now(UTC)
        with VerticalScroll(id="items"):
            yield PathText(_listing(self.items, now), id="listing")
        yield Static(_total(self.items), id="total", markup=False)


def _listing(items: list[DeleteItem], now: datetime) -> Content:
    lines = [
        Content.assemble(
            (f"{human_size(item.size_bytes):>9}", "bold"),
            "  ",
            (f"{human_age(item.created, now):<8}", "dim"),
            "  ",
            literal(item.path),  # a path holding `[bold]` or an escape shows as typed
        )
        for item in items
    ]
    return Content("\n").join(lines)


def _total(items: list[DeleteItem]) -> Content:
    known = [item.size_bytes for item in items if item.size_bytes is not None]
    unknown = len(items) - len(known)
    text = f"Total: {human_size(sum(known))} will be freed"
    if unknown:
        text += f" (plus {unknown} of unknown size)"
    return Content.assemble(
        (text, "bold"),
        ". Deleted checkpoints cannot be recovered.",
    )
