"""The reactive store: the one source of truth for what the UI shows (design.md §3).

No Textual and no httpx here: the store talks to the API through `StoreAPI` and to the UI
through `Change` announcements and `Notice`s. `Store` (core.py) is what the UI holds; its parts
are the state (state.py), the loaders (loaders/), the watch (watch.py) and the actions
(actions/).
"""

from lazytinker.store.actions import ReadOnlyError
from lazytinker.store.core import Store
from lazytinker.store.keyed import Change, Keyed
from lazytinker.store.money import StorageRate
from lazytinker.store.protocol import Capability, StoreAPI
from lazytinker.store.records import (
    ACTIVE_WINDOW,
    ActionResult,
    Connection,
    Notice,
    Operation,
    SessionInfo,
    run_is_active,
    session_of_run,
)
from lazytinker.store.run_totals import RunTotal
from lazytinker.store.state import SERVER_WIDE, StoreState, checkpoints_collection

__all__ = [
    "ACTIVE_WINDOW",
    "SERVER_WIDE",
    "ActionResult",
    "Capability",
    "Change",
    "Connection",
    "Keyed",
    "Notice",
    "Operation",
    "ReadOnlyError",
    "RunTotal",
    "SessionInfo",
    "StorageRate",
    "Store",
    "StoreAPI",
    "StoreState",
    "checkpoints_collection",
    "run_is_active",
    "session_of_run",
]
