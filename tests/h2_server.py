"""The stand-in (or any ASGI app) over https with HTTP/2, for the tests and `benchmarks/http2.py`.

uvicorn speaks no HTTP/2; hypercorn does, offering it and HTTP/1.1 by ALPN. A recording layer
notes each request's HTTP version and the client's port: one port is one connection.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config


class Recording:
    """An ASGI app in front of another, noting (HTTP version, client port) of each request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, int]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["http_version"], scope["client"][1]))
        await self.app(scope, receive, send)


@contextmanager
def serve_https_h2(app: Any, certfile: str) -> Iterator[str]:
    """Serve `app` with hypercorn over https (HTTP/2 and HTTP/1.1 by ALPN); yields the URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.certfile = config.keyfile = certfile
    config.accesslog = config.errorlog = None
    stop: list[asyncio.Event] = []
    loop: list[asyncio.AbstractEventLoop] = []

    async def main() -> None:
        stop.append(asyncio.Event())
        loop.append(asyncio.get_running_loop())
        await serve(app, config, shutdown_trigger=stop[0].wait)  # type: ignore[arg-type]

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            threading.Event().wait(0.01)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        loop[0].call_soon_threadsafe(stop[0].set)
        thread.join(timeout=10)
