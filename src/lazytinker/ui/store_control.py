"""The keys and work about the whole store, for the main screen: the start-up (connect, load,
and try again by itself while the trouble can heal), refresh (`r`) and watch (`w`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from lazytinker.store import Connection, Store
from lazytinker.ui.header import HeaderLine
from lazytinker.ui.problem import ProblemBox
from lazytinker.ui.views.browse import BrowseView


class StoreControl:
    """Mixin for the main screen (listed after `Screen`): it sets the attributes below."""

    store: Store
    problem: ProblemBox
    header: HeaderLine
    browse: BrowseView
    auto_watch: bool
    _starting: bool = False

    if TYPE_CHECKING:  # the screen's own

        def _update_visible(self) -> None: ...
        def notify(self, message: str, *, timeout: float | None = None) -> None: ...

    # --- start-up --------------------------------------------------------------------------

    @work(exclusive=True, group="startup")
    async def startup(self) -> None:
        """Connect and load runs and sessions, then start watching. Trouble that can heal
        (unreachable, 5xx) is tried again by itself, with back-off (`r` tries at once); other
        trouble (no key, a rejected key) says what to do and waits for `r`."""
        self._starting = True
        try:
            while not await self._start():
                self.problem.show_problem(self.store, retrying=self.store.can_heal)
                if not self.store.can_heal:
                    return
                await self.store.wait_to_retry()
        finally:
            self._starting = False
        self.problem.hide()
        if not len(self.store.runs) and not len(self.store.sessions) and not self.store.errors:
            self.notify("This account has no sessions or training runs yet.", timeout=8)
        if self.auto_watch:
            self.store.start_watch()

    async def _start(self) -> bool:
        """One try at connecting and loading what the browse view shows first."""
        ok = await self.store.connect()
        self.header.redraw()
        if not ok:
            return False
        self._update_visible()
        await self.browse.load()
        return self.store.connection is Connection.CONNECTED

    @property
    def retrying(self) -> bool:
        """Whether something tries again by itself: the start-up, or a running watch."""
        watch = self.store.watch
        return self._starting or (watch.started and self.store.watching)

    def action_refresh(self) -> None:
        """`r`: retry the start-up after a failure, else reload what is on screen."""
        if self.problem.shown or self.store.connection in (
            Connection.KEY_REJECTED,
            Connection.UNREACHABLE,
        ):
            self.startup()
            return
        self._refresh_now()

    @work(group="refresh", exclusive=True)
    async def _refresh_now(self) -> None:
        ok = await self.store.refresh()
        self.notify("Refreshed." if ok else "Refresh failed; see the pane.", timeout=2)

    def action_toggle_watch(self) -> None:
        """`w`: watch on or off (a watch that ended for any reason starts again, on)."""
        if self.store.watch.stopped is not None and self.store.watching:
            self.store.start_watch()
            self.notify("Watch on.", timeout=2)
            return
        on = self.store.toggle_watch()
        self.store.start_watch()
        self.notify(f"Watch {'on' if on else 'off'}.", timeout=2)
