"""What the main screen asks of a view, and the shape most views have: one pane, one collection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.widget import Widget

from lazytinker.store import SERVER_WIDE, Change, Keyed, Store
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable

RowMark = Callable[[str, Any], str | None]


def fresh_mark(store: Store) -> RowMark:
    """Rows the watch has just found are marked `fresh` (highlighted for a few seconds)."""

    def mark(key: str, item: Any) -> str | None:
        return "fresh" if store.is_fresh(key) else None

    return mark


def _loaded(store: Store, collection: str) -> bool:
    keyed = store.collection(collection)
    if keyed is not None:
        return keyed.loaded
    return getattr(store, collection, None) is not None


def show_error(pane: Pane, store: Store, collection: str) -> None:
    """Show a collection's error in its pane, unless it is the whole server's trouble (the
    screen's banner says that once, not in every pane). A pane the trouble kept from loading
    says so, never that there is nothing to show."""
    message = store.errors.get(collection)
    server_wide = store.connection in SERVER_WIDE
    if message is None and server_wide and not _loaded(store, collection):
        message = store.last_error or store.connection.value
    said_above = message is not None and server_wide and message == store.last_error
    pane.set_error(message, said_above=said_above)


class View(Widget):
    """Mixin for a widget the main screen switches to with a key (`1`..`6`); list it after the
    Textual base class (Textual takes CSS from the first base only).

    A view owns its panes and their keys (in `BINDINGS` on itself or its panes, so the key bar
    and help show them only here), loads what it shows, and applies the store's announcements
    to it. The screen routes: it switches views, moves focus between their panes, keeps the
    detail and status line on the pane in use.
    """

    def panes(self) -> list[Pane]:
        """The panes shown, left to right (`h`/`l` move between them)."""
        raise NotImplementedError

    def entry(self) -> Pane:
        """The pane to focus when the view is switched to."""
        return self.panes()[0]

    def collections(self) -> set[str]:
        """The store collections on screen while this view is (the watch refreshes those)."""
        raise NotImplementedError

    def apply(self, change: Change) -> bool:
        """Apply a store announcement; True when it was about this view's data."""
        return False

    def unavailable(self) -> str | None:
        """Why the service cannot show this view (None: it can)."""
        return None

    def show_errors(self) -> None:
        """Show each pane's error again (the connection changed: a banner may say it now)."""

    def opened(self) -> None:
        """The view was switched to: start loading what it has not loaded yet."""


class PaneView(Pane, View):
    """A view that is one pane over one store collection, loaded when first opened and kept up
    to date row by row. The pane's id is `<name>-pane`, its table's `<name>`."""

    collection = ""
    """The store collection shown (`samplers`, `user_checkpoints`, ...)."""

    def __init__(
        self,
        store: Store,
        title: str,
        table: VirtualTable[Any],
        *,
        id: str,
        selectable: bool = False,
    ) -> None:
        super().__init__(title, table, selectable=selectable, id=id)
        self.store = store

    def keyed(self) -> Keyed[Any] | None:
        """The collection's rows by key, for a collection that has them."""
        return None

    def panes(self) -> list[Pane]:
        """Itself."""
        return [self]

    def collections(self) -> set[str]:
        """Its collection."""
        return {self.collection}

    def apply(self, change: Change) -> bool:
        """Upsert and remove the changed rows; show the collection's error, if any."""
        if change.collection != self.collection:
            return False
        keyed = self.keyed()
        if keyed is not None:
            if change.added or change.updated:
                keys = change.added + change.updated
                self.table.upsert_many(keyed.items[k] for k in keys if k in keyed.items)
            if change.removed:
                self.table.remove_many(change.removed)
        show_error(self, self.store, self.collection)
        self.update_title()
        return True

    def show_errors(self) -> None:
        """Its collection's error."""
        show_error(self, self.store, self.collection)

    def needs_load(self) -> bool:
        """Whether opening the view loads its collection (always, for one without keys)."""
        keyed = self.keyed()
        return keyed is None or not keyed.loaded

    def opened(self) -> None:
        """Load the collection the first time (the title says it is loading meanwhile)."""
        if self.needs_load():
            self.fetching = True
            self.update_title()
            self._load()

    @work(group="view")
    async def _load(self) -> None:
        await self.store.refresh([self.collection])
        self.fetching = False
        show_error(self, self.store, self.collection)
        self.update_title()
