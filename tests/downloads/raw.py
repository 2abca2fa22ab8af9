"""A raw HTTP/1.1 server on 127.0.0.1 whose answers are scripted bytes, for download cases that a
framework would not let a server send: a body with no length that never ends, 416 forever, a
Content-Range that does not match, redirects to another port. Every request is recorded with
its headers, so a test can check which one carried the key.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO


@dataclass
class Request:
    """One request as it arrived: method, target, headers (lower-case names)."""

    method: str
    target: str
    headers: dict[str, str]


Answer = Iterable[bytes]
Handler = Callable[[Request], Answer]


@dataclass
class RawServer:
    """Answers each request with what `handler` yields (status line and all)."""

    handler: Handler
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def answer(self, request: Request) -> Answer:
        """The bytes for `request` (recorded first)."""
        self.requests.append(request)
        return self.handler(request)


def response(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """A whole response: status line, headers, blank line, body."""
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode() + body


def _read_request(reader: BinaryIO) -> Request | None:
    line = reader.readline(65536)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65536)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, target, headers)


@contextmanager
def serve_raw(handler: Handler) -> Iterator[RawServer]:
    """Run a `RawServer` on a free port; one request per connection (then it closes)."""
    server = RawServer(handler)

    class Handle(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            request = _read_request(self.rfile)
            if request is None:
                return
            try:
                for chunk in server.answer(request):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what the case is about

    class Threaded(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    tcp = Threaded(("127.0.0.1", 0), Handle)
    port = tcp.server_address[1]
    server.url = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        tcp.shutdown()
        tcp.server_close()


def free_port() -> int:
    """A port nothing listens on (for a refused connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
