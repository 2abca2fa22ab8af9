"""What every action flow holds: the widget the key was pressed on, the store, and what to call
once the targets were acted on; and its two voices (a toast, the paths it can address)."""

from __future__ import annotations

from collections.abc import Callable

from textual.notifications import SeverityLevel
from textual.widget import Widget

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Store
from lazytinker.ui.actions.refs import actionable


class Flows:
    """The base of the checkpoint and run flows. `host` shows the modals and toasts; `settled`
    is called once the targets were acted on (to drop the selection)."""

    def __init__(self, host: Widget, store: Store, settled: Callable[[], None]) -> None:
        self.host = host
        self.store = store
        self.settled = settled

    def _say(self, message: str, severity: SeverityLevel = "information") -> None:
        # Literal text: messages quote paths and server errors.
        self.host.notify(message, severity=severity, markup=False)

    def _refs(self, targets: list[Checkpoint]) -> list[CheckpointRef]:
        """The targets' paths an action can address; the rest are named in one warning."""
        return actionable(targets, lambda text: self._say(text, "warning"))
