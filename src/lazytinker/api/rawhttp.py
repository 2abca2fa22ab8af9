"""The bytes of a download over the standard library's `http.client`, in a worker thread.

httpx hands a body over through h11's receive buffer, which copies every byte three more times
than needed; for a checkpoint of gigabytes that is a core's worth of work. Here the socket reads
straight into one reusable buffer and the buffer goes straight to the file: the two copies curl
makes. Redirects are followed here, not by a library, so that a credential never leaves the
origin it was meant for; only http and https are spoken, and any other scheme is named in a
one-line error. Proxies are taken from the environment, as httpx does.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Final
from urllib.parse import quote, unquote, urljoin, urlsplit

from lazytinker.api.transfer import DownloadError

__all__ = [
    "Abort",
    "Aborted",
    "Exchange",
    "Fetcher",
    "Opened",
    "check_url",
    "same_origin",
]

REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS: Final = 10
# Headers that may follow a redirect to another origin; everything else (the API key, cookies,
# any authorization) stays with the origin it was given for.
_PORTABLE: Final = frozenset({"range", "if-range", "accept-encoding", "accept", "user-agent"})
_SAFE_PATH: Final = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY: Final = _SAFE_PATH + "?"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_HINTS: Final = {
    "file": "a path on the server's own disk",
    "ftp": "an FTP address",
    "s3": "a bucket address for cloud tools",
    "gs": "a bucket address for cloud tools",
}


class Aborted(Exception):
    """The transfer was stopped from outside (the download was cancelled)."""


class Abort:
    """A stop switch shared by the event loop and the transfer thread.

    `abort()` may be called from any thread: it marks the transfer stopped and shuts the socket,
    so a thread blocked in `recv` returns at once instead of after its timeout.
    """

    def __init__(self) -> None:
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def stopped(self) -> bool:
        """Whether `abort()` was called."""
        return self._stopped.is_set()

    def check(self) -> None:
        """Raise `Aborted` once `abort()` was called."""
        if self._stopped.is_set():
            raise Aborted

    def watch(self, sock: socket.socket | None) -> None:
        """Shut `sock` down when the transfer is aborted (at once if it already is)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            stopped = self._stopped.is_set()
        if stopped:
            _shutdown(sock)

    def abort(self) -> None:
        """Stop the transfer: any thread blocked on one of its sockets wakes up."""
        with self._lock:
            self._stopped.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed or never connected
        sock.shutdown(socket.SHUT_RDWR)


def check_url(url: str, label: str) -> None:
    """Refuse, in one line naming the scheme, a URL that is not plain http or https."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise DownloadError(f"{label}: the server gave an address that is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.hostname:
        return
    if not scheme:
        raise DownloadError(f"{label}: the server gave an address that is not a URL")
    hint = _HINTS.get(scheme, "an address of another kind")
    raise DownloadError(
        f"{label}: the server offered a {scheme}:// URL ({hint}), which cannot be downloaded "
        "from here; only http:// and https:// downloads are possible"
    )


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs share scheme, host and port (what a credential is bound to)."""
    return _origin(a) == _origin(b)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request as sent and the status it got (for logs and tests)."""

    url: str
    headers: Mapping[str, str]
    status: int


@dataclass(slots=True)
class Opened:
    """A response whose headers have arrived; its body is read with `readinto`."""

    status: int
    url: str
    response: http.client.HTTPResponse
    connection: http.client.HTTPConnection
    headers: Message = field(init=False)

    def __post_init__(self) -> None:
        self.headers = self.response.msg

    def header(self, name: str) -> str:
        """One header's value, or "" (the first, when a server sent several)."""
        value = self.headers.get(name)
        return str(value).strip() if value is not None else ""

    def readinto(self, buffer: memoryview) -> int:
        """Read what has arrived of the body into `buffer` (one socket read, waiting only while
        nothing has); 0 at its end."""
        response = self.response
        stream = response.fp
        if stream is None:
            return 0
        if response.chunked:
            return response.readinto(buffer)
        if response.length is None:  # the body runs until the connection closes
            return stream.readinto1(buffer)
        if response.length <= 0:
            return 0
        count = stream.readinto1(buffer[: response.length])
        response.length -= count
        return count

    def close(self) -> None:
        """Drop the connection (an unread body is not drained)."""
        self.connection.close()


class Fetcher:
    """Opens download URLs with plain GETs: one connection per request, redirects by hand.

    Blocking: call it from a worker thread. Thread-safe (it keeps no connections).
    """

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        user_agent: str = "lazytinker-download",
        proxies: dict[str, str] | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.timeout = timeout
        self.on_exchange = on_exchange
        self.connect_timeout = connect_timeout
        self.user_agent = user_agent
        self.proxies = urllib.request.getproxies() if proxies is None else proxies
        self._context: ssl.SSLContext | None = None

    def open(self, url: str, headers: dict[str, str], abort: Abort, label: str) -> Opened:
        """GET `url`, following redirects; credentials never cross to another origin."""
        sent = {"User-Agent": self.user_agent, **headers}
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, label)
            abort.check()
            opened = self._get(url, sent, abort)
            location = opened.header("location")
            if opened.status not in REDIRECTS or not location:
                return opened
            opened.close()
            following = urljoin(url, location)
            if not same_origin(following, url):
                sent = {k: v for k, v in sent.items() if k.lower() in _PORTABLE}
            url = following
        raise DownloadError(f"{label}: the server redirected more than {MAX_REDIRECTS} times")

    def _get(self, url: str, headers: dict[str, str], abort: Abort) -> Opened:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port or _DEFAULT_PORTS[scheme]
        path = quote(parts.path or "/", safe=_SAFE_PATH)
        if parts.query:
            path += "?" + quote(parts.query, safe=_SAFE_QUERY)
        proxy = self._proxy_for(scheme, host)
        connection = self._connection(scheme, host, port, proxy)
        if proxy is not None and scheme == "http":
            path = f"http://{parts.netloc}{path}"  # a plain proxy is given the whole URL
            headers = {**headers, **_proxy_auth(proxy)}
        try:
            connection.connect()
            sock = connection.sock
            abort.watch(sock)
            if sock is not None:
                sock.settimeout(self.timeout)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        if self.on_exchange is not None:
            self.on_exchange(Exchange(url, dict(headers), response.status))
        return Opened(response.status, url, response, connection)

    def _proxy_for(self, scheme: str, host: str) -> str | None:
        proxy = self.proxies.get(scheme)
        if not proxy or urllib.request.proxy_bypass(host):
            return None
        return proxy

    def _connection(
        self, scheme: str, host: str, port: int, proxy: str | None
    ) -> http.client.HTTPConnection:
        target_host, target_port = host, port
        if proxy is not None:
            proxied = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
            if proxied.scheme not in ("http", ""):
                raise DownloadError(
                    f"The proxy {proxied.scheme}://{proxied.hostname} is not supported for "
                    "downloads; use an http:// proxy"
                )
            target_host, target_port = proxied.hostname or "", proxied.port or 80
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                target_host, target_port, timeout=self.connect_timeout, context=self._tls()
            )
            if proxy is not None:
                connection.set_tunnel(host, port, headers=_proxy_auth(proxy))
        else:
            connection = http.client.HTTPConnection(
                target_host, target_port, timeout=self.connect_timeout
            )
        return connection

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            try:
                import certifi  # the bundle httpx trusts, so downloads trust what the API does
            except ImportError:  # pragma: no cover - certifi comes with httpx
                self._context = ssl.create_default_context()
            else:
                self._context = ssl.create_default_context(cafile=certifi.where())
        return self._context


def _proxy_auth(proxy: str) -> dict[str, str]:
    """The `Proxy-Authorization` a proxy URL with `user:password@` asks for."""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.username:
        return {}
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode()}
