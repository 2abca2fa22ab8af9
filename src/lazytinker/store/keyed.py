"""Keyed collections that say what changed: the unit of the store's change announcements."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Change(msgspec.Struct, frozen=True):
    """One announcement: which collection changed and which keys were added, updated, removed.

    A change with no keys (`is_empty`) still matters for scalar state such as the connection
    status or a pane's error message; listeners look at `collection` to know what to re-read.
    """

    collection: str
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when no row was added, updated or removed."""
        return not (self.added or self.updated or self.removed)


class Keyed(Generic[T]):
    """Items of one collection by key, in arrival order, with diffing writes.

    Every write returns the `Change` it made (possibly empty); equal items are not "updated", so a
    refresh that brings nothing new announces nothing and repaints nothing.
    """

    def __init__(self, name: str, key: Callable[[T], str]) -> None:
        self.name = name
        self.key = key
        self.items: dict[str, T] = {}
        self.loaded = False

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items.values())

    def __contains__(self, key: object) -> bool:
        return key in self.items

    def get(self, key: str) -> T | None:
        """The item with this key, or None."""
        return self.items.get(key)

    def merge(self, items: Iterable[T], protect: Collection[str] = ()) -> Change:
        """Add new items and replace changed ones; nothing is removed. Keys in `protect`
        (changed by the user since the listing was asked for) are left as they are. A key given
        twice (a server's duplicate ids) is one row: the last item given wins, announced once."""
        added: dict[str, None] = {}
        updated: dict[str, None] = {}
        for item in items:
            key = self.key(item)
            if protect and key in protect:
                continue
            old = self.items.get(key)
            if old is None:
                added[key] = None
            elif old != item:
                if key not in added:
                    updated[key] = None
            else:
                continue
            self.items[key] = item
        return Change(self.name, tuple(added), tuple(updated))

    def remove_missing(self, seen: set[str], protect: Collection[str] = ()) -> Change:
        """Remove every item whose key is not in `seen` (the end of a complete listing), but
        none in `protect` (changed since the listing was asked for)."""
        gone = tuple(key for key in self.items if key not in seen and key not in protect)
        for key in gone:
            del self.items[key]
        return Change(self.name, removed=gone)

    def replace(self, items: Iterable[T], protect: Collection[str] = ()) -> Change:
        """Make the collection hold exactly `items`, announcing the difference; keys in
        `protect` keep what they hold."""
        materialised = list(items)
        merged = self.merge(materialised, protect)
        removed = self.remove_missing({self.key(item) for item in materialised}, protect)
        self.loaded = True
        return Change(self.name, merged.added, merged.updated, removed.removed)

    def put(self, item: T) -> Change:
        """Add or replace one item."""
        return self.merge([item])

    def remove(self, key: str) -> Change:
        """Remove one item if present."""
        if self.items.pop(key, None) is None:
            return Change(self.name)
        return Change(self.name, removed=(key,))

    def clear(self) -> Change:
        """Remove everything (a scope switch)."""
        gone = tuple(self.items)
        self.items.clear()
        self.loaded = False
        return Change(self.name, removed=gone)
