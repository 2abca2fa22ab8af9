"""Reading a service's answers: the error each failure maps to, and the model a body parses into.

Every message is one line, names the host and endpoint, and has the credential redacted (the
caller passes its `redact`, and every secret the process holds is redacted besides) before any
server text in it is cut: server text is untrusted and may echo the key back. Whatever shape a
body has (not JSON, nested 100,000 deep, a FastAPI detail whose `loc` is null or a number), it
becomes data or one of these errors, never an exception of another kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import msgspec

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
from lazytinker.text import redact as redact_secrets

M = TypeVar("M")
"""A wire model: a pydantic `WireModel` or a msgspec `WireStruct` (`api/models/structs.py`)."""
Redact = Callable[[str], str]

_DETAIL_PREFIX = re.compile(r'"detail"\s*:\s*"((?:[^"\\]|\\.)*)')
DETAIL_LIMIT = 200
"""Characters of a server's detail kept in a message (cut after redacting)."""
FIELD_LIMIT = 80


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
        return f"{partial}…"
    if text.startswith("<"):
        return ""
    return text


def _as_text(value: Any) -> str:
    """Any JSON value as short text; one nested too deep to print says so."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)[: DETAIL_LIMIT * 4]
    except (RecursionError, ValueError, TypeError):
        return "(a value nested too deeply to show)"


def _validation_detail(first: dict[str, Any]) -> str:
    """`field.path: msg` of a FastAPI validation error, whatever `loc` and `msg` hold."""
    loc = first.get("loc")
    if isinstance(loc, list | tuple):
        where = ".".join(_as_text(p) for p in loc if p != "body")
    elif loc is None:
        where = ""
    else:
        where = _as_text(loc)
    msg = _as_text(first.get("msg", ""))
    return f"{where}: {msg}" if where else msg


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detail_of(body: bytes, redact: Redact = redact_secrets) -> str:
    """The server's explanation: `detail` of a JSON error body, or the start of the text;
    redacted, then cut to a line's worth."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return _cut(redact_secrets(redact(_detail_of_broken(text))), DETAIL_LIMIT)
    detail = data.get("detail") if isinstance(data, dict) else data
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        # FastAPI validation errors: the first one says enough.
        detail = _validation_detail(detail[0])
    if detail is None or detail == "":
        return ""
    return _cut(redact_secrets(redact(_as_text(detail))), DETAIL_LIMIT)


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


def broken_response(
    exc: httpx.HTTPError | httpx.InvalidURL, host: str, endpoint: str
) -> BadResponseError:
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
    detail = detail_of(resp.content, redact)
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


def parse_model(resp: httpx.Response, model: type[M], endpoint: str, host: str) -> M:
    """The body as `model`, or a `BadResponseError` naming the first field that is wrong.

    Parsed straight from the bytes (both libraries refuse deep nesting at once, and build the
    records without a dict of the whole body first). What only Python's parser takes (a lone
    surrogate in a string, `NaN`) is parsed again by it: data, not an error.
    """
    if issubclass(model, msgspec.Struct):
        return _parse_struct(resp, model, endpoint, host)  # type: ignore[return-value]
    from pydantic import ValidationError

    try:
        return model.model_validate_json(resp.content)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        if first["type"] != "json_invalid":
            raise _bad_field(first, resp, endpoint, host) from None
        if "recursion" in first["msg"]:
            raise _not_json(resp, endpoint, host, " (nested too deeply)") from None
    data = _python_json(resp, endpoint, host)
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        raise _bad_field(first, resp, endpoint, host) from None
    except RecursionError:
        raise _not_json(resp, endpoint, host, " (nested too deeply)") from None


def _parse_struct(
    resp: httpx.Response, model: type[msgspec.Struct], endpoint: str, host: str
) -> msgspec.Struct:
    from lazytinker.api.models.structs import convert_wire, decode_wire

    try:
        return decode_wire(resp.content, model)
    except msgspec.ValidationError as exc:
        raise _bad_struct_field(exc, resp, endpoint, host) from None
    except RecursionError:
        raise _not_json(resp, endpoint, host, " (nested too deeply)") from None
    except msgspec.DecodeError:
        pass
    data = _python_json(resp, endpoint, host)
    try:
        try:
            return convert_wire(data, model)
        except UnicodeError:
            # A lone surrogate (`"\ud800"`) where a fixed value or a time goes: msgspec cannot
            # even word its error. Where it is wrong is found on a copy without them.
            convert_wire(_without_surrogates(data), model)
            raise _bad_struct_field(None, resp, endpoint, host) from None
    except msgspec.ValidationError as exc:
        raise _bad_struct_field(exc, resp, endpoint, host) from None
    except RecursionError:
        raise _not_json(resp, endpoint, host, " (nested too deeply)") from None


def _without_surrogates(data: Any) -> Any:
    """`data` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(data, list):
        return [_without_surrogates(item) for item in data]
    if isinstance(data, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in data.items()}
    return data


def _python_json(resp: httpx.Response, endpoint: str, host: str) -> Any:
    try:
        return json.loads(resp.content)
    except (ValueError, RecursionError):
        raise _not_json(resp, endpoint, host) from None


def _bad_struct_field(
    exc: msgspec.ValidationError | None, resp: httpx.Response, endpoint: str, host: str
) -> BadResponseError:
    """msgspec's `Expected `str`, got `int` - at `$.runs[0].id`` as `_bad_field` words it
    (None: something in the body, nobody can say where)."""
    from lazytinker.api.models.structs import refusal_of

    loc, msg, missing = refusal_of(str(exc) if exc is not None else "not valid text")
    first = {"loc": loc, "type": "missing" if missing else "invalid", "msg": msg}
    return _bad_field(first, resp, endpoint, host)


def _not_json(resp: httpx.Response, endpoint: str, host: str, why: str = "") -> BadResponseError:
    return BadResponseError(
        f"Bad response from {host}: {endpoint} answered with a body that is not JSON{why}",
        host=host,
        endpoint=endpoint,
        status=resp.status_code,
    )


def _bad_field(first: Any, resp: httpx.Response, endpoint: str, host: str) -> BadResponseError:
    # A field name can be server text (a metadata key): the key out before it is cut.
    field = _cut(redact_secrets(".".join(str(p) for p in first["loc"])), FIELD_LIMIT)
    what = "missing" if first["type"] == "missing" else f"invalid ({first['msg']})"
    return BadResponseError(
        f"Bad response from {host}: {endpoint} field {field or '(body)'!r} is {what}",
        host=host,
        endpoint=endpoint,
        field=field or "(body)",
        status=resp.status_code,
    )
