"""An httpx transport that answers the start-up's requests with what `api/early.py` already
fetched, and sends everything else to the transport it wraps.

A request is answered early only when it is exactly one the early requests sent (method, URL,
body, headers), and only once: a retry, or the same request sent again with a JWT, goes to the
network. An early connection that failed raises what httpx raises for one (`ConnectError`,
`ConnectTimeout`), so the client's retries and messages are the same either way.
"""

from __future__ import annotations

import asyncio

import httpx

from lazytinker.api.early import EarlyAnswer, EarlyFailure, EarlyRequests

ANSWERED_IN = "lazytinker.answered_in"
"""A response extension: the seconds its early request took to be answered (handed over
later, the response itself arrives at once)."""


class Primed(httpx.AsyncBaseTransport):
    """`inner`, with the answers of `early` handed out first to the requests they match."""

    def __init__(self, inner: httpx.AsyncBaseTransport, early: EarlyRequests) -> None:
        self._inner = inner
        self._early: EarlyRequests | None = early
        self.answered = 0
        """Requests answered from the early requests (tests count them)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The early answer to `request` if there is one, else the network's."""
        early = self._early
        if early is not None and isinstance(request.stream, httpx.ByteStream):
            # Only a request whose body is in memory can be compared (every API call's is).
            future = early.take(
                request.method, str(request.url), request.headers.multi_items(), request.content
            )
            if not early.waiting:
                self._early = None  # every answer handed out: from now on, straight through
            if future is not None:
                outcome = await asyncio.wrap_future(future)
                if isinstance(outcome, EarlyAnswer):
                    self.answered += 1
                    return _response(outcome)
                if isinstance(outcome, EarlyFailure):
                    failure = httpx.ConnectTimeout if outcome.timed_out else httpx.ConnectError
                    raise failure(outcome.message, request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport (the early threads end by themselves)."""
        self._early = None
        await self._inner.aclose()


def _response(answer: EarlyAnswer) -> httpx.Response:
    """The answer as the wrapped transport would have given it: the body still as sent, so
    that the client's capped reader decodes it."""
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in answer.headers]
    return httpx.Response(
        answer.status,
        headers=headers,
        stream=httpx.ByteStream(answer.body),
        extensions={
            "http_version": b"HTTP/1.1",
            "reason_phrase": answer.reason.encode("latin-1", "replace"),
            ANSWERED_IN: answer.seconds,
        },
    )
