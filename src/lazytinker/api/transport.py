"""One service's HTTP (design.md §2, protocol.md §1): the shared connection pool, the handshake,
the credential on every call (to the API's own origin only), redirects, bounded retries, and every
failure turned into one of the `errors` types with the key redacted.

Endpoint groups (`api/endpoints/`) build paths and bodies and call `send`/`get`; retries, redirects
and credentials are never their concern. Against a server that misbehaves, every call is bounded:
an overall deadline (`deadline`, retries included: a server trickling a byte a second cannot hold
a pane), a cap on the decoded body (`api/body.py`: a gzip bomb is refused, not inflated), and a
few redirects, none of which carries the key to another scheme, host or port.

Start-up (issue 19): the handshake runs in the background (`start_handshake`); a call waits only
for the key, and for the JWT once the server asked for one (a 401 before then is sent again).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from lazytinker.api.auth import Credentials
from lazytinker.api.body import (
    MAX_BODY,
    MAX_ERROR_BODY,
    BodyTooLarge,
    UnsupportedEncoding,
    read_capped,
)
from lazytinker.api.capabilities import Capabilities
from lazytinker.api.connecting import Connecting
from lazytinker.api.early import CONNECT_TIMEOUT, READ_TIMEOUT
from lazytinker.api.errors import APIError, BadResponseError, UnreachableError
from lazytinker.api.handshake import exchange_jwt
from lazytinker.api.headers import KEY_HEADER, USER_AGENT, common_headers
from lazytinker.api.pool import CONNECTIONS, SplitPool
from lazytinker.api.primed import ANSWERED_IN, Primed
from lazytinker.api.redirects import REDIRECTS, request_following, same_origin
from lazytinker.api.responses import (
    M,
    broken_response,
    error_for,
    parse_model,
    unreachable_message,
)
from lazytinker.api.retry import RetryPolicy, parse_retry_after
from lazytinker.api.target import ServerTarget
from lazytinker.api.timing import RoundTrips
from lazytinker.api.tls import context_for

if TYPE_CHECKING:
    from lazytinker.api.early import EarlyRequests
    from lazytinker.api.models import ClientConfigResponse, DynamicConfigResponse

__all__ = ["DEADLINE", "REDIRECTS", "Transport"]

DEADLINE = 60.0
"""Seconds one API call may take in all, retries included (the official SDK's overall timeout)."""


class Transport(Connecting):
    """Sends API calls to one service and reads its answers; close it with `aclose`."""

    def __init__(
        self,
        target: ServerTarget,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = READ_TIMEOUT,
        capabilities: Capabilities | None = None,
        deadline: float = DEADLINE,
        early: EarlyRequests | None = None,
    ) -> None:
        self.target = target
        self.host = target.host
        self.base_url = target.url
        self.retry = retry or RetryPolicy()
        self.capabilities = capabilities or Capabilities(target.flavor, target.host)
        self.deadline = deadline
        self.credentials = Credentials(target.credential)
        self.client_config: ClientConfigResponse | None = None
        self.dynamic_config: DynamicConfigResponse | None = None
        # What the server says of itself: `Server` header, name and version from client/config.
        self.server_identity: dict[str, str] = {}
        self.timing = RoundTrips()
        self.throttle_listeners: list[Callable[[float | None], None]] = []
        """Told of every 429 and its `Retry-After`: bulk actions pace themselves by it."""
        self.start_connecting(target)
        verify = context_for(target.url)
        pool: httpx.AsyncBaseTransport = SplitPool(verify, connections=CONNECTIONS)
        self._primed = None if early is None else Primed(pool, early)
        self._http = httpx.AsyncClient(
            transport=self._primed or pool,
            # These two serve only a proxy named by the environment (HTTPS_PROXY and so on).
            verify=verify,
            limits=httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS),
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            headers=common_headers(),
            follow_redirects=False,
        )

    @property
    def answered_early(self) -> int:
        """Calls answered by the start-up's early requests (`api/early.py`)."""
        return 0 if self._primed is None else self._primed.answered

    async def aclose(self) -> None:
        """Stop the handshake if it is still going, and close the connection pool."""
        await self.stop_handshake()
        await self._http.aclose()

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
            headers[KEY_HEADER] = self.credentials.token
        return headers

    def _same_origin(self, url: str | httpx.URL) -> bool:
        """Whether `url` is on the API's scheme, host and port, as httpx parses both."""
        return same_origin(url, self.base_url)

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
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one API call; return the final 2xx (or unfollowed 3xx) response.

        A status in `passthrough` is returned as it is, without retrying.
        With `stream` the body is left unread (the caller closes the response); otherwise it is
        read here, so a connection cut mid-body counts as a transient failure. `headers` are
        added to the request (an idempotency key). The whole call, retries included, ends
        within `deadline` seconds.
        """
        try:
            async with asyncio.timeout(self.deadline):
                return await self._send(
                    method,
                    path,
                    endpoint,
                    params=params,
                    json_body=json_body,
                    empty_body=empty_body,
                    idempotent=idempotent,
                    use_jwt=use_jwt,
                    reauth=reauth,
                    follow=follow,
                    passthrough=passthrough,
                    stream=stream,
                    headers=headers,
                )
        except TimeoutError:
            maybe = "" if idempotent else "; the request may or may not have taken effect"
            raise UnreachableError(
                f"{self.host} did not answer {endpoint} within {self.deadline:g} s{maybe}",
                host=self.host,
            ) from None

    async def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Mapping[str, str | int] | None,
        json_body: Any,
        empty_body: bool,
        idempotent: bool,
        use_jwt: bool,
        reauth: bool,
        follow: bool,
        passthrough: frozenset[int],
        stream: bool,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        policy = self.retry
        attempt = 0
        slept = 0.0
        started = time.monotonic()
        reauthed = not reauth
        while True:
            attempt += 1
            # Sent before the server said whether it wants a JWT: a 401 may just mean "yes".
            speculative = use_jwt and not self.auth_settled.is_set()
            token = await self._fresh_token() if use_jwt else (self.credentials.key or "")
            delay: float | None = None
            try:
                resp = await request_following(
                    self._http,
                    method,
                    self.url(path),
                    base_url=self.base_url,
                    token=token,
                    params=params,
                    json_body=json_body,
                    empty_body=empty_body,
                    follow=follow,
                    headers=headers,
                    observe=self._observe,
                )
                if not stream or resp.status_code >= 300:
                    await self._read_capped(resp, endpoint)
            except httpx.TransportError as exc:
                # A request that never left may be repeated whatever it does.
                safe = idempotent or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                message = unreachable_message(exc, self.host, self.credentials.redact)
                if not safe:
                    message += "; the request may or may not have taken effect"
                error: APIError = UnreachableError(message, host=self.host)
                if safe:
                    delay = policy.backoff(attempt)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise broken_response(exc, self.host, endpoint) from None
            else:
                status = resp.status_code
                if status < 400 or status in passthrough:
                    return resp
                if status == 401 and speculative:
                    await resp.aclose()
                    await self.auth_settled.wait()
                    if self.credentials.jwt is not None:
                        attempt -= 1
                        continue
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

    def _observe(self, resp: httpx.Response, seconds: float) -> None:
        """Time one answer's headers, and note the `Server` header the first time."""
        if self._same_origin(str(resp.url)):
            # An early answer was timed by its own request, sent before this one.
            self.timing.add(resp.extensions.get(ANSWERED_IN, seconds))
            if server := resp.headers.get("server"):
                self.server_identity.setdefault("header", server[:80])

    async def read_body(self, resp: httpx.Response, endpoint: str = "") -> None:
        """Read the body of a streamed API answer within the cap and the deadline; a
        connection that fails on the way is `UnreachableError` (for callers of
        `send(stream=True)`)."""
        try:
            async with asyncio.timeout(self.deadline):
                await self._read_capped(resp, endpoint)
        except TimeoutError:
            raise UnreachableError(
                f"{self.host} did not send {endpoint or 'its answer'} within {self.deadline:g} s",
                host=self.host,
            ) from None
        except httpx.TransportError as exc:
            raise UnreachableError(
                unreachable_message(exc, self.host, self.credentials.redact), host=self.host
            ) from None

    async def _read_capped(self, resp: httpx.Response, endpoint: str) -> None:
        """Read the body of an API answer within the cap (the one place it is done); an error
        answer is read only as far as its detail needs. A body past the cap, or in an encoding
        we did not ask for, is `BadResponseError` and is never decoded."""
        try:
            if resp.status_code >= 300:
                await read_capped(resp, MAX_ERROR_BODY, truncate=True)
            else:
                await read_capped(resp, MAX_BODY)
        except BodyTooLarge as exc:
            raise BadResponseError(
                f"Bad response from {self.host}: {endpoint or 'the answer'} is {exc}; "
                "refused unread",
                host=self.host,
                endpoint=endpoint,
                status=resp.status_code,
            ) from None
        except UnsupportedEncoding as exc:
            raise BadResponseError(
                f"Bad response from {self.host}: {endpoint or 'the answer'} came in an encoding "
                f"we did not ask for ({exc})",
                host=self.host,
                endpoint=endpoint,
                status=resp.status_code,
            ) from None
