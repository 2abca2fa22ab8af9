"""The service's endpoints, one group per area, each on the shared `Transport`.

A new endpoint goes in the group of its area (a new area gets a module of its own, e.g. who-am-I
or projects), and `TinkerAPI` (`api/client.py`) exposes it to the store.

The groups are imported on first use (`lazytinker.lazy`): the first screen calls only runs and
sessions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.lazy import lazy_exports

_HOMES: dict[str, tuple[str, ...]] = {
    "account": ("AccountEndpoints",),
    "downloads": ("DownloadEndpoints",),
    "projects": ("ProjectEndpoints",),
    "runs": ("RunsEndpoints",),
    "sessions": ("SessionsEndpoints",),
    "usage": ("UsageEndpoints",),
}
"""Which submodule holds each re-exported name."""

if TYPE_CHECKING:
    from lazytinker.api.endpoints.account import AccountEndpoints
    from lazytinker.api.endpoints.downloads import DownloadEndpoints
    from lazytinker.api.endpoints.projects import ProjectEndpoints
    from lazytinker.api.endpoints.runs import RunsEndpoints
    from lazytinker.api.endpoints.sessions import SessionsEndpoints
    from lazytinker.api.endpoints.usage import UsageEndpoints
else:
    __getattr__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "AccountEndpoints",
    "DownloadEndpoints",
    "ProjectEndpoints",
    "RunsEndpoints",
    "SessionsEndpoints",
    "UsageEndpoints",
]
