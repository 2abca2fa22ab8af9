"""The retention planner's rules as a small form: what to keep, and how to apply the plan.

Three lines that fit 80 columns: `final`, `last N of each type`, `every K steps`, `public`;
`expiring`, `never-expiring`, `best N by KEY (highest)`; `apply as an expiry in 7d`. Any change
posts `RulesForm.Changed` with the new choice (or the reason it is not one yet).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label

from lazytinker.store.planner import KeepRules, PlanChoice
from lazytinker.store.ttl import TtlError, parse_ttl
from lazytinker.ui.modals.widgets import Tick


class RulesForm(Vertical):
    """Checkboxes and numbers for `KeepRules`, plus delete-or-expire."""

    DEFAULT_CSS: ClassVar[str] = """
    RulesForm { height: auto; padding: 0 1; }
    RulesForm > Horizontal { height: 1; }
    RulesForm Tick { width: auto; margin-right: 1; }
    RulesForm Label { width: auto; margin-right: 1; color: $text-muted; }
    RulesForm Input { width: 5; margin-right: 1; }
    RulesForm Input#best_key { width: 12; }
    RulesForm Input#expire_in { width: 7; }
    RulesForm Input.-bad { background-tint: $error 30%; }
    """

    class Changed(Message):
        """The rules changed: `choice` is the new one, or None with `problem` saying why."""

        def __init__(self, choice: PlanChoice | None, problem: str) -> None:
            self.choice = choice
            self.problem = problem
            super().__init__()

    def __init__(self, choice: PlanChoice, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.initial = choice

    def compose(self) -> ComposeResult:
        """The three lines of the form."""
        rules = self.initial.rules
        with Horizontal():
            yield Label("keep")
            yield Tick("final", rules.final, compact=True, id="final")
            yield Label("· last")
            yield _number("last", rules.last)
            yield Label("of each type · every")
            yield _number("every", rules.every)
            yield Label("steps ·")
            yield Tick("public", rules.public, compact=True, id="public")
        with Horizontal():
            yield Tick("expiring", rules.expiring, compact=True, id="expiring")
            yield Tick("never-expiring", rules.never_expiring, compact=True, id="never")
            yield Label("· best")
            yield _number("best", rules.best)
            yield Label("by")
            yield Input(rules.best_key, compact=True, id="best_key")
            yield Tick("highest", rules.best_highest, compact=True, id="highest")
        with Horizontal():
            yield Label("apply as")
            yield Tick(
                "an expiry instead of a delete, in", self.initial.expire, compact=True,
                id="expire",
            )  # fmt: skip
            yield Input(self.initial.expire_in, compact=True, id="expire_in")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """A box was ticked."""
        event.stop()
        self._changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A number or the metadata key was typed."""
        event.stop()
        self._changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """`enter` in a field: back to the preview."""
        event.stop()
        self.screen.focus_next()

    def _changed(self) -> None:
        choice, problem = self.read()
        self.post_message(self.Changed(choice, problem))

    def _flag(self, name: str) -> bool:
        return self.query_one(f"#{name}", Checkbox).value

    def read(self) -> tuple[PlanChoice | None, str]:
        """The choice the form says now, or None and why not."""
        numbers: dict[str, int] = {}
        problem = ""
        for name in ("last", "every", "best"):
            box = self.query_one(f"#{name}", Input)
            text = box.value.strip() or "0"
            ok = text.isdigit()
            box.set_class(not ok, "-bad")
            if ok:
                numbers[name] = int(text)
            else:
                problem = problem or f"{name}: a whole number, 0 for none"
        expire_box = self.query_one("#expire_in", Input)
        try:
            parse_ttl(expire_box.value)
            expire_box.set_class(False, "-bad")
        except TtlError as error:
            expire_box.set_class(True, "-bad")
            if self._flag("expire"):
                problem = problem or str(error)
        if problem:
            return None, problem
        rules = KeepRules(
            final=self._flag("final"),
            last=numbers["last"],
            every=numbers["every"],
            public=self._flag("public"),
            expiring=self._flag("expiring"),
            never_expiring=self._flag("never"),
            best=numbers["best"],
            best_key=self.query_one("#best_key", Input).value.strip(),
            best_highest=self._flag("highest"),
        )
        return PlanChoice(rules, self._flag("expire"), expire_box.value.strip()), ""


def _number(name: str, value: int) -> Input:
    return Input(str(value), compact=True, id=name, restrict=r"\d*", max_length=4)
