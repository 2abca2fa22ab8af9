"""What a service offers, learned from what it answers (design.md §2, protocol.md §12).

Each optional feature is a `Capability`. A flavor's preset says what to expect before anything
is known (tinker: everything; hpcai: runs, checkpoints, delete, the archive), and from then on
the server's own answers decide: a 2xx makes a feature `supported`, a 404/405/501 where the route
itself is missing makes it `missing`, a 403 `forbidden` (the route is there, the key may not use
it). So a partial server loses only what it lacks, and an hpcai server that gains a route gets
it once a probe (`TinkerAPI.probe`) or a call finds it answering.

The endpoint groups wrap every call in `Capabilities.learning(...)`, which refuses a call known
to be missing (`NotOfferedError`, with the reason) and records the outcome of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum

import msgspec

from lazytinker.api.errors import APIError, NotOfferedError, NotPermittedError
from lazytinker.api.paths import Flavor


class Capability(StrEnum):
    """Something a service may or may not offer; the UI hides or greys what is missing."""

    HANDSHAKE = "start-up handshake"
    SESSIONS = "sessions"
    SESSION_SEARCH = "session search"
    USER_CHECKPOINTS = "user checkpoints"
    PUBLISH = "publish"
    TTL = "expiry (TTL)"
    SAMPLERS = "samplers"
    MODELS = "model list"
    WEIGHTS_INFO = "weights info"
    EXTERNAL_WEIGHTS = "external weights"
    ARCHIVE = "archive download"
    TRACE_EXPORT = "trace export"
    BILLING = "billing usage"
    STORAGE = "storage usage"
    AUDIT = "audit log"
    IDENTITY = "who am I"
    PROJECTS = "projects"
    COPY = "copy to a project"


class Support(StrEnum):
    """What a server's answers said of one capability."""

    SUPPORTED = "supported"
    MISSING = "missing"
    FORBIDDEN = "forbidden"
    UNKNOWN = "not tried yet"


PRESETS: dict[Flavor, frozenset[Capability]] = {
    "tinker": frozenset(Capability),
    "hpcai": frozenset({Capability.ARCHIVE}),
}
"""What each flavor is expected to offer before the server has said anything."""

PRESET_REASONS: dict[Flavor, str] = {
    "tinker": "",
    "hpcai": "not in the hpcai preset (protocol.md §9)",
}

MISSING_STATUSES = frozenset({404, 405, 501})
"""Statuses that say a route is not there (404 only when it is the framework's own `Not Found`
on a route that names an item: a run or session that is not there answers 404 too)."""

GENERIC_NOT_FOUND = ("Not Found", "")


class Learned(msgspec.Struct, frozen=True):
    """One capability as the server answered it, and why (`HTTP 405 on POST /…/search`)."""

    support: Support
    reason: str = ""
    assumed: bool = False
    """True while the answer comes from the flavor's preset, not from the server."""


Listener = Callable[[Capability, Learned], None]


class Capabilities:
    """The capabilities of one server: preset first, then what its answers taught."""

    def __init__(self, flavor: Flavor, host: str) -> None:
        self.flavor = flavor
        self.host = host
        self._preset = PRESETS[flavor]
        self._learned: dict[Capability, Learned] = {}
        self._listeners: list[Listener] = []

    # --- questions -----------------------------------------------------------------------------

    def learned(self, capability: Capability) -> Learned:
        """What is known of `capability`: learned from the server, else the preset's guess."""
        found = self._learned.get(capability)
        if found is not None:
            return found
        if capability in self._preset:
            return Learned(Support.UNKNOWN, "", assumed=True)
        return Learned(Support.MISSING, PRESET_REASONS[self.flavor], assumed=True)

    def supports(self, capability: Capability) -> bool:
        """Whether this server offers `capability` (forbidden counts: the route is there)."""
        return self.learned(capability).support is not Support.MISSING

    def allowed(self, capability: Capability) -> bool:
        """Whether it is offered and the key may use it (not missing, not forbidden)."""
        return self.learned(capability).support not in (Support.MISSING, Support.FORBIDDEN)

    def why_not(self, capability: Capability) -> str:
        """One line saying why `capability` is missing or forbidden ("" when it is not)."""
        learned = self.learned(capability)
        if learned.support is Support.MISSING:
            why = f" ({learned.reason})" if learned.reason else ""
            return f"The {self.flavor} service at {self.host} does not offer {capability}{why}"
        if learned.support is Support.FORBIDDEN:
            why = f" ({learned.reason})" if learned.reason else ""
            return f"This key may not use {capability} on {self.host}{why}"
        return ""

    def all(self) -> dict[Capability, Learned]:
        """Every capability and what is known of it, in declaration order."""
        return {capability: self.learned(capability) for capability in Capability}

    def untried(self) -> list[Capability]:
        """Capabilities no answer has decided yet (the preset's guesses)."""
        return [c for c in Capability if c not in self._learned]

    # --- learning ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` whenever what is known of a capability changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def record(self, capability: Capability, support: Support, reason: str = "") -> None:
        """Remember what the server said of `capability`; tell the listeners when it changed."""
        learned = Learned(support, reason)
        if self._learned.get(capability) == learned:
            return
        self._learned[capability] = learned
        for listener in list(self._listeners):
            listener(capability, learned)

    def require(self, capability: Capability) -> None:
        """Raise `NotOfferedError` when `capability` is known to be missing."""
        if not self.supports(capability):
            raise NotOfferedError(self.why_not(capability), capability=str(capability))

    @contextmanager
    def learning(
        self,
        capability: Capability,
        endpoint: str,
        *,
        item: bool = False,
        missing: frozenset[int] = MISSING_STATUSES,
        probe: bool = False,
    ) -> Iterator[None]:
        """Around one call of `capability`: refuse it when known missing (unless `probe`), and
        learn from how it went. `item`: the route names an item, so a 404 with the item's own
        message means that item is not there, not that the route is missing."""
        if not probe:
            self.require(capability)
        try:
            yield
        except NotPermittedError as error:
            self.record(capability, Support.FORBIDDEN, f"HTTP 403 on {endpoint}")
            raise error from None
        except APIError as error:
            if not self._is_missing(error, missing, item=item):
                raise
            self.record(capability, Support.MISSING, f"HTTP {error.status} on {endpoint}")
            raise NotOfferedError(
                self.why_not(capability), capability=str(capability), status=error.status
            ) from None
        else:
            self.record(capability, Support.SUPPORTED, f"answered {endpoint}")

    @staticmethod
    def _is_missing(error: APIError, missing: frozenset[int], *, item: bool) -> bool:
        if error.status not in missing:
            return False
        if error.status == 404 and item:
            return error.detail in GENERIC_NOT_FOUND
        return True
