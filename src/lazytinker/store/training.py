"""The join of the service's runs to the training box (`local/`): names, log folders, records.

Pure functions over the store's state: the service says what exists, the log folders on this
machine say what it is called, how far it got and what it saved. Nothing here reads files (the
`local` loader does that in a thread) or calls the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import TYPE_CHECKING

from lazytinker.local import LocalState
from lazytinker.store.records import SessionInfo, session_of_run

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint, Metadata
    from lazytinker.local import LocalCheckpoint, LocalRun, Status
    from lazytinker.store.state import StoreState

EMPTY_LOCAL = LocalState(MappingProxyType({}), MappingProxyType({}))
"""The training box before its first scan (or with no log roots)."""

NAME_KEYS = ("name", "run_name", "display_name", "wandb_name", "experiment", "experiment_name")
"""Metadata keys that name a run, in the order they are trusted."""
MAX_NAME = 120


def metadata_name(metadata: Metadata | None) -> str | None:
    """A name a run's (or session's) metadata gives it, if any."""
    if not metadata:
        return None
    for key in NAME_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME]
    return None


def run_name(state: StoreState, run_id: str) -> str | None:
    """A run's readable name: its log folder's name, else its session's display name, else
    the `wandb_name` of its folder's config or a name in its metadata; None: only the id."""
    local = state.local.for_run(run_id)
    if local is not None:
        return local.name
    session = state.sessions.get(session_of_run(run_id))
    if session is not None and session.display_name:
        return session.display_name
    run = state.runs.get(run_id)
    return metadata_name(run.user_metadata) if run is not None else None


def session_name(state: StoreState, info: SessionInfo) -> str | None:
    """A session's readable name: its display name, else the log folder of its runs (the
    first, "+N" for more), else a name in its metadata; None: only the id."""
    if info.display_name:
        return info.display_name
    folders: dict[str, None] = {}
    for run_id in sorted(state.runs_of_session(info.session_id)):
        local = state.local.for_run(run_id)
        if local is not None:
            folders.setdefault(local.name, None)
    if folders:
        first, *rest = folders
        return f"{first} +{len(rest)}" if rest else first
    return metadata_name(info.user_metadata)


def wandb_name(state: StoreState, run_id: str) -> str | None:
    """The `wandb_name` of the run's config, if its folder is on this box."""
    local = state.local.for_run(run_id)
    return local.recipe.wandb_name if local is not None else None


def runs_of_folders(state: StoreState, keys: Iterable[str]) -> set[str]:
    """The service run ids that the log folders `keys` name (as last read)."""
    runs = state.local.runs
    return {run_id for key in keys if (run := runs.get(key)) is not None for run_id in run.run_ids}


def find_run(state: StoreState, text: str) -> str | None:
    """The run a typed name or id stands for: an id, an exact name, else the one run whose
    name contains it (case-insensitive); None when nothing or several match."""
    text = text.strip()
    if not text:
        return None
    if text in state.runs or text in state.local.folder_of_run:
        return text
    wanted = text.casefold()
    ids = list(dict.fromkeys([*state.runs.items, *state.local.folder_of_run]))
    names = {run_id: (run_name(state, run_id) or "").casefold() for run_id in ids}
    exact = [run_id for run_id, name in names.items() if name == wanted]
    if exact:
        return _newest(state, exact)
    partial = [run_id for run_id, name in names.items() if wanted in name]
    folders = {state.local.folder_of_run.get(run_id) for run_id in partial}
    if partial and (len(partial) == 1 or (len(folders) == 1 and None not in folders)):
        return _newest(state, partial)
    return None


def _newest(state: StoreState, run_ids: list[str]) -> str:
    """Of several runs one folder names, the one it names last (a resumed job's current run)."""
    for run_id in run_ids:
        local = state.local.for_run(run_id)
        if local is not None and local.run_id in run_ids:
            return local.run_id
    return run_ids[0]


def run_status(state: StoreState, run_id: str) -> Status | None:
    """Running, idle or completed from the run's log folder; None without one."""
    local = state.local.for_run(run_id)
    return local.status if local is not None else None


def local_run(state: StoreState, run_id: str) -> LocalRun | None:
    """The log folder a service run wrote to, if it is on this box."""
    return state.local.for_run(run_id)


def record_of(state: StoreState, checkpoint: Checkpoint) -> LocalCheckpoint | None:
    """The local record of a checkpoint (its step, epoch, final or rolling), if any."""
    return state.local.checkpoint_at(checkpoint.path)
