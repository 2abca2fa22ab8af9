"""Choose the metrics to chart: every metric the charted runs logged, the chosen ones ticked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from lazytinker.ui.text import printable

MAX_CHOSEN = 6


class MetricPickModal(ModalScreen[list[str] | None]):
    """`space` ticks a metric, `enter` charts the ticked ones, `esc` leaves things as they were."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("enter", "choose", "Chart these", id="choose", priority=True),
    ]

    DEFAULT_CSS = """
    MetricPickModal { align: center middle; }
    MetricPickModal > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    MetricPickModal SelectionList { height: auto; max-height: 20; }
    MetricPickModal .hint { color: $text-muted; }
    """

    def __init__(self, metrics: Sequence[str], chosen: Sequence[str]) -> None:
        super().__init__()
        self.metrics = list(metrics)
        self.chosen = [m for m in chosen if m in self.metrics]

    def compose(self) -> ComposeResult:
        """The metrics as a list to tick, and what the keys do."""
        with Vertical() as box:
            box.border_title = "Metrics to chart"
            yield SelectionList[str](
                *(
                    Selection(Content(printable(name)), name, name in self.chosen)
                    for name in self.metrics
                )
            )
            yield Static(
                f"space ticks (up to {MAX_CHOSEN}) · enter charts them · esc cancels",
                classes="hint",
                markup=False,
            )

    def action_choose(self) -> None:
        """Chart the ticked metrics (none ticked: the main ones again)."""
        picked = self.query_one(SelectionList).selected
        ordered = [name for name in self.metrics if name in picked]
        self.dismiss(ordered[:MAX_CHOSEN])

    def action_cancel(self) -> None:
        """Leave the choice as it was."""
        self.dismiss(None)
