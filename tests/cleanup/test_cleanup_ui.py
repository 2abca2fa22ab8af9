"""Clean-up at scale, end to end (issue 15): filter terms, `*`, whole runs, `K`, a 429 storm.

Keys in the real app on the stand-in server; what happened is read back through a second
client, never through the UI under test.
"""

from __future__ import annotations

from lazytinker.api.models import Checkpoint
from lazytinker.server.runner import ServerThread
from lazytinker.store.actions.throttle import MAX_IN_FLIGHT
from lazytinker.ui.modals import ConfirmModal, DeleteModal
from tests.conftest import StartServer
from tests.ui.test_actions import Session, reader, running_app, server_checkpoint


def sampler_and_private(c: Checkpoint) -> bool:
    return c.checkpoint_type == "sampler" and not c.public


async def user_checkpoints(server: ServerThread) -> dict[str, Checkpoint]:
    async with reader(server) as api:
        got = await api.list_user_checkpoints(limit=1000)
    return {c.path: c for c in got.checkpoints}


async def filter_with(s: Session, text: str) -> None:
    """`/`, the text, enter (the box's value is set whole: typing it costs ~80 ms a key)."""
    await s.pilot.press("slash")
    s.app.focused.value = text  # type: ignore[union-attr]
    await s.pilot.press("enter")
    await s.pilot.pause()


async def test_field_terms_then_star_then_d_deletes_exactly_the_shown_rows(
    server: ServerThread,
) -> None:
    before = await user_checkpoints(server)
    wanted = {p for p, c in before.items() if sampler_and_private(c)}
    assert 0 < len(wanted) < len(before)
    async with running_app(server) as s:
        await s.pilot.press("2")
        table = s.screen.view_table("all-checkpoints")
        await s.until("every checkpoint", lambda: table.total_count == len(before))
        await filter_with(s, "type:sampler public:no")
        assert set(table.visible_keys()) == wanted
        await s.pilot.press("asterisk")
        assert table.selected == wanted
        await s.pilot.press("d")
        modal = await s.modal(DeleteModal)
        assert {item.path for item in modal.items} == wanted
        await s.pilot.press("y")
        await s.until(
            "the delete done", lambda: bool(s.store.operation and s.store.operation.finished)
        )
        await s.until("the rows gone", lambda: table.row_count == 0)
    after = await user_checkpoints(server)
    assert set(after) == set(before) - wanted


async def test_star_again_clears_and_a_bad_term_says_so_and_shows_nothing(
    server: ServerThread,
) -> None:
    async with running_app(server) as s:
        await s.pilot.press("2")
        table = s.screen.view_table("all-checkpoints")
        await s.until("the checkpoints", lambda: table.row_count > 0)
        await filter_with(s, "type:sampler")
        shown = set(table.visible_keys())
        await s.pilot.press("asterisk")
        assert table.selected == shown
        assert "selected" in str(s.screen.status.render())
        await s.pilot.press("asterisk")
        assert table.selected == set()
        await filter_with(s, "size:>1XB")
        pane = s.screen.panes["all-checkpoints"]
        assert table.row_count == 0
        assert "size:>1XB" in str(pane.border_subtitle)
        assert pane.filter_box.has_class("-bad-term")


async def test_words_also_match_metadata(server: ServerThread) -> None:
    async with reader(server) as api:
        runs = (await api.list_training_runs(limit=100)).training_runs
    with_math = {r.training_run_id for r in runs if "math" in str(r.user_metadata)}
    assert with_math, "the seed has no run on math-500"
    async with running_app(server) as s:
        table = s.screen.runs
        await s.until("the runs", lambda: table.row_count > 0)
        table.focus()
        await filter_with(s, "math")
        assert with_math <= set(table.visible_keys())


async def test_d_on_a_run_empties_it(server: ServerThread) -> None:
    async with reader(server) as api:
        runs = (await api.list_training_runs(limit=100)).training_runs
        run = next(r for r in runs if not r.corrupted)
        count = len((await api.list_checkpoints(run.training_run_id)).checkpoints)
    assert count > 0
    async with running_app(server) as s:
        table = s.screen.runs
        await s.until("the runs", lambda: table.get(run.training_run_id) is not None)
        table.focus()
        assert table.move_to_key(run.training_run_id)
        await s.pilot.press("d")
        modal = await s.modal(ConfirmModal)
        assert f"{count} checkpoints" in str(modal.query_one("#body").render())
        await s.pilot.press("y")
        await s.until(
            "the delete done", lambda: bool(s.store.operation and s.store.operation.finished)
        )
        ckpts = [c.key for c in table.model.columns].index("ckpts")
        await s.until(
            "the run counted empty", lambda: table.row_text(run.training_run_id)[ckpts] == "0"
        )
    async with reader(server) as api:
        assert (await api.list_checkpoints(run.training_run_id)).checkpoints == []


async def test_k_makes_a_checkpoint_never_expire_and_says_what_it_costs(
    server: ServerThread,
) -> None:
    before = await user_checkpoints(server)
    target = next(c for c in before.values() if c.expires_at is not None)
    async with running_app(server) as s:
        await s.until("the storage rate", lambda: s.store.money.rate is not None)
        await s.goto(target.path)
        await s.pilot.press("K")
        await s.until("a toast", lambda: any("never expire" in m for m in s.messages()))
        said = next(m for m in s.messages() if "never expire" in m)
        await s.until(
            "the row says never",
            lambda: s.screen.checkpoints.get(target.path).expires_at is None,  # type: ignore[union-attr]
        )
    assert "/mo" in said
    async with reader(server) as api:
        now = await server_checkpoint(api, target.path)
    assert now is not None
    assert now.expires_at is None


async def test_a_429_storm_slows_a_run_delete_down_without_failures(
    start_server: StartServer,
) -> None:
    server = start_server(faults="429:0.35@/checkpoints/", checkpoints_per_run=16)
    async with reader(server) as api:
        runs = (await api.list_training_runs(limit=100)).training_runs
        run = next(r for r in runs if not r.corrupted)
    async with running_app(server) as s:
        table = s.screen.runs
        await s.until("the runs", lambda: table.get(run.training_run_id) is not None)
        table.focus()
        assert table.move_to_key(run.training_run_id)
        await s.pilot.press("d")
        await s.modal(ConfirmModal)
        await s.pilot.press("y")
        await s.until(
            "the delete done",
            lambda: bool(s.store.operation and s.store.operation.finished),
            limit=60,
        )
        operation = s.store.operation
        throttle = s.store.actions.bulk.last
    assert operation is not None
    assert operation.failures == []
    assert operation.slowed >= 1
    assert throttle is not None
    assert throttle.lowest < MAX_IN_FLIGHT
    async with reader(server) as api:
        assert (await api.list_checkpoints(run.training_run_id)).checkpoints == []
