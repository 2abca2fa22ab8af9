"""The checkpoint keys on whole runs: `d`, `t`, `p`, `s` on a run (or on selected runs) act on
every checkpoint of those runs, after a modal that says how many of each type, their size and
what they cost per month.

The runs' checkpoints are read afresh first (a run saves checkpoints while you look), then the
same store actions as on checkpoints run over all of them: paced, with progress, cancellable.
The bindings share the checkpoint keys' ids, so a remapped `delete` is remapped here too.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widget import Widget

from lazytinker import human
from lazytinker.api.models import Checkpoint
from lazytinker.store import Capability, ReadOnlyError, Store
from lazytinker.ui import format as fmt
from lazytinker.ui.actions.downloads import save_checkpoints
from lazytinker.ui.actions.flows import Flows
from lazytinker.ui.cost import checkpoints_size, per_month, size_and_cost

if TYPE_CHECKING:
    from lazytinker.store.ttl import TtlChoice

# Not on the key bar (a run's row is not a checkpoint; the status line says what they do there),
# in `?` and the command palette.
RUN_BINDINGS: list[BindingType] = [
    Binding("d", "delete", "Delete all of the run's", show=False, id="delete"),
    Binding("t", "ttl", "TTL all of the run's", show=False, id="ttl"),
    Binding("p", "publish", "Publish all of the run's", show=False, id="publish"),
    Binding("s", "save", "Save all of the run's", show=False, id="save"),
]

RUN_ID_WIDTH = 36
"""A run id in the modal's list is cut in the middle past this (the list fits 80 columns)."""

RunScope = dict[str, list[Checkpoint]]
"""Run id -> its checkpoints, as just read."""

_TYPE_WORDS = {"training": "training", "sampler": "sampler", "external": "external"}


def every_checkpoint(scope: RunScope) -> list[Checkpoint]:
    """The checkpoints of every run in the scope."""
    return [c for checkpoints in scope.values() for c in checkpoints]


def summary(store: Store, scope: RunScope) -> str:
    """`120 checkpoints: 80 training, 38 sampler, 2 external · 45.2 GB · $14.01/mo`."""
    items = every_checkpoint(scope)
    kinds = Counter(c.checkpoint_type for c in items)
    parts = ", ".join(f"{n} {_TYPE_WORDS.get(k, k)}" for k, n in sorted(kinds.items()))
    size, unknown = checkpoints_size(items)
    noun = "checkpoint" if len(items) == 1 else "checkpoints"
    return f"{len(items)} {noun}: {parts} · {size_and_cost(store, size, unknown=unknown)}"


def run_lines(store: Store, scope: RunScope) -> list[str]:
    """One line per run: count, size, $/month and the run id."""
    lines = []
    for run_id, checkpoints in scope.items():
        size, _ = checkpoints_size(checkpoints)
        cost = per_month(store, size)
        name = fmt.short_id(run_id, RUN_ID_WIDTH)
        lines.append(f"{len(checkpoints):>5}  {fmt.size(size):>8}  {cost:>10}  {name}")
    return lines


def scope_body(store: Store, scope: RunScope, unread: list[str], tail: str) -> Content:
    """The modal's text: the summary, the runs, the runs that could not be read, a warning."""
    lines = [summary(store, scope), "", *run_lines(store, scope)]
    if unread:
        lines += ["", f"{human.count(len(unread), 'run')} could not be read and are left alone."]
    if tail:
        lines += ["", tail]
    from lazytinker.ui.modals import literal

    return literal("\n".join(lines), multiline=True)


class RunActions(Flows):
    """The run-level flows. `host` is the pane the key was pressed on; `settled` is called once
    the runs were acted on (to drop the selection)."""

    async def scope(self, run_ids: list[str], what: str) -> tuple[RunScope, list[str]] | None:
        """Read the runs' checkpoints afresh; None (and why) when there is nothing to act on."""
        if not run_ids:
            self._say(f"Highlight or select a run to {what}.", "warning")
            return None
        if self.store.read_only and what != "save":
            self._say(f"Read-only mode: cannot {what} (--read-only or ui.read_only).", "warning")
            return None
        if len(run_ids) > 1:
            self._say(f"Reading the checkpoints of {len(run_ids)} runs…", "information")
        scope = await self.store.read_runs(run_ids)
        unread = [r for r in run_ids if r not in scope]
        if not every_checkpoint(scope):
            noun = "this run" if len(run_ids) == 1 else "these runs"
            self._say(f"No checkpoints in {noun} to {what}.", "warning")
            return None
        return scope, unread

    def _title(self, verb: str, scope: RunScope) -> str:
        count = len(every_checkpoint(scope))
        runs = "this run" if len(scope) == 1 else f"{len(scope)} runs"
        return f"{verb} all {count} checkpoints of {runs}?"

    async def delete(self, run_ids: list[str]) -> None:
        """Delete every checkpoint of the runs, after the summary modal."""
        found = await self.scope(run_ids, "delete")
        if found is None:
            return
        scope, unread = found
        items = every_checkpoint(scope)
        body = scope_body(self.store, scope, unread, "Deleted checkpoints cannot be recovered.")
        from lazytinker.ui.modals import ConfirmModal

        modal = ConfirmModal(
            self._title("Delete", scope) + " This is permanent.",
            body,
            confirm_label=f"Delete {human.count(len(items), 'checkpoint')}",
            danger=True,
        )
        if not await self.host.app.push_screen_wait(modal):
            return
        self.settled()
        label = (
            f"Deleting {human.count(len(items), 'checkpoint')} of {human.count(len(scope), 'run')}"
        )
        try:
            await self.store.delete(self._refs(items), label=label)
        except ReadOnlyError as error:
            self._say(str(error), "warning")

    async def set_ttl(self, run_ids: list[str]) -> None:
        """Set or remove the expiry of every checkpoint of the runs."""
        found = await self.scope(run_ids, "set the expiry of")
        if found is None:
            return
        scope, unread = found
        items = every_checkpoint(scope)
        lines = [summary(self.store, scope), *run_lines(self.store, scope)]
        if unread:
            lines.append(f"{human.count(len(unread), 'run')} could not be read and are left alone.")
        of_runs = human.count(len(scope), "run")
        title = f"Set the TTL of all {human.count(len(items), 'checkpoint')} of {of_runs}"
        from lazytinker.ui.modals import TtlModal

        choice: TtlChoice | None = await self.host.app.push_screen_wait(
            TtlModal(lines, now=self.store.moment, title=title)
        )
        if choice is None:
            return
        self.settled()
        try:
            await self.store.set_ttl(self._refs(items), choice.seconds)
        except ReadOnlyError as error:
            self._say(str(error), "warning")

    async def publish(self, run_ids: list[str]) -> None:
        """Publish every checkpoint of the runs (or unpublish, when all are public)."""
        found = await self.scope(run_ids, "publish")
        if found is None:
            return
        scope, unread = found
        items = every_checkpoint(scope)
        public = not all(c.public for c in items)
        targets = [c for c in items if c.public != public]
        verb = "Publish" if public else "Unpublish"
        tail = (
            f"{len(targets)} will become public: anyone with a path can load it."
            if public
            else f"{len(targets)} will become private."
        )
        from lazytinker.ui.modals import ConfirmModal

        modal = ConfirmModal(
            self._title(verb, scope), scope_body(self.store, scope, unread, tail),
            confirm_label=f"{verb} {len(targets)}",
        )  # fmt: skip
        if not await self.host.app.push_screen_wait(modal):
            return
        self.settled()
        refs = self._refs(targets)
        try:
            results = await (self.store.publish(refs) if public else self.store.unpublish(refs))
        except ReadOnlyError as error:
            self._say(str(error), "warning")
            return
        word = "public" if public else "private"
        done = sum(r.ok for r in results)
        said = human.of(done, len(results), "checkpoint")
        self._say(f"{said} {'is' if done == 1 else 'are'} now {word}.")

    async def save(self, run_ids: list[str]) -> None:
        """Download every checkpoint of the runs (asks where, after the summary)."""
        found = await self.scope(run_ids, "save")
        if found is None:
            return
        scope, unread = found
        app = self.host.app
        manager = getattr(app, "downloads", None)
        if manager is None:
            self._say("Downloads are not available here.", "warning")
            return
        from lazytinker.ui.modals import ConfirmModal

        modal = ConfirmModal(
            self._title("Download", scope), scope_body(self.store, scope, unread, ""),
            confirm_label="Choose where",
        )  # fmt: skip
        if not await app.push_screen_wait(modal):
            return
        await save_checkpoints(
            self.host,
            manager,
            every_checkpoint(scope),
            directory=getattr(app, "download_directory", "~/tinker-checkpoints"),
            extract=getattr(app, "extract", True),
        )
        self.settled()


class RunKeys(Widget):
    """Mixin for the runs pane: `d`, `t`, `p`, `s` act on every checkpoint of the selected runs
    (or the highlighted one). List it after the Textual base; put `RUN_BINDINGS` in `BINDINGS`
    and set `store`."""

    store: Store

    def run_targets(self) -> list[str]:
        """The selected runs, else the highlighted one."""
        return []

    def runs_done(self) -> None:
        """The runs were acted on (drop the selection)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what the service lacks (hpcai: no publish, no TTL)."""
        if action == "publish":
            return self.store.supports(Capability.PUBLISH)
        if action == "ttl":
            return self.store.supports(Capability.TTL)
        return super().check_action(action, parameters)

    @property
    def run_actions(self) -> RunActions:
        """The flows, acting as this widget."""
        return RunActions(self, self.store, self.runs_done)

    @work(group="action")
    async def action_delete(self) -> None:
        """`d`: delete every checkpoint of the runs."""
        await self.run_actions.delete(self.run_targets())

    @work(group="action")
    async def action_ttl(self) -> None:
        """`t`: set or remove the expiry of every checkpoint of the runs."""
        await self.run_actions.set_ttl(self.run_targets())

    @work(group="action")
    async def action_publish(self) -> None:
        """`p`: publish (or unpublish) every checkpoint of the runs."""
        await self.run_actions.publish(self.run_targets())

    @work(group="action")
    async def action_save(self) -> None:
        """`s`: download every checkpoint of the runs."""
        await self.run_actions.save(self.run_targets())
