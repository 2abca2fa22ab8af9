"""One attempt at one file, in a worker thread: open the URL, judge the answer, copy the body.

The answer decides the outcome: the rest of the file (206 continuing our part, or 200 from the
start), "re-sign" (an expired signed URL), "transient" (busy, with its `Retry-After`), done
already (416 on a complete part), or a restart from zero (`Restart`: the answer does not continue
our part). The copy reads the socket into one buffer and writes it to the part; it stops at the
announced length, at the bound the listing gave, or before the disk's reserve is touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from lazytinker.api.partfile import (
    PartValidator,
    default_reserve,
    free_bytes,
    open_part,
    part_path,
    part_size,
    validator_path,
    write_all,
)
from lazytinker.api.rawhttp import Abort, Fetcher, Opened, check_url
from lazytinker.api.retry import parse_retry_after
from lazytinker.api.transfer import DownloadError, Limits, Target
from lazytinker.api.writeback import Flusher

__all__ = ["Attempt", "Outcome", "Overflow", "Restart", "bound_for"]

Outcome = Literal["resign", "transient", "complete"]

# Signed URLs answer these when they have expired or their signature no longer holds.
_EXPIRED = frozenset({401, 403, 410})
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
_CONTENT_RANGE = re.compile(r"bytes (\d{1,20})-(\d{1,20})/(\d{1,20}|\*)")
_LENGTH = re.compile(r"\d{1,20}")
_BUFFER = 1024 * 1024
_FILL_FOR = 0.05
_CHECK_DISK_EVERY = 64 * 1024 * 1024


def bound_for(listed: int | None) -> int | None:
    """The most bytes a file the listing says is `listed` long may take: a little more than it
    (archive headers, a stale listing), never without limit."""
    if listed is None or listed < 0:
        return None
    return listed + listed // 50 + 16 * 1024 * 1024


class Restart(Exception):
    """The server's answer does not continue our part: start the file again from zero."""


class Overflow(DownloadError):
    """A body of no announced length went on past what the listing allows (the part is junk)."""


class Attempt:
    """One GET of `target` into `dest`'s part, from `offset`; run `run` in a worker thread."""

    def __init__(
        self,
        fetcher: Fetcher,
        target: Target,
        dest: Path,
        *,
        offset: int,
        validator: PartValidator | None,
        label: str,
        limits: Limits,
        max_bytes: int | None,
        report: Callable[[int, bool], None],
        report_every: float,
    ) -> None:
        self.fetcher = fetcher
        self.target = target
        self.dest = dest
        self.part = part_path(dest)
        self.meta = validator_path(dest)
        self.offset = offset
        self.validator = validator
        self.label = label
        self.limits = limits
        self.max_bytes = max_bytes
        self.report = report
        self.report_every = report_every
        self.source: str | None = None
        self.extract: bool | None = None
        self.abort = Abort()
        self.total: int | None = None
        self.retry_after: float | None = None
        self.disk_failed = False

    def run(self) -> Outcome:
        """Open, judge, copy; returns the outcome or raises (`Restart`, `DownloadError`,
        `OSError` and `http.client` errors for a cut)."""
        check_url(self.target.url, self.label)
        headers = {**self.target.headers, "Accept-Encoding": "identity"}
        if self.offset:
            headers["Range"] = f"bytes={self.offset}-"
            if self.validator is not None and self.validator.etag:
                headers["If-Range"] = self.validator.etag
        opened = self.fetcher.open(self.target.url, headers, self.abort, self.label)
        try:
            outcome = self._judge(opened)
            if outcome is not None:
                return outcome
            start, total = self._placement(opened)
            self.total = total
            self._check_room(start, total)
            PartValidator(opened.header("etag") or None, total, self.source, self.extract).save(
                self.meta
            )
            self._copy(opened, start)
        finally:
            opened.close()
        size = part_size(self.part)
        if self.total is not None and size < self.total:
            # The body ended early without an error on the socket (a proxy cut it cleanly).
            raise ConnectionResetError(errno.ECONNRESET, "the body ended early")
        if self.total is not None and size > self.total:
            raise Restart(f"the server sent more than the {self.total} bytes it announced")
        return "complete"

    def _judge(self, opened: Opened) -> Outcome | None:
        status = opened.status
        if status in _EXPIRED and self.target.resignable:
            return "resign"
        if status == 416:
            if self.validator is not None and self.validator.total == self.offset:
                self.total = self.validator.total
                return "complete"
            raise Restart("the server keeps answering 416 (range not satisfiable)")
        if status in _TRANSIENT:
            self.retry_after = parse_retry_after(opened.header("retry-after") or None)
            return "transient"
        if status >= 400:
            raise DownloadError(_refusal(self.label, opened))
        if status not in (200, 206):
            raise DownloadError(f"{_host(opened.url)} answered HTTP {status} for {self.label}")
        # JSON is not special here: the API client has already turned the 200-JSON archive
        # contract into a URL, and a signed URL may well serve a `.json` file.
        if "text/html" in opened.header("content-type").lower():
            raise DownloadError(
                f"{_host(opened.url)} answered an HTML page instead of {self.label}"
            )
        return None

    def _placement(self, opened: Opened) -> tuple[int, int | None]:
        """Where this body starts in the file and the file's total length."""
        if opened.status == 206:
            match = _CONTENT_RANGE.fullmatch(opened.header("content-range"))
            if match is None or int(match.group(1)) != self.offset:
                raise Restart("the server's Content-Range does not continue the partial file")
            total = None if match.group(3) == "*" else int(match.group(3))
            known = self.validator.total if self.validator is not None else None
            if known is not None and total != known:
                raise Restart("the file's length changed on the server")
            return self.offset, total
        length = opened.header("content-length")
        return 0, int(length) if _LENGTH.fullmatch(length) else None

    def _check_room(self, start: int, total: int | None) -> None:
        if total is not None and self.max_bytes is not None and total > self.max_bytes:
            raise DownloadError(
                f"The server announced {total} bytes for {self.label}, far more than the "
                "listing said; refusing it"
            )
        if total is None:
            return
        free = free_bytes(self.part.parent)
        needed = total - start + self._reserve()
        if free is not None and free < needed:
            self.disk_failed = True
            raise OSError(errno.ENOSPC, "not enough free space for the announced length")

    def _reserve(self) -> int:
        if self.limits.disk_reserve is not None:
            return self.limits.disk_reserve
        return default_reserve(self.part.parent)

    def _copy(self, opened: Opened, start: int) -> None:
        self.part.parent.mkdir(parents=True, exist_ok=True)
        fd = open_part(self.part, start)
        buffer = memoryview(bytearray(_BUFFER))
        done = start
        checked = start
        limit = self.total if self.total is not None else self.max_bytes
        # An archive about to be extracted is read back at once: keep its pages then.
        flusher = Flusher(fd, start, drop_behind=self.extract is not True)
        last = 0.0
        try:
            while True:
                self.abort.check()
                count = _fill(opened, buffer)
                if not count:
                    break
                if done == 0:
                    _refuse_html(buffer[: min(count, 512)], self.label)
                if limit is not None and done + count > limit:
                    self._overflow(limit)
                self._write(fd, buffer[:count])
                done += count
                flusher.wrote(count)
                if done - checked >= _CHECK_DISK_EVERY:
                    checked = done
                    self._keep_reserve()
                now = time.monotonic()
                if now - last >= self.report_every:
                    last = now
                    self.report(done, False)
            self.report(done, True)  # all received: what remains is making it durable
            self._sync(flusher, fd)
        finally:
            with contextlib.suppress(OSError):  # reported by the write or sync that failed
                flusher.drain()
            os.close(fd)

    def _write(self, fd: int, chunk: memoryview) -> None:
        try:
            write_all(fd, chunk)
        except OSError:
            self.disk_failed = True
            raise

    def _sync(self, flusher: Flusher, fd: int) -> None:
        try:
            flusher.drain()
            os.fsync(fd)
        except OSError:
            self.disk_failed = True
            raise

    def _keep_reserve(self) -> None:
        free = free_bytes(self.part.parent)
        if free is not None and free < self._reserve():
            self.disk_failed = True
            raise OSError(errno.ENOSPC, "the disk's reserve was reached")

    def _overflow(self, limit: int) -> None:
        if self.total is not None:
            raise Restart(f"the server sent more than the {limit} bytes it announced")
        raise Overflow(
            f"{self.label}: the server kept sending past the {limit} bytes the listing allows; "
            "stopped"
        )


def _fill(opened: Opened, buffer: memoryview) -> int:
    """Read into `buffer` until it is full, the body ends, or a moment has passed (so a slow
    link still reports progress, and a fast one writes in large pieces)."""
    started = time.monotonic()
    filled = 0
    while filled < len(buffer):
        count = opened.readinto(buffer[filled:])
        if not count:
            break
        filled += count
        if time.monotonic() - started >= _FILL_FOR:
            break
    return filled


def _refuse_html(head: memoryview, label: str) -> None:
    text = bytes(head).lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html")):
        raise DownloadError(f"The server answered an HTML page instead of {label}")


def _refusal(label: str, opened: Opened) -> str:
    host, status = _host(opened.url), opened.status
    if status == 404:
        return f"{host} has no {label} (404)"
    if status in (401, 403):
        return f"{host} does not permit downloading {label} ({status})"
    return f"{host} refused to send {label} (HTTP {status})"


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or "the server"
    except ValueError:
        return "the server"
