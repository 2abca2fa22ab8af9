"""Which keys were changed by the user since a load began, so that a load never undoes a change.

A refresh that asked the server before a mutation landed, and answers after it, carries the
server's state from before the mutation. Written into the store, it would undo what the user
just did on screen (the fault test once saw `expires_at None` after "Expiry set" because a watch
refresh began before the set and landed after it). So every mutation takes a number from one
counter, per key, as it begins; every load notes the counter as it begins (`stamp`); and when
the load lands it leaves alone every key whose latest mutation is newer than its stamp
(`newer_than`). The mutation's own re-read, which began after it, then writes the server's word.
"""

from __future__ import annotations

import itertools


class Mutations:
    """A counter of mutations, and the number of the latest one per key."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0
        self.latest: dict[str, int] = {}
        """The number of the latest mutation of each key that was ever changed."""

    def stamp(self) -> int:
        """The number of the latest mutation so far: a load notes it as it begins."""
        return self._last

    def begin(self, key: str) -> int:
        """A mutation of `key` begins: its number (what its own roll-back compares with)."""
        self._last = number = next(self._counter)
        self.latest[key] = number
        return number

    def newer(self, key: str, than: int) -> bool:
        """Whether `key` was changed by a mutation that began after `than`."""
        return self.latest.get(key, 0) > than

    def newer_than(self, than: int) -> frozenset[str]:
        """Every key changed by a mutation that began after `than` (none: the common case)."""
        if self._last <= than:
            return frozenset()
        return frozenset(key for key, number in self.latest.items() if number > than)
