"""The retention planner end to end (issue 15): preview, apply, save the rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lazytinker.config.cleanup import load_cleanup
from lazytinker.ui.modals import ConfirmModal
from lazytinker.ui.views.planner import PlannerScreen
from tests.cleanup.forty import COUNT, forty_checkpoint_run, path_of
from tests.conftest import StartServer
from tests.ui.test_actions import Session, reader, running_app

NOW = datetime.now(UTC).replace(microsecond=0)


async def open_planner(s: Session, run_id: str) -> PlannerScreen:
    table = s.screen.runs
    await s.until("the run", lambda: table.get(run_id) is not None)
    table.focus()
    assert table.move_to_key(run_id)
    await s.pilot.press("C")
    planner = await s.modal(PlannerScreen)
    await s.until("the preview", lambda: planner.plan is not None and planner.rows.row_count > 0)
    return planner


async def test_keep_final_and_last_two_of_forty_lists_37_and_leaves_3(
    start_server: StartServer,
) -> None:
    server, run_id = forty_checkpoint_run(start_server, NOW)
    going = {path_of(run_id, n) for n in range(COUNT - 3)}
    staying = {path_of(run_id, n) for n in range(COUNT - 3, COUNT)}
    async with running_app(server) as s:
        planner = await open_planner(s, run_id)
        assert planner.plan is not None
        assert {c.path for c in planner.plan.go} == going
        shown_going = {
            k for k in planner.rows.visible_keys() if planner.rows.get(k).verdict == "go"
        }  # type: ignore[union-attr]
        assert shown_going == going
        assert "37 go, 3 kept" in str(planner.query_one("#plan-total").render())
        await s.pilot.press("a")
        modal = await s.modal(ConfirmModal)
        assert "37" in str(modal.query_one("#title").render())
        await s.pilot.press("y")
        await s.until(
            "the clean-up done",
            lambda: "Done: 37 of 37" in str(planner.query_one("#plan-outcome").render()),
        )
        await s.until("the preview again", lambda: planner.plan is not None and not planner.plan.go)
    async with reader(server) as api:
        left = {c.path for c in (await api.list_checkpoints(run_id)).checkpoints}
    assert left == staying


async def test_a_plan_applied_as_an_expiry_and_its_rules_saved(
    start_server: StartServer, tmp_path: Path
) -> None:
    server, run_id = forty_checkpoint_run(start_server, NOW)
    config = tmp_path / "config.toml"
    config.write_text('# mine\n[ui]\ntheme = "nord"\n')
    async with running_app(server) as s:
        from lazytinker.config.cleanup import save_cleanup

        s.app.save_plan = lambda choice: save_cleanup(config, choice)
        planner = await open_planner(s, run_id)
        await s.pilot.click("#expire")
        await s.until(
            "the expiry chosen", lambda: planner.choice is not None and planner.choice.expire
        )
        planner.runs.focus()
        await s.pilot.press("w")
        await s.pilot.press("a")
        modal = await s.modal(ConfirmModal)
        assert "expire in 1 week" in str(modal.query_one("#title").render())
        await s.pilot.press("y")
        await s.until(
            "the clean-up done",
            lambda: "Done: 37 of 37" in str(planner.query_one("#plan-outcome").render()),
        )
    saved = load_cleanup(config)
    assert saved.choice.expire
    assert saved.choice.rules.last == 2
    assert config.read_text().startswith("# mine\n[ui]")
    async with reader(server) as api:
        got = {c.path: c for c in (await api.list_checkpoints(run_id)).checkpoints}
    assert len(got) == COUNT
    assert {p for p, c in got.items() if c.expires_at is not None} == {
        path_of(run_id, n) for n in range(COUNT - 3)
    }
