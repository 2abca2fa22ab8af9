"""`TinkerAPI`: the async client of one Tinker-compatible service (design.md §2, protocol.md §4).

A facade: the store calls its methods (`store.core.StoreAPI` lists the ones it uses) and never
sees how they are made. Underneath, one `Transport` (handshake, credential, retries, errors) is
shared by the endpoint groups of `api/endpoints/` (runs and checkpoints, sessions and samplers,
usage and audit, identity, projects, download URLs), and one `Capabilities` says what the
service offers: its flavor's preset at first, then what its answers taught (`probe` asks).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar, overload

from lazytinker.api.capabilities import Capabilities, Capability
from lazytinker.api.early import READ_TIMEOUT
from lazytinker.api.endpoints.runs import RunsEndpoints
from lazytinker.api.endpoints.sessions import SessionsEndpoints
from lazytinker.api.handshake import HandshakeState
from lazytinker.api.paths import CheckpointRef, Flavor
from lazytinker.api.retry import RetryPolicy
from lazytinker.api.target import ServerTarget
from lazytinker.api.timing import RoundTrips
from lazytinker.api.transport import DEADLINE, Transport

if TYPE_CHECKING:
    from lazytinker.api.early import EarlyRequests
    from lazytinker.api.endpoints import (
        AccountEndpoints,
        DownloadEndpoints,
        ProjectEndpoints,
        UsageEndpoints,
    )
    from lazytinker.api.endpoints.training import FinishType, FutureAnswer, TrainingEndpoints
    from lazytinker.api.models import (
        AccessScope,
        ApiKeyMeResponse,
        AuditLogResponse,
        BillingUsageResponse,
        CheckpointArchiveUrlResponse,
        CheckpointsListResponse,
        ClientConfigResponse,
        CopyWeightsResponse,
        CurrentCheckpointStorageUsageResponse,
        DynamicConfigResponse,
        ExternalWeightsUrlsResponse,
        GetSamplerResponse,
        GetServerCapabilitiesResponse,
        GetSessionResponse,
        HealthResponse,
        ListSessionsResponse,
        SessionSearchRequest,
        SessionSearchResponse,
        TraceExportResponse,
        TrainingRun,
        TrainingRunsResponse,
        WeightsInfoResponse,
        Whoami,
    )
    from lazytinker.api.training_models import FutureHandle

__all__ = ["Capability", "HandshakeState", "RoundTrips", "ServerTarget", "TinkerAPI"]

G = TypeVar("G")


class _Group(Generic[G]):
    """An endpoint group of `TinkerAPI`, built (and its module imported) when first used: the
    first screen calls only runs and sessions, and the training calls' models alone cost ~10 ms
    to import."""

    def __init__(self, module: str, name: str) -> None:
        self.module = f"lazytinker.api.endpoints.{module}"
        self.name = name
        self.attribute = ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.attribute = attribute

    @overload
    def __get__(self, api: None, owner: type) -> Self: ...
    @overload
    def __get__(self, api: TinkerAPI, owner: type | None = None) -> G: ...
    def __get__(self, api: TinkerAPI | None, owner: type | None = None) -> G | Self:
        if api is None:  # looked up on the class (introspection, mocks with a spec)
            return self
        __import__(self.module)  # an import statement's machinery: `-X importtime` reports it
        group: G = getattr(sys.modules[self.module], self.name)(api.transport, api.capabilities)
        # Not a data descriptor: from now on the instance's own attribute answers.
        api.__dict__[self.attribute] = group
        return group


class TinkerAPI:
    """An async client for one Tinker-compatible service; use it as an async context manager."""

    usage: _Group[UsageEndpoints] = _Group("usage", "UsageEndpoints")
    downloads: _Group[DownloadEndpoints] = _Group("downloads", "DownloadEndpoints")
    account: _Group[AccountEndpoints] = _Group("account", "AccountEndpoints")
    projects: _Group[ProjectEndpoints] = _Group("projects", "ProjectEndpoints")
    training: _Group[TrainingEndpoints] = _Group("training", "TrainingEndpoints")

    def __init__(
        self,
        target: ServerTarget,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = READ_TIMEOUT,
        deadline: float = DEADLINE,
        early: EarlyRequests | None = None,
    ) -> None:
        """`early`: the start-up's requests already on their way (`api/early.py`)."""
        self.target = target
        self.flavor: Flavor = target.flavor
        self.base_url = target.url
        self.host = target.host
        self.capabilities = Capabilities(target.flavor, target.host)
        self.transport = Transport(
            target,
            retry=retry,
            timeout=timeout,
            deadline=deadline,
            capabilities=self.capabilities,
            early=early,
        )
        # The groups the first screen calls; the others (`_Group`) are built on first use.
        self.runs = RunsEndpoints(self.transport, self.capabilities)
        self.sessions = SessionsEndpoints(self.transport, self.capabilities)

    def __repr__(self) -> str:
        return f"TinkerAPI(flavor={self.flavor!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.transport.aclose()

    # --- the connection ------------------------------------------------------------------------

    async def connect(self) -> None:
        """Read the credential and wait for the start-up handshake (tinker; run once, in the
        background, beside the first calls). Raises only what makes the server unusable."""
        await self.transport.connect()

    def supports(self, capability: Capability) -> bool:
        """Whether this service offers `capability` (as far as its answers have said)."""
        return self.capabilities.supports(capability)

    async def probe(self, capabilities: Iterable[Capability]) -> None:
        """Ask the server about capabilities not decided yet, all at once (reads only)."""
        from lazytinker.api.probe import probe_all

        await probe_all(self.transport, capabilities)

    @property
    def handshake_state(self) -> HandshakeState:
        """How the start-up handshake went (pending, done, skipped, failed, none)."""
        return self.transport.handshake_state

    @property
    def server_identity(self) -> dict[str, str]:
        """What the server says of itself: `header` (Server), `name`, `version` if given."""
        return self.transport.server_identity

    @property
    def timing(self) -> RoundTrips:
        """How long its answers take."""
        return self.transport.timing

    def on_throttle(self, listener: Callable[[float | None], None]) -> Callable[[], None]:
        """Call `listener(retry_after)` on every 429 the service answers; returns a function
        that stops it (bulk actions slow down by it)."""
        listeners = self.transport.throttle_listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of every call."""
        return self.transport.retry

    @property
    def whoami(self) -> Whoami | None:
        """Who the caller is, when the credential is (or was exchanged for) a JWT."""
        return self.transport.credentials.whoami

    @property
    def client_config(self) -> ClientConfigResponse | None:
        """The answer of `client/config`, once connected (tinker)."""
        return self.transport.client_config

    @property
    def dynamic_config(self) -> DynamicConfigResponse | None:
        """The answer of `client/dynamic_config`, once connected (tinker)."""
        return self.transport.dynamic_config

    def url(self, path: str) -> str:
        """The absolute URL of an API path (already encoded)."""
        return self.transport.url(path)

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """Headers to fetch `url` with: the credential only on the API's own origin."""
        return self.transport.auth_headers_for(url)

    # --- training runs and checkpoints ---------------------------------------------------------

    async def list_training_runs(
        self,
        limit: int = 100,
        offset: int = 0,
        access_scope: AccessScope = "owned",
        project_id: str | None = None,
    ) -> TrainingRunsResponse:
        """One page of training runs (`access_scope` and `project_id` are tinker-only)."""
        return await self.runs.list_training_runs(limit, offset, access_scope, project_id)

    async def get_training_run(
        self, run_id: str, access_scope: AccessScope = "owned"
    ) -> TrainingRun:
        """One training run by id."""
        return await self.runs.get_training_run(run_id, access_scope)

    async def get_training_run_by_path(self, ref: CheckpointRef) -> TrainingRun:
        """The training run a checkpoint belongs to."""
        return await self.runs.get_training_run(ref.run_id)

    async def get_weights_info(self, ref: CheckpointRef) -> WeightsInfoResponse:
        """What is needed to load a checkpoint's weights."""
        return await self.runs.get_weights_info(ref)

    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse:
        """Every checkpoint of one run (not paged)."""
        return await self.runs.list_checkpoints(run_id)

    async def list_user_checkpoints(
        self, limit: int = 1000, offset: int = 0
    ) -> CheckpointsListResponse:
        """One page of all the caller's checkpoints, newest first."""
        return await self.runs.list_user_checkpoints(limit, offset)

    async def delete_checkpoint(self, ref: CheckpointRef) -> None:
        """Delete a checkpoint for good."""
        await self.runs.delete_checkpoint(ref)

    async def publish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint public; a 409 (already public) is raised as `ConflictError`."""
        await self.runs.publish_checkpoint(ref)

    async def unpublish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint private again; a 409 (already private) is raised as `ConflictError`."""
        await self.runs.unpublish_checkpoint(ref)

    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None:
        """Set a checkpoint to expire `ttl_seconds` from now, or never (`None`)."""
        await self.runs.set_checkpoint_ttl(ref, ttl_seconds)

    # --- sessions and samplers -----------------------------------------------------------------

    async def list_sessions(
        self, limit: int = 20, offset: int = 0, access_scope: AccessScope = "owned"
    ) -> ListSessionsResponse:
        """One page of session ids."""
        return await self.sessions.list_sessions(limit, offset, access_scope)

    async def get_session(
        self, session_id: str, access_scope: AccessScope = "owned"
    ) -> GetSessionResponse:
        """One session: its runs and samplers."""
        return await self.sessions.get_session(session_id, access_scope)

    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse:
        """One page of session summaries, newest first; pass `next_cursor` back for the next."""
        return await self.sessions.search_sessions(request)

    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse:
        """One sampler."""
        return await self.sessions.get_sampler(sampler_id)

    # --- the service, usage, billing and audit -------------------------------------------------

    async def get_server_capabilities(self) -> GetServerCapabilitiesResponse:
        """The base models the caller can use."""
        return await self.usage.get_server_capabilities()

    async def health(self) -> HealthResponse:
        """`GET /api/v1/healthz`."""
        return await self.usage.health()

    async def get_checkpoint_storage_usage(
        self, project_id: str | None = None
    ) -> CurrentCheckpointStorageUsageResponse:
        """Current checkpoint storage, by project and owner (needs an admin role)."""
        return await self.usage.get_checkpoint_storage_usage(project_id)

    async def get_billing_usage(
        self, starting_on: datetime, ending_before: datetime
    ) -> BillingUsageResponse:
        """Hourly usage rows of a window (start inclusive, end exclusive; admin role)."""
        return await self.usage.get_billing_usage(starting_on, ending_before)

    async def get_audit_log(
        self, event_type: str = "all", day: date | None = None
    ) -> AuditLogResponse:
        """One UTC day of audit events (admin role)."""
        return await self.usage.get_audit_log(event_type, day)

    # --- identity and projects ----------------------------------------------------------------

    async def api_key_me(self) -> ApiKeyMeResponse:
        """The key's name and note, its organisation and e-mail (`GET …/auth/apikey/me`)."""
        return await self.account.api_key_me()

    async def assign_session_project(self, session_id: str, project_id: str) -> None:
        """Move a session, and its runs and samplers, to another project."""
        await self.projects.assign_session_project(session_id, project_id)

    async def copy_weights(
        self,
        ref: CheckpointRef,
        project_id: str,
        ttl_seconds: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> CopyWeightsResponse:
        """Copy a checkpoint into a project; the copy expires after `ttl_seconds` (or never)."""
        return await self.projects.copy_weights(
            ref, project_id, ttl_seconds, idempotency_key=idempotency_key
        )

    # --- where downloads fetch from ------------------------------------------------------------

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        """Where to download a checkpoint's archive, and until when (`ArchiveNotReadyError` on
        503)."""
        return await self.downloads.get_archive_url(ref)

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        """Signed URLs of every file of an `external_weights` checkpoint."""
        return await self.downloads.get_external_weights_urls(ref)

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        """The state of a session's trace export (poll until `ready` or `failed`)."""
        return await self.downloads.get_trace_export(session_id)

    # --- the export flow (a session that exports a training checkpoint) ------------------------

    async def create_session(self, sdk_version: str) -> str:
        """A new, empty session; its id."""
        return await self.training.create_session(sdk_version)

    async def session_heartbeat(self, session_id: str) -> None:
        """Keep a session alive."""
        await self.training.heartbeat(session_id)

    async def finish_session(
        self, session_id: str, reason: FinishType, detail: str | None = None
    ) -> None:
        """End a session, saying why."""
        await self.training.finish_session(session_id, reason, detail)

    async def load_weights(self, session_id: str, path: str, created_by: str) -> FutureHandle:
        """Load a training checkpoint into a new run of the session (a future)."""
        return await self.training.load_weights(session_id, path, created_by)

    async def retrieve_future(self, request_id: str) -> FutureAnswer:
        """One poll of a future."""
        return await self.training.retrieve_future(request_id)

    async def save_weights_external(
        self, model_id: str, name: str, ttl_seconds: int
    ) -> FutureHandle:
        """Save a run as external weights (a future)."""
        return await self.training.save_weights_external(model_id, name, ttl_seconds)
