"""Identity, projects, copying and the audit log (issue 17's catch-up with SDK 0.38.0), against
the stand-in: in the store, and through the keys and modals of the app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.widgets import Input

from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Capability, Store, Support
from lazytinker.ui.about import about_text
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.detail import panel_content
from lazytinker.ui.fields import fields_of
from lazytinker.ui.header import identity_of
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.modals.project import ProjectModal

from .test_capabilities import client

SIZE = (160, 48)


async def until(pilot: Any, what: str, condition: Callable[[], bool], limit: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def test_who_the_key_is(server: Any) -> None:
    store = Store(client(server.url))
    try:
        assert await store.start()
        assert await store.load_identity()
        me = store.identity
        assert me is not None
        assert me.name == "stand-in admin key"
        assert me.details.user_details.email == "demo@example.com"
        assert me.details.org_details.name == "Lazytinker Demo Lab"
        assert identity_of(store) == "stand-in admin key · demo@example.com"
        # The about panel: one row each, so none wraps at 80 columns.
        rows = about_text(store).plain.splitlines()
        assert "  key          stand-in admin key" in rows
        assert "  organisation Lazytinker Demo Lab" in rows
        assert "  e-mail       demo@example.com" in rows
        assert all(len(row) <= 74 for row in rows[:10])
    finally:
        await store.close()


async def test_runs_of_one_project(server: Any) -> None:
    store = Store(client(server.url))
    try:
        assert await store.start()
        projects = store.projects()
        assert "proj-research" in projects
        everything = {r.training_run_id for r in store.runs}
        assert await store.load_project_runs("proj-research")
        narrowed = {r.training_run_id for r in store.runs}
        assert narrowed
        assert narrowed < everything
        assert all(r.project_id == "proj-research" for r in store.runs)
        assert await store.load_project_runs(None)
        assert {r.training_run_id for r in store.runs} == everything
    finally:
        await store.close()


async def test_moving_a_session_moves_its_runs(server: Any) -> None:
    store = Store(client(server.url))
    try:
        assert await store.start()
        session = next(s for s in store.sessions if s.project_id != "proj-eval")
        result = await store.move_session(session.session_id, "proj-eval")
        assert result.ok
        moved = store.sessions.get(session.session_id)
        assert moved is not None
        assert moved.project_id == "proj-eval"
        async with client(server.url) as api:
            runs = await api.list_training_runs(limit=100, project_id="proj-eval")
        ids = {r.training_run_id for r in runs.training_runs}
        assert store.runs_of_session(session.session_id) <= ids
        # A project the key may not use is refused, and said so.
        refused = await store.move_session(session.session_id, "proj-nowhere")
        assert not refused.ok
        assert "403" in refused.message
    finally:
        await store.close()


async def test_a_copy_is_made_once_whatever_the_retries(server: Any) -> None:
    async with client(server.url) as api:
        runs = await api.list_training_runs(limit=10)
        listed = [await api.list_checkpoints(r.training_run_id) for r in runs.training_runs]
        source = next(
            c for got in listed for c in got.checkpoints if c.checkpoint_type == "training"
        )
        ref = CheckpointRef.parse(source.path)
        first = await api.copy_weights(ref, "proj-prod", 7200, idempotency_key="k-1")
        again = await api.copy_weights(ref, "proj-prod", 7200, idempotency_key="k-1")
        assert first.tinker_path == again.tinker_path != source.path
        copied = CheckpointRef.parse(first.tinker_path)
        got = await api.list_checkpoints(copied.run_id)
        (copy,) = got.checkpoints
        assert copy.expires_at is not None
        assert api.capabilities.learned(Capability.COPY).support is Support.SUPPORTED


async def test_the_audit_log_of_a_day(server: Any) -> None:
    store = Store(client(server.url))
    try:
        assert await store.start()
        run = next(r for r in store.runs if r.last_checkpoint is not None and not r.corrupted)
        assert run.last_checkpoint is not None
        ref = CheckpointRef.parse(run.last_checkpoint.path)
        await store.set_ttl([ref], 7200)
        assert await store.load_audit()
        assert store.audit is not None
        events = [(e.event, e.tinker_path) for e in store.audit.entries]
        assert ("checkpoint_set_ttl", ref.path) in events
    finally:
        await store.close()


async def test_the_audit_log_needs_an_admin_role(server: Any) -> None:
    store = Store(client(server.url, key="tml-user"))
    try:
        assert await store.start()
        assert not await store.load_audit()
        assert "admin role" in store.errors["audit"]
        assert store.learned_of(Capability.AUDIT).support is Support.FORBIDDEN
    finally:
        await store.close()


async def test_base_model_of_a_checkpoint_is_shown(server: Any) -> None:
    store = Store(client(server.url))
    try:
        assert await store.start()
        run = next(iter(store.runs))
        assert await store.load_checkpoints(run.training_run_id)
        checkpoint = next(iter(store.run_checkpoints(run.training_run_id)))
        assert checkpoint.base_model == run.base_model
        assert f"base {run.base_model}" in panel_content(fields_of(checkpoint, store)).plain
    finally:
        await store.close()


async def test_the_keys_move_copy_filter_and_audit(server: Any) -> None:
    store = Store(client(server.url), refresh=60)
    app = LazytinkerApp(store, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, "the first rows", lambda: store.runs.loaded and store.sessions.loaded)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        # f: the runs of one project.
        await pilot.press("f")
        await until(pilot, "the project modal", lambda: isinstance(app.screen, ProjectModal))
        app.screen.query_one("#project", Input).value = "proj-prod"
        await pilot.press("enter")
        await until(pilot, "the project's runs", lambda: store.run_project == "proj-prod")
        await until(pilot, "the runs reloaded", lambda: store.runs.loaded and len(store.runs) > 0)
        assert all(r.project_id == "proj-prod" for r in store.runs)
        assert "project proj-prod" in str(screen.panes["runs"].border_title)
        # v on a session: move it to another project.
        await pilot.press("h")
        session_id = screen.sessions.cursor_key
        assert session_id is not None
        await pilot.press("v")
        await until(pilot, "the move modal", lambda: isinstance(app.screen, ProjectModal))
        app.screen.query_one("#project", Input).value = "proj-eval"
        await pilot.press("enter")
        await until(
            pilot,
            "the session moved",
            lambda: (info := store.sessions.get(session_id)) is not None
            and info.project_id == "proj-eval",
        )
        # c on a checkpoint: copy it into a project, expiring in 7 days.
        await pilot.press("l")
        await pilot.press("enter")
        run_id = screen.runs.cursor_key
        assert run_id is not None
        await until(pilot, "checkpoints", lambda: screen.checkpoints.row_count > 0)
        await pilot.press("c")
        await until(pilot, "the copy modal", lambda: isinstance(app.screen, ProjectModal))
        app.screen.query_one("#project", Input).value = "proj-research"
        app.screen.query_one("#ttl", Input).value = "7d"
        before = await _copies(server)
        await pilot.press("enter")  # to the TTL input
        await pilot.press("enter")  # copy
        await until(pilot, "back on the main screen", lambda: isinstance(app.screen, MainScreen))
        await _until_async(pilot, "a copy on the server", lambda: _copies(server), before + 1)
        # 7: the audit log of today, with the copy in it.
        await pilot.press("7")
        await until(pilot, "the audit log", lambda: store.audit is not None)
        assert store.audit is not None
        assert any(e.event == "checkpoint_copy" for e in store.audit.entries)
        await until(pilot, "audit rows", lambda: screen.views["audit"].entry().table.row_count > 0)


async def _copies(server: Any) -> int:
    async with client(server.url) as api:
        runs = await api.list_training_runs(limit=100, project_id="proj-research")
    return sum(1 for r in runs.training_runs if (r.user_metadata or {}).get("copied_from"))


async def _until_async(pilot: Any, what: str, count: Any, wanted: int) -> None:
    for _ in range(100):
        if await count() >= wanted:
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_broken_who_am_i_is_said_not_swallowed(start_server: Any) -> None:
    broken = start_server(api_keys=("tml-demo",), faults="badjson:1@/apikey/me")
    store = Store(client(broken.url))
    app = LazytinkerApp(store, watch=False)
    toasts: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **kwargs: Any) -> None:
        toasts.append((message, str(kwargs.get("severity"))))
        notify(message, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, "the identity to fail", lambda: "identity" in store.errors)
        await until(pilot, "a warning", lambda: any("apikey/me" in t for t, _ in toasts))
        said = [(t, s) for t, s in toasts if "apikey/me" in t]
        assert said == [(store.errors["identity"], "warning")]
        assert "not JSON" in said[0][0]
        assert f"unknown: {store.errors['identity']}" in about_text(store).plain
        assert store.identity is None
