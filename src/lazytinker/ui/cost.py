"""Storage money as the UI writes it, in one unit everywhere: `$1.23/mo` (US dollars per month,
GB = 10^9 bytes), at the rate the store has in force (the server's, else the config's); nothing
at all when there is no rate, so that sizes stand alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lazytinker.api.models import Checkpoint
from lazytinker.store import Store
from lazytinker.ui import format as fmt


def usd(amount: float) -> str:
    """`$1,234`, `$12.30`, `$0.42`, `<$0.01`."""
    if amount >= 1000:
        return f"${amount:,.0f}"
    if 0 < amount < 0.01:
        return "<$0.01"
    return f"${amount:,.2f}"


def per_month(store: Store, size_bytes: int) -> str:
    """`$1.23/mo` for `size_bytes` of checkpoints, or "" when no rate is known."""
    amount = store.money.monthly(size_bytes)
    return "" if amount is None else f"{usd(amount)}/mo"


def size_and_cost(store: Store, size_bytes: int, *, unknown: int = 0) -> str:
    """`12.4 GB · $3.84/mo` (and `+2 of unknown size`); the size alone without a rate."""
    text = fmt.size(size_bytes)
    if unknown:
        text += f" (+{unknown} of unknown size)"
    cost = per_month(store, size_bytes)
    return f"{text} · {cost}" if cost else text


def checkpoints_size(items: Iterable[Checkpoint]) -> tuple[int, int]:
    """Total known size of some checkpoints, and how many have no size."""
    total = unknown = 0
    for item in items:
        if item.size_bytes is None:
            unknown += 1
        else:
            total += item.size_bytes
    return total, unknown


def rate_source(store: Store) -> str:
    """Where the rate comes from, for the README's promise and the planner's footer."""
    rate = store.money.rate
    if rate is None:
        return "no storage rate known: sizes only (set cleanup.rate_usd_per_gb_month)"
    where = "the server's rate" if rate.source == "server" else "the config's rate"
    return f"{where}, {usd(rate.usd_per_gb_month)}/GB-month"


def _as_bound(_binding_id: str, default: str) -> str:
    return default


def selection_line(
    store: Store | None, items: Sequence[Any], key: Callable[[str, str], str] = _as_bound
) -> str:
    """The status line of a checkpoint selection: count, size and monthly cost, and its keys
    (`key(binding_id, default)` names each as the user mapped it)."""
    checkpoints = [c for c in items if isinstance(c, Checkpoint)]
    size, unknown = checkpoints_size(checkpoints)
    amount = size_and_cost(store, size, unknown=unknown) if store else fmt.size(size)
    return (
        f"{len(checkpoints)} selected · deleting them would free {amount}"
        f" · {key('delete', 'd')} delete  {key('ttl', 't')} ttl  {key('keep_forever', 'K')} keep"
        f"  {key('publish', 'p')} publish  {key('select_all', '*')} all/none"
        f"  {key('select', 'space')} unselect"
    )
