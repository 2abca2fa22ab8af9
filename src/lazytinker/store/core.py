"""The store: one object owning everything the UI shows, and the only caller of the API.

The UI subscribes to `Change` announcements and renders from the store's collections; it never
calls the API itself. Every load catches the API's one-line errors and files them under the
collection it was loading, so one broken pane never takes the rest of the app down.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence, Sized
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from lazytinker.api.client import Capability
from lazytinker.api.errors import (
    APIError,
    BadResponseError,
    ConflictError,
    KeyRejectedError,
    LazytinkerError,
    NoCredentialError,
    NotFoundError,
    NotPermittedError,
    ServerError,
    UnreachableError,
)
from lazytinker.api.models import (
    AccessScope,
    BillingUsageResponse,
    Checkpoint,
    CheckpointsListResponse,
    CurrentCheckpointStorageUsageResponse,
    GetSamplerResponse,
    GetServerCapabilitiesResponse,
    GetSessionResponse,
    ListSessionsResponse,
    SessionSearchRequest,
    SessionSearchResponse,
    SupportedModel,
    TrainingRun,
    TrainingRunsResponse,
    WeightsInfoResponse,
)
from lazytinker.api.paging import iter_offset_pages
from lazytinker.api.paths import CheckpointRef, Flavor
from lazytinker.store.keyed import Change, Keyed
from lazytinker.store.state import (
    ActionResult,
    Connection,
    Notice,
    Operation,
    SessionInfo,
    run_is_active,
    session_of_run,
)

T = TypeVar("T")

FRESH_SECONDS = 4.0
"""How long a row that the watch found stays marked as new."""
MAX_BACKOFF = 60.0
RUN_PAGE = 100
CHECKPOINT_PAGE = 1000


class StoreAPI(Protocol):
    """The part of `TinkerAPI` the store uses (a Protocol, so the store never imports httpx)."""

    flavor: Flavor
    base_url: str
    host: str

    async def connect(self) -> None: ...
    def supports(self, capability: Capability) -> bool: ...
    async def list_training_runs(
        self,
        limit: int = ...,
        offset: int = ...,
        access_scope: AccessScope = ...,
        project_id: Any = ...,
    ) -> TrainingRunsResponse: ...
    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse: ...
    async def list_user_checkpoints(
        self, limit: int = ..., offset: int = ...
    ) -> CheckpointsListResponse: ...
    async def get_weights_info(self, ref: CheckpointRef) -> WeightsInfoResponse: ...
    async def delete_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def publish_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def unpublish_checkpoint(self, ref: CheckpointRef) -> None: ...
    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None: ...
    async def list_sessions(
        self, limit: int = ..., offset: int = ..., access_scope: AccessScope = ...
    ) -> ListSessionsResponse: ...
    async def get_session(
        self, session_id: str, access_scope: AccessScope = ...
    ) -> GetSessionResponse: ...
    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse: ...
    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse: ...
    async def get_server_capabilities(self) -> GetServerCapabilitiesResponse: ...
    async def get_checkpoint_storage_usage(
        self, project_id: str | None = ...
    ) -> CurrentCheckpointStorageUsageResponse: ...
    async def get_billing_usage(
        self, starting_on: datetime, ending_before: datetime
    ) -> BillingUsageResponse: ...
    async def aclose(self) -> None: ...


class ReadOnlyError(LazytinkerError):
    """A mutation was asked for in read-only mode."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def checkpoints_collection(run_id: str) -> str:
    """The collection name of one run's checkpoints."""
    return f"checkpoints:{run_id}"


Listener = Callable[[Change], None]
NoticeListener = Callable[[Notice], None]


class Store:
    """Sessions, runs, checkpoints, samplers, models, usage, status and the watch loop."""

    def __init__(
        self,
        api: StoreAPI,
        *,
        profile_name: str = "default",
        now: Callable[[], datetime] = _utcnow,
        refresh: float = 5.0,
        read_only: bool = False,
        display_url: str | None = None,
    ) -> None:
        self.api = api
        self.display_url = display_url or api.base_url
        self.profile_name = profile_name
        self.now = now
        self.interval = max(0.2, refresh)
        self.read_only = read_only
        self.sessions: Keyed[SessionInfo] = Keyed("sessions", lambda s: s.session_id)
        self.runs: Keyed[TrainingRun] = Keyed("runs", lambda r: r.training_run_id)
        self.run_scope: AccessScope = "owned"
        self.checkpoints: dict[str, Keyed[Checkpoint]] = {}
        self.user_checkpoints: Keyed[Checkpoint] = Keyed("user_checkpoints", lambda c: c.path)
        self.samplers: Keyed[GetSamplerResponse] = Keyed("samplers", lambda s: s.sampler_id)
        self.models: Keyed[SupportedModel] = Keyed("models", lambda m: m.model_name or "?")
        self.storage: CurrentCheckpointStorageUsageResponse | None = None
        self.billing: BillingUsageResponse | None = None
        self.weights_info: dict[str, WeightsInfoResponse | str] = {}
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
        self.watching = True
        self.paused = False
        self.failures = 0
        self._listeners: list[Listener] = []
        self._notice_listeners: list[NoticeListener] = []
        self._watch_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- announcements ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def on_notice(self, listener: NoticeListener) -> Callable[[], None]:
        """Call `listener` with every notice (toast); returns a function that unsubscribes."""
        self._notice_listeners.append(listener)
        return lambda: self._notice_listeners.remove(listener)

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

    # --- small queries ---------------------------------------------------------------------

    @property
    def flavor(self) -> Flavor:
        """The service's flavor (`tinker` or `hpcai`)."""
        return self.api.flavor

    def supports(self, capability: Capability) -> bool:
        """Whether the service offers a capability (hpcai lacks sessions, publish, TTL…)."""
        try:
            return bool(self.api.supports(capability))
        except (LazytinkerError, ValueError, KeyError):
            return False

    def run_checkpoints(self, run_id: str) -> Keyed[Checkpoint]:
        """The checkpoint collection of one run (created empty on first use)."""
        found = self.checkpoints.get(run_id)
        if found is None:
            found = Keyed(checkpoints_collection(run_id), lambda c: c.path)
            self.checkpoints[run_id] = found
        return found

    def find_checkpoint(self, path: str) -> Checkpoint | None:
        """A checkpoint by path from whichever collection holds it."""
        try:
            ref = CheckpointRef.parse(path)
        except ValueError:
            return None
        held = self.checkpoints.get(ref.run_id)
        found = held.get(path) if held is not None else None
        return found or self.user_checkpoints.get(path)

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
        now = self.now()
        return any(
            run_is_active(run, now)
            for run_id in self.runs_of_session(info.session_id)
            if (run := self.runs.get(run_id)) is not None
        )

    def is_fresh(self, key: str) -> bool:
        """Whether the watch found this row a moment ago."""
        return key in self.fresh

    # --- error handling --------------------------------------------------------------------

    def _set_connection(self, state: Connection, error: str | None = None) -> None:
        changed = state != self.connection or error != self.last_error
        self.connection = state
        if error is not None:
            self.last_error = error
        if changed:
            self.announce(Change("status"), force=True)

    def _record_error(self, collection: str, error: Exception) -> None:
        message = str(error) if isinstance(error, LazytinkerError) else f"unexpected: {error}"
        if isinstance(error, NotPermittedError):
            message = "needs an admin role (the server answered 403 not permitted)"
        self.errors[collection] = message
        if isinstance(error, KeyRejectedError):
            self._set_connection(Connection.KEY_REJECTED, message)
        elif isinstance(error, NoCredentialError):
            self._set_connection(Connection.NO_CREDENTIAL, message)
        elif isinstance(error, UnreachableError):
            self._set_connection(Connection.UNREACHABLE, message)
        elif isinstance(error, ServerError):
            self._set_connection(Connection.FAILING, message)
        else:
            self.last_error = message
        self.announce(Change(collection), force=True)

    async def _guard(self, collection: str, work: Awaitable[None]) -> bool:
        """Run one load; file its failure under `collection`. True when it succeeded."""
        self.loading.add(collection)
        try:
            await work
        except (LazytinkerError, ValueError) as error:
            self._record_error(collection, error)
            return False
        finally:
            self.loading.discard(collection)
        # What a load leaves behind lives as long as the store: keep the cyclic GC from walking
        # it again on every full collection (100,000 rows made each one a ~100 ms pause while
        # typing into a filter).
        gc.freeze()
        if self.errors.pop(collection, None) is not None:
            self.announce(Change(collection), force=True)
        if self.connection is not Connection.CONNECTED:
            self._set_connection(Connection.CONNECTED)
        return True

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- connecting and loading ------------------------------------------------------------

    async def connect(self) -> bool:
        """Do the service's start-up handshake; the connection status says how it went."""
        self._set_connection(Connection.CONNECTING)
        try:
            await self.api.connect()
        except LazytinkerError as error:
            self._record_error("status", error)
            if self.connection in (Connection.CONNECTING, Connection.CONNECTED):
                self._set_connection(Connection.UNREACHABLE, str(error))
            return False
        self.errors.pop("status", None)
        self._set_connection(Connection.CONNECTED)
        return True

    async def load_runs(self, scope: AccessScope | None = None) -> bool:
        """Load every run of the scope (`owned`/`accessible`), first page shown at once."""
        if scope is not None and scope != self.run_scope:
            self.run_scope = scope
            self.announce(self.runs.clear(), force=True)
        return await self._guard("runs", self._load_runs(self.run_scope))

    async def _load_runs(self, scope: AccessScope) -> None:
        seen: set[str] = set()

        async def fetch(offset: int, limit: int) -> TrainingRunsResponse:
            return await self.api.list_training_runs(limit=limit, offset=offset, access_scope=scope)

        async for page in iter_offset_pages(
            fetch, page_size=RUN_PAGE, total_of=lambda p: p.cursor.total_count
        ):
            seen.update(r.training_run_id for r in page.training_runs)
            self._announce_merge(self.runs, page.training_runs)
        removed = self.runs.remove_missing(seen)
        self.runs.loaded = True
        self.announce(removed)

    def _announce_merge(
        self, keyed: Keyed[T], items: Iterable[T], *, watch: bool = False
    ) -> Change:
        change = keyed.merge(items)
        if watch and keyed.loaded and change.added:
            self._mark_fresh(change)
        self.announce(change)
        return change

    def _mark_fresh(self, change: Change) -> None:
        stamp = time.monotonic()
        for key in change.added:
            self.fresh[key] = stamp
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_later(FRESH_SECONDS, self._expire_fresh, change)

    def _expire_fresh(self, change: Change) -> None:
        keyed = self._collection(change.collection)
        expired = tuple(k for k in change.added if self.fresh.pop(k, None) is not None)
        if keyed is not None:
            expired = tuple(k for k in expired if k in keyed)
        self.announce(Change(change.collection, updated=expired))

    def _collection(self, name: str) -> Keyed[Any] | None:
        if name.startswith("checkpoints:"):
            return self.checkpoints.get(name.removeprefix("checkpoints:"))
        found = getattr(self, name, None)
        return found if isinstance(found, Keyed) else None

    async def load_sessions(self) -> bool:
        """Load the sessions: search (rich, with status) when offered, else ids then details."""
        return await self._guard("sessions", self._load_sessions())

    async def _load_sessions(self) -> None:
        if not self.supports(Capability.SESSIONS):
            self.sessions.loaded = True
            return
        try:
            infos = await self._search_sessions()
        except (NotFoundError, NotPermittedError, BadResponseError):
            infos = None
        if infos is None:
            infos = await self._list_sessions()
        previous = self.sessions.items
        merged = [_merge_session(previous.get(info.session_id), info) for info in infos]
        self.announce(self.sessions.replace(merged))

    async def _search_sessions(self) -> list[SessionInfo]:
        infos: list[SessionInfo] = []
        request = SessionSearchRequest(limit=200)
        for _ in range(50):
            page = await self.api.search_sessions(request)
            for s in page.sessions:
                infos.append(
                    SessionInfo(
                        session_id=s.session_id,
                        created_at=s.created_at,
                        status=_status_word(s.status),
                        display_name=s.display_name,
                        owner=s.owner,
                        user_metadata=s.user_metadata,
                        checkpoints_count=s.checkpoints_count,
                        storage_bytes=s.checkpoint_storage_bytes,
                    )
                )
            if page.next_cursor is None or not page.sessions:
                break
            request = request.model_copy(update={"cursor": page.next_cursor})
        return infos

    async def _list_sessions(self) -> list[SessionInfo]:
        ids: list[str] = []
        offset = 0
        while True:
            page = await self.api.list_sessions(limit=100, offset=offset)
            ids.extend(page.sessions)
            if len(page.sessions) < 100:
                break
            offset += len(page.sessions)
        return [SessionInfo(session_id=i) for i in ids]

    async def load_session(self, session_id: str) -> bool:
        """Load one session's runs and samplers (needed to drill into it)."""

        async def work() -> None:
            got = await self.api.get_session(session_id)
            old = self.sessions.get(session_id) or SessionInfo(session_id=session_id)
            new = _merge_session(
                old,
                SessionInfo(
                    session_id=session_id,
                    display_name=got.display_name or old.display_name,
                    user_metadata=got.user_metadata or old.user_metadata,
                    training_run_ids=tuple(got.training_run_ids),
                    sampler_ids=tuple(got.sampler_ids),
                ),
            )
            self.announce(self.sessions.put(new))

        return await self._guard("sessions", work())

    async def load_checkpoints(self, run_id: str, *, watch: bool = False) -> bool:
        """Load every checkpoint of one run; during a watch, announce what it saved."""
        keyed = self.run_checkpoints(run_id)

        async def work() -> None:
            got = await self.api.list_checkpoints(run_id)
            was_loaded = keyed.loaded
            change = keyed.replace(got.checkpoints)
            if watch and was_loaded and change.added:
                self._mark_fresh(change)
                names = [
                    key.rsplit("/", 2)[-2] + "/" + key.rsplit("/", 1)[-1] for key in change.added
                ]
                shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
                self.notify(f"Run {run_id} saved {shown}")
            self.announce(change, force=not was_loaded)

        return await self._guard(keyed.name, work())

    async def load_user_checkpoints(self, *, newest_only: bool = False) -> bool:
        """Load every checkpoint of the user, newest first, several pages in flight.

        `newest_only` (the watch) reads the first page alone and adds what is new: re-reading a
        100,000-row listing every few seconds would cost the server more than it tells us.
        """
        if not self.supports(Capability.USER_CHECKPOINTS):
            self.user_checkpoints.loaded = True
            return True

        async def work() -> None:
            seen: set[str] = set()

            async def fetch(offset: int, limit: int) -> CheckpointsListResponse:
                return await self.api.list_user_checkpoints(limit=limit, offset=offset)

            def total(page: CheckpointsListResponse) -> int:
                return page.cursor.total_count if page.cursor else len(page.checkpoints)

            async for page in iter_offset_pages(
                fetch,
                page_size=CHECKPOINT_PAGE,
                total_of=total,
                limit=CHECKPOINT_PAGE if newest_only else None,
            ):
                seen.update(c.path for c in page.checkpoints)
                self._announce_merge(self.user_checkpoints, page.checkpoints, watch=newest_only)
            if not newest_only:
                self.announce(self.user_checkpoints.remove_missing(seen))
                self.user_checkpoints.loaded = True

        return await self._guard("user_checkpoints", work())

    async def load_samplers(self) -> bool:
        """Load every sampler named by the sessions (their details are read when missing)."""
        if not self.supports(Capability.SAMPLERS):
            self.samplers.loaded = True
            return True

        async def work() -> None:
            if not self.sessions.loaded:
                await self._load_sessions()
            limit = asyncio.Semaphore(8)

            async def details(session_id: str) -> None:
                async with limit:
                    await self.load_session(session_id)

            missing = [s.session_id for s in self.sessions if s.sampler_ids is None]
            await asyncio.gather(*(details(s) for s in missing))
            ids = sorted({i for s in self.sessions for i in (s.sampler_ids or ())})

            async def one(sampler_id: str) -> GetSamplerResponse | None:
                async with limit:
                    try:
                        return await self.api.get_sampler(sampler_id)
                    except NotFoundError:
                        return None

            found = [s for s in await asyncio.gather(*(one(i) for i in ids)) if s is not None]
            self.announce(self.samplers.replace(found), force=True)

        return await self._guard("samplers", work())

    async def load_models(self) -> bool:
        """Load the base models the caller can use."""

        async def work() -> None:
            got = await self.api.get_server_capabilities()
            self.announce(self.models.replace(got.supported_models), force=True)

        return await self._guard("models", work())

    async def load_storage(self) -> bool:
        """Load the current checkpoint storage usage."""

        async def work() -> None:
            self.storage = await self.api.get_checkpoint_storage_usage()
            self.announce(Change("storage"), force=True)

        return await self._guard("storage", work())

    async def load_billing(self, days: int = 7) -> bool:
        """Load the billing usage of the last `days` whole UTC hours (at most 14 days)."""

        async def work() -> None:
            end = self.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            start = end - timedelta(days=min(max(days, 1), 14))
            self.billing = await self.api.get_billing_usage(start, end)
            self.announce(Change("billing"), force=True)

        return await self._guard("billing", work())

    async def load_weights_info(self, path: str) -> None:
        """Read (once) what loading a checkpoint needs: base model, rank, trained modules."""
        if path in self.weights_info:
            return
        try:
            ref = CheckpointRef.parse(path)
            self.weights_info[path] = await self.api.get_weights_info(ref)
        except (LazytinkerError, ValueError) as error:
            self.weights_info[path] = str(error)
        self.announce(Change("weights_info", updated=(path,)))

    async def find_path(self, text: str) -> Checkpoint:
        """Find the checkpoint a typed path names, reading its run; raises a one-line error."""
        ref = CheckpointRef.parse(text.strip())
        path = ref.with_flavor(self.flavor).path
        found = self.find_checkpoint(path)
        if found is not None:
            return found
        await self.load_checkpoints(ref.run_id)
        found = self.run_checkpoints(ref.run_id).get(path)
        if found is None:
            raise NotFoundError(f"No checkpoint {path} on {self.api.host}", host=self.api.host)
        return found

    # --- refresh and watch -----------------------------------------------------------------

    async def refresh(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> bool:
        """Reload the named collections (default: what is on screen); True if all succeeded."""
        names = set(self.visible if collections is None else collections)
        jobs: list[Awaitable[bool]] = []
        for name in sorted(names):
            if name == "runs":
                jobs.append(self.load_runs())
            elif name == "sessions":
                jobs.append(self.load_sessions())
            elif name.startswith("checkpoints:"):
                jobs.append(self.load_checkpoints(name.removeprefix("checkpoints:"), watch=watch))
            elif name == "user_checkpoints":
                jobs.append(self.load_user_checkpoints(newest_only=watch))
            elif name == "samplers":
                jobs.append(self.load_samplers())
            elif name == "models":
                jobs.append(self.load_models())
            elif name == "storage":
                jobs.append(self.load_storage())
            elif name == "billing":
                jobs.append(self.load_billing())
        results = await asyncio.gather(*jobs)
        self.last_refresh = self.now()
        self.announce(Change("clock"), force=True)
        return all(results)

    def set_visible(self, collections: Iterable[str]) -> None:
        """Tell the watch what is on screen."""
        self.visible = set(collections)

    def start_watch(self) -> None:
        """Start the watch loop (once)."""
        if self._watch_task is None:
            self._watch_task = self._spawn(self._watch_loop())

    def toggle_watch(self) -> bool:
        """Turn watching on or off; returns the new state."""
        self.watching = not self.watching
        self.failures = 0
        self._wake.set()
        self.announce(Change("status"), force=True)
        return self.watching

    def set_paused(self, paused: bool) -> None:
        """Pause the watch (a modal is open) or resume it."""
        if paused != self.paused:
            self.paused = paused
            self.announce(Change("status"), force=True)

    @property
    def next_delay(self) -> float:
        """Seconds until the next watch refresh: the interval, doubled per failure, capped."""
        return float(min(self.interval * (2**self.failures), max(MAX_BACKOFF, self.interval)))

    async def _watch_loop(self) -> None:
        while True:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.next_delay)
            if not self.watching or self.paused or self._wake.is_set():
                continue
            ok = await self.refresh(watch=True)
            self.failures = 0 if ok else min(self.failures + 1, 8)

    async def close(self) -> None:
        """Stop the watch and background work, and close the API client."""
        for task in [self._watch_task, *self._tasks]:
            if task is not None:
                task.cancel()
        with contextlib.suppress(Exception):
            await self.api.aclose()

    # --- mutations (issue 6) ---------------------------------------------------------------

    def _check_writable(self, what: str) -> None:
        if self.read_only:
            raise ReadOnlyError(
                f"Read-only mode: {what} is disabled (--read-only or ui.read_only in the config)."
            )

    def _put_checkpoint(self, checkpoint: Checkpoint) -> None:
        ref = CheckpointRef.parse(checkpoint.path)
        held = self.checkpoints.get(ref.run_id)
        if held is not None and (checkpoint.path in held or held.loaded):
            self.announce(held.put(checkpoint))
        if checkpoint.path in self.user_checkpoints:
            self.announce(self.user_checkpoints.put(checkpoint))

    def _drop_checkpoint(self, path: str) -> None:
        self.weights_info.pop(path, None)
        with contextlib.suppress(ValueError):
            held = self.checkpoints.get(CheckpointRef.parse(path).run_id)
            if held is not None:
                self.announce(held.remove(path))
        self.announce(self.user_checkpoints.remove(path))

    async def _reread(self, ref: CheckpointRef) -> Checkpoint | None:
        """Re-read one checkpoint from the server (through its run's listing).

        Returns it (its row now shows the server's state), or None when the server no longer
        has it (its row is removed). Raises when the server could not tell us.
        """
        got = await self.api.list_checkpoints(ref.run_id)
        for checkpoint in got.checkpoints:
            if checkpoint.path == ref.path:
                self._put_checkpoint(checkpoint)
                return checkpoint
        self._drop_checkpoint(ref.path)
        return None

    async def _after_not_found(
        self, ref: CheckpointRef, before: Checkpoint | None, refused: str
    ) -> ActionResult:
        """A 404: deleted elsewhere (drop the row), or still there but not ours (roll back)."""
        try:
            now = await self._reread(ref)
        except LazytinkerError:
            now = None
        if now is None:
            message = f"{ref.path} no longer exists (deleted elsewhere); removed"
            self.notify(message, "warning")
            return ActionResult(ref.path, False, message)
        message = f"{refused} {ref.path}: the server refused (only the run's owner may change it)"
        self.notify(message, "error")
        return ActionResult(ref.path, False, message)

    async def publish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints public (optimistic; rolled back with a reason when refused)."""
        self._check_writable("publishing")
        return await self._set_public(refs, True)

    async def unpublish(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Make checkpoints private (optimistic; rolled back with a reason when refused)."""
        self._check_writable("unpublishing")
        return await self._set_public(refs, False)

    async def _set_public(self, refs: Sequence[CheckpointRef], public: bool) -> list[ActionResult]:
        word = "public" if public else "private"
        call = self.api.publish_checkpoint if public else self.api.unpublish_checkpoint

        async def one(ref: CheckpointRef) -> ActionResult:
            before = self.find_checkpoint(ref.path)
            if before is not None:
                self._put_checkpoint(before.model_copy(update={"public": public}))
            try:
                await call(ref)
            except ConflictError:
                # 409 = already in the state asked for: we were stale. Re-read to be sure;
                # if that read fails, the 409 itself is the answer.
                try:
                    now = await self._reread(ref)
                except LazytinkerError:
                    if before is not None:
                        self._put_checkpoint(before.model_copy(update={"public": public}))
                    message = f"{ref.path} was already {word}"
                else:
                    state = "gone" if now is None else ("public" if now.public else "private")
                    message = f"{ref.path} was already {state} (refreshed)"
                self.notify(message)
                return ActionResult(ref.path, True, message)
            except NotFoundError:
                if before is not None:
                    self._put_checkpoint(before)
                return await self._after_not_found(ref, before, f"Could not make {word}")
            except LazytinkerError as error:
                if before is not None:
                    self._put_checkpoint(before)
                message = f"Could not make {ref.path} {word}: {error}"
                self.notify(message, "error")
                return ActionResult(ref.path, False, message)
            return ActionResult(ref.path, True, f"{ref.path} is now {word}")

        return await self._each(refs, one)

    async def set_ttl(
        self, refs: Sequence[CheckpointRef], seconds: int | None
    ) -> list[ActionResult]:
        """Set (or with None remove) the expiry of checkpoints; the rows show the new expiry."""
        self._check_writable("setting the expiry")
        expires = None if seconds is None else self.now() + timedelta(seconds=seconds)

        async def one(ref: CheckpointRef) -> ActionResult:
            before = self.find_checkpoint(ref.path)
            if before is not None:
                self._put_checkpoint(before.model_copy(update={"expires_at": expires}))
            try:
                await self.api.set_checkpoint_ttl(ref, seconds)
            except NotFoundError:
                if before is not None:
                    self._put_checkpoint(before)
                return await self._after_not_found(ref, before, "Could not set the expiry of")
            except LazytinkerError as error:
                if before is not None:
                    self._put_checkpoint(before)
                message = f"Could not set the expiry of {ref.path}: {error}"
                self.notify(message, "error")
                return ActionResult(ref.path, False, message)
            with contextlib.suppress(LazytinkerError):
                await self._reread(ref)
            return ActionResult(ref.path, True)

        return await self._each(refs, one)

    async def delete(self, refs: Sequence[CheckpointRef]) -> list[ActionResult]:
        """Delete checkpoints, several at once, with progress in `operation`; failures listed."""
        self._check_writable("deleting")
        operation = Operation(f"Deleting {len(refs)} checkpoint(s)", total=len(refs))
        self.operation = operation
        self.announce(Change("operation"), force=True)

        async def one(ref: CheckpointRef) -> ActionResult:
            try:
                await self.api.delete_checkpoint(ref)
            except NotFoundError:
                try:
                    still = await self._reread(ref)
                except LazytinkerError:
                    still = None
                if still is None:
                    result = ActionResult(ref.path, True, f"{ref.path} was already gone")
                else:
                    result = ActionResult(
                        ref.path,
                        False,
                        f"{ref.path}: the server refused (only the owner may delete)",
                    )
                    operation.failures.append(result)
            except LazytinkerError as error:
                result = ActionResult(ref.path, False, f"{ref.path}: {error}")
                operation.failures.append(result)
            else:
                self._drop_checkpoint(ref.path)
                result = ActionResult(ref.path, True)
            operation.done += 1
            self.announce(Change("operation"), force=True)
            return result

        results = await self._each(refs, one)
        gone = [r for r in results if r.ok and r.message]
        for result in gone[:5]:
            self.notify(f"{result.message} (deleted elsewhere); removed", "warning")
        if len(gone) > 5:
            self.notify(f"{len(gone) - 5} more were already gone; removed", "warning")
        failed = [r for r in results if not r.ok]
        if failed:
            lines = "; ".join(r.message for r in failed[:5])
            more = f" (+{len(failed) - 5} more)" if len(failed) > 5 else ""
            self.notify(
                f"Deleted {len(results) - len(failed)} of {len(results)}; failed: {lines}{more}",
                "error",
            )
        elif len(results) > len(gone):
            self.notify(f"Deleted {len(results) - len(gone)} checkpoint(s)")
        return results

    async def _each(
        self,
        refs: Sequence[CheckpointRef],
        one: Callable[[CheckpointRef], Awaitable[ActionResult]],
    ) -> list[ActionResult]:
        limit = asyncio.Semaphore(4)

        async def bounded(ref: CheckpointRef) -> ActionResult:
            async with limit:
                try:
                    return await one(ref)
                except (APIError, ValueError) as error:
                    return ActionResult(ref.path, False, str(error))

        return list(await asyncio.gather(*(bounded(r) for r in refs)))


def _status_word(status: Any) -> str | None:
    if status is None:
        return None
    kind = getattr(status, "type", None)
    return {"client_finished": "finished"}.get(str(kind), str(kind)) if kind else None


def _merge_session(old: SessionInfo | None, new: SessionInfo) -> SessionInfo:
    """Keep what an earlier call told us when a later one leaves it out."""
    if old is None:
        return new
    values = {
        name: getattr(new, name) if getattr(new, name) is not None else getattr(old, name)
        for name in SessionInfo.__slots__
    }
    return SessionInfo(**values)
