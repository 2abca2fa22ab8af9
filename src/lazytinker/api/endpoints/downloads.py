"""Where the bytes are (protocol.md §4.3, §4.8, §8.5): a checkpoint's archive URL, the signed URLs
of an external-weights checkpoint, and the state of a session's trace export. `api/download.py`
streams what these point at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup, api_path
from lazytinker.api.errors import ArchiveNotReadyError, BadResponseError, InvalidRequestError
from lazytinker.api.models import (
    CheckpointArchiveUrlResponse,
    ExternalWeightsUrlsResponse,
    TraceExportResponse,
)
from lazytinker.api.paths import CheckpointKind, CheckpointRef
from lazytinker.api.retry import parse_retry_after
from lazytinker.api.transport import REDIRECTS

ROUTE_ONLY = frozenset({405, 501})
"""Statuses that say a download route is missing (a 404 is about the checkpoint asked for)."""
ARCHIVE_URL_LIFETIME = timedelta(minutes=15)
"""How long an archive URL is taken to last when the server does not say."""


class DownloadEndpoints(EndpointGroup):
    """The URLs downloads fetch: archives, external-weights files, trace exports."""

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        """Where to download a checkpoint's archive, and until when.

        A 302 gives it in `Location` (+ `Expires`); a 200 JSON body gives `{url, expires}`; a 200
        with bytes (hpcai) means the archive endpoint itself is the URL. 503 means the archive is
        still being built: `ArchiveNotReadyError` says when to ask again.
        """
        endpoint = "GET …/checkpoints/{checkpoint_id}/archive"
        # A 404 here may be this checkpoint's answer (a sampler the server cannot export):
        # only 405/501 say the route itself is missing.
        with self._learning(Capability.ARCHIVE, endpoint, missing=ROUTE_ONLY):
            await self.transport.ensure_connected()
            path = self._checkpoint_path(ref, "archive")
            resp = await self.transport.send(
                "GET", path, endpoint, follow=False, passthrough=frozenset({503}), stream=True
            )
        try:
            if resp.status_code == 503:
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
                when = f"in {retry_after:g} s" if retry_after is not None else "shortly"
                raise ArchiveNotReadyError(
                    f"The archive of {ref.path} is still being built on {self.host}; "
                    f"try again {when}",
                    host=self.host,
                    retry_after=retry_after,
                )
            if resp.status_code in REDIRECTS:
                location = resp.headers.get("location")
                if not location:
                    raise BadResponseError(
                        f"Bad response from {self.host}: {endpoint} redirected without Location",
                        host=self.host,
                        endpoint=endpoint,
                        field="Location",
                    )
                return CheckpointArchiveUrlResponse(
                    url=urljoin(str(resp.url), location),
                    expires=_expires_header(resp.headers.get("expires")),
                )
            if "json" in resp.headers.get("content-type", ""):
                await self.transport.read_body(resp)
                return self.transport.parse(resp, CheckpointArchiveUrlResponse, endpoint)
            # The service streams the archive itself (hpcai): the endpoint is the URL.
            return CheckpointArchiveUrlResponse(
                url=str(resp.url), expires=datetime.now(UTC) + ARCHIVE_URL_LIFETIME
            )
        finally:
            await resp.aclose()

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        """Signed URLs of every file of an `external_weights` checkpoint."""
        endpoint = "GET …/checkpoints/{checkpoint_id}/external_weights_urls"
        with self._learning(Capability.EXTERNAL_WEIGHTS, endpoint, missing=ROUTE_ONLY):
            if ref.kind is not CheckpointKind.EXTERNAL:
                raise InvalidRequestError(
                    f"Only external_weights checkpoints have file URLs, not {ref.path!r}",
                    host=self.host,
                )
            return await self.transport.get(
                self._checkpoint_path(ref, "external_weights_urls"),
                ExternalWeightsUrlsResponse,
                endpoint,
            )

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        """The state of a session's trace export (poll until `ready` or `failed`)."""
        endpoint = "GET /api/v1/sessions/{id}/trace_export"
        with self._learning(Capability.TRACE_EXPORT, endpoint, item=True):
            return await self.transport.get(
                api_path("sessions", session_id, "trace_export"), TraceExportResponse, endpoint
            )


def _expires_header(value: str | None) -> datetime:
    """The `Expires` header of an archive redirect, or now + 15 minutes (the legacy default)."""
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC) + ARCHIVE_URL_LIFETIME
