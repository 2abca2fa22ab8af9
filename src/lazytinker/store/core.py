"""The store: one object owning everything the UI shows, and the only caller of the API.

`Store` is the face the UI sees; the work is done by its parts, which share one `StoreState`:

- `state` (`state.py`): the collections, connection status, errors, fresh marks, refresh clock,
  and the announcement of every change;
- `loaders` (`loaders/`): one loader per collection, and `refresh` by collection name;
- `watch` (`watch.py`): the refresh loop over what is on screen;
- `actions` (`actions/`): publish, unpublish, expiry and delete, over many checkpoints;
- `capabilities` (`capabilities.py`): what this server offers, learned from its answers
  (announced as `Change("capabilities")` when that changes);
- `money` (`money.py`): the storage rate in force; `run_totals` (`run_totals.py`): each run's
  checkpoints counted.

`start()` begins the conversation: the handshake and the first listings at once, before the
UI is even built (`cli/app.py` calls it first); the main screen awaits the same task.

The UI subscribes to `Change` announcements and renders from the store's collections; it never
calls the API itself. Every load catches the API's one-line errors and files them under the
collection it was loading, so one broken pane never takes the rest of the app down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Sequence, Sized
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from lazytinker.api.paths import CheckpointRef
from lazytinker.store import training
from lazytinker.store.actions import Actions
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.expiring import Expiring
from lazytinker.store.gone import GoneCheckpoint, Vanished, gone_rows
from lazytinker.store.keyed import Change, Keyed
from lazytinker.store.loaders import Loaders
from lazytinker.store.money import Money
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.records import ActionResult, Connection, Fallback, Operation, SessionInfo
from lazytinker.store.run_totals import RunTotals
from lazytinker.store.server_side import ServerSide
from lazytinker.store.shared import Shared
from lazytinker.store.startup import Startup
from lazytinker.store.state import Listener, NoticeListener, StoreState
from lazytinker.store.watch import HEALING, Watch

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
    from lazytinker.local import LocalCheckpoint, LocalLogs, LocalRun, LocalState

READ_RUNS_IN_FLIGHT = 8
"""Run listings read at once before a run-level action or a clean-up plan."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store(ServerSide):
    """Sessions, runs, checkpoints, samplers, models, usage, status and the watch loop."""

    # What the UI renders from: held by `state`, read and written through.
    now: Shared[Callable[[], datetime]] = Shared("state.now")
    moment: Shared[datetime] = Shared("state.moment")
    sessions: Shared[Keyed[SessionInfo]] = Shared("state.sessions")
    runs: Shared[Keyed[TrainingRun]] = Shared("state.runs")
    run_scope: Shared[AccessScope] = Shared("state.run_scope")
    run_project: Shared[str | None] = Shared("state.run_project")
    checkpoints: Shared[dict[str, Keyed[Checkpoint]]] = Shared("state.checkpoints")
    user_checkpoints: Shared[Keyed[Checkpoint]] = Shared("state.user_checkpoints")
    samplers: Shared[Keyed[GetSamplerResponse]] = Shared("state.samplers")
    models: Shared[Keyed[SupportedModel]] = Shared("state.models")
    storage: Shared[CurrentCheckpointStorageUsageResponse | None] = Shared("state.storage")
    billing: Shared[BillingUsageResponse | None] = Shared("state.billing")
    weights_info: Shared[dict[str, WeightsInfoResponse | str]] = Shared("state.weights_info")
    identity: Shared[ApiKeyMeResponse | None] = Shared("state.identity")
    audit: Shared[AuditLogResponse | None] = Shared("state.audit")
    audit_day: Shared[date | None] = Shared("state.audit_day")
    fallbacks: Shared[dict[str, Fallback]] = Shared("state.fallbacks")
    errors: Shared[dict[str, str]] = Shared("state.errors")
    loading: Shared[set[str]] = Shared("state.loading")
    connection: Shared[Connection] = Shared("state.connection")
    last_error: Shared[str | None] = Shared("state.last_error")
    last_refresh: Shared[datetime | None] = Shared("state.last_refresh")
    downloads: Shared[Sized] = Shared("state.downloads")
    operation: Shared[Operation | None] = Shared("state.operation")
    fresh: Shared[dict[str, float]] = Shared("state.fresh")
    visible: Shared[set[str]] = Shared("state.visible")
    local: Shared[LocalState] = Shared("state.local")
    # The watch's settings and back-off, held by `watch`.
    interval: Shared[float] = Shared("watch.interval")
    watching: Shared[bool] = Shared("watch.watching")
    paused: Shared[bool] = Shared("watch.paused")
    failures: Shared[int] = Shared("watch.failures")
    # Held by `actions`: nothing is written while it is set.
    read_only: Shared[bool] = Shared("actions.read_only")

    def __init__(
        self,
        api: StoreAPI,
        *,
        profile_name: str = "default",
        now: Callable[[], datetime] = _utcnow,
        refresh: float = 5.0,
        read_only: bool = False,
        display_url: str | None = None,
        local_logs: LocalLogs | None = None,
        storage_rate: float | None = None,
    ) -> None:
        self.api = api
        self.display_url = display_url or api.base_url
        self.profile_name = profile_name
        self.state = StoreState(now)
        self.capabilities = Capabilities(api)
        self.loaders = Loaders(self.state, api, self.capabilities, local_logs)
        self.vanished = Vanished(self.state)
        self.watch = Watch(self.state, self.loaders.refresh, refresh)
        self.actions = Actions(self.state, api, read_only=read_only)
        # The storage rate in force (`money.rate`), and each run's checkpoints counted.
        self.money = Money(self.state, storage_rate)
        self.run_totals = RunTotals(self.state, api)
        # Checkpoints expiring within a day: the header's count, a notice as one comes near.
        self.expiring = Expiring(self.state)
        self.startup = Startup(self.state, api, self.loaders, self.capabilities)
        learned = getattr(api, "capabilities", None)
        if learned is not None:
            learned.subscribe(lambda capability, what: self._capability_learned())

    def _capability_learned(self) -> None:
        self.state.announce(Change("capabilities"), force=True)

    # --- announcements ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every change; returns a function that unsubscribes."""
        return self.state.subscribe(listener)

    def on_notice(self, listener: NoticeListener) -> Callable[[], None]:
        """Call `listener` with every notice (toast); returns a function that unsubscribes."""
        return self.state.on_notice(listener)

    def announce(self, change: Change, *, force: bool = False) -> None:
        """Tell every listener; empty changes only when `force` (scalar state changed)."""
        self.state.announce(change, force=force)

    def notify(self, message: str, severity: str = "information") -> None:
        """Send a one-line notice to every notice listener."""
        self.state.notify(message, severity)

    # --- small queries ---------------------------------------------------------------------

    def run_checkpoints(self, run_id: str) -> Keyed[Checkpoint]:
        """The checkpoint collection of one run (created empty on first use)."""
        return self.state.run_checkpoints(run_id)

    def collection(self, name: str) -> Keyed[Any] | None:
        """The keyed collection a `Change` names (`runs`, `checkpoints:RUN`, …), if any."""
        return self.state.collection(name)

    # The UI's name for `collection` until it calls the public one.
    _collection = collection

    def find_checkpoint(self, path: str) -> Checkpoint | None:
        """A checkpoint by path from whichever collection holds it."""
        return self.state.find_checkpoint(path)

    def runs_of_session(self, session_id: str) -> set[str]:
        """Run ids that belong to a session (from its details, else from the run id prefix)."""
        return self.state.runs_of_session(session_id)

    def session_active(self, info: SessionInfo) -> bool:
        """Active from the server's status when it has one, else from its runs' activity."""
        return self.state.session_active(info)

    def tick(self) -> datetime:
        """Move the moment the screen shows to now; every relative time is said again."""
        return self.state.tick()

    def is_fresh(self, key: str) -> bool:
        """Whether the watch found this row a moment ago."""
        return key in self.state.fresh

    # --- connecting and loading ------------------------------------------------------------

    async def load_runs(self, scope: AccessScope | None = None) -> bool:
        """Load every run of the scope (`owned`/`accessible`), first page shown at once."""
        return await self.loaders.runs.load(scope)

    async def load_sessions(self) -> bool:
        """Load the sessions: search (rich, with status) when offered, else ids then details."""
        return await self.loaders.sessions.load()

    async def load_session(self, session_id: str) -> bool:
        """Load one session's runs and samplers (needed to drill into it)."""
        return await self.loaders.sessions.load_one(session_id)

    async def load_checkpoints(self, run_id: str, *, watch: bool = False) -> bool:
        """Load every checkpoint of one run; during a watch, announce what it saved."""
        return await self.loaders.checkpoints.load(run_id, watch=watch)

    async def read_runs(self, run_ids: Iterable[str]) -> dict[str, list[Checkpoint]]:
        """Read each run's checkpoints afresh, a few at a time (before acting on whole runs);
        a run that could not be read is left out (its error is filed as usual)."""
        limit = asyncio.Semaphore(READ_RUNS_IN_FLIGHT)

        async def one(run_id: str) -> tuple[str, bool]:
            async with limit:
                return run_id, await self.loaders.checkpoints.load(run_id)

        done = await asyncio.gather(*(one(r) for r in dict.fromkeys(run_ids)))
        return {r: list(self.state.run_checkpoints(r)) for r, ok in done if ok}

    async def load_user_checkpoints(self, *, newest_only: bool = False) -> bool:
        """Load every checkpoint of the user, newest first (`newest_only`: the first page)."""
        return await self.loaders.user_checkpoints.load(newest_only=newest_only)

    async def load_samplers(self) -> bool:
        """Load every sampler named by the sessions (their details are read when missing)."""
        return await self.loaders.samplers.load()

    async def load_models(self) -> bool:
        """Load the base models the caller can use."""
        return await self.loaders.models.load()

    async def load_storage(self) -> bool:
        """Load the current checkpoint storage usage."""
        return await self.loaders.storage.load()

    async def learn_rate(self) -> None:
        """Read the server's storage rate once, quietly, when the key may (it needs an admin
        role: without one the config's rate, else none, is used)."""
        if self.state.storage is None and "storage" not in self.state.errors:
            await self.loaders.storage.load()

    async def load_billing(self, days: int = 7) -> bool:
        """Load the billing usage of the last `days` whole UTC hours (at most 14 days)."""
        return await self.loaders.billing.load(days)

    async def load_weights_info(self, path: str) -> None:
        """Read (once) what loading a checkpoint needs: base model, rank, trained modules."""
        await self.loaders.lookup.load_weights_info(path)

    async def find_path(self, text: str) -> Checkpoint:
        """Find the checkpoint a typed path names, reading its run; raises a one-line error."""
        return await self.loaders.lookup.find_path(text)

    async def load_local(self) -> bool:
        """Read what changed in the training logs on this box (announced as `local`)."""
        return await self.loaders.local.load()

    # --- the training box: names, log folders, records -------------------------------------

    @property
    def has_local_logs(self) -> bool:
        """Whether log roots on this box are followed."""
        return self.loaders.local.enabled

    def run_name(self, run_id: str) -> str | None:
        """A run's readable name (log folder, session, wandb or metadata name), if any."""
        return training.run_name(self.state, run_id)

    def session_name(self, info: SessionInfo) -> str | None:
        """A session's readable name (display name, its runs' log folder, metadata), if any."""
        return training.session_name(self.state, info)

    def local_run(self, run_id: str) -> LocalRun | None:
        """The log folder a service run wrote to, if it is on this box."""
        return self.state.local.for_run(run_id)

    def checkpoint_record(self, path: str) -> LocalCheckpoint | None:
        """The local record of a checkpoint path (step, epoch, final, rolling), if any."""
        return self.state.local.checkpoint_at(path)

    def find_run(self, text: str) -> str | None:
        """The run a typed id or name stands for (None: none, or several)."""
        return training.find_run(self.state, text)

    def gone_checkpoints(self, run_id: str) -> list[GoneCheckpoint]:
        """The run's locally recorded checkpoints that the server no longer lists."""
        return gone_rows(self.state, self.vanished, run_id)

    # --- refresh and watch -----------------------------------------------------------------

    async def refresh(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> bool:
        """Reload the named collections (default: what is on screen), each on its own (one in
        flight is joined, not asked for twice); True if all succeeded."""
        return await self.watch.refresh(collections, watch=watch)

    def set_visible(self, collections: Iterable[str]) -> None:
        """Tell the watch what is on screen."""
        self.watch.set_visible(collections)

    def start_watch(self) -> None:
        """Start the watch loop (once)."""
        self.watch.start()

    def toggle_watch(self) -> bool:
        """Turn watching on or off; returns the new state."""
        return self.watch.toggle()

    def set_paused(self, paused: bool) -> None:
        """Pause the watch (a modal is open) or resume it."""
        self.watch.set_paused(paused)

    @property
    def next_delay(self) -> float:
        """Seconds between tries while the server fails: the interval, doubled per failure."""
        return self.watch.next_delay

    @property
    def can_heal(self) -> bool:
        """Whether the connection's trouble can heal by itself (unreachable, 5xx)."""
        return self.connection in HEALING

    async def wait_to_retry(self) -> None:
        """After a start-up failure that can heal, wait the back-off before trying again."""
        await self.watch.wait_to_retry()

    async def close(self) -> None:
        """Stop the watch and background work, and close the API client."""
        self.watch.cancel()
        self.startup.cancel()
        with contextlib.suppress(Exception):
            await self.api.aclose()

    # --- mutations -------------------------------------------------------------------------

    async def publish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints public (optimistic; rolled back with a reason when refused)."""
        return await self.actions.publish(refs)

    async def unpublish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints private (optimistic; rolled back with a reason when refused)."""
        return await self.actions.unpublish(refs)

    async def set_ttl(
        self, refs: Sequence[CheckpointRef], seconds: int | None, *, label: str | None = None
    ) -> list[ActionResult]:
        """Set (or with None remove) the expiry of checkpoints; the rows show the new expiry."""
        return await self.actions.set_ttl(refs, seconds, label=label)

    async def delete(
        self, refs: Sequence[CheckpointRef], *, label: str | None = None
    ) -> list[ActionResult]:
        """Delete checkpoints, many at once, with progress in `operation`; failures listed."""
        return await self.actions.delete(refs, label=label)

    def cancel_operation(self) -> bool:
        """Cancel the bulk action in progress (what is done stays done); True if one ran."""
        return self.actions.cancel()
