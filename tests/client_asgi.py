"""A scripted ASGI app served by uvicorn on 127.0.0.1, for client fault cases.

The stand-in server cannot produce "503 twice then 200" or "garbage JSON once" on demand; this app
answers each route from a queue of scripted replies (the last one repeats) and records every
request as it arrived on the wire (raw path, headers, body).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass
class Reply:
    """One scripted answer; `body` may be bytes (sent as is) or anything JSON-serialisable."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0
    """Seconds to hold the answer back (to make one call answer after another)."""

    def encoded(self) -> bytes:
        """The body on the wire."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Recorded:
    """One request as the app received it."""

    method: str
    path: str
    raw_path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def line(self) -> str:
        """`METHOD raw_path[?query]`, as a request log shows it."""
        return f"{self.method} {self.raw_path}" + (f"?{self.query}" if self.query else "")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class ScriptedApp:
    """An ASGI app answering each (method, raw path) from a queue of replies."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.routes: dict[tuple[str, str], deque[Reply]] = {}
        self.on("POST", "/api/v1/client/config", Reply(body={}))
        self.on("POST", "/api/v1/client/dynamic_config", Reply(404, {"detail": "Not Found"}))

    def on(self, method: str, raw_path: str, *replies: Reply) -> None:
        """Script the replies of a route; the last one repeats for ever."""
        self.routes[(method, raw_path)] = deque(replies)

    def calls(self, method: str, raw_path: str) -> list[Recorded]:
        """The recorded requests to one route."""
        return [r for r in self.requests if r.method == method and r.raw_path == raw_path]

    @property
    def api_calls(self) -> list[Recorded]:
        """Recorded requests other than the start-up handshake."""
        return [r for r in self.requests if "/client/" not in r.raw_path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        self.requests.append(
            Recorded(
                method=scope["method"],
                path=scope["path"],
                raw_path=raw_path,
                query=scope.get("query_string", b"").decode("latin-1"),
                headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
                body=body,
            )
        )
        queue = self.routes.get((scope["method"], raw_path))
        if not queue:
            reply = Reply(404, {"detail": f"no scripted route {scope['method']} {raw_path}"})
        else:
            reply = queue.popleft() if len(queue) > 1 else queue[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        payload = reply.encoded()
        headers = [(b"content-length", str(len(payload)).encode())]
        if payload:
            headers.append((b"content-type", reply.content_type.encode()))
        headers += [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


@contextmanager
def serve(app: Any, **options: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 and a free port; yields the base URL.
    `options` go to uvicorn's `Config` (`ssl_certfile` and `ssl_keyfile` serve https)."""
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response stalls ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.01)
    try:
        scheme = "https" if options.get("ssl_certfile") else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
