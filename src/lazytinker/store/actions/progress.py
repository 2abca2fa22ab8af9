"""The bulk action in progress: shown by the status line (`state.operation`), cancellable, and
summed up in a few notices when it ends (never one toast per checkpoint of two thousand)."""

from __future__ import annotations

from collections.abc import Sequence

from lazytinker import human
from lazytinker.store.actions.bulk import Cancelled
from lazytinker.store.keyed import Change
from lazytinker.store.records import ActionResult, Operation
from lazytinker.store.state import StoreState

NAMED_IN_NOTICE = 5
"""Checkpoints a notice names before it counts the rest."""


class Progress:
    """Starts, advances and ends the one operation the status line shows; holds its cancel."""

    def __init__(self, state: StoreState) -> None:
        self.state = state
        self.cancels: dict[int, Cancelled] = {}

    def start(self, label: str, total: int) -> tuple[Operation, Cancelled]:
        """A new operation, shown at once, with the button that cancels it."""
        operation = Operation(label, total=total)
        cancel = Cancelled()
        self.cancels[id(operation)] = cancel
        self.state.operation = operation
        self.state.announce(Change("operation"), force=True)
        return operation, cancel

    def step(self, operation: Operation, result: ActionResult) -> None:
        """One checkpoint done (or failed)."""
        operation.done += 1
        if not result.ok:
            operation.failures.append(result)
        self.state.announce(Change("operation"), force=True)

    def end(self, operation: Operation, results: Sequence[ActionResult], slowed: int = 0) -> None:
        """The operation is over: count what was never tried, drop its cancel button."""
        operation.skipped = sum(not r.attempted for r in results)
        operation.done = len(results) - operation.skipped
        operation.failures = [r for r in results if r.attempted and not r.ok]
        operation.slowed = slowed
        self.cancels.pop(id(operation), None)
        self.state.announce(Change("operation"), force=True)

    def cancel(self) -> bool:
        """Cancel the operation in progress (True if there was one to cancel)."""
        operation = self.state.operation
        cancel = self.cancels.get(id(operation)) if operation is not None else None
        if operation is None or cancel is None or operation.finished or operation.cancelling:
            return False
        cancel.cancel()
        operation.cancelling = True
        self.state.announce(Change("operation"), force=True)
        return True


def summarise(
    state: StoreState, verb: str, results: Sequence[ActionResult], *, quiet_ok: bool = False
) -> None:
    """One notice for the whole action: how many of how many, the failures named (a few), and
    what a cancel left untouched. `verb` is past tense: `Deleted`, `Expiry set on`."""
    named = NAMED_IN_NOTICE
    attempted = [r for r in results if r.attempted]
    skipped = len(results) - len(attempted)
    failed = [r for r in attempted if not r.ok]
    done = len(attempted) - len(failed)
    untouched = f"; cancelled: {skipped} not attempted, left as they were" if skipped else ""
    if failed:
        lines = "; ".join(r.message for r in failed[:named])
        more = f" (+{len(failed) - named} more)" if len(failed) > named else ""
        state.notify(f"{verb} {done} of {len(results)}; failed: {lines}{more}{untouched}", "error")
    elif skipped:
        state.notify(f"{verb} {done} of {len(results)}{untouched}", "warning")
    elif not quiet_ok:
        state.notify(f"{verb} {human.count(done, 'checkpoint')}")
