"""The service, its usage and its audit log (protocol.md §4.1, §4.7): the base models on offer,
health, checkpoint storage, billing usage and audit events. (Who am I is in `account.py`.)
"""

from __future__ import annotations

from datetime import date, datetime

from lazytinker.api.capabilities import Capability
from lazytinker.api.endpoints.base import EndpointGroup
from lazytinker.api.models import (
    AuditLogResponse,
    BillingUsageResponse,
    CurrentCheckpointStorageUsageResponse,
    GetServerCapabilitiesResponse,
    HealthResponse,
    format_rfc3339,
)


class UsageEndpoints(EndpointGroup):
    """The service's models and health, and its usage, billing and audit (admin role)."""

    async def get_server_capabilities(self) -> GetServerCapabilitiesResponse:
        """The base models the caller can use."""
        endpoint = "GET /api/v1/get_server_capabilities"
        with self._learning(Capability.MODELS, endpoint):
            return await self.transport.get(
                "/api/v1/get_server_capabilities", GetServerCapabilitiesResponse, endpoint
            )

    async def health(self) -> HealthResponse:
        """`GET /api/v1/healthz`."""
        return await self.transport.get("/api/v1/healthz", HealthResponse, "GET /api/v1/healthz")

    async def get_checkpoint_storage_usage(
        self, project_id: str | None = None
    ) -> CurrentCheckpointStorageUsageResponse:
        """Current checkpoint storage, by project and owner (needs an admin role)."""
        params: dict[str, str | int] = {} if project_id is None else {"project_id": project_id}
        endpoint = "GET /api/v1/billing/usage/checkpoints/current"
        with self._learning(Capability.STORAGE, endpoint):
            return await self.transport.get(
                "/api/v1/billing/usage/checkpoints/current",
                CurrentCheckpointStorageUsageResponse,
                endpoint,
                params,
            )

    async def get_billing_usage(
        self, starting_on: datetime, ending_before: datetime
    ) -> BillingUsageResponse:
        """Hourly usage rows of a window (start inclusive, end exclusive; admin role)."""
        params: dict[str, str | int] = {
            "starting_on": format_rfc3339(starting_on),
            "ending_before": format_rfc3339(ending_before),
        }
        endpoint = "GET /api/v1/billing/usage/events"
        with self._learning(Capability.BILLING, endpoint):
            return await self.transport.get(
                "/api/v1/billing/usage/events", BillingUsageResponse, endpoint, params
            )

    async def get_audit_log(
        self, event_type: str = "all", day: date | None = None
    ) -> AuditLogResponse:
        """One UTC day of audit events (admin role); a redirect to a signed URL is followed."""
        params: dict[str, str | int] = {"event_type": event_type}
        if day is not None:
            params["day"] = day.isoformat()
        endpoint = "GET /api/v1/audit"
        with self._learning(Capability.AUDIT, endpoint):
            return await self.transport.get("/api/v1/audit", AuditLogResponse, endpoint, params)
