"""The project flows: narrow the runs to a project (`f`), move a session to one (`v`), copy a
checkpoint into one (`c`). Each asks with the project modal, then lets the store act and say
how it went (a toast); run them from a worker, they wait for the modal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import ReadOnlyError, Store

if TYPE_CHECKING:
    from lazytinker.ui.modals.project import ProjectChoice, ProjectModal

PROJECT_FILTER_KEY = "f"
MOVE_SESSION_KEY = "v"
COPY_KEY = "c"


async def ask_project(host: Widget, modal: ProjectModal) -> ProjectChoice | None:
    """Show the project modal from `host`; the choice, or None when cancelled."""
    choice: ProjectChoice | None = await host.app.push_screen_wait(modal)
    return choice


async def choose_run_project(host: Widget, store: Store) -> str | None:
    """`f`: ask which project's runs to show; "" for every project, None when cancelled."""
    from lazytinker.ui.modals.project import ProjectModal

    modal = ProjectModal(
        "Show the runs of one project",
        store.projects(),
        current=store.run_project,
        allow_all=True,
        confirm="Show",
    )
    choice = await ask_project(host, modal)
    return None if choice is None else choice.project_id


async def move_session(host: Widget, store: Store, session_id: str) -> None:
    """`v`: move a session (and its runs and samplers) to a project the user picks."""
    if store.read_only:
        host.notify("Read-only mode: cannot move a session.", severity="warning", markup=False)
        return
    info = store.sessions.get(session_id)
    name = f"{info.display_name} ({session_id})" if info and info.display_name else session_id
    from lazytinker.ui.modals.project import ProjectModal

    modal = ProjectModal(
        f"Move session {name}, its runs and samplers, to project",
        store.projects(),
        current=info.project_id if info else None,
        confirm="Move",
    )
    choice = await ask_project(host, modal)
    if choice is None:
        return
    try:
        await store.move_session(session_id, choice.project_id)
    except ReadOnlyError as error:
        host.notify(str(error), severity="warning", markup=False)


async def copy_checkpoints(host: Widget, store: Store, targets: list[Checkpoint]) -> None:
    """`c`: copy checkpoints into a project the user picks, with the copies' expiry."""
    if not targets:
        host.notify("Highlight a checkpoint to copy.", severity="warning", markup=False)
        return
    if store.read_only:
        host.notify("Read-only mode: cannot copy.", severity="warning", markup=False)
        return
    what = targets[0].path if len(targets) == 1 else f"{len(targets)} checkpoints"
    from lazytinker.ui.modals.project import ProjectModal

    modal = ProjectModal(
        f"Copy {what} into project", store.projects(), ask_ttl=True, confirm="Copy"
    )
    choice = await ask_project(host, modal)
    if choice is None:
        return
    try:
        for checkpoint in targets:
            ref = CheckpointRef.parse(checkpoint.path)
            await store.copy_checkpoint(ref, choice.project_id, choice.ttl_seconds)
    except ReadOnlyError as error:
        host.notify(str(error), severity="warning", markup=False)
