"""The audit log view (`7`): who published, deleted, downloaded or copied what, one UTC day at a
time (`[` the day before, `]` the day after, `T` today). Reading it needs an admin role: a key
without one sees the server's refusal in the pane; a server without the log does not offer it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType

from lazytinker.api.models import AuditLogEntry
from lazytinker.store import Capability, Change, Store
from lazytinker.ui import format as fmt
from lazytinker.ui.table import Column, VirtualTable
from lazytinker.ui.views.base import PaneView, fresh_mark

SHOWN_DETAILS = 4
"""Detail pairs shown in the row (the detail panel shows them all)."""
SKIPPED = frozenset({"actor", "actor_email", "tinker_path"})


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event as a row: when, who, what happened, to what, and the rest."""

    key: str
    time: str
    who: str
    event: str
    subject: str
    details: str


def audit_rows(entries: list[AuditLogEntry]) -> list[AuditRow]:
    """The day's events, oldest first, each one row (two at the same instant stay two)."""
    rows = []
    for index, entry in enumerate(entries):
        extra = entry.event_details
        who = extra.get("actor_email") or extra.get("actor") or fmt.UNKNOWN
        subject = entry.tinker_path or extra.get("tinker_path") or entry.model_id or fmt.UNKNOWN
        pairs = [
            f"{k}={v if isinstance(v, str) else json.dumps(v)}"
            for k, v in sorted(extra.items())
            if k not in SKIPPED and v is not None
        ]
        if entry.purpose and not any(p.startswith("purpose=") for p in pairs):
            pairs.insert(0, f"purpose={entry.purpose}")
        rows.append(
            AuditRow(
                key=f"{index:06d}",
                time=entry.timestamp.astimezone(UTC).strftime("%H:%M:%S"),
                who=str(who),
                event=entry.event,
                subject=str(subject),
                details=", ".join(pairs[:SHOWN_DETAILS]),
            )
        )
    return rows


def audit_columns() -> list[Column[AuditRow]]:
    """Time (UTC), who, event, subject, details."""
    return [
        Column("time", "Time UTC", lambda r: r.time, width=8, priority=9, searchable=False),
        Column("who", "Who", lambda r: r.who, min_width=12, priority=5),
        Column("event", "Event", lambda r: r.event, min_width=14, priority=8),
        Column(
            "subject", "Checkpoint", lambda r: r.subject, min_width=16, priority=7, cut="middle"
        ),
        Column("details", "Details", lambda r: r.details, min_width=10, priority=2),
    ]


class AuditView(PaneView):
    """One UTC day of the audit log; reloaded each time it is opened."""

    collection = "audit"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "day(-1)", "Day before", id="audit_previous_day"),
        Binding("right_square_bracket", "day(1)", "Day after", id="audit_next_day"),
        Binding("T", "today", "Today", id="audit_today"),
    ]

    def __init__(self, store: Store) -> None:
        table: VirtualTable[AuditRow] = VirtualTable(
            audit_columns(),
            key=lambda r: r.key,
            row_mark=fresh_mark(store),
            empty_text="No events that day: [ the day before, ] the day after.",
            id="audit",
        )
        super().__init__(store, "Audit log", table, id="audit-pane")

    def apply(self, change: Change) -> bool:
        """The day's events replace the rows (they have no keys to diff by)."""
        if change.collection != self.collection:
            return False
        audit = self.store.audit
        self.table.set_items(audit_rows(audit.entries) if audit else [])
        day = self.store.audit_day
        self.scope = f"{day.isoformat()} (UTC)" if day else ""
        self.set_error(self.store.errors.get("audit"))
        self.update_title()
        return True

    def unavailable(self) -> str | None:
        """A server without the audit log."""
        if self.store.supports(Capability.AUDIT):
            return None
        return self.store.why_not(Capability.AUDIT)

    def action_day(self, step: int) -> None:
        """`[` / `]`: the day before or after the one shown."""
        day = self.store.audit_day or self.store.now().astimezone(UTC).date()
        self._load_day(day + timedelta(days=step))

    def action_today(self) -> None:
        """`T`: today's events."""
        self._load_day(self.store.now().astimezone(UTC).date())

    @work(group="view", exclusive=True)
    async def _load_day(self, day: date) -> None:
        self.fetching = True
        self.update_title()
        await self.store.load_audit(day)
        self.fetching = False
        self.update_title()
