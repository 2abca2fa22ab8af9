"""The training box: tinker-cookbook log folders found, joined to service runs, tailed.

No Textual, rich or httpx here (an import contract checks it): plain file reading and immutable
snapshots the store holds and announces. The store's entry points:

- `LocalLogs(roots)`: `refresh()` in a worker thread -> `LocalChange`; then `state: LocalState`
  (`runs` by folder key, `for_run(run_id)`, `folder_of_run`).
- `default_roots()`: the current folder, the cookbook's runs folder, its older default.
- `LocalRun`: one folder: name, run ids, recipe, status, step, progress, ETA, cost, metric
  curves, checkpoint records.

The names are imported on first use (`lazytinker.lazy`): the app builds its `LocalLogs` before
the first frame but reads the folders only after it, so the readers wait until then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.lazy import lazy_exports

_HOMES: dict[str, tuple[str, ...]] = {
    "checkpoints": ("LocalCheckpoint",),
    "discovery": ("FolderScanner", "ScanResult", "default_roots", "is_log_folder"),
    "recipe": ("Kind", "Recipe"),
    "series": ("MetricCurve",),
    "snapshot": ("ACTIVE_SECONDS", "LocalChange", "LocalRun", "LocalState", "Status"),
    "watch": ("LocalLogs",),
}
"""Which submodule holds each re-exported name."""

if TYPE_CHECKING:
    from lazytinker.local.checkpoints import LocalCheckpoint
    from lazytinker.local.discovery import FolderScanner, ScanResult, default_roots, is_log_folder
    from lazytinker.local.recipe import Kind, Recipe
    from lazytinker.local.series import MetricCurve
    from lazytinker.local.snapshot import ACTIVE_SECONDS, LocalChange, LocalRun, LocalState, Status
    from lazytinker.local.watch import LocalLogs
else:
    __getattr__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "ACTIVE_SECONDS",
    "FolderScanner",
    "Kind",
    "LocalChange",
    "LocalCheckpoint",
    "LocalLogs",
    "LocalRun",
    "LocalState",
    "MetricCurve",
    "Recipe",
    "ScanResult",
    "Status",
    "default_roots",
    "is_log_folder",
]
