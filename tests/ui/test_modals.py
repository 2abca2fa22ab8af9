"""The modals on their own: keys, answers, inline refusals, literal text, and their look (SVG)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from lazytinker.ui.modals import (
    ConfirmModal,
    DeleteItem,
    DeleteModal,
    GotoModal,
    TtlChoice,
    TtlModal,
)
from lazytinker.ui.modals.widgets import Tick

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PATH = "tinker://2c1f0a7e-9b1d-4c52-8f3e-0d6a1b2c3d4e:train:0/weights/0040"
UNSET = object()


class ModalHarness(App[None]):
    """An empty app that opens one modal at start and records what it answers."""

    def __init__(self, make: Callable[[], ModalScreen[Any]]) -> None:
        super().__init__()
        self._make = make
        self.answer: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(self._make(), self._record)

    def _record(self, answer: Any) -> None:
        self.answer = answer


def publish_modal() -> ConfirmModal:
    return ConfirmModal(
        "Publish checkpoint?",
        f"Make {PATH} public? Anyone with the path can then load it.",
        confirm_label="Publish",
    )


def delete_items(count: int) -> list[DeleteItem]:
    return [
        DeleteItem(
            path=f"tinker://run-{i // 3}:train:0/weights/{i:04d}",
            size_bytes=None if i == 2 else (i + 1) * 150_000_000,
            created=NOW - timedelta(hours=5 * i + 1),
        )
        for i in range(count)
    ]


# --- confirmation keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "answer"),
    [
        (["y"], True),
        (["n"], False),
        (["escape"], False),
        (["enter"], False),  # focus starts on No
        (["left", "enter"], True),
        (["shift+tab", "enter"], True),
    ],
)
async def test_confirm_keys(keys: list[str], answer: bool) -> None:
    app = ModalHarness(publish_modal)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.focused is not None
        assert app.focused.id == "no"
        await pilot.press(*keys)
        await pilot.pause()
        assert app.answer is answer


async def test_confirm_click_yes() -> None:
    app = ModalHarness(publish_modal)
    async with app.run_test() as pilot:
        await pilot.click("#yes")
        await pilot.pause()
        assert app.answer is True


async def test_escape_sequences_show_as_typed() -> None:
    items = [DeleteItem("tinker://r:train:0/weights/\x1b[31mred", 1, NOW)]
    app = ModalHarness(lambda: DeleteModal(items, now=NOW))
    async with app.run_test() as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#listing", Static).content
        assert isinstance(listing, Content)
        assert "\x1b" not in listing.plain
        assert "weights/\\x1b[31mred" in listing.plain


async def test_server_text_is_never_markup() -> None:
    tricky = "tinker://[bold]run[/bold]:train:0/weights/[red]x"
    app = ModalHarness(lambda: ConfirmModal(f"Unpublish {tricky}?", f"{tricky} becomes private."))
    async with app.run_test() as pilot:
        await pilot.pause()
        body = app.screen.query_one("#body", Static)
        title = app.screen.query_one("#title", Static)
        assert isinstance(body.content, Content)
        assert tricky in body.content.plain
        assert str(title.render()).startswith(f"Unpublish {tricky}")


async def test_delete_modal_answers_only_on_explicit_yes() -> None:
    app = ModalHarness(lambda: DeleteModal(delete_items(5), now=NOW))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.answer is False
    app = ModalHarness(lambda: DeleteModal(delete_items(5), now=NOW))
    async with app.run_test() as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert app.answer is True


async def test_delete_modal_lists_every_path_and_the_total() -> None:
    items = delete_items(40)
    app = ModalHarness(lambda: DeleteModal(items, now=NOW))
    async with app.run_test() as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#listing", Static).content
        assert isinstance(listing, Content)
        for item in items:
            assert item.path in listing.plain
        assert "6h ago" in listing.plain  # said as the tables say it
        assert "unknown" in listing.plain
        total = app.screen.query_one("#total", Static).content
        assert isinstance(total, Content)
        known = sum(i.size_bytes for i in items if i.size_bytes is not None)
        assert f"{known / 1e9:.1f} GB" in total.plain
        assert "1 of unknown size" in total.plain
        assert "Delete 40 checkpoints" in str(app.screen.query_one("#title", Static).render())


# --- TTL -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("7d", TtlChoice(7 * 86400)), ("never", TtlChoice(None)), ("3600", TtlChoice(3600))],
)
async def test_ttl_answers(typed: str, answer: TtlChoice) -> None:
    app = ModalHarness(lambda: TtlModal([PATH], now=NOW))
    async with app.run_test() as pilot:
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert app.answer == answer


async def test_ttl_preview_shows_the_new_expiry_live() -> None:
    app = ModalHarness(lambda: TtlModal([PATH], now=NOW))
    async with app.run_test() as pilot:
        await pilot.press("7", "d")
        await pilot.pause()
        preview = app.screen.query_one("#preview", Static)
        assert "2026-11-30 08:00 UTC" in str(preview.render())
        assert not preview.has_class("-error")


@pytest.mark.parametrize("typed", ["0", "-3d", "11y", "banana"])
async def test_ttl_refuses_bad_input_inline(typed: str) -> None:
    app = ModalHarness(lambda: TtlModal([PATH], now=NOW))
    async with app.run_test() as pilot:
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert app.answer is UNSET  # still open
        preview = app.screen.query_one("#preview", Static)
        assert preview.has_class("-error")
        assert "1 hour to 10 years" in str(preview.render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.answer is None


# --- go to path ------------------------------------------------------------------------------


async def test_goto_answers_a_parsed_path() -> None:
    app = ModalHarness(GotoModal)
    async with app.run_test() as pilot:
        app.screen.query_one("#path", Input).value = f"  {PATH} "
        await pilot.press("enter")
        await pilot.pause()
        assert app.answer == PATH


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("banana", "must start with tinker:// or hpcai://"),
        ("tinker://run/weights", "parts after tinker://"),
        ("tinker://run/bogus/x", "unknown kind"),
        ("", "Enter a tinker:// or hpcai://"),
    ],
)
async def test_goto_refuses_a_bad_path_inline(typed: str, expected: str) -> None:
    app = ModalHarness(GotoModal)
    async with app.run_test() as pilot:
        app.screen.query_one("#path", Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.answer is UNSET
        error = app.screen.query_one("#error", Static)
        assert expected in str(error.render())
        assert error.display
        await pilot.press("escape")
        await pilot.pause()
        assert app.answer is None


# --- snapshots -------------------------------------------------------------------------------


def test_snapshot_confirm_publish(snap_compare: Any) -> None:
    assert snap_compare(ModalHarness(publish_modal), terminal_size=(100, 24))


def test_snapshot_confirm_literal_markup(snap_compare: Any) -> None:
    tricky = "tinker://[bold]run[/]:train:0/weights/\x1b[31mx"
    make = lambda: ConfirmModal("Unpublish?", f"Make {tricky} private?", danger=True)  # noqa: E731
    assert snap_compare(ModalHarness(make), terminal_size=(100, 24))


def test_snapshot_delete_one(snap_compare: Any) -> None:
    make = lambda: DeleteModal(delete_items(1), now=NOW)  # noqa: E731
    assert snap_compare(ModalHarness(make), terminal_size=(100, 24))


def test_snapshot_delete_many_scrolls(snap_compare: Any) -> None:
    make = lambda: DeleteModal(delete_items(30), now=NOW)  # noqa: E731
    assert snap_compare(ModalHarness(make), terminal_size=(100, 30))


def test_snapshot_ttl_preview(snap_compare: Any) -> None:
    make = lambda: TtlModal([PATH], now=NOW)  # noqa: E731
    assert snap_compare(ModalHarness(make), press=["9", "0", "d"], terminal_size=(100, 24))


def test_snapshot_ttl_refused(snap_compare: Any) -> None:
    targets = [f"tinker://run-{i}:train:0/weights/0001" for i in range(5)]
    make = lambda: TtlModal(targets, now=NOW)  # noqa: E731
    press = ["1", "1", "y", "enter"]
    assert snap_compare(ModalHarness(make), press=press, terminal_size=(100, 24))


def test_snapshot_confirm_long_body_scrolls_at_80x24(snap_compare: Any) -> None:
    paths = [f"tinker://run-{i}:train:0/weights/{i:04d}" for i in range(20)]
    body = "\n".join(paths) + "\n… and 5 more\nAnyone with the path can then load it."
    make = lambda: ConfirmModal("Make 25 checkpoints public?", body, confirm_label="Publish")  # noqa: E731
    assert snap_compare(ModalHarness(make), terminal_size=(80, 24))


def test_snapshot_delete_many_at_80x24(snap_compare: Any) -> None:
    make = lambda: DeleteModal(delete_items(30), now=NOW)  # noqa: E731
    assert snap_compare(ModalHarness(make), terminal_size=(80, 24))


def test_snapshot_ttl_many_refused_at_80x24(snap_compare: Any) -> None:
    targets = [f"tinker://run-{i}:train:0/weights/0001" for i in range(12)]
    make = lambda: TtlModal(targets, now=NOW)  # noqa: E731
    press = ["b", "a", "n", "a", "n", "a", "enter"]
    assert snap_compare(ModalHarness(make), press=press, terminal_size=(80, 24))


def test_snapshot_goto_error(snap_compare: Any) -> None:
    press = [*"tinker://run/weights", "enter"]
    assert snap_compare(ModalHarness(GotoModal), press=press, terminal_size=(100, 24))


# --- a modal on a small terminal ----------------------------------------------------------------


def _many_paths() -> list[str]:
    return [f"tinker://run-{i}:train:0/weights/{i:04d}" for i in range(30)]


SMALL_MODALS: dict[str, Callable[[], ModalScreen[Any]]] = {
    "confirm": lambda: ConfirmModal(
        "Make 30 checkpoints public?", "\n".join(_many_paths()), confirm_label="Publish"
    ),
    "delete": lambda: DeleteModal(delete_items(30), now=NOW),
    "ttl": lambda: TtlModal(_many_paths(), now=NOW, expiries=[None] * 30),
    "goto": GotoModal,
}


@pytest.mark.parametrize("name", sorted(SMALL_MODALS))
@pytest.mark.parametrize("size", [(80, 24), (60, 15)])
async def test_a_modal_keeps_its_hint_and_buttons_on_a_small_terminal(
    name: str, size: tuple[int, int]
) -> None:
    """At 80x24 and at 60x15 the buttons and the key hint (on the dialog's border) are on
    screen: a long list gives way to them."""
    app = ModalHarness(SMALL_MODALS[name])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        modal = app.screen
        dialog = modal.query_one("#dialog")
        screen_region = modal.region
        assert str(dialog.border_subtitle).strip(), "the dialog has a key hint"
        # The whole dialog, its bottom border (the hint's line) included, is on screen.
        assert screen_region.contains_region(dialog.region), (dialog.region, screen_region)
        for button in modal.query(Button):
            inside = dialog.content_region
            assert button.region.height > 0, name
            assert inside.contains_region(button.region), (name, button.region, inside)


async def test_a_checkbox_reads_ticked_or_not_without_colour() -> None:
    """Under NO_COLOR the two states differ in their characters, not only in colour."""

    class Boxes(App[None]):
        def compose(self) -> Any:
            yield Tick("on", True, id="on")
            yield Tick("off", False, id="off")

    app = Boxes()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        on = app.query_one("#on", Tick)
        off = app.query_one("#off", Tick)
        assert "[x]" in str(on.render()), str(on.render())
        assert "[ ]" in str(off.render()), str(off.render())
        await pilot.click("#off")
        await pilot.pause()
        assert off.value
        assert "[x]" in str(off.render())
