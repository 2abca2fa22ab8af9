"""The loaders of what the server says about the account: base models, storage, billing.

Where the next fallback goes: a server without the capabilities list could still show the base
models seen on the runs (`state.runs`); today the models pane shows the error.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from lazytinker.store.keyed import Change
from lazytinker.store.loaders.base import Loader

MAX_BILLING_DAYS = 14


class ModelsLoader(Loader):
    """Loads `state.models`: the base models the caller can train."""

    async def load(self) -> bool:
        """Load the base models the caller can use."""

        async def work() -> None:
            got = await self.api.get_server_capabilities()
            self.state.announce(self.state.models.replace(got.supported_models), force=True)

        return await self.guard("models", work())


class StorageLoader(Loader):
    """Loads `state.storage`: the checkpoint storage in use."""

    async def load(self) -> bool:
        """Load the current checkpoint storage usage."""

        async def work() -> None:
            self.state.storage = await self.api.get_checkpoint_storage_usage()
            self.state.announce(Change("storage"), force=True)

        return await self.guard("storage", work())


class BillingLoader(Loader):
    """Loads `state.billing`: usage over the last days, in whole UTC hours."""

    async def load(self, days: int = 7) -> bool:
        """Load the billing usage of the last `days` whole UTC hours (at most 14 days)."""

        async def work() -> None:
            end = self.state.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            start = end - timedelta(days=min(max(days, 1), MAX_BILLING_DAYS))
            self.state.billing = await self.api.get_billing_usage(start, end)
            self.state.announce(Change("billing"), force=True)

        return await self.guard("billing", work())
