"""Expiry you can see: the count within a day, and a notice as a checkpoint comes near."""

from __future__ import annotations

from datetime import timedelta

from lazytinker.api.client import TinkerAPI
from lazytinker.store import Store
from tests.conftest import StartServer
from tests.ui.harness import FIXED_NOW, profile_for


async def test_the_count_and_a_notice_when_one_comes_within_a_day(
    start_server: StartServer,
) -> None:
    server = start_server(now=FIXED_NOW)
    clock = [FIXED_NOW]
    store = Store(TinkerAPI(profile_for(server.url).target()), now=lambda: clock[0])
    notices: list[str] = []
    store.on_notice(lambda n: notices.append(n.message))
    await store.connect()
    assert await store.refresh(["user_checkpoints"])
    dated = {c.path: c.expires_at for c in store.user_checkpoints if c.expires_at is not None}
    day = timedelta(days=1)
    soon = {p for p, when in dated.items() if FIXED_NOW < when <= FIXED_NOW + day}
    assert store.expiring.within_a_day() == len(soon)
    assert not notices  # those already near at the start are counted, not announced

    later = [when for when in dated.values() if when > FIXED_NOW + day]
    assert later, "the seed has no checkpoint expiring more than a day out"
    clock[0] = min(later) - timedelta(hours=12)  # the first of them is now 12 hours away
    assert await store.refresh(["user_checkpoints"], watch=True)
    now = clock[0]
    came = {p for p, when in dated.items() if now < when <= now + day and when > FIXED_NOW + day}
    said = [n for n in notices if "Expiring within a day" in n]
    assert len(said) == 1, notices
    assert any(path in said[0] for path in came), said
    assert store.expiring.within_a_day() == len(
        {p for p, when in dated.items() if now < when <= now + day}
    )
    await store.close()
