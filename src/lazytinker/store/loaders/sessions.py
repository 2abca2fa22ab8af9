"""The sessions loader: search (rich, with status) when the server offers it, else list ids.

The first fallback of a partial server: `search_sessions` answers 404/405/422 (or 403, or
something we can't read) on servers that lack it, and the plain list of ids (details read later,
per session) is used instead; the client remembers the search is missing, so later loads go
straight to the list. Details from an earlier call are kept when a later one leaves them out.
"""

from __future__ import annotations

from typing import Any

from lazytinker.api.errors import (
    BadResponseError,
    NotFoundError,
    NotPermittedError,
    UnsupportedError,
)
from lazytinker.api.models import SessionSearchRequest
from lazytinker.api.models.structs import wire_copy
from lazytinker.api.paging import MAX_ITEMS
from lazytinker.store.loaders.base import Loader
from lazytinker.store.protocol import Capability
from lazytinker.store.records import Fallback, SessionInfo

SEARCH_PAGE = 200
SEARCH_MAX_PAGES = 50
LIST_PAGE = 100
LISTED = Fallback(
    "ids only",
    "no session search here: session ids come from GET /api/v1/sessions, details per session",
)


class SessionsLoader(Loader):
    """Loads `state.sessions`, and one session's runs and samplers on demand."""

    async def load(self) -> bool:
        """Load the sessions: search (rich, with status) when offered, else ids then details."""
        return await self.guard("sessions", self.load_unguarded())

    async def load_unguarded(self) -> None:
        """Load the sessions, raising on failure (for a loader that needs them first)."""
        sessions = self.state.sessions
        if not self.capabilities.supports(Capability.SESSIONS):
            sessions.loaded = True
            return
        infos: list[SessionInfo] | None = None
        if self.capabilities.allowed(Capability.SESSION_SEARCH):
            try:
                infos = await self._search()
            except (UnsupportedError, NotFoundError, NotPermittedError, BadResponseError):
                infos = None
        if infos is None:
            infos = await self._list()
            self.state.set_fallback("sessions", LISTED)
        else:
            self.state.set_fallback("sessions", None)
        previous = sessions.items
        merged = [merge_session(previous.get(info.session_id), info) for info in infos]
        self.state.announce(sessions.replace(merged))

    async def load_one(self, session_id: str) -> bool:
        """Load one session's runs and samplers (needed to drill into it)."""

        async def work() -> None:
            got = await self.api.get_session(session_id)
            sessions = self.state.sessions
            old = sessions.get(session_id) or SessionInfo(session_id=session_id)
            new = merge_session(
                old,
                SessionInfo(
                    session_id=session_id,
                    display_name=got.display_name or old.display_name,
                    user_metadata=got.user_metadata or old.user_metadata,
                    training_run_ids=tuple(got.training_run_ids),
                    sampler_ids=tuple(got.sampler_ids),
                ),
            )
            self.state.announce(sessions.put(new))

        return await self.guard("sessions", work())

    async def _search(self) -> list[SessionInfo]:
        infos: list[SessionInfo] = []
        request = SessionSearchRequest(limit=SEARCH_PAGE)
        seen: set[str] = set()
        for _ in range(SEARCH_MAX_PAGES):
            page = await self.api.search_sessions(request)
            fresh = [s for s in page.sessions if s.session_id not in seen]
            seen.update(s.session_id for s in fresh)
            for s in fresh:
                infos.append(
                    SessionInfo(
                        session_id=s.session_id,
                        created_at=s.created_at,
                        status=status_word(s.status),
                        display_name=s.display_name,
                        owner=s.owner,
                        user_metadata=s.user_metadata,
                        checkpoints_count=s.checkpoints_count,
                        storage_bytes=s.checkpoint_storage_bytes,
                        project_id=s.project_id or None,
                    )
                )
            if page.next_cursor is None:
                break
            if not fresh:
                # A cursor that leads back to what we have would page for ever.
                self._stopped(len(infos), "the next page brought nothing new")
                break
            request = wire_copy(request, cursor=page.next_cursor)
        else:
            self._stopped(len(infos), f"a search reads at most {SEARCH_MAX_PAGES} pages here")
        return infos

    def _stopped(self, count: int, why: str) -> None:
        """Say that the sessions listed are not all the server may have."""
        self.state.notify(f"Sessions: stopped at {count:,}: {why}", "warning")

    async def _list(self) -> list[SessionInfo]:
        ids: dict[str, None] = {}
        offset = 0
        while True:
            page = await self.api.list_sessions(limit=LIST_PAGE, offset=offset)
            fresh = [i for i in page.sessions if i not in ids]
            ids.update(dict.fromkeys(fresh))
            if len(page.sessions) < LIST_PAGE:
                break
            if not fresh or len(ids) >= MAX_ITEMS:
                # A server that ignores the offset would page for ever.
                why = "brought nothing new" if not fresh else f"passed {MAX_ITEMS:,} sessions"
                self._stopped(len(ids), f"the list {why}")
                break
            offset += len(page.sessions)
        return [SessionInfo(session_id=i) for i in ids]


def status_word(status: Any) -> str | None:
    """The word a session's status shows as (`client_finished` reads `finished`)."""
    if status is None:
        return None
    kind = getattr(status, "type", None)
    return {"client_finished": "finished"}.get(str(kind), str(kind)) if kind else None


def merge_session(old: SessionInfo | None, new: SessionInfo) -> SessionInfo:
    """Keep what an earlier call told us when a later one leaves it out."""
    if old is None:
        return new
    values = {
        name: getattr(new, name) if getattr(new, name) is not None else getattr(old, name)
        for name in SessionInfo.__struct_fields__
    }
    return SessionInfo(**values)
