"""One exception type per failure a user can act on, each with a one-line message.

Messages name the host and never contain the credential. Every message passes the one text rule
(`lazytinker.text.one_line`) when the error is made: one line, the key redacted, control and bidi
characters escaped, so `str(error)` is safe to show anywhere, however much server text it quotes.
No stack trace ever reaches the screen.
"""

from __future__ import annotations

from lazytinker.text import one_line


class LazytinkerError(Exception):
    """Base of every error lazytinker reports to a person: `str()` is a one-line message."""

    def __init__(self, message: str) -> None:
        # One line, always: a server's multi-line detail must not break a toast or a status line.
        self.message = one_line(message)
        super().__init__(self.message)


class ConfigError(LazytinkerError):
    """The profile, base URL or config file is unusable (bad TOML, unknown profile, http://)."""


class NoCredentialError(ConfigError):
    """No API key was found anywhere the SDK would look."""


class APIError(LazytinkerError):
    """A failure talking to a Tinker service at `host`."""

    def __init__(self, message: str, *, host: str, status: int | None = None) -> None:
        self.host = host
        self.status = status
        super().__init__(message)


class KeyRejectedError(APIError):
    """401: the server does not accept the credential."""


class NotPermittedError(APIError):
    """403: the credential is valid but may not do this (often: needs an admin role)."""


class NotFoundError(APIError):
    """404: the run, checkpoint, session or sampler does not exist (or is not visible)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state (already public, already private)."""


class InvalidRequestError(APIError):
    """400 / 422 and other 4xx: the server refused the request as malformed or out of range."""


class RateLimitedError(APIError):
    """429 after our retries: the server asks us to slow down."""

    def __init__(
        self, message: str, *, host: str, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, host=host, status=status)


class ServerError(APIError):
    """5xx after our retries: trouble on the server's side."""


class UnreachableError(APIError):
    """The host could not be reached (DNS, refused, reset, timed out)."""


class BadResponseError(APIError):
    """The server answered what we cannot use: not JSON, or a required field missing or wrong."""

    def __init__(
        self,
        message: str,
        *,
        host: str,
        endpoint: str = "",
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.field = field
        super().__init__(message, host=host, status=status)


class ArchiveNotReadyError(APIError):
    """503 on an archive request: the server is still building it; try again after `retry_after`."""

    def __init__(self, message: str, *, host: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, host=host, status=503)


class UnsupportedError(LazytinkerError):
    """The service's flavor has no such capability (hpcai has no publish, TTL or sessions)."""
