"""The store falls back where a server lacks a route (issue 17): session search -> the session
list, user-wide checkpoints -> every run's checkpoints, the model list -> models seen on runs;
and it reads partial data (quirks) without failing."""

from __future__ import annotations

from lazytinker.api.client import TinkerAPI
from lazytinker.store import Store
from tests.conftest import StartServer

from .test_capabilities import client


def store_for(url: str, **kw: str) -> Store:
    return Store(client(url, **kw))


async def every_checkpoint(api: TinkerAPI) -> set[str]:
    runs = await api.list_training_runs(limit=100)
    paths: set[str] = set()
    for run in runs.training_runs:
        paths.update(c.path for c in (await api.list_checkpoints(run.training_run_id)).checkpoints)
    return paths


async def test_sessions_come_from_the_list_without_search(start_server: StartServer) -> None:
    server = start_server(without=("sessions-search",))
    store = store_for(server.url)
    try:
        assert await store.start()
        async with client(server.url) as api:
            listed = (await api.list_sessions(limit=100)).sessions
        assert store.sessions.loaded
        assert set(store.sessions.items) == set(listed)
        assert store.fallbacks["sessions"].short == "ids only"
        assert "sessions" not in store.errors
        # Samplers are still found, through each session's details.
        assert await store.load_samplers()
        assert len(store.samplers) > 0
    finally:
        await store.close()


async def test_all_checkpoints_come_from_every_run(start_server: StartServer) -> None:
    server = start_server(without=("user-checkpoints",))
    store = store_for(server.url)
    try:
        assert await store.start()
        assert await store.load_user_checkpoints()
        async with client(server.url) as api:
            expected = await every_checkpoint(api)
        assert set(store.user_checkpoints.items) == expected
        assert store.fallbacks["user_checkpoints"].short == "from every run"
        # The watch reads the active runs again, and keeps what it had.
        assert await store.load_user_checkpoints(newest_only=True)
        assert set(store.user_checkpoints.items) == expected
    finally:
        await store.close()


async def test_models_come_from_the_runs_without_a_model_list(start_server: StartServer) -> None:
    server = start_server(without=("capabilities",))
    store = store_for(server.url)
    try:
        assert await store.start()
        assert await store.load_models()
        assert set(store.models.items) == {r.base_model for r in store.runs}
        assert store.fallbacks["models"].short == "seen on runs"
        assert all(m.max_context_length is None for m in store.models)
    finally:
        await store.close()


async def test_models_without_a_name_are_one_row_each(start_server: StartServer) -> None:
    server = start_server(quirks=("model-id",))
    store = store_for(server.url)
    try:
        assert await store.load_models()
        async with client(start_server().url) as plain:  # the same seed, without the quirk
            expected = len((await plain.get_server_capabilities()).supported_models)
        assert len(store.models) == expected
        labels = [m.label for m in store.models]
        assert "?" not in labels
        assert None not in labels
        assert any(label and label.startswith("(unnamed") for label in labels)
    finally:
        await store.close()


async def test_partial_checkpoint_data_is_read_not_refused(start_server: StartServer) -> None:
    server = start_server(quirks=("null-times", "no-sizes", "naive-dates", "bare-ids"))
    store = store_for(server.url)
    try:
        assert await store.start()
        run = next(iter(store.runs))
        assert await store.load_checkpoints(run.training_run_id)
        checkpoints = list(store.run_checkpoints(run.training_run_id))
        assert checkpoints
        for checkpoint in checkpoints:
            assert checkpoint.time is None
            assert checkpoint.size_bytes is None
            assert not checkpoint.sent("public")
        assert run.last_request_time.tzinfo is not None  # a naive date is taken as UTC
    finally:
        await store.close()
