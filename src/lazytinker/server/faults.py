"""Fault injection for reliability tests: `--faults "500:0.1,slow:0.1,cut:0.05@/archive"`.

Each entry is `KIND:RATE[@SUBSTRING]`. KIND is an HTTP status (500, 502, 503, 504, 429), `slow`
(delay the answer), `cut` (close the connection half-way through the body) or `badjson` (send a
truncated JSON body). RATE is a probability in [0, 1]. SUBSTRING limits the entry to request
paths containing it. Draws come from a generator seeded with the server's seed.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Fault", "FaultMiddleware", "FaultSpecError", "parse_faults"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_STATUSES = {"429", "500", "502", "503", "504"}
_KINDS = _STATUSES | {"slow", "cut", "badjson"}


class FaultSpecError(ValueError):
    """A `--faults` value that does not parse; the message says which entry and why."""


class _CutConnection(Exception):
    """Raised mid-body so the server drops the connection (a `cut` fault)."""


@dataclass(frozen=True)
class Fault:
    """One fault: what, how often, and on which paths."""

    kind: str
    rate: float
    path_contains: str = ""


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """Parse a fault spec; raises `FaultSpecError` with a one-line reason."""
    faults: list[Fault] = []
    for raw in spec.split(","):
        entry = raw.strip()
        if not entry:
            continue
        body, _, where = entry.partition("@")
        kind, sep, rate_text = body.partition(":")
        kind = kind.strip().lower()
        if kind not in _KINDS:
            known = ", ".join(sorted(_KINDS))
            raise FaultSpecError(f"unknown fault {kind!r} in {entry!r}; known: {known}")
        if not sep:
            raise FaultSpecError(f"fault {entry!r} needs a rate, e.g. {kind}:0.1")
        try:
            rate = float(rate_text)
        except ValueError:
            raise FaultSpecError(f"rate {rate_text!r} in {entry!r} is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"rate {rate} in {entry!r} must be between 0 and 1")
        faults.append(Fault(kind, rate, where))
    return tuple(faults)


class FaultMiddleware:
    """ASGI middleware that injects the configured faults into matching requests."""

    def __init__(
        self, app: ASGIApp, faults: tuple[Fault, ...], seed: int, slow_seconds: float
    ) -> None:
        self.app = app
        self.faults = faults
        self.rng = random.Random(seed ^ 0x5EED)
        self.slow_seconds = slow_seconds

    def _draw(self, path: str) -> list[str]:
        return [
            fault.kind
            for fault in self.faults
            if fault.path_contains in path and self.rng.random() < fault.rate
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, perhaps failing it on the way."""
        if scope["type"] != "http" or not self.faults:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(("/docs", "/openapi")):
            await self.app(scope, receive, send)
            return
        chosen = self._draw(path)
        if "slow" in chosen:
            await asyncio.sleep(self.slow_seconds)
        status = next((kind for kind in chosen if kind in _STATUSES), None)
        if status is not None:
            await _fail(send, int(status))
            return
        if "cut" in chosen:
            await self._cut(scope, receive, send)
        elif "badjson" in chosen:
            await self._badjson(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _cut(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = 0
        limit: int | None = None

        async def cutting_send(message: Message) -> None:
            nonlocal sent, limit
            if message["type"] == "http.response.start":
                length = dict(message.get("headers", [])).get(b"content-length")
                limit = int(length) // 2 if length else 0
                await send(message)
                return
            if message["type"] == "http.response.body":
                body: bytes = message.get("body", b"")
                room = max(0, (limit or 0) - sent)
                if len(body) >= room:
                    if room:
                        await send(
                            {"type": "http.response.body", "body": body[:room], "more_body": True}
                        )
                    raise _CutConnection
                sent += len(body)
            await send(message)

        # Returning without finishing the body makes uvicorn drop the connection. `except*`:
        # a streaming response raises from inside a task group.
        try:
            await self.app(scope, receive, cutting_send)
        except* _CutConnection:
            scope["lazytinker.cut"] = True

    async def _badjson(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffering_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                assert start is not None
                headers = dict(start.get("headers", []))
                body = b"".join(chunks)
                if b"json" in headers.get(b"content-type", b""):
                    body = body[: max(1, len(body) // 2)]
                    headers[b"content-length"] = str(len(body)).encode()
                await send({**start, "headers": list(headers.items())})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, buffering_send)


async def _fail(send: Send, status: int) -> None:
    body = json.dumps({"detail": f"Injected fault: HTTP {status}"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status in (429, 503):
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
