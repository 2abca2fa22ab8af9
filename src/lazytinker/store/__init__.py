"""The reactive store: the one source of truth for what the UI shows (design.md §3).

No Textual and no httpx here: the store talks to the API through `StoreAPI` and to the UI
through `Change` announcements and `Notice`s.
"""

from lazytinker.api.client import Capability
from lazytinker.store.core import ReadOnlyError, Store, StoreAPI, checkpoints_collection
from lazytinker.store.keyed import Change, Keyed
from lazytinker.store.state import (
    ACTIVE_WINDOW,
    ActionResult,
    Connection,
    Notice,
    Operation,
    SessionInfo,
    run_is_active,
    session_of_run,
)

__all__ = [
    "ACTIVE_WINDOW",
    "ActionResult",
    "Capability",
    "Change",
    "Connection",
    "Keyed",
    "Notice",
    "Operation",
    "ReadOnlyError",
    "SessionInfo",
    "Store",
    "StoreAPI",
    "checkpoints_collection",
    "run_is_active",
    "session_of_run",
]
