"""The start-up's first requests, sent before httpx, pydantic or Textual are imported (issue 19).

Before the client can build a request, ~0.3 s of imports must run (httpx, pydantic, the wire
models, the store); the UI's imports come after. Over a real link the answers then come late.
Here the few requests every start makes leave from threads as soon as the profile is known,
through the standard library alone, and their answers wait for the client: `api/primed.py`
answers the client's own request with one that matches it exactly (method, URL, body and the
headers that mean anything), and sends anything else to the network as usual.

Nothing here decides what an answer means: a 401, a 500 or a redirect reaches the client as
if httpx had read it. An answer that did not come whole (cut, too large, not HTTP) is dropped
and the client sends its request again; a connection that could not be made fails as the
client's own would have (`EarlyFailure`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lazytinker.api.headers import KEY_HEADER, common_headers

if TYPE_CHECKING:
    from http.client import HTTPConnection
    from ssl import SSLContext

ANSWER_CAP = 32 * 1024 * 1024
"""The largest body kept, as sent: a larger one is dropped and asked for again by the client,
whose reader refuses it (`api/body.MAX_BODY`, the same figure decoded)."""
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
"""The client's timeouts (`Transport` uses these): an early request waits no longer."""
GIVE_UP = 60.0
"""Seconds after the start when what was not taken is dropped (the client's deadline)."""
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
"""With any of these set, httpx goes through a proxy: no early request goes around it."""
UNCOMPARED = frozenset({"host", "connection", "content-length"})
"""Headers that say how a request travels, not what it asks: not compared."""


class EarlyRequest:
    """One request the start-up will make: method, path with its query, and a JSON body."""

    __slots__ = ("body", "method", "path")

    def __init__(self, method: str, path: str, body: bytes | None = None) -> None:
        self.method = method
        self.path = path
        self.body = body


class EarlyAnswer:
    """An answer that came whole: status, reason, headers as sent, the body as sent, and the
    seconds from sending the request to its headers (the about panel's round trips)."""

    __slots__ = ("body", "headers", "reason", "seconds", "status")

    def __init__(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        seconds: float,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.seconds = seconds


class EarlyFailure:
    """The connection could not be made: the client's request would have failed the same way."""

    __slots__ = ("message", "timed_out")

    def __init__(self, message: str, *, timed_out: bool) -> None:
        self.message = message
        self.timed_out = timed_out


Outcome = EarlyAnswer | EarlyFailure | None
"""What an early request came to; None: nothing usable, the client sends it again."""


class _Sent:
    """One early request on its way: what it sent, and the future of its outcome."""

    __slots__ = ("body", "future", "headers")

    def __init__(self, headers: dict[str, str], body: bytes | None) -> None:
        self.headers = headers
        self.body = body
        self.future: Future[Outcome] = Future()


class EarlyRequests:
    """The start-up's requests, each sent from its own thread; `take` hands an answer over."""

    def __init__(
        self,
        base_url: str,
        key: str,
        requests: Sequence[EarlyRequest],
        *,
        context: Callable[[], SSLContext],
    ) -> None:
        """`base_url` without a trailing slash; `context` gives the TLS context (https)."""
        self.base_url = base_url
        self._prefix = urlsplit(base_url).path  # a service under a path: it leads every path
        self._key = key
        self._requests = list(requests)
        self._context = context
        self._waiting: dict[tuple[str, str], _Sent] = {}
        self._open: set[socket.socket] = set()

    @property
    def waiting(self) -> int:
        """Answers not yet taken."""
        return len(self._waiting)

    def start(self) -> None:
        """Send every request, each from a daemon thread (the app does not wait for them)."""
        # What the threads need is imported here first. Threads that import while this one
        # imports too hand the interpreter lock back and forth at every file the imports
        # open: ~0.1 s more CPU than the same imports one after the other (measured with
        # `benchmarks/startup.py --compare-early`).
        import http.client  # noqa: F401

        for request in self._requests:
            headers = common_headers()
            if request.body is not None:
                headers["Content-Type"] = "application/json"
            headers[KEY_HEADER] = self._key
            sent = _Sent(headers, request.body)
            thread = threading.Thread(
                target=self._fetch, args=(request, sent), name="lazytinker-early", daemon=True
            )
            try:
                thread.start()
            except RuntimeError:  # no thread to be had: the client sends the rest itself
                break
            self._waiting[(request.method, self.base_url + request.path)] = sent
        timer = threading.Timer(GIVE_UP, self._give_up)
        timer.daemon = True
        with contextlib.suppress(RuntimeError):  # without it, what is not taken stays
            timer.start()

    def take(
        self, method: str, url: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Future[Outcome] | None:
        """The outcome of the early request that is exactly this one, at most once."""
        key = (method, url)
        sent = self._waiting.get(key)
        if sent is None or (sent.body or b"") != body or not _same_headers(sent.headers, headers):
            return None
        self._waiting.pop(key, None)
        return sent.future

    def _fetch(self, request: EarlyRequest, sent: _Sent) -> None:
        if sent.future.set_running_or_notify_cancel():
            sent.future.set_result(self._exchange(request, sent))

    def _exchange(self, request: EarlyRequest, sent: _Sent) -> Outcome:
        parts = urlsplit(self.base_url)
        host, https = parts.hostname or "", parts.scheme == "https"
        try:
            # The connection first: over https it is made while the TLS context is still being
            # built. The host goes to `getaddrinfo`, which takes bytes (typeshed says str).
            address = (_resolvable(host), parts.port or (443 if https else 80))
            sock = socket.create_connection(address, timeout=CONNECT_TIMEOUT)  # type: ignore[arg-type]
        except OSError as error:  # refused, unreachable, timed out
            return EarlyFailure(str(error), timed_out=isinstance(error, TimeoutError))
        self._open.add(sock)
        try:
            if https:
                try:
                    wrapped = self._context().wrap_socket(sock, server_hostname=host)
                except OSError as error:  # the handshake failed, or the certificate
                    return EarlyFailure(str(error), timed_out=isinstance(error, TimeoutError))
                self._open.discard(sock)  # detached: the wrapped socket owns the connection
                sock = wrapped
                self._open.add(sock)
            sock.settimeout(READ_TIMEOUT)
            return _ask(sock, host, parts.port, https, self._prefix + request.path, request, sent)
        except Exception:  # any answer that did not come whole: the client asks again
            return None
        finally:
            self._open.discard(sock)
            sock.close()

    def _give_up(self) -> None:
        """The client asks for these within a second of the start: past the deadline, an
        answer nobody took is dropped, and a request still waiting is cut."""
        self._waiting.clear()
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _ask(
    sock: socket.socket,
    host: str,
    port: int | None,
    https: bool,
    path: str,
    request: EarlyRequest,
    sent: _Sent,
) -> EarlyAnswer | None:
    """Send `request` on the open `sock` and read its answer."""
    import http.client  # imported already (`start`): only bound here

    kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
    connection = kind(host, port)
    connection.sock = sock  # already open: `request` sends on it
    # `request` adds Host and Content-Length, as httpx does, and nothing else.
    connection.request(request.method, path, request.body, sent.headers)
    return _read_answer(connection, time.monotonic())


def _resolvable(host: str) -> bytes:
    """The host as `getaddrinfo` takes it without importing the IDNA codec in this thread
    (it does for any `str`); only a name that is not ASCII needs the codec."""
    return host.encode("ascii") if host.isascii() else host.encode("idna")


def _read_answer(connection: HTTPConnection, sent_at: float) -> EarlyAnswer | None:
    response = connection.getresponse()
    seconds = time.monotonic() - sent_at
    if response.length is not None:
        # A body cut short raises here (IncompleteRead): dropped, not shortened.
        body = response.read() if response.length <= ANSWER_CAP else None
    else:
        body = response.read(ANSWER_CAP + 1)  # chunked, or until the connection closes
    if body is None or len(body) > ANSWER_CAP:
        return None
    return EarlyAnswer(response.status, response.reason, response.getheaders(), body, seconds)


def _same_headers(ours: Mapping[str, str], theirs: Sequence[tuple[str, str]]) -> bool:
    def meaning(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        return sorted((n.lower(), v) for n, v in pairs if n.lower() not in UNCOMPARED)

    return meaning(list(ours.items())) == meaning(theirs)


def proxied(environ: Mapping[str, str] | None = None) -> bool:
    """Whether httpx would go through a proxy: one the environment names or, on macOS and
    Windows, the system's settings (what `urllib.request.getproxies` reads there; on other
    systems it reads the same variables as here, without being imported)."""
    env = os.environ if environ is None else environ
    if any(env.get(name) or env.get(name.upper()) for name in PROXY_VARIABLES):
        return True
    if environ is None and sys.platform in ("darwin", "win32"):
        import urllib.request

        found = urllib.request.getproxies()
        return any(found.get(scheme) for scheme in ("http", "https", "all"))
    return False
