"""A hostile HTTP server on 127.0.0.1 whose every answer is scripted, down to the byte.

`tests/client_asgi.py`'s ScriptedApp answers through uvicorn, which keeps a server honest: it
will not trickle a body a byte a second, lie in `Content-Length`, send a header with a control
character in it, or hang after the request. This server is a raw asyncio socket server in a
thread, so each `Answer` can do all of that. Every request is recorded as it arrived (method,
target, headers, body), so a test can check, for instance, that no request to a second listener
(another origin) carried the key.

    with HostileServer() as api, HostileServer() as elsewhere:
        api.on("GET", "/api/v1/training_runs", Answer(302, headers={"Location": elsewhere.url}))
        ...
        assert all("x-api-key" not in r.headers for r in elsewhere.requests)

The download helper's cases (redirects of archives, 416 loops, endless bodies, tar headers) can
script their answers here too: `Answer.stream` yields the body in pieces, for ever if need be.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

Headers = dict[str, str] | list[tuple[str, str]]


@dataclass
class Answer:
    """One scripted answer.

    `body` is bytes as they go on the wire, or anything JSON-serialisable. `length` overrides the
    `Content-Length` sent (`None`: the true length; `-1`: none, the body ends when the connection
    closes). `gzip` compresses the body and says so. `trickle` sleeps that many seconds between
    bytes of the body; `cut_after` closes the connection after that many body bytes; `hang`
    never answers at all; `stream` produces the body in pieces (an async iterator factory).
    """

    status: int = 200
    body: Any = None
    headers: Headers = field(default_factory=dict)
    content_type: str = "application/json"
    length: int | None = None
    gzip: bool = False
    trickle: float = 0.0
    cut_after: int | None = None
    hang: bool = False
    stream: Callable[[], AsyncIterator[bytes]] | None = None

    def payload(self) -> bytes:
        """The body bytes, encoded as the answer says."""
        if self.body is None:
            raw = b""
        elif isinstance(self.body, bytes):
            raw = self.body
        else:
            raw = json.dumps(self.body).encode()
        return gzip.compress(raw) if self.gzip else raw


@dataclass
class Request:
    """One request as it arrived."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def line(self) -> str:
        """`METHOD target`, as a request log shows it."""
        return f"{self.method} {self.target}"

    @property
    def path(self) -> str:
        """The target without its query."""
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        """The query string of the target."""
        return urlsplit(self.target).query


def json_answer(body: Any, status: int = 200, **kw: Any) -> Answer:
    """An answer whose body is JSON (a shorthand for tables of cases)."""
    return Answer(status, body, **kw)


def gzip_bomb() -> bytes:
    """About 4 MB of gzip that inflates to 4 GiB of zeros (the stream's trailer left out).

    Compressing 4 GiB would take a minute; deflate at level 9 turns each further 16 MiB of
    zeros into the same bytes, so the first two pieces are made and the second repeated.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 24)
    head, repeat = compressor.compress(zeros), compressor.compress(zeros)
    return head + repeat * 255


class HostileServer:
    """A scripted raw HTTP/1.1 server on 127.0.0.1; use it as a context manager (`url`)."""

    def __init__(self, *, handshake: bool = True) -> None:
        self.routes: dict[tuple[str, str], deque[Answer]] = {}
        self.requests: list[Request] = []
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        if handshake:
            self.on("POST", "/api/v1/client/config", Answer(body={}))
            self.on("POST", "/api/v1/client/dynamic_config", Answer(404, {"detail": "Not Found"}))

    def on(self, method: str, path: str, *answers: Answer) -> None:
        """Script a route (exact path, or a prefix ending in `*`); the last answer repeats."""
        self.routes[(method, path)] = deque(answers)

    def calls(self, method: str, path: str) -> list[Request]:
        """The recorded requests to one path (any query)."""
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- serving ---------------------------------------------------------------------------

    def _answer_for(self, method: str, path: str) -> Answer:
        queue = self.routes.get((method, path))
        if queue is None:
            prefixes = [
                (p, q) for (m, p), q in self.routes.items() if m == method and p.endswith("*")
            ]
            matches = [q for p, q in prefixes if path.startswith(p[:-1])]
            queue = max(matches, key=len) if matches else None
        if not queue:
            return Answer(404, {"detail": f"nothing scripted for {method} {path}"})
        return queue.popleft() if len(queue) > 1 else queue[0]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # The server is stopping with this connection still hanging; ending quietly spares
            # Python 3.11's stream callback a cancelled task it would log as an error.
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read one request and answer it; the connection closes after (`Connection: close`)."""
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
        request = Request(method, target, headers, body)
        self.requests.append(request)
        answer = self._answer_for(method, request.path)
        if answer.hang:
            await asyncio.Event().wait()
        payload = answer.payload()
        out = [f"HTTP/1.1 {answer.status} {_reason(answer.status)}"]
        pairs = list(answer.headers.items()) if isinstance(answer.headers, dict) else answer.headers
        names = {name.lower() for name, _ in pairs}
        if answer.length != -1 and answer.stream is None and "content-length" not in names:
            length = len(payload) if answer.length is None else answer.length
            out.append(f"Content-Length: {length}")
        if (payload or answer.stream) and "content-type" not in names:
            out.append(f"Content-Type: {answer.content_type}")
        if answer.gzip:
            out.append("Content-Encoding: gzip")
        out += [f"{name}: {value}" for name, value in pairs]
        out.append("Connection: close")
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1", "replace"))
        await writer.drain()
        await self._write_body(writer, answer, payload)

    async def _write_body(
        self, writer: asyncio.StreamWriter, answer: Answer, payload: bytes
    ) -> None:
        sent = 0
        if answer.stream is not None:
            async for piece in answer.stream():
                writer.write(piece)
                await writer.drain()
            return
        if answer.cut_after is not None:
            payload = payload[: answer.cut_after]
        if answer.trickle:
            for index in range(len(payload)):
                writer.write(payload[index : index + 1])
                await writer.drain()
                await asyncio.sleep(answer.trickle)
            return
        view = memoryview(payload)
        while sent < len(payload):
            writer.write(view[sent : sent + 65536])
            await writer.drain()
            sent += 65536

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> HostileServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def main() -> None:
                server = await asyncio.start_server(self._serve, sock=sock, limit=1 << 20)
                self._stop = asyncio.Event()
                ready.set()
                async with server:
                    # No executor thread: tests fork (a pty) while this runs, and a thread
                    # pool's locks do not survive that well.
                    await self._stop.wait()
                # Connections still hanging (`hang`, a trickle the client gave up on) end here.
                pending = asyncio.all_tasks() - {asyncio.current_task()}
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

            loop.run_until_complete(main())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Whatever"


@contextmanager
def hostile_pair() -> Iterator[tuple[HostileServer, HostileServer]]:
    """The API's server and a second listener (another origin, for redirects)."""
    with HostileServer() as api, HostileServer(handshake=False) as other:
        yield api, other
