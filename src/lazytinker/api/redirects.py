"""One API request and, when asked, its redirects, with the key only on the API's own origin.

The origin is compared on the URL exactly as httpx will connect to it (scheme, host, port with
the default filled in), not on our own parse: `http://host:80@evil/` or a redirect to another
port never carries the key. A redirect to anything but http(s) is refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from lazytinker.api.headers import KEY_HEADER

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BadRedirect(httpx.RequestError):
    """A redirect we will not follow (to a scheme other than http or https)."""


def origin_of(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port of a URL as httpx will connect to it (the default port filled in)."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme)


def same_origin(url: str | httpx.URL, base_url: str) -> bool:
    """Whether `url` is on the scheme, host and port of `base_url`."""
    try:
        return origin_of(url) == origin_of(base_url)
    except httpx.InvalidURL:
        return False


async def request_following(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    base_url: str,
    token: str,
    params: Mapping[str, str | int] | None,
    json_body: Any,
    empty_body: bool,
    follow: bool,
    headers: Mapping[str, str] | None = None,
    observe: Callable[[httpx.Response, float], None] | None = None,
) -> httpx.Response:
    """Send one request (streamed) and follow its redirects when `follow`; the key (`token`)
    goes only to `base_url`'s origin. `headers` are added to the request; `observe` is told of
    each answer and the seconds its headers took (the about panel's round-trip times)."""
    content: bytes | None = None
    headers = dict(headers) if headers else {}
    if json_body is not None or empty_body or method in ("POST", "PUT", "DELETE"):
        headers["Content-Type"] = "application/json"
    if json_body is not None:
        content = json.dumps(json_body).encode()
    elif empty_body:
        content = b""
    query = dict(params) if params else None
    for _ in range(MAX_REDIRECTS + 1):
        request = http.build_request(method, url, params=query, content=content, headers=headers)
        if token and same_origin(request.url, base_url):
            request.headers[KEY_HEADER] = token
        sent = time.monotonic()
        resp = await http.send(request, stream=True)
        if observe is not None:
            observe(resp, time.monotonic() - sent)
        location = resp.headers.get("location")
        if not follow or resp.status_code not in REDIRECTS or not location:
            return resp
        await resp.aclose()
        url = urljoin(str(resp.url), location)
        if urlsplit(url).scheme not in ("http", "https"):
            raise BadRedirect("redirected to a URL that is not http(s)", request=request)
        query = None
        if resp.status_code in (301, 302, 303) and method != "GET":
            method, content = "GET", None
            headers.pop("Content-Type", None)
    raise httpx.TooManyRedirects("too many redirects", request=request)
