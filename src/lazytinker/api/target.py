"""What the client is given: where a service is, which flavor it speaks, and how to get its key.

The API layer knows nothing of profiles or config files (an import contract keeps it so): the
command line resolves a profile (`lazytinker.config`) and hands the client a `ServerTarget`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lazytinker.api.errors import NoCredentialError
from lazytinker.api.paths import Flavor

CredentialSource = Callable[[], Awaitable[str]]
"""Returns the API key. Called when the client connects, and again before a JWT exchange when
the server says keys come from a command (they may have rotated). It may block on a command, so
a source that runs one does so off the event loop."""


class StaticKey:
    """A credential source that is one fixed key; its `repr` never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        self._key = key

    async def __call__(self) -> str:
        """The key."""
        return self._key

    def __repr__(self) -> str:
        return "StaticKey('***')"


@dataclass(frozen=True)
class ServerTarget:
    """One service to talk to: its base URL, flavor, credential source, and where the key came
    from (named when the server rejects it, e.g. `TINKER_API_KEY`)."""

    base_url: str
    credential: CredentialSource = field(repr=False)
    flavor: Flavor = "tinker"
    key_source: str = ""

    @property
    def url(self) -> str:
        """The base URL without a trailing slash; API paths are appended to it."""
        return self.base_url.rstrip("/")

    @property
    def host(self) -> str:
        """The host (and port) of the base URL, as error messages name it."""
        return urlsplit(self.base_url).netloc or self.base_url


def check_key_chars(key: str, source: str) -> None:
    """Refuse a key that cannot travel in a header: non-ASCII, spaces, line breaks, controls.

    httpx would fail on it deep inside a request, and its message would quote the header value,
    the key included; this says what is wrong without showing it.
    """
    if key.isascii() and key.isprintable() and " " not in key:
        return
    if not key.isascii():
        what = "non-ASCII characters"
    elif "\n" in key or "\r" in key:
        what = "a line break"
    else:
        what = "spaces or control characters"
    raise NoCredentialError(
        f"The API key from {source or 'the profile'} contains {what}, which no key has: "
        "check how it was copied"
    )
