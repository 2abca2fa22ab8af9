"""Which keys were changed by the user while a load was out, so that a load never undoes a change.

A refresh that asked the server before a mutation landed there, and answers after it, carries
the server's state from before the mutation. Written into the store, it would undo what the user
just did on screen: the fault test once saw `expires_at None` after "Expiry set" because a watch
refresh began before the set and landed after it, and later `public False` after "is now
public" because a refresh began while a (slow) publish was on its way and landed after it.

So every mutation takes a number from one counter as it begins and another as its answer comes
(`begin`, `end`); every load notes the counter as it begins (`stamp`); and when the load lands it
leaves alone every key that was being changed at any moment since that stamp: begun after it,
ended after it, or still on its way (`unsettled_since`). The mutation's own re-read, which begins
after its answer, then writes the server's word. A roll-back asks a narrower question: whether
a newer mutation of the same field of the same key began since its own (`newer`); if not, it
puts back that one field and leaves the rest of the row as it is now. (Putting back the whole
row it saw before once undid nothing: a publish that failed after an expiry set on the same
checkpoint had begun skipped its roll-back, and the expiry's row, built while the publish was on
its way, said public for good.)
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class Mutations:
    """A counter of mutations: per key, the latest to begin, the latest to end, and how many
    are still on their way."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0
        self.began: dict[str, int] = {}
        """The number of the latest mutation of each key that was ever changed."""
        self._field_began: dict[tuple[str, str], int] = {}
        self._ended: dict[str, int] = {}
        self._on_the_way: Counter[str] = Counter()

    def stamp(self) -> int:
        """The counter now: a load notes it as it begins."""
        return self._last

    def begin(self, key: str, field: str = "") -> int:
        """A mutation of `key` (of its `field`, when it changes one) begins: its number (what
        its own roll-back compares with)."""
        self._last = number = next(self._counter)
        self.began[key] = number
        self._field_began[(key, field)] = number
        self._on_the_way[key] += 1
        return number

    def end(self, key: str) -> None:
        """The server answered a mutation of `key` (whatever the answer)."""
        self._last = number = next(self._counter)
        self._ended[key] = number
        self._on_the_way[key] -= 1
        if self._on_the_way[key] <= 0:
            del self._on_the_way[key]

    async def awaiting(self, key: str, answer: Awaitable[T]) -> T:
        """Await the server's answer to a mutation of `key` begun with `begin`, then `end` it."""
        try:
            return await answer
        finally:
            self.end(key)

    def newer(self, key: str, than: int, field: str = "") -> bool:
        """Whether a mutation of `key`'s `field` began after mutation number `than` (a
        roll-back of `than` would undo it)."""
        return self._field_began.get((key, field), 0) > than

    def unsettled(self, key: str, since: int) -> bool:
        """Whether `key` was being changed at any moment after the stamp `since`."""
        return (
            self.began.get(key, 0) > since
            or self._ended.get(key, 0) > since
            or key in self._on_the_way
        )

    def unsettled_since(self, since: int) -> frozenset[str]:
        """Every key that was being changed at any moment after the stamp `since` (none: the
        common case)."""
        if self._last <= since:
            return frozenset(self._on_the_way)
        return frozenset(
            key for key in self.began.keys() | self._ended.keys() if self.unsettled(key, since)
        )
