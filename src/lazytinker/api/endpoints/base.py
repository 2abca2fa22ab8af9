"""What every endpoint group shares: the transport, the capabilities, URL paths and checkpoint refs.

A group builds a call (path, query, body), checks the capability it needs, and hands the call to
the transport; it never sees httpx's retries, redirects or credentials.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote

from lazytinker.api.capabilities import MISSING_STATUSES, Capabilities, Capability
from lazytinker.api.errors import InvalidRequestError, UnsupportedError
from lazytinker.api.paths import CheckpointRef, Flavor, InvalidPathError
from lazytinker.api.transport import Transport


def segment(text: str) -> str:
    """One URL path segment: colons stay (run ids carry them, as the SDK sends them), the rest
    of anything odd is percent-encoded."""
    if text in (".", ".."):
        return text.replace(".", "%2E")
    # A server's id may hold a lone surrogate (`\ud800` in its JSON): sent back as it came,
    # rather than failing to encode.
    return quote(text, safe=":", errors="surrogatepass")


def join_segments(*segments: str) -> str:
    """Segments joined with `/`, each encoded by `segment`."""
    return "/".join(segment(s) for s in segments)


def api_path(*segments: str) -> str:
    """`/api/v1/` followed by the encoded segments."""
    return "/api/v1/" + join_segments(*segments)


class EndpointGroup:
    """Base of the endpoint groups: one transport and one set of capabilities, shared."""

    def __init__(self, transport: Transport, capabilities: Capabilities) -> None:
        self.transport = transport
        self.capabilities = capabilities

    @property
    def flavor(self) -> Flavor:
        """The service's flavor (`tinker` or `hpcai`)."""
        return self.capabilities.flavor

    @property
    def host(self) -> str:
        """The service's host, as messages name it."""
        return self.transport.host

    def _require(self, capability: Capability) -> None:
        """Refuse a call whose capability the server is known to lack (`UnsupportedError`)."""
        self.capabilities.require(capability)

    def _learning(
        self,
        capability: Capability,
        endpoint: str,
        *,
        item: bool = False,
        missing: frozenset[int] = MISSING_STATUSES,
    ) -> AbstractContextManager[None]:
        """Around one call: refuse it when the capability is known missing, learn from it."""
        return self.capabilities.learning(capability, endpoint, item=item, missing=missing)

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
        return api_path("training_runs", ref.run_id, "checkpoints", *ids, *tail)

    def _run_path(self, run_id: str, *tail: str) -> str:
        if not run_id:
            raise InvalidRequestError("A training run id is required", host=self.host)
        return api_path("training_runs", run_id, *tail)

    async def _send_and_close(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        json_body: Any = None,
        empty_body: bool = False,
        idempotent: bool = True,
    ) -> None:
        """Send a call whose answer has no body worth reading (the caller has connected)."""
        resp = await self.transport.send(
            method,
            path,
            endpoint,
            json_body=json_body,
            empty_body=empty_body,
            idempotent=idempotent,
        )
        await resp.aclose()
