"""`JsonRewriteMiddleware`: change the JSON bodies of API answers on their way out.

The quirks and partial-server modes alter what the server says, not what it does; rewriting the
finished answer keeps every route unaware of them, including routes added later.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["JsonRewriteMiddleware", "JsonRewriter"]

JsonRewriter = Callable[[str, Any], Any]
"""`(request path, parsed body) -> body to send`; may change the body in place."""


class JsonRewriteMiddleware:
    """Buffer each JSON answer (API, signed URLs), pass it through the rewriters, fix its length."""

    def __init__(self, app: ASGIApp, rewriters: tuple[JsonRewriter, ...]) -> None:
        self.app = app
        self.rewriters = rewriters

    def _rewrite(self, path: str, body: bytes) -> bytes:
        try:
            data = json.loads(body)
        except ValueError:
            return body  # not JSON after all (an injected fault): leave it as it is
        for rewriter in self.rewriters:
            data = rewriter(path, data)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; hold back a JSON answer until its last byte, then rewrite it."""
        if (
            scope["type"] != "http"
            or scope["method"] == "HEAD"
            or not scope["path"].startswith(("/api/", "/signed/"))
        ):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if "json" in Headers(raw=message["headers"]).get("content-type", ""):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = self._rewrite(path, b"".join(chunks))
                headers = MutableHeaders(raw=list(start["headers"]))
                headers["content-length"] = str(len(body))
                await send({**start, "headers": headers.raw})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, capture)
