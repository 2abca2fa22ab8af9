"""Reading a service's answers: the error each failure maps to, and the model a body parses into.

Every message is one line, names the host and endpoint, and has the credential redacted (the
caller passes its `redact`): server text is untrusted and may echo the key back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from lazytinker.api.errors import (
    APIError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    KeyRejectedError,
    NotFoundError,
    NotPermittedError,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from lazytinker.api.retry import parse_retry_after

M = TypeVar("M", bound=BaseModel)
Redact = Callable[[str], str]

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


def detail_of(body: bytes) -> str:
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


def unreachable_message(exc: httpx.TransportError, host: str, redact: Redact) -> str:
    """Why `host` could not be reached, in one line."""
    if isinstance(exc, httpx.TimeoutException):
        why = "timed out"
    elif isinstance(exc, httpx.ConnectError):
        why = "connection failed"
    elif isinstance(exc, httpx.RemoteProtocolError):
        why = "the connection was cut"
    else:
        why = type(exc).__name__
    reason = redact(str(exc).splitlines()[0] if str(exc) else "")
    return f"Cannot reach {host}: {why}" + (f" ({reason})" if reason else "")


def broken_response(exc: httpx.HTTPError, host: str, endpoint: str) -> BadResponseError:
    """An answer httpx could not read as HTTP at all (bad headers, too many redirects, ...)."""
    return BadResponseError(
        f"{host}: {endpoint} answered with a broken response ({type(exc).__name__})",
        host=host,
        endpoint=endpoint,
    )


def error_for(
    resp: httpx.Response, endpoint: str, *, host: str, key_source: str, redact: Redact
) -> APIError:
    """The error a failure status means; the body's `detail` (redacted) is kept as the reason."""
    status = resp.status_code
    detail = redact(detail_of(resp.content))
    suffix = f": {detail}" if detail else ""
    if status == 400 and not resp.content:
        return UnreachableError(
            f"A proxy in front of {host} rejected the request (HTTP 400 with no body)",
            host=host,
            status=status,
        )
    if status == 401:
        return KeyRejectedError(
            f"{host} rejected the API key from {key_source or 'the profile'} (HTTP 401){suffix}",
            host=host,
            status=status,
        )
    if status == 403:
        return NotPermittedError(
            f"Not permitted on {host} (HTTP 403){suffix}", host=host, status=status
        )
    if status == 404:
        return NotFoundError(
            f"Not found on {host} (HTTP 404, {endpoint}){suffix}",
            host=host,
            status=status,
            detail=detail,
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


def parse_json(resp: httpx.Response, endpoint: str, host: str) -> Any:
    """The body as JSON, or `BadResponseError`."""
    try:
        return json.loads(resp.content)
    except ValueError:
        raise BadResponseError(
            f"Bad response from {host}: {endpoint} answered with a body that is not JSON",
            host=host,
            endpoint=endpoint,
            status=resp.status_code,
        ) from None


def parse_model(resp: httpx.Response, model: type[M], endpoint: str, host: str) -> M:
    """The body as `model`, or a `BadResponseError` naming the first field that is wrong."""
    data = parse_json(resp, endpoint, host)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(body)"
        what = "missing" if first["type"] == "missing" else f"invalid ({first['msg']})"
        raise BadResponseError(
            f"Bad response from {host}: {endpoint} field {field!r} is {what}",
            host=host,
            endpoint=endpoint,
            field=field,
            status=resp.status_code,
        ) from None
