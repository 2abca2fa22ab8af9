"""What a service offers: one `Capability` per optional feature, and the `Capabilities` of a server.

Today a server's capabilities are its flavor's preset (the HPC-AI fork has runs, checkpoints,
delete and the archive download, nothing else: protocol.md §9). What comes next belongs here:
learning them per server (protocol.md §12), each feature `supported`, `missing` (404/405/501) or
`forbidden` (403), recorded from the answers the endpoint groups get (they already name the
capability of each call with `require`), so the store can fall back and the UI say why.
"""

from __future__ import annotations

from enum import StrEnum

from lazytinker.api.errors import UnsupportedError
from lazytinker.api.paths import Flavor


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


PRESETS: dict[Flavor, frozenset[Capability]] = {
    "tinker": frozenset(Capability),
    "hpcai": frozenset({Capability.ARCHIVE}),
}
"""What each flavor offers before anything is learned from the server."""


class Capabilities:
    """The capabilities of one server, and the one place a call checks them before it is sent."""

    def __init__(self, flavor: Flavor, host: str) -> None:
        self.flavor = flavor
        self.host = host
        self._offered = PRESETS[flavor]

    def supports(self, capability: Capability) -> bool:
        """Whether this server offers `capability`."""
        return capability in self._offered

    def require(self, capability: Capability) -> None:
        """Raise `UnsupportedError` unless this server offers `capability`."""
        if not self.supports(capability):
            raise UnsupportedError(f"The {self.flavor} service at {self.host} has no {capability}")
