"""The one text rule, the crash screen and the keymap check, directly.

The rule is tested on every class of character it must escape and on what it must keep; the
crash screen by crashing the app with the key in a local variable and in the message; the
keymap check by the refusals a `[keys]` table can earn; an action on checkpoints whose paths
have the server's own shape acts on the rest and says so in one safe line.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from lazytinker.api.models import Checkpoint
from lazytinker.api.models.structs import convert_wire
from lazytinker.api.paths import CheckpointRef
from lazytinker.text import escape_controls, one_line, printable, redact, remember_secret
from lazytinker.ui.actions.downloads import save_checkpoints
from lazytinker.ui.actions.refs import actionable, run_id_or_none
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.keymap import check_keymap, normalise_keymap
from tests.hostile.payloads import EVIL, KEY, assert_safe_line, assert_safe_output
from tests.hostile.world import ODD_PATHS, checkpoint

ESCAPED = [
    *(chr(c) for c in range(0x20)),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029",
    "\ud800",
    "\udfff",
]
KEPT = ["a", " ", "é", "…", "─", "●", "日本", "🙂", "\u200d", "[bold]x[/]", "\\x1b"]


@pytest.mark.parametrize("char", ESCAPED, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_bidi_and_surrogate_is_made_visible(char: str) -> None:
    shown = printable(f"a{char}b")
    assert char not in shown
    assert shown.startswith("a\\")
    assert shown.endswith("b")
    assert shown.isprintable()
    shown.encode("utf-8")  # a lone surrogate would fail here


@pytest.mark.parametrize("text", KEPT)
def test_what_a_terminal_shows_as_typed_is_kept(text: str) -> None:
    assert printable(text) == text


def test_the_rule_is_idempotent_and_total() -> None:
    once = printable(EVIL)
    assert printable(once) == once
    # Every code point of the BMP either passes or becomes an escape of printable ASCII.
    everything = "".join(chr(c) for c in range(0x10000))
    shown = escape_controls(everything)
    assert all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in shown), (
        "a control or surrogate got through"
    )


def test_the_key_is_redacted_before_a_cut() -> None:
    remember_secret(KEY)
    text = "x" * 50 + KEY + "y" * 50
    assert redact(text) == "x" * 50 + "***" + "y" * 50
    for limit in range(40, 120, 7):
        assert_safe_line(one_line(text, limit))
    assert one_line("a\n\tb  c") == "a b c"


async def test_a_crash_screen_shows_no_locals_and_no_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    remember_secret(KEY)
    app = LazytinkerApp(None, problem="crash test")

    def explode() -> None:
        token = KEY  # noqa: F841 - a local Textual's crash screen would print
        raise RuntimeError(f"boom {KEY} {EVIL}")

    async def crash() -> None:
        async with app.run_test() as pilot:
            app.call_later(explode)
            await pilot.pause()

    with pytest.raises(RuntimeError):
        await crash()
    report = capsys.readouterr().err
    assert "RuntimeError: boom ***" in report
    assert "evil\\x1b]52;c;" in report
    assert "token" not in report.split("RuntimeError")[-1]
    assert "locals" not in report.lower()
    assert_safe_output(report)
    assert "report it" in report


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        ({"publish": "d"}, "publish = 'd' puts 'd' on two bindings"),
        ({"cursor_down": "d"}, "delete is there too"),
        ({"nosuch": "x"}, "no binding is called 'nosuch'"),
        ({"refersh": "R"}, "did you mean 'refresh'?"),
    ],
)
def test_a_keymap_mistake_is_refused(keys: dict[str, str], says: str) -> None:
    problems = check_keymap(keys)
    assert problems
    assert says in problems[0].message


@pytest.mark.parametrize(
    "keys",
    [{}, {"publish": "P"}, {"delete": "x,delete"}, {"publish": "d", "delete": "x"}, {"help": "?"}],
)
def test_a_good_keymap_passes(keys: dict[str, str]) -> None:
    assert check_keymap(keys) == []


def test_keys_are_normalised_as_bindings_are() -> None:
    assert normalise_keymap({"help": "?", "delete": "x, delete"}) == {
        "help": "question_mark",
        "delete": "x,delete",
    }


def test_an_action_leaves_paths_of_the_servers_own_shape_alone_and_says_so() -> None:
    remember_secret(KEY)
    good = "tinker://run-1/weights/a"
    items = [convert_wire(checkpoint(p), Checkpoint) for p in [good, *ODD_PATHS, f"x{KEY}"]]
    said: list[str] = []
    refs = actionable(items, said.append)
    assert refs == [CheckpointRef.parse(good)]
    assert len(said) == 1
    assert f"Left {len(ODD_PATHS) + 1} checkpoints alone: their paths (" in said[0]
    assert_safe_line(said[0])
    assert actionable(items[:1], said.append) == refs
    assert len(said) == 1, "nothing to say when every path parses"
    assert run_id_or_none(good) == "run-1"
    assert [run_id_or_none(p) for p in ODD_PATHS] == [None] * len(ODD_PATHS)


async def test_save_offers_only_the_checkpoints_it_can_address() -> None:
    """`s` on a selection with odd paths: the modal lists the rest, and the odd ones are said."""

    class Host:
        """The widget the key was pressed on, as far as the `s` flow uses it."""

        def __init__(self) -> None:
            self.app = self
            self.said: list[str] = []
            self.shown: list[Any] = []

        def notify(self, message: str, **_: Any) -> None:
            self.said.append(message)

        async def push_screen_wait(self, screen: Any) -> None:
            self.shown.append(screen)  # and cancel

    good = "tinker://run-1/weights/a"
    items = [convert_wire(checkpoint(p), Checkpoint) for p in [good, *ODD_PATHS]]
    host = Host()
    await save_checkpoints(host, None, items, directory="/nowhere", extract=False)  # type: ignore[arg-type]
    assert [t.path for t in host.shown[0].targets] == [good]
    assert any("alone" in said for said in host.said), host.said

    host = Host()
    await save_checkpoints(host, None, items[1:], directory="/nowhere", extract=False)  # type: ignore[arg-type]
    assert host.shown == [], "no modal for nothing to save"
