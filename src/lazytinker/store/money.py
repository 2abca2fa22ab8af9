"""What storage costs per month, in one unit everywhere: US dollars per month, GB = 10^9 bytes.

The rate is, in this order: the server's own (the storage usage endpoint's effective price per
GB-month, read when the key may read it), else `rate_usd_per_gb_month` from the config's
`[cleanup]` table, else none (the app then shows sizes only).
"""

from __future__ import annotations

from typing import Literal

import msgspec

from lazytinker.store.state import StoreState

GB = 1e9
"""Bytes in a gigabyte, as the server counts them (`size_gigabytes` = bytes / 10^9)."""

RateSource = Literal["server", "config"]


class StorageRate(msgspec.Struct, frozen=True):
    """US dollars per GB-month, and where it came from."""

    usd_per_gb_month: float
    source: RateSource

    def monthly(self, size_bytes: int) -> float:
        """What `size_bytes` of checkpoints cost per month."""
        return size_bytes / GB * self.usd_per_gb_month


class Money:
    """The storage rate in force (server, config, or none)."""

    def __init__(self, state: StoreState, config_rate: float | None = None) -> None:
        self.state = state
        self.config_rate = config_rate

    @property
    def rate(self) -> StorageRate | None:
        """The server's rate when it told us one, else the config's, else None."""
        storage = self.state.storage
        server = storage.effective_rate_usd_per_gigabyte_month if storage is not None else None
        if server is not None and server >= 0:
            return StorageRate(server, "server")
        if self.config_rate is not None:
            return StorageRate(self.config_rate, "config")
        return None

    def monthly(self, size_bytes: int) -> float | None:
        """What `size_bytes` cost per month at the rate in force (None: no rate known)."""
        rate = self.rate
        return None if rate is None else rate.monthly(size_bytes)
