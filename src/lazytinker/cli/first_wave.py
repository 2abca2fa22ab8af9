"""The requests every start of the app makes first, sent as soon as the profile is known
(`api/early.py`, issue 19), long before the client that would send them is imported.

They are written out here, not built by the client, because building them takes the imports
this saves. They must be byte for byte what the store's start-up sends (`Store.start`: the
handshake's two calls, the first page of runs, the session search); one that is not is simply
not used, and its request goes out again the usual way. `tests/network/test_early.py` fails
when they drift apart.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from lazytinker import __version__
from lazytinker.api.early import EarlyRequest, EarlyRequests, proxied

if TYPE_CHECKING:
    from lazytinker.config import Profile

RUN_PAGE = 100
"""`store/loaders/runs.RUN_PAGE`."""
HANDSHAKE_BODY = {"sdk_version": __version__}
"""The body of both handshake calls (`api/handshake.handshake`)."""
SESSION_SEARCH = {"user_metadata": {}, "owner": {"type": "own"}, "limit": 200}
"""`SessionSearchRequest(limit=SEARCH_PAGE)` as the client sends it (`store/loaders/sessions`)."""


def first_wave(flavor: str) -> list[EarlyRequest]:
    """What the store asks a server of `flavor` before anything else, all at once."""
    runs = f"/api/v1/training_runs?limit={RUN_PAGE}&offset=0"
    if flavor != "tinker":
        return [EarlyRequest("GET", runs)]  # no handshake, no session search in the preset
    return [
        EarlyRequest("POST", "/api/v1/client/config", _json(HANDSHAKE_BODY)),
        EarlyRequest("GET", runs + "&access_scope=owned"),
        EarlyRequest("POST", "/api/v1/sessions/search", _json(SESSION_SEARCH)),
        # The handshake's second call, with the key as the first one sends it. A server that
        # asks for the token exchange gets it again with the token (the early answer does not
        # match and is dropped); otherwise nothing before the first rows needs the network,
        # so httpcore, h11 and anyio are imported after them (~7% of the start's instructions).
        EarlyRequest("POST", "/api/v1/client/dynamic_config", _json(HANDSHAKE_BODY)),
    ]


def _json(body: object) -> bytes:
    return json.dumps(body).encode()  # as `api/redirects.request_following` encodes a body


EARLY_SWITCH = "LAZYTINKER_EARLY"
"""`LAZYTINKER_EARLY=0` keeps the first wave for the client to send (a server that minds,
or a comparison: `benchmarks/startup.py --compare-early`)."""


def start_early(profile: Profile) -> EarlyRequests | None:
    """Send the first wave for `profile` now, or None when it cannot go out early: the key
    comes from a command (it is run later, off the event loop), a proxy is set, or
    `LAZYTINKER_EARLY=0`."""
    if not profile.api_key or proxied() or os.environ.get(EARLY_SWITCH) == "0":
        return None
    from lazytinker.api.tls import context_for

    target = profile.target()
    early = EarlyRequests(
        target.url,
        profile.api_key,
        first_wave(profile.flavor),
        context=lambda: context_for(target.url),
    )
    early.start()
    return early
