"""Ask a server, cheaply and without changing anything, whether it offers a capability.

A probe is the smallest read of a feature (one item of a listing, one hour of billing); its
status is all that is kept: 2xx supported, 404/405/501 missing, 403 forbidden. Probes are how an
hpcai server that gained a route gets it in the app, and how the about panel fills in what has
not been tried yet. Writes (publish, TTL, copy, moving a session) are never probed: they are
learned when first used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from lazytinker.api.capabilities import MISSING_STATUSES, Capability
from lazytinker.api.endpoints.account import API_KEY_ME
from lazytinker.api.endpoints.sessions import SEARCH_MISSING_STATUSES, SESSION_SEARCH
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.models import format_rfc3339

if TYPE_CHECKING:
    from lazytinker.api.transport import Transport


def _hour() -> dict[str, str | int]:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=1)
    return {"starting_on": format_rfc3339(start), "ending_before": format_rfc3339(end)}


# capability -> (method, path, query, JSON body)
_READS: dict[Capability, tuple[str, str, dict[str, str | int], object]] = {
    Capability.SESSIONS: ("GET", "/api/v1/sessions", {"limit": 1, "offset": 0}, None),
    Capability.SESSION_SEARCH: (
        "POST",
        SESSION_SEARCH,
        {},
        {"user_metadata": {}, "owner": {"type": "own"}, "limit": 1},
    ),
    Capability.USER_CHECKPOINTS: ("GET", "/api/v1/checkpoints", {"limit": 1, "offset": 0}, None),
    Capability.MODELS: ("GET", "/api/v1/get_server_capabilities", {}, None),
    Capability.STORAGE: ("GET", "/api/v1/billing/usage/checkpoints/current", {}, None),
    Capability.AUDIT: ("GET", "/api/v1/audit", {"event_type": "all"}, None),
    Capability.IDENTITY: ("GET", API_KEY_ME, {}, None),
}

PROBED = frozenset(_READS) | {Capability.BILLING}
"""The capabilities a probe can decide."""


async def probe(transport: Transport, capability: Capability) -> None:
    """Ask the server about one capability and record the answer; never raises."""
    if capability is Capability.BILLING:
        method, path, params, body = "GET", "/api/v1/billing/usage/events", _hour(), None
    elif capability in _READS:
        method, path, params, body = _READS[capability]
    else:
        return
    endpoint = f"{method} {path}"
    missing = SEARCH_MISSING_STATUSES if capability is Capability.SESSION_SEARCH else None
    try:
        with transport.capabilities.learning(
            capability, endpoint, missing=missing or MISSING_STATUSES, probe=True
        ):
            await transport.ensure_connected()
            resp = await transport.send(
                method,
                path,
                endpoint,
                params=params or None,
                json_body=body,
                use_jwt=capability is not Capability.IDENTITY,
            )
            await resp.aclose()
    except LazytinkerError:
        # Recorded when it said something about the capability; a failed connection did not.
        return


async def probe_all(transport: Transport, capabilities: Iterable[Capability]) -> None:
    """Probe several capabilities at once (one round trip, not one each)."""
    wanted = [c for c in capabilities if c in PROBED]
    await asyncio.gather(*(probe(transport, c) for c in wanted))
