"""The headers every API call carries, in one place for the client and its early start-up
requests (`api/early.py`), which must send exactly what the client would."""

from __future__ import annotations

from lazytinker import __version__

USER_AGENT = f"lazytinker/{__version__}"
ACCEPT = "application/json"
ACCEPT_ENCODING = "gzip, deflate"
"""We ask for these only; a body in another encoding is refused by name (`api/body.py`)."""
KEY_HEADER = "X-API-Key"
"""Carries the key (or the JWT), and only to the API's own origin."""


def common_headers() -> dict[str, str]:
    """The headers of every API call but the credential."""
    return {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
