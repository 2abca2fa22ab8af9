"""The streaming writer under every download: one URL to one file, resumable and verified.

Bytes go to `NAME.part` in chunks (constant memory, whatever the size); a cut or a restart resumes
with `Range`, validated with `If-Range` (the ETag) and the total length saved beside the part; an
expired signed URL (401/403/410) is signed again by asking the resolver; the length is checked
against `Content-Length`; the file is fsynced and renamed to `NAME` only when complete. Cancelling
the task leaves the `.part` (and its validator) for a later resume.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Literal

import httpx

from lazytinker.api.errors import ArchiveNotReadyError
from lazytinker.api.partfile import (
    Flusher,
    PartValidator,
    disk_error,
    fsync_dir,
    open_part,
    part_path,
    validator_path,
    write_all,
)
from lazytinker.api.retry import parse_retry_after
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

__all__ = [
    "DEFAULT_LIMITS",
    "DownloadError",
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

# Signed URLs answer these when they have expired or their signature no longer holds.
_EXPIRED = frozenset({401, 403, 410})
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_MAX_RETRY_AFTER = 60.0
_PROGRESS_EVERY = 0.1
_DEFAULT_BUILD_WAIT = 30.0


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
    http: httpx.AsyncClient,
    resolve: Resolver,
    dest: Path,
    *,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
    label: str | None = None,
    base_done: int = 0,
    overall_total: int | None = None,
    meter: RateMeter | None = None,
) -> int:
    """Stream what `resolve` points at into `dest`, resuming any `dest.part`; returns its size.

    `base_done`/`overall_total` place this file inside a larger transfer (several files of one
    checkpoint) so that progress events count the whole. Raises `DownloadError` (or the
    resolver's API error); `dest` exists only when the download completed and was verified.
    """
    writer = _Writer(
        http,
        resolve,
        dest,
        on_progress=on_progress,
        limits=limits,
        label=label or dest.name,
        base_done=base_done,
        overall_total=overall_total,
        meter=meter or RateMeter(),
    )
    return await writer.run()


class _Restart(Exception):
    """The server's answer does not continue our part: start the file again from zero."""


class _Writer:
    """One file's transfer; its state lives here so `run` reads as the loop it is."""

    def __init__(
        self,
        http: httpx.AsyncClient,
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
        self.http = http
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
        self.total: int | None = None
        self._retry_after: float | None = None
        self._last_event = 0.0

    async def run(self) -> int:
        target = await wait_for_target(
            self.resolve, on_progress=self.on_progress, limits=self.limits, file=self.label
        )
        resigns = failures = 0
        while True:
            offset = self._part_size()
            validator = PartValidator.load(self.meta) if offset else None
            if offset and validator is None:
                # A part without its validator cannot be trusted to belong to this file.
                self._discard()
                offset = 0
            try:
                outcome = await self._attempt(target, offset, validator)
            except _Restart:
                self._discard()
                continue
            except (httpx.UnsupportedProtocol, httpx.TooManyRedirects, httpx.InvalidURL) as error:
                raise DownloadError(f"Cannot download {self.label}: {_describe(error)}") from None
            except httpx.TransportError as error:
                progressed = self._part_size() > offset
                failures = 0 if progressed else failures + 1
                if failures >= self.limits.max_failures:
                    raise DownloadError(
                        f"Download of {self.label} failed: {_describe(error)} "
                        f"(partial file kept at {self.part})"
                    ) from None
                await asyncio.sleep(self.limits.backoff * 2 ** min(failures, 5))
                continue
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
                if self._retry_after is not None:
                    delay = min(max(delay, self._retry_after), _MAX_RETRY_AFTER)
                await asyncio.sleep(delay)
                continue
            return self._finish()

    async def _attempt(
        self, target: Target, offset: int, validator: PartValidator | None
    ) -> Literal["resign", "transient", "complete"]:
        headers = {**target.headers, "Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if validator is not None and validator.etag:
                headers["If-Range"] = validator.etag
        async with self.http.stream("GET", target.url, headers=headers) as response:
            status = response.status_code
            if status in _EXPIRED and target.resignable:
                return "resign"
            if status == 416:
                if validator is not None and validator.total == offset:
                    return "complete"
                raise _Restart
            if status in _TRANSIENT:
                self._retry_after = parse_retry_after(response.headers.get("retry-after"))
                return "transient"
            if status >= 400:
                raise DownloadError(_refusal(self.label, target.url, response))
            # JSON is not special here: the API client has already turned the 200-JSON archive
            # contract into a URL, and a signed URL may well serve a `.json` file.
            content_type = response.headers.get("content-type", "").lower()
            if "text/html" in content_type:
                raise DownloadError(
                    f"{_host(target.url)} answered an HTML page instead of {self.label}"
                )
            start, total = self._placement(response, offset, validator)
            self.total = total
            PartValidator(response.headers.get("etag"), total).save(self.meta)
            await self._write_body(response, start)
        size = self._part_size()
        if self.total is not None and size < self.total:
            # The body ended early without a transport error (a proxy cut it cleanly).
            raise httpx.RemoteProtocolError(f"body ended at {size} of {self.total} bytes")
        if self.total is not None and size > self.total:
            raise _Restart
        return "complete"

    def _placement(
        self, response: httpx.Response, offset: int, validator: PartValidator | None
    ) -> tuple[int, int | None]:
        """Where this body starts in the file and the file's total length."""
        if response.status_code == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
            if match is None or int(match.group(1)) != offset:
                raise _Restart
            total = None if match.group(3) == "*" else int(match.group(3))
            if validator is not None and validator.total is not None and total != validator.total:
                raise _Restart
            return offset, total
        length = response.headers.get("content-length")
        return 0, int(length) if length and length.isdigit() else None

    async def _write_body(self, response: httpx.Response, start: int) -> None:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        done = start
        first = start == 0
        flusher = Flusher()
        # Chunks are written inline: a thread per write measured half again the CPU for no gain,
        # since the kernel keeps receiving into the socket buffer while we write.
        try:
            with open_part(self.part, start) as out:
                try:
                    async for chunk in response.aiter_raw():
                        if first:
                            _refuse_html(chunk, self.label)
                            first = False
                        write_all(out, chunk)
                        done += len(chunk)
                        flusher.wrote(out.fileno(), len(chunk))
                        self._report(done)
                    await flusher.drain()
                    os.fsync(out.fileno())
                finally:
                    # The file closes only once no background sync still uses its descriptor.
                    await flusher.drain(cancelled_ok=True)
        except OSError as error:
            raise disk_error(error, self.dest, self.part) from None
        self._report(done, force=True)

    def _report(self, done: int, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last_event < _PROGRESS_EVERY:
            return
        self._last_event = now
        overall = self.base_done + done
        total = self.overall_total
        if total is None and self.total is not None:
            total = self.base_done + self.total
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

    def _finish(self) -> int:
        size = self._part_size()
        if self.total is not None and size != self.total:
            raise DownloadError(
                f"{self.label}: got {size} bytes but the server announced {self.total}"
            )
        try:
            os.replace(self.part, self.dest)
            fsync_dir(self.dest.parent)
        except OSError as error:
            raise disk_error(error, self.dest, self.part) from None
        self.meta.unlink(missing_ok=True)
        return size

    def _part_size(self) -> int:
        try:
            return self.part.stat().st_size
        except FileNotFoundError:
            return 0

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)


def _refuse_html(chunk: bytes, label: str) -> None:
    head = chunk[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DownloadError(f"The server answered an HTML page instead of {label}")


def _refusal(label: str, url: str, response: httpx.Response) -> str:
    if response.status_code == 404:
        return f"{_host(url)} has no {label} (404)"
    if response.status_code in (401, 403):
        return f"{_host(url)} does not permit downloading {label} ({response.status_code})"
    return f"{_host(url)} refused to send {label} (HTTP {response.status_code})"


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
