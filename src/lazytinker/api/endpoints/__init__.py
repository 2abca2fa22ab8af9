"""The service's endpoints, one group per area, each on the shared `Transport`.

A new endpoint goes in the group of its area (a new area gets a module of its own, e.g. who-am-I
or projects), and `TinkerAPI` (`api/client.py`) exposes it to the store.
"""

from lazytinker.api.endpoints.account import AccountEndpoints
from lazytinker.api.endpoints.downloads import DownloadEndpoints
from lazytinker.api.endpoints.projects import ProjectEndpoints
from lazytinker.api.endpoints.runs import RunsEndpoints
from lazytinker.api.endpoints.sessions import SessionsEndpoints
from lazytinker.api.endpoints.usage import UsageEndpoints

__all__ = [
    "AccountEndpoints",
    "DownloadEndpoints",
    "ProjectEndpoints",
    "RunsEndpoints",
    "SessionsEndpoints",
    "UsageEndpoints",
]
