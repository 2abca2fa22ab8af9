"""The store's side that faces the server as such (issue 17, 19): what it offers and how the
start-up went, the start-up itself, and the project, identity and audit calls. A mixin of
`Store`, which holds the parts these delegate to.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING

from lazytinker.api.paths import CheckpointRef, Flavor
from lazytinker.store.protocol import Capability, HandshakeState, Learned, StoreAPI
from lazytinker.store.records import ActionResult

if TYPE_CHECKING:
    from lazytinker.store.actions import Actions
    from lazytinker.store.capabilities import Capabilities
    from lazytinker.store.loaders import Loaders
    from lazytinker.store.startup import Startup
    from lazytinker.store.state import StoreState
    from lazytinker.store.watch import Watch


class ServerSide:
    """What the server offers, the start-up, projects, identity and the audit log."""

    api: StoreAPI
    state: StoreState
    capabilities: Capabilities
    loaders: Loaders
    actions: Actions
    startup: Startup
    watch: Watch

    @property
    def flavor(self) -> Flavor:
        """The service's flavor (`tinker` or `hpcai`)."""
        return self.api.flavor

    def supports(self, capability: Capability) -> bool:
        """Whether the service offers a capability (hpcai lacks sessions, publish, TTL…)."""
        return self.capabilities.supports(capability)

    async def connect(self) -> bool:
        """Do the service's start-up handshake; the connection status says how it went."""
        ok = await self.loaders.connect()
        if ok:
            self.watch.connected()
        return ok

    def allowed(self, capability: Capability) -> bool:
        """Offered, and the key may use it (the server did not answer 403)."""
        return self.capabilities.allowed(capability)

    def why_not(self, capability: Capability) -> str:
        """Why a capability is missing or forbidden, in one line ("" when it is neither)."""
        return self.capabilities.why_not(capability)

    def learned(self) -> dict[Capability, Learned]:
        """Every capability and what the server's answers said of it."""
        return self.capabilities.all()

    def learned_of(self, capability: Capability) -> Learned:
        """What the server's answers said of one capability."""
        return self.capabilities.learned(capability)

    @property
    def handshake_state(self) -> HandshakeState:
        """How the start-up handshake went (done, skipped, failed, ...)."""
        return getattr(self.api, "handshake_state", HandshakeState.NONE)

    def projects(self) -> list[str]:
        """The projects seen on runs and sessions."""
        return self.state.projects()

    def start(self, *, again: bool = False, screen: bool = False) -> asyncio.Task[bool]:
        """Connect and load the first runs and sessions, all at once; once (`again`: retry
        after a start that failed). Returns the task: True when the server can be used.
        `screen`: the rest (more pages, who the key is) waits for `first_screen_shown`."""
        return self.startup.start(again=again, screen=screen)

    @property
    def starting(self) -> bool:
        """Whether the start-up (connect, first runs and sessions) is under way."""
        task = self.startup.task
        return task is not None and not task.done()

    async def after_first_screen(self) -> None:
        """Wait until the first screen is painted, when the start-up asked for that."""
        await self.state.after_first_screen()

    def first_screen_shown(self) -> None:
        """The UI has painted its first screen: start-up work that waited for it goes on."""
        self.state.first_screen_shown()

    async def probe(self, everything: bool = False) -> None:
        """Ask the server about every capability no answer has decided yet (`everything`:
        again, every one a read can decide). Reads only."""
        await self.startup.probe(everything)

    async def load_project_runs(self, project_id: str | None) -> bool:
        """Narrow the runs to one project (`project_id` filter; None: every project)."""
        return await self.loaders.runs.load_project(project_id)

    async def load_identity(self) -> bool:
        """Read who the key belongs to (`apikey/me`)."""
        return await self.loaders.identity.load()

    async def load_audit(self, day: date | None = None) -> bool:
        """Read one UTC day of the audit log (default: the day shown, else today)."""
        return await self.loaders.audit.load(day)

    async def move_session(self, session_id: str, project_id: str) -> ActionResult:
        """Move a session (and its runs and samplers) to another project."""
        return await self.actions.move_session(session_id, project_id)

    async def copy_checkpoint(
        self, ref: CheckpointRef, project_id: str, ttl_seconds: int | None
    ) -> ActionResult:
        """Copy a checkpoint into a project, the copy expiring after `ttl_seconds` (or never)."""
        return await self.actions.copy_checkpoint(ref, project_id, ttl_seconds)
