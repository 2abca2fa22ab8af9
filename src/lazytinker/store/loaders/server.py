"""The loaders of what the server says about the account: base models, storage, billing.

A server without the model list (`Capability.MODELS` missing) still shows the base models seen
on the runs (`state.runs`), with nothing known of their context length or what they can do.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from lazytinker.api.errors import UnsupportedError
from lazytinker.store.keyed import Change
from lazytinker.store.loaders.base import Loader
from lazytinker.store.loaders.runs import RunsLoader
from lazytinker.store.protocol import Capability
from lazytinker.store.records import Fallback

if TYPE_CHECKING:
    from lazytinker.api.models import SupportedModel

MAX_BILLING_DAYS = 14
SEEN_ON_RUNS = Fallback(
    "seen on runs", "no model list here: the base models of the runs, nothing known of their limits"
)


class ModelsLoader(Loader):
    """Loads `state.models`: the base models the caller can train."""

    runs: RunsLoader | None = None
    """Set by the registry: where the fallback reads the runs from when none are loaded."""

    async def load(self) -> bool:
        """Load the base models the caller can use (those seen on runs, on a server without
        the model list)."""

        async def work() -> None:
            state = self.state
            if self.capabilities.supports(Capability.MODELS):
                try:
                    got = await self.api.get_server_capabilities()
                except UnsupportedError:
                    pass  # learned just now: fall back below
                else:
                    state.set_fallback("models", None)
                    models = named(got.supported_models)
                    state.announce(state.models.replace(models), force=True)
                    return
            if not state.runs.loaded and self.runs is not None:
                await self.runs.load_unguarded()
            names = sorted({r.base_model for r in state.runs if r.base_model})
            state.set_fallback("models", SEEN_ON_RUNS)
            from lazytinker.api.models import SupportedModel  # the models view's rows only

            seen = [SupportedModel(model_name=name) for name in names]
            state.announce(state.models.replace(seen), force=True)

        return await self.guard("models", work())


def named(models: list[SupportedModel]) -> list[SupportedModel]:
    """Every model with something to tell it apart: one named by neither `model_name` nor
    `model_id` gets `model_id` "(unnamed N)", N its place in the list, so each is one row."""
    out: list[SupportedModel] = []
    unnamed = 0
    for model in models:
        if model.label is None:
            unnamed += 1
            model = model.model_copy(update={"model_id": f"(unnamed {unnamed})"})
        out.append(model)
    return out


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
