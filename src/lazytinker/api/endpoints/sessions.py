"""Sessions and samplers (protocol.md §4.4, §4.5): the session list, one session, session search,
one sampler. (Projects, and the export flow's session routes, would sit beside these.)
"""

from __future__ import annotations

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup, api_path
from lazytinker.api.models import (
    AccessScope,
    GetSamplerResponse,
    GetSessionResponse,
    ListSessionsResponse,
    SessionSearchRequest,
    SessionSearchResponse,
)

SESSION_SEARCH = "/api/v1/sessions/search"


class SessionsEndpoints(EndpointGroup):
    """Sessions and samplers of one service."""

    async def list_sessions(
        self, limit: int = 20, offset: int = 0, access_scope: AccessScope = "owned"
    ) -> ListSessionsResponse:
        """One page of session ids."""
        self._require(Capability.SESSIONS)
        params: dict[str, str | int] = {
            "limit": limit,
            "offset": offset,
            "access_scope": access_scope,
        }
        return await self.transport.get(
            "/api/v1/sessions", ListSessionsResponse, "GET /api/v1/sessions", params
        )

    async def get_session(
        self, session_id: str, access_scope: AccessScope = "owned"
    ) -> GetSessionResponse:
        """One session: its runs and samplers."""
        self._require(Capability.SESSIONS)
        return await self.transport.get(
            api_path("sessions", session_id),
            GetSessionResponse,
            "GET /api/v1/sessions/{id}",
            {"access_scope": access_scope},
        )

    async def search_sessions(self, request: SessionSearchRequest) -> SessionSearchResponse:
        """One page of session summaries, newest first; pass `next_cursor` back for the next."""
        self._require(Capability.SESSIONS)
        await self.transport.ensure_connected()
        endpoint = f"POST {SESSION_SEARCH}"
        body = request.model_dump(mode="json", exclude_none=True)
        # A search changes nothing on the server, so it is as safe to repeat as a GET.
        resp = await self.transport.send("POST", SESSION_SEARCH, endpoint, json_body=body)
        return self.transport.parse(resp, SessionSearchResponse, endpoint)

    async def get_sampler(self, sampler_id: str) -> GetSamplerResponse:
        """One sampler."""
        self._require(Capability.SAMPLERS)
        return await self.transport.get(
            api_path("samplers", sampler_id),
            GetSamplerResponse,
            "GET /api/v1/samplers/{id}",
        )
