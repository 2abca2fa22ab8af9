"""A request log in front of the stand-in server: what a client asked, when, and in what order.

`LoggedServer` is the stand-in (a `ServerThread`) with an ASGI middleware that records every
request's start and end (on this process's monotonic clock) and, with `delay`, holds each answer
back that long, so that requests sent together overlap unmistakably and a request sent after
another's answer starts after that answer ended. `depth` turns the log into round trips.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from lazytinker.server.config import ServerConfig
from lazytinker.server.runner import ServerThread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Logged:
    """One request: method, path, query, and when it arrived and was answered."""

    method: str
    path: str
    query: str
    start: float
    end: float | None = None

    @property
    def line(self) -> str:
        """`METHOD /path?query`."""
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")


@dataclass
class RequestLog:
    """The requests a server saw, in arrival order."""

    entries: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> list[Logged]:
        """A copy of the log so far."""
        with self.lock:
            return list(self.entries)


class LoggingMiddleware:
    """Records every HTTP request, holding each answer back `delay` seconds."""

    def __init__(self, app: ASGIApp, log: RequestLog, delay: float) -> None:
        self.app = app
        self.log = log
        self.delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = Logged(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            time.monotonic(),
        )
        with self.log.lock:
            self.log.entries.append(entry)
        if self.delay:
            await asyncio.sleep(self.delay)

        async def recording_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                entry.end = time.monotonic()

        await self.app(scope, receive, recording_send)


class LoggedServer(ServerThread):
    """The stand-in server with a request log (and an answer delay) in front of it."""

    def __init__(self, config: ServerConfig, *, delay: float = 0.0) -> None:
        super().__init__(config)
        self.log = RequestLog()
        self.app.add_middleware(LoggingMiddleware, log=self.log, delay=delay)


def depth(entries: list[Logged], target: Logged) -> int:
    """Round trips on the way to `target`: 1 + the most of any request answered before it
    was sent (a request that waited for nothing is 1)."""
    before = [e for e in entries if e is not target and e.end is not None and e.end <= target.start]
    return 1 + max((depth(entries, e) for e in before), default=0)
