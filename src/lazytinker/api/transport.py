"""One service's HTTP (design.md §2, protocol.md §1): the shared connection pool, the handshake,
the credential on every call (to the API's own origin only), redirects, bounded retries, and every
failure turned into one of the `errors` types with the key redacted.

Endpoint groups (`api/endpoints/`) build paths and bodies and call `send`/`get`; retries, redirects
and credentials are never their concern. Where the next transport features go: an overall deadline
per call in `send` (which already bounds its retrying with `RetryPolicy.budget`), capped response
bodies in `read_body` (the one place a body is read), per-server capabilities from the statuses
`send` sees.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from lazytinker import __version__
from lazytinker.api.auth import Credentials
from lazytinker.api.errors import APIError, UnreachableError
from lazytinker.api.handshake import exchange_jwt, handshake
from lazytinker.api.models import ClientConfigResponse, DynamicConfigResponse
from lazytinker.api.responses import (
    M,
    broken_response,
    error_for,
    parse_model,
    unreachable_message,
)
from lazytinker.api.retry import RetryPolicy, parse_retry_after
from lazytinker.api.target import ServerTarget

USER_AGENT = f"lazytinker/{__version__}"
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Transport:
    """Sends API calls to one service and reads its answers; close it with `aclose`."""

    def __init__(
        self, target: ServerTarget, *, retry: RetryPolicy | None = None, timeout: float = 30.0
    ) -> None:
        self.target = target
        self.host = target.host
        self.base_url = target.url
        self.retry = retry or RetryPolicy()
        self.credentials = Credentials(target.credential)
        self.client_config: ClientConfigResponse | None = None
        self.dynamic_config: DynamicConfigResponse | None = None
        self._connected = False
        self._connect_lock = asyncio.Lock()
        self.throttle_listeners: list[Callable[[float | None], None]] = []
        """Told of every 429 (with its `Retry-After`), retried or not: bulk actions pace
        themselves by it."""
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- start-up ------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Read the credential and, for tinker, run the start-up handshake; once."""
        async with self._connect_lock:
            if self._connected:
                return
            await self.credentials.read_key()
            if self.target.flavor == "tinker":
                await handshake(self)
            self._connected = True

    async def ensure_connected(self) -> None:
        """Connect unless already connected (every endpoint call starts here)."""
        if not self._connected:
            await self.connect()

    async def _fresh_token(self) -> str:
        if self.credentials.is_stale():
            await exchange_jwt(self, replacing=self.credentials.jwt)
        return self.credentials.token

    # --- URLs and headers ----------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of an API path (already encoded)."""
        return self.base_url + path

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """Headers to fetch `url` with: the credential only when it is on the API's own origin.

        Signed URLs elsewhere must never see the key; hpcai archives (served by the API itself)
        need it.
        """
        headers = {"User-Agent": USER_AGENT}
        if self._same_origin(url) and self.credentials.key:
            headers["X-API-Key"] = self.credentials.token
        return headers

    def _same_origin(self, url: str) -> bool:
        a, b = urlsplit(url), urlsplit(self.base_url)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    # --- one call, with retries and error mapping ----------------------------------------------

    async def get(
        self,
        path: str,
        model: type[M],
        endpoint: str,
        params: Mapping[str, str | int] | None = None,
    ) -> M:
        """Connect if needed, `GET path` and parse the answer as `model`."""
        await self.ensure_connected()
        resp = await self.send("GET", path, endpoint, params=params)
        return self.parse(resp, model, endpoint)

    def parse(self, resp: httpx.Response, model: type[M], endpoint: str) -> M:
        """The body of `resp` as `model`, or `BadResponseError`."""
        return parse_model(resp, model, endpoint, self.host)

    async def send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        empty_body: bool = False,
        idempotent: bool = True,
        use_jwt: bool = True,
        reauth: bool = True,
        follow: bool = True,
        passthrough: frozenset[int] = frozenset(),
        stream: bool = False,
    ) -> httpx.Response:
        """Send one API call; return the final 2xx (or unfollowed 3xx) response.

        A status in `passthrough` is returned as it is, without retrying.
        With `stream` the body is left unread (the caller closes the response); otherwise it is
        read here, so a connection cut mid-body counts as a transient failure.
        """
        policy = self.retry
        attempt = 0
        slept = 0.0
        started = time.monotonic()
        reauthed = not reauth
        while True:
            attempt += 1
            token = await self._fresh_token() if use_jwt else (self.credentials.key or "")
            delay: float | None = None
            try:
                resp = await self._request(
                    method, self.url(path), token, params, json_body, empty_body, follow
                )
                if not stream or resp.status_code >= 300:
                    await self.read_body(resp)
            except httpx.TransportError as exc:
                # A request that never left may be repeated whatever it does.
                safe = idempotent or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                message = unreachable_message(exc, self.host, self.credentials.redact)
                if not safe:
                    message += "; the request may or may not have taken effect"
                error: APIError = UnreachableError(message, host=self.host)
                if safe:
                    delay = policy.backoff(attempt)
            except httpx.HTTPError as exc:
                raise broken_response(exc, self.host, endpoint) from None
            else:
                status = resp.status_code
                if status < 400 or status in passthrough:
                    return resp
                if (
                    status == 401
                    and not reauthed
                    and self.credentials.jwt is not None
                    and 'error="invalid_token"' in resp.headers.get("www-authenticate", "")
                ):
                    reauthed = True
                    await resp.aclose()
                    await exchange_jwt(self, replacing=token)
                    attempt -= 1
                    continue
                error = error_for(
                    resp,
                    endpoint,
                    host=self.host,
                    key_source=self.target.key_source,
                    redact=self.credentials.redact,
                )
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
                if status == 429:
                    for listener in list(self.throttle_listeners):
                        listener(retry_after)
                # An empty-body 400 is an edge proxy's rejection, not the server's answer.
                if (
                    status == 429
                    or (status == 400 and not resp.content)
                    or (status >= 500 and idempotent)
                ):
                    delay = policy.delay_for(attempt, retry_after)
                await resp.aclose()
            # Slow failures (timeouts) count too: the whole call stays within a few seconds
            # of retrying, plus at most one request timeout.
            spent = max(slept, time.monotonic() - started)
            if delay is None or attempt >= policy.max_attempts or spent + delay > policy.budget:
                raise error
            slept += delay
            await policy.sleep(delay)

    async def read_body(self, resp: httpx.Response) -> None:
        """Read the body of an API answer (the one place it is done: a size cap belongs here)."""
        await resp.aread()

    async def _request(
        self,
        method: str,
        url: str,
        token: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
        empty_body: bool,
        follow: bool,
    ) -> httpx.Response:
        """One request and, when asked, its redirects; the key goes only to the API's origin."""
        content: bytes | None = None
        headers: dict[str, str] = {}
        if json_body is not None or empty_body or method in ("POST", "PUT", "DELETE"):
            headers["Content-Type"] = "application/json"
        if json_body is not None:
            content = json.dumps(json_body).encode()
        elif empty_body:
            content = b""
        query = dict(params) if params else None
        for _ in range(MAX_REDIRECTS + 1):
            if token and self._same_origin(url):
                headers["X-API-Key"] = token
            else:
                headers.pop("X-API-Key", None)
            request = self._http.build_request(
                method, url, params=query, content=content, headers=headers
            )
            resp = await self._http.send(request, stream=True)
            location = resp.headers.get("location")
            if not follow or resp.status_code not in REDIRECTS or not location:
                return resp
            await resp.aclose()
            url = urljoin(str(resp.url), location)
            query = None
            if resp.status_code in (301, 302, 303) and method != "GET":
                method, content = "GET", None
                headers.pop("Content-Type", None)
        raise httpx.TooManyRedirects("too many redirects", request=request)
