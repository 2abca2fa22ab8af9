"""The store's state: what the UI renders from, and the announcement of every change to it.

One `StoreState` is shared by the store's parts (loaders, watch, actions): they write into it,
and it tells the listeners what changed. It holds the collections, the connection status and the
last error, each pane's error and loading mark, the fresh marks of rows the watch just found, and
the refresh clock. It never calls the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable, Iterable, Sized
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from lazytinker.api.errors import (
    KeyRejectedError,
    LazytinkerError,
    NoCredentialError,
    NotPermittedError,
    ServerError,
    UnreachableError,
)
from lazytinker.api.models.structs import wire_copy
from lazytinker.api.paths import CheckpointRef
from lazytinker.local import LocalState
from lazytinker.store.keyed import Change, Keyed
from lazytinker.store.mutations import Mutations
from lazytinker.store.records import (
    Connection,
    Fallback,
    Notice,
    Operation,
    SessionInfo,
    run_is_active,
    session_of_run,
)

if TYPE_CHECKING:
    from lazytinker.api.models import (
        AccessScope,
        ApiKeyMeResponse,
        AuditLogResponse,
        BillingUsageResponse,
        Checkpoint,
        CurrentCheckpointStorageUsageResponse,
        GetSamplerResponse,
        SupportedModel,
        TrainingRun,
        WeightsInfoResponse,
    )

T = TypeVar("T")

FRESH_SECONDS = 4.0
"""How long a row that the watch found stays marked as new."""

SERVER_WIDE = frozenset(
    {
        Connection.UNREACHABLE,
        Connection.FAILING,
        Connection.KEY_REJECTED,
        Connection.NO_CREDENTIAL,
    }
)
"""Connection states that affect every pane: the screen says them once, not in each pane."""

Listener = Callable[[Change], None]
NoticeListener = Callable[[Notice], None]


A = TypeVar("A")


def in_context(listener: Callable[[A], None]) -> Callable[[A], None]:
    """`listener`, always called in (a copy of) the context it was subscribed from.

    The store's work may have started before its listeners existed: the command line starts
    the network before the UI is built (issue 19), so pages that arrive later are announced
    from a task whose context knows nothing of the app. A listener (a screen) runs as if its
    own code had called it. A copy per call, because one announcement may lead to another.
    """
    context = contextvars.copy_context()

    def bound(item: A) -> None:
        context.copy().run(listener, item)

    return bound


def checkpoints_collection(run_id: str) -> str:
    """The collection name of one run's checkpoints."""
    return f"checkpoints:{run_id}"


class StoreState:
    """Collections, connection status, errors, fresh marks and the refresh clock, announced."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.moment: datetime = now()
        """The moment the screen shows: every relative time ("3m ago") is said against it, so
        one moment reads the same in a table, the detail and a modal. `tick` moves it on."""
        self.sessions: Keyed[SessionInfo] = Keyed("sessions", lambda s: s.session_id)
        self.runs: Keyed[TrainingRun] = Keyed("runs", lambda r: r.training_run_id)
        self.run_scope: AccessScope = "owned"
        # The project the runs listing is narrowed to (`project_id`), None for every project.
        self.run_project: str | None = None
        self.checkpoints: dict[str, Keyed[Checkpoint]] = {}
        self.user_checkpoints: Keyed[Checkpoint] = Keyed("user_checkpoints", lambda c: c.path)
        self.samplers: Keyed[GetSamplerResponse] = Keyed("samplers", lambda s: s.sampler_id)
        self.models: Keyed[SupportedModel] = Keyed("models", lambda m: m.label or "?")
        self.storage: CurrentCheckpointStorageUsageResponse | None = None
        self.billing: BillingUsageResponse | None = None
        self.weights_info: dict[str, WeightsInfoResponse | str] = {}
        # Who the key belongs to (`GET /api/v1/auth/apikey/me`), once read.
        self.identity: ApiKeyMeResponse | None = None
        self.audit: AuditLogResponse | None = None
        self.audit_day: date | None = None
        # Collections loaded another way because the server lacks their route.
        self.fallbacks: dict[str, Fallback] = {}
        # Set while start-up work beyond the first screen waits for that screen (issue 19).
        self.first_screen: asyncio.Event | None = None
        self.errors: dict[str, str] = {}
        self.loading: set[str] = set()
        self.connection = Connection.CONNECTING
        self.last_error: str | None = None
        self.last_refresh: datetime | None = None
        # The download manager (lazytinker.store.downloads) once the app has one; len() = active.
        self.downloads: Sized = {}
        self.operation: Operation | None = None
        self.fresh: dict[str, float] = {}
        self.visible: set[str] = set()
        # The training box's log folders as last read (`loaders/local_logs.py`).
        self.local: LocalState = LocalState(MappingProxyType({}), MappingProxyType({}))
        self.mutations = Mutations()
        self._listeners: list[Listener] = []
        self._notice_listeners: list[NoticeListener] = []

    # --- announcements ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every change, in the context it subscribed from; returns a
        function that unsubscribes."""
        bound = in_context(listener)
        self._listeners.append(bound)
        return lambda: self._listeners.remove(bound)

    def on_notice(self, listener: NoticeListener) -> Callable[[], None]:
        """Call `listener` with every notice (toast), in the context it subscribed from;
        returns a function that unsubscribes."""
        bound = in_context(listener)
        self._notice_listeners.append(bound)
        return lambda: self._notice_listeners.remove(bound)

    def announce(self, change: Change, *, force: bool = False) -> None:
        """Tell every listener; empty changes only when `force` (scalar state changed)."""
        if change.is_empty and not force:
            return
        for listener in list(self._listeners):
            listener(change)

    def notify(self, message: str, severity: str = "information") -> None:
        """Send a one-line notice to every notice listener."""
        notice = Notice(message, severity)  # type: ignore[arg-type]
        for listener in list(self._notice_listeners):
            listener(notice)

    def tick(self) -> datetime:
        """Move the shown moment to now and announce `clock` (every relative time is said
        again, all together)."""
        self.moment = self.now()
        self.announce(Change("clock"), force=True)
        return self.moment

    # --- collections -----------------------------------------------------------------------

    def run_checkpoints(self, run_id: str) -> Keyed[Checkpoint]:
        """The checkpoint collection of one run (created empty on first use)."""
        found = self.checkpoints.get(run_id)
        if found is None:
            found = Keyed(checkpoints_collection(run_id), lambda c: c.path)
            self.checkpoints[run_id] = found
        return found

    def collection(self, name: str) -> Keyed[Any] | None:
        """The keyed collection a `Change` names (`runs`, `checkpoints:RUN`, …), if any."""
        if name.startswith("checkpoints:"):
            return self.checkpoints.get(name.removeprefix("checkpoints:"))
        found = getattr(self, name, None)
        return found if isinstance(found, Keyed) else None

    def find_checkpoint(self, path: str) -> Checkpoint | None:
        """A checkpoint by path from whichever collection holds it."""
        try:
            ref = CheckpointRef.parse(path)
        except ValueError:
            return None
        held = self.checkpoints.get(ref.run_id)
        found = held.get(path) if held is not None else None
        return found or self.user_checkpoints.get(path)

    def merge(
        self, keyed: Keyed[T], items: Iterable[T], *, watch: bool = False, since: int | None = None
    ) -> Change:
        """Merge items into a collection and announce it; during a watch, mark the new ones.
        A load that began at `since` (`mutations.stamp()`) leaves keys changed since alone."""
        protect = self.mutations.unsettled_since(since) if since is not None else ()
        change = keyed.merge(items, protect)
        if watch and keyed.loaded and change.added:
            self.mark_fresh(change)
        self.announce(change)
        return change

    def put_checkpoint(self, checkpoint: Checkpoint, *, since: int | None = None) -> None:
        """Write one checkpoint into every collection that shows it (its run's, the user's).
        A load that began at `since` leaves it alone if it was being changed meanwhile."""
        if since is not None and self.mutations.unsettled(checkpoint.path, since):
            return
        try:
            held = self.checkpoints.get(CheckpointRef.parse(checkpoint.path).run_id)
        except ValueError:  # a path of the server's own shape: no run's collection is keyed by it
            held = None
        if held is not None and (checkpoint.path in held or held.loaded):
            self.announce(held.put(checkpoint))
        if checkpoint.path in self.user_checkpoints:
            self.announce(self.user_checkpoints.put(checkpoint))

    def drop_checkpoint(self, path: str, *, since: int | None = None) -> None:
        """Remove one checkpoint from every collection (and what was read about it); not by a
        load that began at `since` when the checkpoint was being changed meanwhile."""
        if since is not None and self.mutations.unsettled(path, since):
            return
        self.weights_info.pop(path, None)
        with contextlib.suppress(ValueError):
            held = self.checkpoints.get(CheckpointRef.parse(path).run_id)
            if held is not None:
                self.announce(held.remove(path))
        self.announce(self.user_checkpoints.remove(path))

    def undo(self, path: str, field: str, value: object, number: int) -> None:
        """Mutation `number` of `field` failed: put `value` back in that field of the row as it
        is now, unless a newer mutation of that field began (its own answer decides)."""
        if self.mutations.newer(path, number, field):
            return
        current = self.find_checkpoint(path)
        if current is not None:
            self.put_checkpoint(wire_copy(current, **{field: value}))

    async def after_first_screen(self) -> None:
        """Wait until the first screen is painted, when the start-up asked for that: what
        it does not show (more pages, who the key is) must not compete with painting it."""
        if self.first_screen is not None:
            await self.first_screen.wait()

    def first_screen_shown(self) -> None:
        """The first screen is painted: what waited for it goes ahead."""
        if self.first_screen is not None:
            self.first_screen.set()

    def set_fallback(self, collection: str, fallback: Fallback | None) -> None:
        """Say how `collection` is loaded on this server (None: the usual way); announce it."""
        if self.fallbacks.get(collection) == fallback:
            return
        if fallback is None:
            self.fallbacks.pop(collection, None)
        else:
            self.fallbacks[collection] = fallback
        self.announce(Change(collection), force=True)

    def projects(self) -> list[str]:
        """The projects seen on runs and sessions, sorted."""
        seen = {r.project_id for r in self.runs if r.project_id}
        seen.update(s.project_id for s in self.sessions if s.project_id)
        return sorted(seen)

    # --- fresh marks -----------------------------------------------------------------------

    def is_fresh(self, key: str) -> bool:
        """Whether the watch found this row a moment ago."""
        return key in self.fresh

    def mark_fresh(self, change: Change) -> None:
        """Mark the rows a change added as new for `FRESH_SECONDS`, then announce them again."""
        stamp = time.monotonic()
        for key in change.added:
            self.fresh[key] = stamp
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(FRESH_SECONDS, self._expire_fresh, change)

    def _expire_fresh(self, change: Change) -> None:
        keyed = self.collection(change.collection)
        expired = tuple(k for k in change.added if self.fresh.pop(k, None) is not None)
        if keyed is not None:
            expired = tuple(k for k in expired if k in keyed)
        self.announce(Change(change.collection, updated=expired))

    # --- connection status and errors ------------------------------------------------------

    def set_connection(self, state: Connection, error: str | None = None) -> None:
        """Record how the last conversation went; announce `status` when that changed.

        When the server comes back, the errors it caused in every pane go with it (they said
        the server could not be reached, which is no longer true); the next load of each pane
        says whatever else is wrong."""
        changed = state != self.connection or error != self.last_error
        healed = state is Connection.CONNECTED and self.connection in SERVER_WIDE
        self.connection = state
        if error is not None:
            self.last_error = error
        if healed:
            gone = [name for name, said in self.errors.items() if said == self.last_error]
            for name in gone:
                del self.errors[name]
                self.announce(Change(name), force=True)
        if changed:
            self.announce(Change("status"), force=True)

    def record_error(self, collection: str, error: Exception) -> None:
        """File a failure under the collection it broke, and in the status when it says more."""
        message = str(error) if isinstance(error, LazytinkerError) else f"unexpected: {error}"
        if isinstance(error, NotPermittedError):
            message = "needs an admin role (the server answered 403 not permitted)"
        self.errors[collection] = message
        if isinstance(error, KeyRejectedError):
            self.set_connection(Connection.KEY_REJECTED, message)
        elif isinstance(error, NoCredentialError):
            self.set_connection(Connection.NO_CREDENTIAL, message)
        elif isinstance(error, UnreachableError):
            self.set_connection(Connection.UNREACHABLE, message)
        elif isinstance(error, ServerError):
            self.set_connection(Connection.FAILING, message)
        else:
            self.last_error = message
        self.announce(Change(collection), force=True)

    # --- sessions and their runs -----------------------------------------------------------

    def runs_of_session(self, session_id: str) -> set[str]:
        """Run ids that belong to a session (from its details, else from the run id prefix)."""
        info = self.sessions.get(session_id)
        if info is not None and info.training_run_ids is not None:
            return set(info.training_run_ids)
        return {
            r.training_run_id for r in self.runs if session_of_run(r.training_run_id) == session_id
        }

    def session_active(self, info: SessionInfo) -> bool:
        """Active from the server's status when it has one, else from its runs' activity."""
        if info.status is not None:
            return info.status == "active"
        now = self.moment
        return any(
            run_is_active(run, now)
            for run_id in self.runs_of_session(info.session_id)
            if (run := self.runs.get(run_id)) is not None
        )
