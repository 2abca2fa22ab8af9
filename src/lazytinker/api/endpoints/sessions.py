"""Sessions and samplers (protocol.md §4.4, §4.5): the session list, one session, session search,
one sampler. (Moving a session to a project is in `projects.py`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.api.capabilities import MISSING_STATUSES, Capability
from lazytinker.api.endpoints.base import EndpointGroup, api_path
from lazytinker.api.models import (
    AccessScope,
    SessionSearchRequest,
    SessionSearchResponse,
)
from lazytinker.api.models.structs import wire_data

if TYPE_CHECKING:
    from lazytinker.api.models import GetSamplerResponse, GetSessionResponse, ListSessionsResponse

SESSION_SEARCH = "/api/v1/sessions/search"
SEARCH_MISSING_STATUSES = MISSING_STATUSES | {422}


class SessionsEndpoints(EndpointGroup):
    """Sessions and samplers of one service."""

    async def list_sessions(
        self, limit: int = 20, offset: int = 0, access_scope: AccessScope = "owned"
    ) -> ListSessionsResponse:
        """One page of session ids."""
        params: dict[str, str | int] = {
            "limit": limit,
            "offset": offset,
            "access_scope": access_scope,
        }
        from lazytinker.api.models import ListSessionsResponse  # built on first use

        endpoint = "GET /api/v1/sessions"
        with self._learning(Capability.SESSIONS, endpoint):
            return await self.transport.get(
                "/api/v1/sessions", ListSessionsResponse, endpoint, params
            )

    async def get_session(
        self, session_id: str, access_scope: AccessScope = "owned"
    ) -> GetSessionResponse:
        """One session: its runs and samplers."""
        from lazytinker.api.models import GetSessionResponse  # built on first use

        endpoint = "GET /api/v1/sessions/{id}"
        with self._learning(Capability.SESSIONS, endpoint, item=True):
            return await self.transport.get(
                api_path("sessions", session_id),
                GetSessionResponse,
                endpoint,
                {"access_scope": access_scope},
            )

    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse:
        """One page of session summaries, newest first; pass `next_cursor` back for the next."""
        endpoint = f"POST {SESSION_SEARCH}"
        # A server with another idea of the search body answers 422: not the search we speak.
        with self._learning(Capability.SESSION_SEARCH, endpoint, missing=SEARCH_MISSING_STATUSES):
            await self.transport.ensure_connected()
            body = wire_data(request, exclude_none=True)
            # A search changes nothing on the server, so it is as safe to repeat as a GET.
            resp = await self.transport.send("POST", SESSION_SEARCH, endpoint, json_body=body)
            return self.transport.parse(resp, SessionSearchResponse, endpoint)

    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse:
        """One sampler."""
        from lazytinker.api.models import GetSamplerResponse  # built on first use

        endpoint = "GET /api/v1/samplers/{id}"
        with self._learning(Capability.SAMPLERS, endpoint, item=True):
            return await self.transport.get(
                api_path("samplers", sampler_id), GetSamplerResponse, endpoint
            )
