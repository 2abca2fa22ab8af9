"""Keep Python's cyclic garbage collector out of a burst of typing."""

from __future__ import annotations

import gc

from textual.message_pump import MessagePump
from textual.timer import Timer


class CollectorHold:
    """Turns the cyclic garbage collector off at the first key of a burst and back on once
    the keys pause, as Textual's own `PAUSE_GC_ON_SCROLL` does for a scroll.

    A filter over 100,000 rows builds lists that long on every key. Each collection that
    meets such a list walks every element, ~15 ms over two generations, and a full one over
    100,000 rows' models takes longer: time that landed inside the next key's frame. While
    keys come, one key's lists are freed by the next through reference counting, which
    needs no collector; when they pause, the collector comes back and meets only the last.
    """

    def __init__(self, owner: MessagePump, quiet: float = 0.5) -> None:
        self._owner = owner
        self._quiet = quiet
        self._timer: Timer | None = None

    def hold(self) -> None:
        """A key came: keep the collector off until `quiet` seconds pass without another."""
        if self._timer is not None:
            self._timer.stop()
        elif gc.isenabled():
            gc.disable()
        else:
            return  # someone else has it off (Textual, during a scroll): theirs to turn on
        self._timer = self._owner.set_timer(self._quiet, self.release)

    def release(self) -> None:
        """Turn the collector back on, if this hold turned it off."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
            gc.enable()
