"""The 0.38 export flow (protocol.md §8.4): a training checkpoint downloaded the way today's
official CLI does it, for services that no longer serve `/archive`.

A short-lived session is created (and kept alive with a heartbeat every 10 s), the checkpoint is
loaded into a new run of it, the run is saved as external weights with a one-hour TTL, and the
futures are polled. The caller then downloads the export's files, renewing the TTL each time the
URLs are signed. Whatever happens next (success, a failed file, a lost connection, Ctrl-C), the
temporary export is deleted and the session finished; when the server cannot be told, the export
is left to expire in an hour, and `note` says which. This starts a billable session on the
checkpoint's base model: callers say so before starting.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Protocol, Self

from lazytinker import __version__
from lazytinker.api.endpoints.training import FinishType, FutureAnswer
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointKind, CheckpointRef, InvalidPathError
from lazytinker.api.training_models import FutureHandle
from lazytinker.api.transfer import DownloadError, Progress, ProgressCallback

__all__ = ["BILLABLE", "EXPORT_TTL", "ExportSource", "Exporter"]

EXPORT_TTL = 3600
EXPORT_NAME = "download"
CREATED_BY = "lazytinker download"
HEARTBEAT_SECONDS = 10.0
_CLEANUP_SECONDS = 15.0
BILLABLE = (
    "this service no longer serves archives, so the checkpoint is exported the way the official "
    "CLI does it: a short training session on its base model (billable) saves it as external "
    "weights, which are downloaded and then deleted"
)


class ExportSource(Protocol):
    """What the export flow needs from the API client (`TinkerAPI` provides all of it)."""

    async def create_session(self, sdk_version: str) -> str:
        """A new session's id."""
        ...

    async def session_heartbeat(self, session_id: str) -> None:
        """Keep the session alive."""
        ...

    async def finish_session(
        self, session_id: str, reason: FinishType, detail: str | None = None
    ) -> None:
        """End the session."""
        ...

    async def load_weights(self, session_id: str, path: str, created_by: str) -> FutureHandle:
        """Load a checkpoint into a new run (a future)."""
        ...

    async def retrieve_future(self, request_id: str) -> FutureAnswer:
        """One poll of a future."""
        ...

    async def save_weights_external(
        self, model_id: str, name: str, ttl_seconds: int
    ) -> FutureHandle:
        """Save a run as external weights (a future)."""
        ...

    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None:
        """Set a checkpoint's time to live."""
        ...

    async def delete_checkpoint(self, ref: CheckpointRef) -> None:
        """Delete a checkpoint."""
        ...


class Exporter:
    """One training checkpoint exported through a session of its own; an async context manager
    that cleans up on the way out, whatever the way out is."""

    def __init__(
        self,
        source: ExportSource,
        ref: CheckpointRef,
        *,
        on_progress: ProgressCallback | None = None,
        poll_limit: float = 1800.0,
    ) -> None:
        self.source = source
        self.ref = ref
        self.on_progress = on_progress
        self.poll_limit = poll_limit
        self.session_id: str | None = None
        self.export: CheckpointRef | None = None
        self.size_bytes: int | None = None
        self.note: str | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._say("starting a session to export it")
        self.session_id = await self.source.create_session(f"lazytinker-{__version__}")
        self._heartbeat = asyncio.create_task(self._beat(self.session_id))
        return self

    async def run(self) -> CheckpointRef:
        """Load the checkpoint and save it as external weights; returns the export's path."""
        assert self.session_id is not None, "use the Exporter as an async context manager"
        self._say("loading the checkpoint on the server")
        loading = await self.source.load_weights(self.session_id, self.ref.path, CREATED_BY)
        loaded = await self._outcome(loading, "load the checkpoint")
        model_id = loaded.model_id or loading.model_id
        if not model_id:
            raise DownloadError(f"The server loaded {self.ref} but did not say into which run")
        self._say("saving it as external weights")
        saving = await self.source.save_weights_external(model_id, EXPORT_NAME, EXPORT_TTL)
        saved = await self._outcome(saving, "export the checkpoint")
        try:
            export = CheckpointRef.parse(saved.path or "")
        except InvalidPathError:
            raise DownloadError(
                f"The server exported {self.ref} to {saved.path!r}, which is not a checkpoint path"
            ) from None
        if export.kind is not CheckpointKind.EXTERNAL:
            raise DownloadError(f"The server exported {self.ref} as {export}, not external weights")
        self.export, self.size_bytes = export, saved.size_bytes
        return export

    async def renew(self) -> None:
        """Give the temporary export another hour (called each time its URLs are signed)."""
        if self.export is not None:
            await self.source.set_checkpoint_ttl(self.export, EXPORT_TTL)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            reason: FinishType = "success"
        elif issubclass(exc_type, asyncio.CancelledError | KeyboardInterrupt):
            reason = "interrupted"
        else:
            reason = "errored"
        await self._cleanup(reason, None if exc is None else str(exc)[:500] or None)

    async def _cleanup(self, reason: FinishType, detail: str | None) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        if self.export is not None:
            try:
                async with asyncio.timeout(_CLEANUP_SECONDS):
                    await self.source.delete_checkpoint(self.export)
            except (LazytinkerError, TimeoutError):
                self.note = (
                    f"the temporary export {self.export} could not be deleted; "
                    f"it expires in {EXPORT_TTL // 3600} hour"
                )
            else:
                self.note = f"the temporary export {self.export} was deleted"
        if self.session_id is not None:
            with contextlib.suppress(LazytinkerError, TimeoutError):
                async with asyncio.timeout(_CLEANUP_SECONDS):
                    await self.source.finish_session(self.session_id, reason, detail)

    async def _outcome(self, handle: FutureHandle, what: str) -> FutureAnswer:
        delay, waited = 0.1, 0.0
        while True:
            answer = await self.source.retrieve_future(handle.request_id)
            if answer.error is not None:
                raise DownloadError(f"The server could not {what} ({self.ref}): {answer.error}")
            if not answer.pending:
                return answer
            if waited > self.poll_limit:
                raise DownloadError(f"The server did not {what} within {self.poll_limit:.0f} s")
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 1.5, 2.0)

    async def _beat(self, session_id: str) -> None:
        # A failed heartbeat is not fatal: the session may still live, and the server ends
        # abandoned ones itself. A finished session (410) stops the beat.
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self.source.session_heartbeat(session_id)
            except LazytinkerError as error:
                if getattr(error, "status", None) == 410:
                    return

    def _say(self, what: str) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress("exporting", file=self.ref.path, detail=what))
