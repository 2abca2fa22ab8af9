"""The async Tinker REST client (design.md §2, protocol.md §1 and §4).

One `TinkerAPI` per profile, over one shared `httpx.AsyncClient`. It does the SDK's start-up
handshake, sends the key (or the JWT it was exchanged for), retries transient failures on its own
short policy, and turns every failure into one of the `errors` types.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from lazytinker import __version__
from lazytinker.api.errors import (
    APIError,
    ArchiveNotReadyError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    KeyRejectedError,
    NotFoundError,
    NotPermittedError,
    RateLimitedError,
    ServerError,
    UnreachableError,
    UnsupportedError,
)
from lazytinker.api.models import (
    AccessScope,
    AuditLogResponse,
    AuthTokenResponse,
    BillingUsageResponse,
    CheckpointArchiveUrlResponse,
    CheckpointsListResponse,
    ClientConfigResponse,
    CurrentCheckpointStorageUsageResponse,
    DynamicConfigResponse,
    ExternalWeightsUrlsResponse,
    GetSamplerResponse,
    GetServerCapabilitiesResponse,
    GetSessionResponse,
    HealthResponse,
    ListSessionsResponse,
    SessionSearchRequest,
    SessionSearchResponse,
    TraceExportResponse,
    TrainingRun,
    TrainingRunsResponse,
    WeightsInfoResponse,
    Whoami,
    format_rfc3339,
)
from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor, InvalidPathError
from lazytinker.api.retry import RetryPolicy, parse_retry_after
from lazytinker.config import Profile, read_credential

M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"lazytinker/{__version__}"
ARCHIVE_URL_LIFETIME = timedelta(minutes=15)
_JWT_REFRESH_MARGIN = 60.0
_MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Capability(StrEnum):
    """Something a service may or may not offer; the UI hides what is not supported."""

    SESSIONS = "sessions"
    USER_CHECKPOINTS = "user checkpoints"
    PUBLISH = "publish"
    TTL = "expiry (TTL)"
    SAMPLERS = "samplers"
    WEIGHTS_INFO = "weights info"
    EXTERNAL_WEIGHTS = "external weights"
    ARCHIVE = "archive download"
    TRACE_EXPORT = "trace export"
    BILLING = "billing usage"
    STORAGE = "storage usage"


# The HPC-AI fork has runs, checkpoints, delete and the archive download, nothing else (§9).
_CAPABILITIES: dict[Flavor, frozenset[Capability]] = {
    "tinker": frozenset(Capability),
    "hpcai": frozenset({Capability.ARCHIVE}),
}


def _segment(text: str) -> str:
    """One URL path segment: colons stay (run ids carry them, as the SDK sends them), the rest
    of anything odd is percent-encoded."""
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text, safe=":")


def _path(*segments: str) -> str:
    return "/".join(_segment(s) for s in segments)


def _decode_jwt_claims(token: str) -> dict[str, Any]:
    """The JWT payload, unverified (as the SDK reads it); `{}` if it does not decode."""
    parts = token.split(".")
    if len(parts) < 2:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _whoami_from(claims: Mapping[str, Any]) -> Whoami | None:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    org = claims.get("org_id")
    email = claims.get("email")
    return Whoami(
        user_urn=sub,
        org_urn=f"tml:organization:{org}" if org else "",
        email=email if isinstance(email, str) and email else None,
    )


def _expiry(claims: Mapping[str, Any]) -> float | None:
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


_DETAIL_PREFIX = re.compile(r'"detail"\s*:\s*"((?:[^"\\]|\\.)*)')


def _detail_of_broken(text: str) -> str:
    """What can be read of a body that is not whole JSON (cut mid-body, or an HTML page).

    A cut JSON error keeps the readable start of its `detail`; markup and JSON fragments are noise
    in a one-line message, so they are left out.
    """
    if text.startswith(("{", "[")):
        found = _DETAIL_PREFIX.search(text)
        if found is None:
            return ""
        try:
            partial: str = json.loads(f'"{found.group(1)}"')
        except ValueError:
            partial = found.group(1)
        return f"{partial[:200]}…"
    if text.startswith("<"):
        return ""
    return text[:200]


def _detail_of(body: bytes) -> str:
    """The server's explanation: `detail` of a JSON error body, or the start of the text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _detail_of_broken(text)
    detail = data.get("detail") if isinstance(data, dict) else data
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        # FastAPI validation errors: the first one says enough.
        first = detail[0]
        loc = ".".join(str(p) for p in first.get("loc", []) if p != "body")
        detail = f"{loc}: {first.get('msg', '')}" if loc else first.get("msg", "")
    if detail is None or detail == "":
        return ""
    return (detail if isinstance(detail, str) else json.dumps(detail))[:200]


class TinkerAPI:
    """An async client for one Tinker-compatible service; use it as an async context manager."""

    def __init__(
        self, profile: Profile, *, retry: RetryPolicy | None = None, timeout: float = 30.0
    ) -> None:
        self.profile = profile
        self.flavor: Flavor = profile.flavor
        self.base_url = profile.base_url.rstrip("/")
        self.host = profile.host
        self.retry = retry or RetryPolicy()
        self.whoami: Whoami | None = None
        self.client_config: ClientConfigResponse | None = None
        self.dynamic_config: DynamicConfigResponse | None = None
        self._key: str | None = None
        self._jwt: str | None = None
        self._jwt_expires: float | None = None
        self._connected = False
        self._connect_lock = asyncio.Lock()
        self._token_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def __repr__(self) -> str:
        return f"TinkerAPI(flavor={self.flavor!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- capabilities and start-up ----------------------------------------------------------

    def supports(self, capability: Capability) -> bool:
        """Whether this service's flavor offers `capability`."""
        return capability in _CAPABILITIES[self.flavor]

    def _require(self, capability: Capability) -> None:
        if not self.supports(capability):
            raise UnsupportedError(f"The {self.flavor} service at {self.host} has no {capability}")

    async def connect(self) -> None:
        """The start-up handshake: tinker `client/config`, the JWT exchange if asked, then
        `client/dynamic_config` (404 tolerated). hpcai has none; the credential is read either way.
        """
        async with self._connect_lock:
            if self._connected:
                return
            self._key = await self._read_key()
            if self.flavor == "tinker":
                await self._handshake()
            self._connected = True

    async def _read_key(self) -> str:
        if self.profile.api_key:
            return self.profile.api_key
        return await asyncio.to_thread(read_credential, self.profile)

    async def _handshake(self) -> None:
        body = {"sdk_version": __version__}
        endpoint = "POST /api/v1/client/config"
        resp = await self._send("POST", "/api/v1/client/config", endpoint, json_body=body)
        self.client_config = self._parse(resp, ClientConfigResponse, endpoint)
        if self.client_config.pjwt_auth_enabled:
            await self._exchange_jwt()
        elif self._key and self._key.startswith("eyJ"):
            self.whoami = _whoami_from(_decode_jwt_claims(self._key))
        endpoint = "POST /api/v1/client/dynamic_config"
        try:
            resp = await self._send(
                "POST", "/api/v1/client/dynamic_config", endpoint, json_body=body
            )
        except NotFoundError:
            self.dynamic_config = DynamicConfigResponse()
        else:
            self.dynamic_config = self._parse(resp, DynamicConfigResponse, endpoint)

    async def _exchange_jwt(self, replacing: str | None = None) -> None:
        """Get a new JWT in place of `replacing`, unless another call already replaced it."""
        async with self._token_lock:
            if self._jwt != replacing:
                return
            config = self.client_config
            if (
                config is not None
                and config.credential_default_source == "credential_cmd"
                and self.profile.credential_cmd
            ):
                self._key = await asyncio.to_thread(read_credential, self.profile)
            endpoint = "POST /api/v1/auth/token"
            resp = await self._send(
                "POST", "/api/v1/auth/token", endpoint, json_body={}, use_jwt=False, reauth=False
            )
            token = self._parse(resp, AuthTokenResponse, endpoint).jwt
            claims = _decode_jwt_claims(token)
            self._jwt = token
            self._jwt_expires = _expiry(claims)
            self.whoami = _whoami_from(claims)

    async def _fresh_token(self) -> str:
        if self._jwt is None:
            return self._key or ""
        if self._jwt_expires is None or self._jwt_expires - time.time() < _JWT_REFRESH_MARGIN:
            await self._exchange_jwt(replacing=self._jwt)
        return self._jwt or self._key or ""

    async def _ensure_connected(self) -> None:
        if not self._connected:
            await self.connect()

    # --- one request, with retries and error mapping ----------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of an API path (already encoded)."""
        return self.base_url + path

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """Headers to fetch `url` with: the credential only when it is on the API's own origin.

        Signed URLs elsewhere must never see the key; hpcai archives (served by the API itself)
        need it.
        """
        headers = {"User-Agent": USER_AGENT}
        if self._same_origin(url) and self._key:
            headers["X-API-Key"] = self._jwt or self._key
        return headers

    def _same_origin(self, url: str) -> bool:
        a, b = urlsplit(url), urlsplit(self.base_url)
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    async def _send(
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
            token = await self._fresh_token() if use_jwt else (self._key or "")
            delay: float | None = None
            try:
                resp = await self._exchange(
                    method, self.url(path), token, params, json_body, empty_body, follow
                )
                if not stream or resp.status_code >= 300:
                    await resp.aread()
            except httpx.TransportError as exc:
                # A request that never left may be repeated whatever it does.
                safe = idempotent or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                message = self._unreachable(exc)
                if not safe:
                    message += "; the request may or may not have taken effect"
                error: APIError = UnreachableError(message, host=self.host)
                if safe:
                    delay = policy.backoff(attempt)
            except httpx.HTTPError as exc:
                raise BadResponseError(
                    f"{self.host}: {endpoint} answered with a broken response "
                    f"({type(exc).__name__})",
                    host=self.host,
                    endpoint=endpoint,
                ) from None
            else:
                status = resp.status_code
                if status < 400 or status in passthrough:
                    return resp
                if (
                    status == 401
                    and not reauthed
                    and self._jwt is not None
                    and 'error="invalid_token"' in resp.headers.get("www-authenticate", "")
                ):
                    reauthed = True
                    await resp.aclose()
                    await self._exchange_jwt(replacing=token)
                    attempt -= 1
                    continue
                error = self._error_for(resp, endpoint)
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
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

    async def _exchange(
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
        for _ in range(_MAX_REDIRECTS + 1):
            if token and self._same_origin(url):
                headers["X-API-Key"] = token
            else:
                headers.pop("X-API-Key", None)
            request = self._http.build_request(
                method, url, params=query, content=content, headers=headers
            )
            resp = await self._http.send(request, stream=True)
            location = resp.headers.get("location")
            if not follow or resp.status_code not in _REDIRECTS or not location:
                return resp
            await resp.aclose()
            url = urljoin(str(resp.url), location)
            query = None
            if resp.status_code in (301, 302, 303) and method != "GET":
                method, content = "GET", None
                headers.pop("Content-Type", None)
        raise httpx.TooManyRedirects("too many redirects", request=request)

    def _redact(self, text: str) -> str:
        for secret in (self._key, self._jwt, self.profile.api_key):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _unreachable(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.TimeoutException):
            why = "timed out"
        elif isinstance(exc, httpx.ConnectError):
            why = "connection failed"
        elif isinstance(exc, httpx.RemoteProtocolError):
            why = "the connection was cut"
        else:
            why = type(exc).__name__
        reason = self._redact(str(exc).splitlines()[0] if str(exc) else "")
        return f"Cannot reach {self.host}: {why}" + (f" ({reason})" if reason else "")

    def _error_for(self, resp: httpx.Response, endpoint: str) -> APIError:
        status = resp.status_code
        detail = self._redact(_detail_of(resp.content))
        suffix = f": {detail}" if detail else ""
        host = self.host
        if status == 400 and not resp.content:
            return UnreachableError(
                f"A proxy in front of {host} rejected the request (HTTP 400 with no body)",
                host=host,
                status=status,
            )
        if status == 401:
            return KeyRejectedError(
                f"{host} rejected the API key from {self.profile.key_source or 'the profile'} "
                f"(HTTP 401){suffix}",
                host=host,
                status=status,
            )
        if status == 403:
            return NotPermittedError(
                f"Not permitted on {host} (HTTP 403){suffix}", host=host, status=status
            )
        if status == 404:
            return NotFoundError(
                f"Not found on {host} (HTTP 404, {endpoint}){suffix}", host=host, status=status
            )
        if status == 409:
            return ConflictError(f"Conflict on {host} (HTTP 409){suffix}", host=host, status=status)
        if status == 429:
            return RateLimitedError(
                f"{host} is rate limiting requests (HTTP 429){suffix}",
                host=host,
                retry_after=parse_retry_after(resp.headers.get("retry-after")),
            )
        if status >= 500:
            return ServerError(
                f"Server trouble at {host} (HTTP {status}, {endpoint}){suffix}",
                host=host,
                status=status,
            )
        if status == 402:
            return InvalidRequestError(
                f"{host} refused: billing is not set up (HTTP 402){suffix}", host=host, status=402
            )
        return InvalidRequestError(
            f"{host} refused the request (HTTP {status}, {endpoint}){suffix}",
            host=host,
            status=status,
        )

    def _json(self, resp: httpx.Response, endpoint: str) -> Any:
        try:
            return json.loads(resp.content)
        except ValueError:
            raise BadResponseError(
                f"Bad response from {self.host}: {endpoint} answered with a body that is not JSON",
                host=self.host,
                endpoint=endpoint,
                status=resp.status_code,
            ) from None

    def _parse(self, resp: httpx.Response, model: type[M], endpoint: str) -> M:
        data = self._json(resp, endpoint)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(body)"
            what = "missing" if first["type"] == "missing" else f"invalid ({first['msg']})"
            raise BadResponseError(
                f"Bad response from {self.host}: {endpoint} field {field!r} is {what}",
                host=self.host,
                endpoint=endpoint,
                field=field,
                status=resp.status_code,
            ) from None

    async def _get(
        self,
        path: str,
        model: type[M],
        endpoint: str,
        params: Mapping[str, str | int] | None = None,
    ) -> M:
        await self._ensure_connected()
        resp = await self._send("GET", path, endpoint, params=params)
        return self._parse(resp, model, endpoint)

    # --- references --------------------------------------------------------------------------

    def _ref(self, ref: CheckpointRef) -> CheckpointRef:
        """The reference in this service's flavor (a tinker path works against hpcai too)."""
        ref = ref if ref.flavor == self.flavor else ref.with_flavor(self.flavor)
        try:
            _ = ref.segment
        except InvalidPathError:
            raise UnsupportedError(
                f"The {self.flavor} service at {self.host} has no {ref.kind} checkpoints"
            ) from None
        if not ref.run_id or not ref.name:
            raise InvalidRequestError(f"Incomplete checkpoint path {ref.path!r}", host=self.host)
        return ref

    def _checkpoint_path(self, ref: CheckpointRef, *tail: str) -> str:
        ref = self._ref(ref)
        ids = ref.checkpoint_id.split("/")
        return "/api/v1/" + _path("training_runs", ref.run_id, "checkpoints", *ids, *tail)

    def _run_path(self, run_id: str, *tail: str) -> str:
        if not run_id:
            raise InvalidRequestError("A training run id is required", host=self.host)
        return "/api/v1/" + _path("training_runs", run_id, *tail)

    # --- training runs -----------------------------------------------------------------------

    async def list_training_runs(
        self,
        limit: int = 100,
        offset: int = 0,
        access_scope: AccessScope = "owned",
        project_id: str | None = None,
    ) -> TrainingRunsResponse:
        """One page of training runs (`access_scope` and `project_id` are tinker-only)."""
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if self.flavor == "tinker":
            params["access_scope"] = access_scope
            if project_id is not None:
                params["project_id"] = project_id
        return await self._get(
            "/api/v1/training_runs", TrainingRunsResponse, "GET /api/v1/training_runs", params
        )

    async def get_training_run(
        self, run_id: str, access_scope: AccessScope = "owned"
    ) -> TrainingRun:
        """One training run by id."""
        params: dict[str, str | int] = {}
        if self.flavor == "tinker":
            params["access_scope"] = access_scope
        return await self._get(
            self._run_path(run_id), TrainingRun, "GET /api/v1/training_runs/{id}", params
        )

    async def get_training_run_by_path(self, ref: CheckpointRef) -> TrainingRun:
        """The training run a checkpoint belongs to."""
        return await self.get_training_run(ref.run_id)

    async def get_weights_info(self, ref: CheckpointRef) -> WeightsInfoResponse:
        """What is needed to load a checkpoint's weights (`POST /api/v1/weights_info`)."""
        self._require(Capability.WEIGHTS_INFO)
        await self._ensure_connected()
        endpoint = "POST /api/v1/weights_info"
        body = {"tinker_path": self._ref(ref).path}
        resp = await self._send("POST", "/api/v1/weights_info", endpoint, json_body=body)
        return self._parse(resp, WeightsInfoResponse, endpoint)

    # --- checkpoints -------------------------------------------------------------------------

    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse:
        """Every checkpoint of one run (not paged)."""
        return await self._get(
            self._run_path(run_id, "checkpoints"),
            CheckpointsListResponse,
            "GET /api/v1/training_runs/{id}/checkpoints",
        )

    async def list_user_checkpoints(
        self, limit: int = 1000, offset: int = 0
    ) -> CheckpointsListResponse:
        """One page of all the caller's checkpoints, newest first."""
        self._require(Capability.USER_CHECKPOINTS)
        return await self._get(
            "/api/v1/checkpoints",
            CheckpointsListResponse,
            "GET /api/v1/checkpoints",
            {"limit": limit, "offset": offset},
        )

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        """Where to download a checkpoint's archive, and until when.

        A 302 gives it in `Location` (+ `Expires`); a 200 JSON body gives `{url, expires}`; a 200
        with bytes (hpcai) means the archive endpoint itself is the URL. 503 means the archive is
        still being built: `ArchiveNotReadyError` says when to ask again.
        """
        self._require(Capability.ARCHIVE)
        await self._ensure_connected()
        endpoint = "GET …/checkpoints/{checkpoint_id}/archive"
        path = self._checkpoint_path(ref, "archive")
        resp = await self._send(
            "GET", path, endpoint, follow=False, passthrough=frozenset({503}), stream=True
        )
        try:
            if resp.status_code == 503:
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
                when = f"in {retry_after:g} s" if retry_after is not None else "shortly"
                raise ArchiveNotReadyError(
                    f"The archive of {ref.path} is still being built on {self.host}; "
                    f"try again {when}",
                    host=self.host,
                    retry_after=retry_after,
                )
            if resp.status_code in _REDIRECTS:
                location = resp.headers.get("location")
                if not location:
                    raise BadResponseError(
                        f"Bad response from {self.host}: {endpoint} redirected without Location",
                        host=self.host,
                        endpoint=endpoint,
                        field="Location",
                    )
                return CheckpointArchiveUrlResponse(
                    url=urljoin(str(resp.url), location),
                    expires=_expires_header(resp.headers.get("expires")),
                )
            if "json" in resp.headers.get("content-type", ""):
                await resp.aread()
                return self._parse(resp, CheckpointArchiveUrlResponse, endpoint)
            # The service streams the archive itself (hpcai): the endpoint is the URL.
            return CheckpointArchiveUrlResponse(
                url=str(resp.url), expires=datetime.now(UTC) + ARCHIVE_URL_LIFETIME
            )
        finally:
            await resp.aclose()

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        """Signed URLs of every file of an `external_weights` checkpoint."""
        self._require(Capability.EXTERNAL_WEIGHTS)
        if ref.kind is not CheckpointKind.EXTERNAL:
            raise InvalidRequestError(
                f"Only external_weights checkpoints have file URLs, not {ref.path!r}",
                host=self.host,
            )
        return await self._get(
            self._checkpoint_path(ref, "external_weights_urls"),
            ExternalWeightsUrlsResponse,
            "GET …/checkpoints/{checkpoint_id}/external_weights_urls",
        )

    async def delete_checkpoint(self, ref: CheckpointRef) -> None:
        """Delete a checkpoint for good."""
        await self._ensure_connected()
        path = self._checkpoint_path(ref)
        resp = await self._send("DELETE", path, "DELETE …/checkpoints/{checkpoint_id}")
        await resp.aclose()

    async def publish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint public; a 409 (already public) is raised as `ConflictError`."""
        self._require(Capability.PUBLISH)
        await self._ensure_connected()
        path = self._checkpoint_path(ref, "publish")
        endpoint = "POST …/checkpoints/{checkpoint_id}/publish"
        resp = await self._send("POST", path, endpoint, empty_body=True, idempotent=False)
        await resp.aclose()

    async def unpublish_checkpoint(self, ref: CheckpointRef) -> None:
        """Make a checkpoint private again; a 409 (already private) is raised as `ConflictError`."""
        self._require(Capability.PUBLISH)
        await self._ensure_connected()
        path = self._checkpoint_path(ref, "publish")
        resp = await self._send("DELETE", path, "DELETE …/checkpoints/{checkpoint_id}/publish")
        await resp.aclose()

    async def set_checkpoint_ttl(self, ref: CheckpointRef, ttl_seconds: int | None) -> None:
        """Set a checkpoint to expire `ttl_seconds` from now, or never (`None`)."""
        self._require(Capability.TTL)
        await self._ensure_connected()
        path = self._checkpoint_path(ref, "ttl")
        body = {"ttl_seconds": ttl_seconds}  # null is sent explicitly: it removes the expiry
        resp = await self._send(
            "PUT", path, "PUT …/checkpoints/{checkpoint_id}/ttl", json_body=body
        )
        await resp.aclose()

    # --- sessions and samplers ---------------------------------------------------------------

    async def list_sessions(
        self, limit: int = 20, offset: int = 0, access_scope: AccessScope = "owned"
    ) -> ListSessionsResponse:
        """One page of session ids."""
        self._require(Capability.SESSIONS)
        params: dict[str, str | int] = {
            "limit": limit,
            "offset": offset,
            "access_scope": access_scope,
        }
        return await self._get(
            "/api/v1/sessions", ListSessionsResponse, "GET /api/v1/sessions", params
        )

    async def get_session(
        self, session_id: str, access_scope: AccessScope = "owned"
    ) -> GetSessionResponse:
        """One session: its runs and samplers."""
        self._require(Capability.SESSIONS)
        return await self._get(
            "/api/v1/" + _path("sessions", session_id),
            GetSessionResponse,
            "GET /api/v1/sessions/{id}",
            {"access_scope": access_scope},
        )

    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse:
        """One page of session summaries, newest first; pass `next_cursor` back for the next."""
        self._require(Capability.SESSIONS)
        await self._ensure_connected()
        endpoint = "POST /api/v1/sessions/search"
        body = request.model_dump(mode="json", exclude_none=True)
        # A search changes nothing on the server, so it is as safe to repeat as a GET.
        resp = await self._send("POST", "/api/v1/sessions/search", endpoint, json_body=body)
        return self._parse(resp, SessionSearchResponse, endpoint)

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        """The state of a session's trace export (poll until `ready` or `failed`)."""
        self._require(Capability.TRACE_EXPORT)
        return await self._get(
            "/api/v1/" + _path("sessions", session_id, "trace_export"),
            TraceExportResponse,
            "GET /api/v1/sessions/{id}/trace_export",
        )

    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse:
        """One sampler."""
        self._require(Capability.SAMPLERS)
        return await self._get(
            "/api/v1/" + _path("samplers", sampler_id),
            GetSamplerResponse,
            "GET /api/v1/samplers/{id}",
        )

    # --- service, usage, audit ---------------------------------------------------------------

    async def get_server_capabilities(self) -> GetServerCapabilitiesResponse:
        """The base models the caller can use."""
        return await self._get(
            "/api/v1/get_server_capabilities",
            GetServerCapabilitiesResponse,
            "GET /api/v1/get_server_capabilities",
        )

    async def health(self) -> HealthResponse:
        """`GET /api/v1/healthz`."""
        return await self._get("/api/v1/healthz", HealthResponse, "GET /api/v1/healthz")

    async def get_checkpoint_storage_usage(
        self, project_id: str | None = None
    ) -> CurrentCheckpointStorageUsageResponse:
        """Current checkpoint storage, by project and owner (needs an admin role)."""
        self._require(Capability.STORAGE)
        params: dict[str, str | int] = {} if project_id is None else {"project_id": project_id}
        return await self._get(
            "/api/v1/billing/usage/checkpoints/current",
            CurrentCheckpointStorageUsageResponse,
            "GET /api/v1/billing/usage/checkpoints/current",
            params,
        )

    async def get_billing_usage(
        self, starting_on: datetime, ending_before: datetime
    ) -> BillingUsageResponse:
        """Hourly usage rows of a window (start inclusive, end exclusive; admin role)."""
        self._require(Capability.BILLING)
        params: dict[str, str | int] = {
            "starting_on": format_rfc3339(starting_on),
            "ending_before": format_rfc3339(ending_before),
        }
        return await self._get(
            "/api/v1/billing/usage/events",
            BillingUsageResponse,
            "GET /api/v1/billing/usage/events",
            params,
        )

    async def get_audit_log(
        self, event_type: str = "all", day: date | None = None
    ) -> AuditLogResponse:
        """One UTC day of audit events (admin role); a redirect to a signed URL is followed."""
        self._require(Capability.BILLING)
        params: dict[str, str | int] = {"event_type": event_type}
        if day is not None:
            params["day"] = day.isoformat()
        return await self._get("/api/v1/audit", AuditLogResponse, "GET /api/v1/audit", params)


def _expires_header(value: str | None) -> datetime:
    """The `Expires` header of an archive redirect, or now + 15 minutes (the legacy default)."""
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC) + ARCHIVE_URL_LIFETIME
