"""The main screen's views by name, each built the first time it is asked for.

Only the browse view is on the first screen; the others (and their modules) cost start-up time
that nothing on that screen uses (issue 19). A view built later takes what the store already
holds, as if it had listened from the start.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from lazytinker.store import Change, Store

if TYPE_CHECKING:
    from lazytinker.ui.views.base import View

VIEW_CLASSES: dict[str, tuple[str, str]] = {
    "all-checkpoints": ("lazytinker.ui.views.all_checkpoints", "AllCheckpointsView"),
    "samplers": ("lazytinker.ui.views.samplers", "SamplersView"),
    "models": ("lazytinker.ui.views.models", "ModelsView"),
    "storage": ("lazytinker.ui.views.storage", "StorageView"),
    "billing": ("lazytinker.ui.views.billing", "BillingView"),
    "audit": ("lazytinker.ui.views.audit", "AuditView"),
    "metrics": ("lazytinker.ui.views.metrics", "MetricsView"),
}
"""Every view but browse: its module and class, imported when the view is first wanted."""


class ViewShelf:
    """A mapping of view names to views that builds a view on first lookup.

    `values()` gives only the views built so far: a view not built yet has nothing on screen
    to update, and catches up with the store when it is built.
    """

    def __init__(self, store: Store, browse: View, on_built: Callable[[str, View], None]) -> None:
        self._store = store
        self._built: dict[str, View] = {"browse": browse}
        self._on_built = on_built

    def __getitem__(self, name: str) -> View:
        view = self._built.get(name)
        if view is None:
            module, class_name = VIEW_CLASSES[name]
            view_class: Callable[[Store], View] = getattr(
                importlib.import_module(module), class_name
            )
            view = self._built[name] = view_class(self._store)
            self._on_built(name, view)
            catch_up(view, self._store)
        return view

    def values(self) -> list[View]:
        """The views built so far."""
        return list(self._built.values())


def catch_up(view: View, store: Store) -> None:
    """Show a new view what the store already holds: each collection it shows that has rows,
    an answer or an error is announced whole, once; then what the server offers. (A collection
    never loaded is not announced: the view says so itself when it is opened.)"""
    for name in sorted(view.collections()):
        keyed = store.collection(name)
        if keyed is None:
            if getattr(store, name, None) is not None or name in store.errors:
                view.apply(Change(name))
        elif len(keyed) or name in store.errors:
            view.apply(Change(name, added=tuple(keyed.items)))
    view.capabilities_changed()
