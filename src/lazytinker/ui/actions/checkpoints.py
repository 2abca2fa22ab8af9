"""What the checkpoint keys do, in one place: publish/unpublish (`p`), expiry (`t`), delete (`d`)
and save (`s`), on whatever checkpoints the view in use says they apply to.

Two parts:

- `CheckpointActions`, the flows: each asks in a modal, calls the store, says what happened. A
  flow knows nothing of tables or selections; it is given the checkpoints.
- `CheckpointKeys`, a mixin for any widget that holds checkpoints (the run's checkpoints pane,
  all checkpoints): `action_*` methods that ask the widget for its targets
  (`checkpoint_targets`) and run the flow, hidden where the service lacks them. The widget puts
  `CHECKPOINT_BINDINGS` in its own `BINDINGS`.

`K` (keep forever) is one more flow here. The same keys on whole runs are `actions/runs.py`
(the runs pane), and the clean-up planner (`C`) is `views/planner.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding, BindingType
from textual.widget import Widget

from lazytinker import human
from lazytinker.api.models import Checkpoint
from lazytinker.store import Capability, ReadOnlyError, Store
from lazytinker.ui.actions.downloads import save_checkpoints
from lazytinker.ui.actions.flows import Flows
from lazytinker.ui.actions.projects import copy_checkpoints
from lazytinker.ui.cost import checkpoints_size, size_and_cost
from lazytinker.ui.offered import offered

if TYPE_CHECKING:
    from lazytinker.store.ttl import TtlChoice

CHECKPOINT_BINDINGS: list[BindingType] = [
    Binding("p", "publish", "Publish", id="publish"),
    Binding("d", "delete", "Delete", id="delete"),
    Binding("t", "ttl", "TTL", id="ttl"),
    Binding("s", "save", "Save", id="save"),
    Binding("c", "copy_to_project", "Copy to project", show=False, id="copy_to_project"),
]
KEEP_FOREVER = Binding("K", "keep_forever", "Keep forever", id="keep_forever")
"""After the ordering keys in a checkpoint list's `BINDINGS` (the key bar keeps its order)."""

NEEDS = {
    "publish": Capability.PUBLISH,
    "ttl": Capability.TTL,
    "keep_forever": Capability.TTL,
    "copy_to_project": Capability.COPY,
}
"""The capability each checkpoint key needs from the server."""

LISTED = 20
"""Paths a publish confirmation lists before `… and N more`."""


def _publish_text(targets: list[Checkpoint], public: bool) -> tuple[str, str]:
    """The confirmation's title (the one question) and body (what it is asked of, and what
    follows) for making `targets` public (or private)."""
    word = "public" if public else "private"
    if len(targets) == 1:
        title = f"Make this checkpoint {word}?"
    else:
        title = f"Make {human.count(len(targets), 'checkpoint')} {word}?"
    body = "\n".join(c.path for c in targets[:LISTED])
    if len(targets) > LISTED:
        body += f"\n… and {len(targets) - LISTED} more"
    body += (
        "\nOnce public, anyone with the path can load it."
        if public
        else "\nOnce private, only your account can load it."
    )
    return title, body


class CheckpointActions(Flows):
    """The checkpoint flows. `host` is the widget the key was pressed on (its app shows the
    modals and toasts); `settled` is called once the targets have been acted on, so the caller
    can drop its selection. Run each flow from a worker: it waits for a modal."""

    def writable(self, targets: list[Checkpoint], what: str) -> bool:
        """Whether there is something to act on and the store may change it; else say why."""
        if not targets:
            self._say(f"Highlight or select a checkpoint to {what}.", "warning")
            return False
        if self.store.read_only:
            self._say(f"Read-only mode: cannot {what} (--read-only or ui.read_only).", "warning")
            return False
        return True

    async def publish(self, targets: list[Checkpoint]) -> None:
        """Publish (or unpublish, when all targets are public) after a confirmation."""
        if not self.writable(targets, "publish"):
            return
        public = not all(c.public for c in targets)
        if public:
            targets = [c for c in targets if not c.public]
        title, body = _publish_text(targets, public)
        label = "Publish" if public else "Unpublish"
        from lazytinker.ui.modals import ConfirmModal

        if not await self.host.app.push_screen_wait(ConfirmModal(title, body, confirm_label=label)):
            return
        refs = self._refs(targets)
        try:
            results = await (self.store.publish(refs) if public else self.store.unpublish(refs))
        except ReadOnlyError as error:
            self._say(str(error), "warning")
            return
        self.settled()
        word = "public" if public else "private"
        done = sum(r.ok for r in results)
        if done and len(results) > 1:
            self._say(f"{human.of(done, len(results), 'checkpoint')} now {word}.")
        elif done == 1 and results[0].ok and "already" not in results[0].message:
            self._say(results[0].message or f"Now {word}.")

    async def set_ttl(self, targets: list[Checkpoint]) -> None:
        """Set or remove the expiry after choosing it in a modal."""
        if not self.writable(targets, "set the expiry of"):
            return
        from lazytinker.ui.modals import TtlModal

        choice: TtlChoice | None = await self.host.app.push_screen_wait(
            TtlModal(
                [c.path for c in targets],
                now=self.store.moment,
                expiries=[c.expires_at for c in targets],
            )
        )
        if choice is None:
            return
        try:
            results = await self.store.set_ttl(self._refs(targets), choice.seconds)
        except ReadOnlyError as error:
            self._say(str(error), "warning")
            return
        self.settled()
        done = sum(r.ok for r in results)
        what = "removed" if choice.seconds is None else "set"
        if done == len(results):  # the store says what failed or was cancelled
            self._say(f"Expiry {what} on {human.of(done, len(results), 'checkpoint')}.")

    async def keep_forever(self, targets: list[Checkpoint]) -> None:
        """`K`: never expire, in one step (nothing is lost: `t` sets an expiry again); the
        toast says what keeping them costs."""
        if not self.writable(targets, "keep"):
            return
        count = len(targets)
        label = f"Keeping {human.count(count, 'checkpoint')} forever"
        try:
            results = await self.store.set_ttl(self._refs(targets), None, label=label)
        except ReadOnlyError as error:
            self._say(str(error), "warning")
            return
        self.settled()
        kept = {r.path for r in results if r.ok}
        if kept:
            size, unknown = checkpoints_size(c for c in targets if c.path in kept)
            cost = size_and_cost(self.store, size, unknown=unknown)
            noun = "This checkpoint" if len(kept) == 1 else f"{len(kept)} checkpoints"
            self._say(f"{noun} will never expire: {cost} for as long as kept.")

    async def delete(self, targets: list[Checkpoint]) -> None:
        """List what will go, confirm, delete in the background (the store reports progress)."""
        if not self.writable(targets, "delete"):
            return
        from lazytinker.ui.modals import DeleteItem, DeleteModal

        items = [DeleteItem(c.path, c.size_bytes, c.time) for c in targets]
        if not await self.host.app.push_screen_wait(DeleteModal(items, now=self.store.moment)):
            return
        self.settled()
        try:
            await self.store.delete(self._refs(targets))
        except ReadOnlyError as error:
            self._say(str(error), "warning")

    async def save(self, targets: list[Checkpoint]) -> None:
        """Download the targets (asks where first)."""
        app = self.host.app
        manager = getattr(app, "downloads", None)
        if manager is None:
            self._say("Downloads are not available here.", "warning")
            return
        await save_checkpoints(
            self.host,
            manager,
            targets,
            directory=getattr(app, "download_directory", "~/tinker-checkpoints"),
            extract=getattr(app, "extract", True),
        )
        self.settled()


class CheckpointKeys(Widget):
    """Mixin for a widget that holds checkpoints: `p`, `d`, `t`, `s` act on its
    `checkpoint_targets`; publish and TTL are hidden where the service lacks them (hpcai).

    List it after the Textual base class (Textual takes CSS from the first base only), put
    `CHECKPOINT_BINDINGS` in the class's own `BINDINGS` and set `store`."""

    store: Store

    async def checkpoint_targets(self) -> list[Checkpoint]:
        """The checkpoints the keys act on now (a selection, the highlighted one, a run's)."""
        return []

    def targets_done(self) -> None:
        """The targets were acted on (drop the selection)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what the flavor lacks (hpcai: no publish, no TTL), grey what the server said
        it lacks or refuses (`ui.offered`)."""
        needs = NEEDS.get(action)
        if needs is not None:
            return offered(self.store, needs)
        return super().check_action(action, parameters)

    @property
    def checkpoint_actions(self) -> CheckpointActions:
        """The flows, acting as this widget."""
        return CheckpointActions(self, self.store, self.targets_done)

    @work(group="action")
    async def action_publish(self) -> None:
        """`p`: publish, or unpublish when all targets are public (confirmation)."""
        await self.checkpoint_actions.publish(await self.checkpoint_targets())

    @work(group="action")
    async def action_ttl(self) -> None:
        """`t`: set or remove the expiry."""
        await self.checkpoint_actions.set_ttl(await self.checkpoint_targets())

    @work(group="action")
    async def action_delete(self) -> None:
        """`d`: delete, after listing every checkpoint, its size and the total."""
        await self.checkpoint_actions.delete(await self.checkpoint_targets())

    @work(group="action")
    async def action_copy_to_project(self) -> None:
        """`c`: copy into a project, with the copy's expiry."""
        await copy_checkpoints(self, self.store, await self.checkpoint_targets())
        self.targets_done()

    async def action_keep_forever(self) -> None:
        """`K`: never expire (one step, no confirmation: `t` undoes it)."""
        await self.checkpoint_actions.keep_forever(await self.checkpoint_targets())

    @work(group="action")
    async def action_save(self) -> None:
        """`s`: download (asks where first)."""
        await self.checkpoint_actions.save(await self.checkpoint_targets())
