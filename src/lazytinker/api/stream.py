"""The streaming writer under every download: one URL to one file, resumable and verified.

Bytes go to `NAME.part` (constant memory, whatever the size); a cut or a restart resumes with
`Range`, validated with `If-Range` (the ETag) and the total length saved beside the part; an
expired signed URL (401/403/410) is signed again by asking the resolver; the length is checked
against `Content-Length`, or bounded by what the listing said when the server sends none; the
file is fsynced and renamed to `NAME` only when complete. Every kind of retry is bounded and
backs off. Cancelling the task leaves the `.part` (and its validator) for a later resume.

The event loop decides (resolve, retry, back off); each attempt's bytes move in a worker thread
(`transfer_body.BodyCopy`), so the loop stays free and the copy costs what curl's does.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from lazytinker.api.errors import ArchiveNotReadyError
from lazytinker.api.partfile import (
    PartValidator,
    disk_error,
    fsync_dir,
    part_path,
    part_size,
    validator_path,
)
from lazytinker.api.rawhttp import Abort, Fetcher
from lazytinker.api.transfer import (
    DEFAULT_LIMITS,
    DownloadError,
    Limits,
    Phase,
    Progress,
    ProgressCallback,
    RateMeter,
    Resolver,
    Target,
)
from lazytinker.api.transfer_body import Attempt, Overflow, Restart

__all__ = [
    "DEFAULT_LIMITS",
    "DownloadError",
    "Fetcher",
    "Limits",
    "Phase",
    "Progress",
    "ProgressCallback",
    "RateMeter",
    "Resolver",
    "Target",
    "fetch_to_file",
    "part_path",
    "wait_for_target",
]

_MAX_RETRY_AFTER = 60.0
_PROGRESS_EVERY = 0.1
_DEFAULT_BUILD_WAIT = 30.0
T = TypeVar("T")


async def wait_for_target(
    resolve: Resolver,
    *,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
    file: str | None = None,
) -> Target:
    """Call `resolve` until it gives a target, waiting out 503 "still being built" answers.

    Each wait is announced as a `building` progress event carrying the server's `Retry-After`.
    """
    waited = 0.0
    while True:
        try:
            return await resolve()
        except ArchiveNotReadyError as error:
            delay = error.retry_after if error.retry_after is not None else _DEFAULT_BUILD_WAIT
            delay = max(0.1, min(delay, 300.0))
            if waited + delay > limits.max_build_wait:
                raise DownloadError(
                    f"The server was still building the archive after {waited:.0f} s; "
                    "try again later"
                ) from None
            if on_progress is not None:
                on_progress(Progress("building", file=file, retry_after=delay))
            await asyncio.sleep(delay)
            waited += delay


async def fetch_to_file(
    fetcher: Fetcher,
    resolve: Resolver,
    dest: Path,
    *,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
    base_done: int = 0,
    overall_total: int | None = None,
    meter: RateMeter | None = None,
    max_bytes: int | None = None,
    source: str | None = None,
    extract: bool | None = None,
) -> int:
    """Stream what `resolve` points at into `dest`, resuming any `dest.part`; returns its size.

    `base_done`/`overall_total` place this file inside a larger transfer (several files of one
    checkpoint) so that progress events count the whole. `max_bytes` bounds the file when the
    listing said how large it is (a body past it is refused, with or without a length).
    `source`/`extract` are saved beside the part so a later start can offer to resume it.
    Raises `DownloadError` (or the resolver's API error); `dest` exists only when the download
    completed and was verified.
    """
    writer = _Writer(
        fetcher,
        resolve,
        dest,
        on_progress=on_progress,
        limits=limits,
        label=label or dest.name,
        base_done=base_done,
        overall_total=overall_total,
        meter=meter or RateMeter(),
    )
    writer.max_bytes = max_bytes
    writer.source, writer.extract = source, extract
    return await writer.run()


class _Writer:
    """One file's transfer; its state lives here so `run` reads as the loop it is."""

    def __init__(
        self,
        fetcher: Fetcher,
        resolve: Resolver,
        dest: Path,
        *,
        on_progress: ProgressCallback | None,
        limits: Limits,
        label: str,
        base_done: int,
        overall_total: int | None,
        meter: RateMeter,
    ) -> None:
        self.fetcher = fetcher
        self.resolve = resolve
        self.dest = dest
        self.part = part_path(dest)
        self.meta = validator_path(dest)
        self.on_progress = on_progress
        self.limits = limits
        self.label = label
        self.base_done = base_done
        self.overall_total = overall_total
        self.meter = meter
        self.max_bytes: int | None = None
        self.source: str | None = None
        self.extract: bool | None = None
        self.total: int | None = None
        self._running: Attempt | None = None  # the attempt in its thread; its total is read live
        self._last_event = 0.0

    async def run(self) -> int:
        target = await wait_for_target(
            self.resolve, on_progress=self.on_progress, limits=self.limits, file=self.label
        )
        resigns = failures = restarts = 0
        while True:
            offset = part_size(self.part)
            validator = PartValidator.load(self.meta) if offset else None
            if offset and validator is None:
                # A part without its validator cannot be trusted to belong to this file.
                self._discard()
                offset = 0
            attempt = self._attempt(target, offset, validator)
            try:
                outcome = await _in_thread(attempt.run, attempt.abort)
            except Overflow:
                self._discard()
                raise
            except Restart as restart:
                restarts += 1
                if restarts > self.limits.max_restarts:
                    raise DownloadError(
                        f"Gave up on {self.label} after {restarts} tries: {restart}"
                    ) from None
                self._discard()
                await asyncio.sleep(self.limits.backoff * 2 ** min(restarts, 5))
                continue
            except (OSError, http.client.HTTPException) as error:
                if isinstance(error, OSError) and attempt.disk_failed:
                    raise disk_error(error, self.dest, self.part) from None
                progressed = part_size(self.part) > offset
                failures = 0 if progressed else failures + 1
                if failures >= self.limits.max_failures:
                    kept = f" (partial file kept at {self.part})" if self.part.exists() else ""
                    raise DownloadError(
                        f"Download of {self.label} failed: {_describe(error)}{kept}"
                    ) from None
                await asyncio.sleep(self.limits.backoff * 2 ** min(failures, 5))
                continue
            self.total = attempt.total
            if outcome == "resign":
                resigns += 1
                if resigns > self.limits.max_resigns:
                    raise DownloadError(
                        f"The signed URL for {self.label} kept being refused after re-signing"
                    )
                target = await wait_for_target(
                    self.resolve, on_progress=self.on_progress, limits=self.limits, file=self.label
                )
                continue
            if outcome == "transient":
                failures += 1
                if failures >= self.limits.max_failures:
                    raise DownloadError(f"The server kept failing while sending {self.label}")
                delay = self.limits.backoff * 2 ** min(failures, 5)
                if attempt.retry_after is not None:
                    delay = min(max(delay, attempt.retry_after), _MAX_RETRY_AFTER)
                await asyncio.sleep(delay)
                continue
            return await self._finish()

    def _attempt(self, target: Target, offset: int, validator: PartValidator | None) -> Attempt:
        loop = asyncio.get_running_loop()

        def report(done: int, received: bool) -> None:
            loop.call_soon_threadsafe(self._report, done, received)

        attempt = Attempt(
            self.fetcher,
            target,
            self.dest,
            offset=offset,
            validator=validator,
            label=self.label,
            limits=self.limits,
            max_bytes=self.max_bytes,
            report=report,
            report_every=_PROGRESS_EVERY,
        )
        attempt.source, attempt.extract = self.source, self.extract
        self._running = attempt
        return attempt

    def _report(self, done: int, received: bool = False) -> None:
        if self.on_progress is None:
            return
        if received:
            whole = self.overall_total or self.base_done + done
            self.on_progress(
                Progress("verifying", done=self.base_done + done, total=whole, file=self.label)
            )
            return
        now = time.monotonic()
        if now - self._last_event < _PROGRESS_EVERY / 2:
            return
        self._last_event = now
        overall = self.base_done + done
        total = self.overall_total
        # The length the server announced is known as soon as the answer's headers are read,
        # long before the attempt ends (the command line lists nothing, so has no other total).
        announced = self._running.total if self._running is not None else self.total
        if total is None and announced is not None:
            total = self.base_done + announced
        self.meter.add(overall)
        self.on_progress(
            Progress(
                "downloading",
                done=overall,
                total=total,
                rate=self.meter.rate,
                eta=self.meter.eta(overall, total),
                file=self.label,
            )
        )

    async def _finish(self) -> int:
        size = part_size(self.part)
        if self.total is not None and size != self.total:
            raise DownloadError(
                f"{self.label}: got {size} bytes but the server announced {self.total}"
            )

        def settle() -> None:
            os.replace(self.part, self.dest)
            fsync_dir(self.dest.parent)

        try:
            await asyncio.to_thread(settle)
        except OSError as error:
            raise disk_error(error, self.dest, self.part) from None
        self.meta.unlink(missing_ok=True)
        return size

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)


async def _in_thread(work: Callable[[], T], abort: Abort) -> T:
    """Run blocking `work` in a worker thread; a cancelled caller aborts it and waits for it to
    let go of its file before the cancellation goes on (a retry must not meet a live writer)."""
    future = asyncio.get_running_loop().run_in_executor(None, work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        abort.abort()
        while not future.done():
            try:
                await asyncio.wait({future})
            except asyncio.CancelledError:
                continue
        if not future.cancelled():
            future.exception()  # retrieved, so an `Aborted` is not logged as unhandled
        raise


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "the server stopped sending (timed out)"
    if isinstance(error, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(error, ConnectionError | http.client.IncompleteRead):
        return "the connection was cut"
    if isinstance(error, http.client.HTTPException):
        return f"the server's answer was not valid HTTP ({type(error).__name__})"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
