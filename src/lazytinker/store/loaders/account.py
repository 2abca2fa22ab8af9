"""The loaders of who the key is and what was done with it: identity and the audit log."""

from __future__ import annotations

from datetime import UTC, date

from lazytinker.store.keyed import Change
from lazytinker.store.loaders.base import Loader
from lazytinker.store.protocol import Capability


class IdentityLoader(Loader):
    """Loads `state.identity`: the key's name, organisation and e-mail (`apikey/me`)."""

    async def load(self) -> bool:
        """Read who the key belongs to, once per connection (the header and about panel)."""
        if not self.capabilities.supports(Capability.IDENTITY):
            return True

        async def work() -> None:
            self.state.identity = await self.api.api_key_me()
            self.state.announce(Change("identity"), force=True)

        return await self.guard("identity", work())


class AuditLoader(Loader):
    """Loads `state.audit`: one UTC day of the account's audit events."""

    async def load(self, day: date | None = None) -> bool:
        """Read the events of `day` (default: the day shown, else today)."""
        state = self.state
        wanted = day or state.audit_day or state.now().astimezone(UTC).date()

        async def work() -> None:
            if wanted != state.audit_day:
                state.audit_day = wanted
                state.audit = None
                state.announce(Change("audit"), force=True)
            state.audit = await self.api.get_audit_log("all", wanted)
            state.announce(Change("audit"), force=True)

        return await self.guard("audit", work())
