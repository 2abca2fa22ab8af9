"""Column definitions of every table, as functions of the store (for its clock and flags)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import msgspec

from lazytinker.api.models import (
    Checkpoint,
    TrainingRun,
)
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import SessionInfo, Store
from lazytinker.ui import format as fmt
from lazytinker.ui.cost import usd
from lazytinker.ui.table import Column
from lazytinker.ui.training_columns import run_name_column, run_state, run_state_mark

if TYPE_CHECKING:
    from lazytinker.api.models import CheckpointStorageItem, GetSamplerResponse, SupportedModel


def _run_of(checkpoint: Checkpoint) -> str:
    try:
        return CheckpointRef.parse(checkpoint.path).run_id
    except ValueError:
        return fmt.UNKNOWN


U = fmt.UNKNOWN


def has_projects(items: Iterable[TrainingRun] | Iterable[SessionInfo]) -> bool:
    """Whether any run (or session) says which project it is in."""
    return any(item.project_id for item in items)


def session_columns(store: Store) -> list[Column[SessionInfo]]:
    """Sessions: id, state (active marked), project (where sessions have one), created."""

    def state(s: SessionInfo) -> str:
        if store.session_active(s):
            return "● active"
        return s.status or ""

    return [
        Column(
            "session",
            "Session",
            lambda s: store.session_name(s) or s.session_id,
            min_width=16,
            priority=9,
            cut="middle",
        ),
        Column(
            "state",
            "State",
            state,
            width=9,  # "cancelled"
            priority=5,
            mark=lambda s: "active" if store.session_active(s) else "dim",
        ),
        Column(
            "project",
            "Project",
            lambda s: s.project_id or U,
            min_width=8,
            priority=1,
            shown=lambda: has_projects(store.sessions),
        ),
        Column(
            "created",
            "Created",
            lambda s: fmt.ago(s.created_at, store.moment),
            width=8,
            align="right",
            searchable=False,
            sort=lambda s: s.created_at,
            priority=2,
            orders=NEWEST,
            first_reverse=True,
        ),
    ]


def run_columns(store: Store) -> list[Column[TrainingRun]]:
    """Training runs: id, base model, project (where runs have one), rank, state, updated."""

    def state(r: TrainingRun) -> str:
        return run_state(store, r)

    def state_mark(r: TrainingRun) -> str | None:
        return run_state_mark(store, r)

    return [
        Column("run", "Run", lambda r: r.training_run_id, min_width=14, priority=9, cut="middle"),
        run_name_column(store),
        Column(
            "model", "Base model", lambda r: r.base_model or U, min_width=12, priority=4, cut="path"
        ),
        Column(
            "project",
            "Project",
            lambda r: r.project_id or U,
            min_width=10,
            priority=2,
            shown=lambda: has_projects(store.runs),
        ),
        Column(
            "rank",
            "Rank",
            lambda r: str(r.lora_rank) if r.lora_rank is not None else U,
            width=4,
            align="right",
            searchable=False,
            sort=lambda r: r.lora_rank,
            first_reverse=True,
            priority=1,
        ),
        Column("state", "State", state, width=9, mark=state_mark, priority=6),
        Column(
            "updated",
            "Updated",
            lambda r: fmt.ago(r.last_request_time, store.moment),
            width=8,
            align="right",
            searchable=False,
            sort=lambda r: r.last_request_time,
            priority=3,
            orders=("longest idle first", "most recently active first"),
            first_reverse=True,
        ),
    ]


_TYPE = {"training": "train", "sampler": "sampler", "external": "external"}
NEWEST = ("oldest first", "newest first")
BIGGEST = ("smallest first", "biggest first")
_NEVER = (True, datetime.max.replace(tzinfo=UTC))


def _expiry_order(checkpoint: Checkpoint) -> tuple[bool, datetime]:
    """Soonest first; `never` after every date (ascending), first when reversed."""
    when = checkpoint.expires_at
    return _NEVER if when is None else (False, when)


def checkpoint_columns(store: Store, *, with_run: bool = False) -> list[Column[Checkpoint]]:
    """Checkpoints: (run,) id, type, size, public, created, expires."""
    columns: list[Column[Checkpoint]] = []
    if with_run:
        columns.append(Column("run", "Run", _run_of, min_width=12, priority=5, cut="middle"))
    columns += [
        Column(
            "id", "Checkpoint", lambda c: c.checkpoint_id, min_width=12, priority=9, cut="middle"
        ),
        # The first to go in a narrow pane: the id, cut in the middle, keeps `weights/` or
        # `sampler_weights/`, and the expiry is what a clean-up needs in sight.
        Column(
            "type",
            "Type",
            lambda c: _TYPE.get(c.checkpoint_type, c.checkpoint_type),
            width=8,
            priority=1,
        ),
        Column(
            "size",
            "Size",
            lambda c: fmt.size(c.size_bytes),
            width=8,
            align="right",
            searchable=False,
            sort=lambda c: c.size_bytes,
            priority=7,
            orders=BIGGEST,
            first_reverse=True,
        ),
        Column(
            "public",
            "Pub",
            _public,
            width=3,
            searchable=False,
            sort=lambda c: c.public if fmt.sent(c, "public") else None,
            mark=lambda c: "good" if c.public else None,
            priority=6,
        ),
        Column(
            "created",
            "Created",
            lambda c: fmt.ago(c.time, store.moment),
            width=8,
            align="right",
            searchable=False,
            sort=lambda c: c.time,
            priority=4,
            orders=NEWEST,
            first_reverse=True,
        ),
        Column(
            "expires",
            "Expires",
            lambda c: fmt.expires(c.expires_at, store.moment) if fmt.sent(c, "expires_at") else U,
            width=8,
            align="right",
            searchable=False,
            sort=_expiry_order,
            mark=lambda c: None if c.expires_at is None else "danger",
            priority=2,
            orders=("soonest expiry first", "latest expiry first"),
        ),
    ]
    return columns


def _public(c: Checkpoint) -> str:
    """`●` public, blank private, `—` when the server did not say."""
    if not fmt.sent(c, "public"):
        return U
    return "●" if c.public else ""


def sampler_columns(store: Store) -> list[Column[GetSamplerResponse]]:
    """Samplers: id, base model, model path."""
    return [
        Column(
            "sampler", "Sampler", lambda s: s.sampler_id, min_width=16, priority=9, cut="middle"
        ),
        Column(
            "model", "Base model", lambda s: s.base_model or U, min_width=12, priority=5, cut="path"
        ),
        Column(
            "path",
            "Model path",
            lambda s: s.model_path or U,
            min_width=16,
            priority=3,
            cut="path",
        ),
    ]


def _yes(value: bool | None) -> str:
    return U if value is None else ("yes" if value else "no")


def model_columns(store: Store) -> list[Column[SupportedModel]]:
    """Supported models: name, context length, trainable, sampleable."""
    return [
        Column("model", "Model", lambda m: m.label or U, min_width=16, priority=9, cut="path"),
        Column(
            "context",
            "Context",
            lambda m: f"{m.max_context_length:,}" if m.max_context_length else U,
            width=9,
            align="right",
            searchable=False,
            sort=lambda m: m.max_context_length,
            first_reverse=True,
        ),
        Column("train", "Train", lambda m: _yes(m.trainable), width=5),
        Column("sample", "Sample", lambda m: _yes(m.sampleable), width=6),
    ]


def storage_columns(store: Store) -> list[Column[CheckpointStorageItem]]:
    """Storage usage: project, owner, checkpoints, size, monthly cost."""
    return [
        Column("project", "Project", lambda i: i.project_id or U, min_width=10, priority=5),
        Column(
            "owner",
            "Owner",
            lambda i: i.user_email or i.user_name or i.org_user_urn or U,
            min_width=12,
            priority=9,
        ),
        Column(
            "count",
            "Ckpts",
            lambda i: str(i.checkpoint_count),
            width=6,
            align="right",
            searchable=False,
            sort=lambda i: i.checkpoint_count,
            first_reverse=True,
        ),
        Column(
            "size",
            "Size",
            lambda i: fmt.size(i.size_bytes),
            width=9,
            align="right",
            searchable=False,
            sort=lambda i: i.size_bytes,
            priority=8,
            orders=BIGGEST,
            first_reverse=True,
        ),
        Column(
            "cost",
            "$/mo",
            lambda i: U
            if i.estimated_monthly_cost_usd is None
            else usd(i.estimated_monthly_cost_usd),
            width=9,
            align="right",
            searchable=False,
            sort=lambda i: i.estimated_monthly_cost_usd,
            first_reverse=True,
            priority=7,
        ),
    ]


class BillingRow(msgspec.Struct, frozen=True):
    """Billing events summed by day, model, session and kind."""

    key: str
    day: str
    model: str
    session: str
    kind: str
    amount: float
    unit: str
    cost: float


def billing_columns(store: Store) -> list[Column[BillingRow]]:
    """Billing usage: day, kind, model, session, amount, cost."""

    def amount(row: BillingRow) -> str:
        if row.unit == "tokens":
            return f"{int(row.amount):,} tok"
        if row.unit == "GBh":
            return f"{row.amount:,.1f} GBh"
        return f"{int(row.amount):,}"

    return [
        Column("day", "Day", lambda r: r.day, width=10, priority=9),
        Column("kind", "Kind", lambda r: r.kind, width=16, priority=8),
        Column("model", "Model", lambda r: r.model, min_width=10, priority=4, cut="path"),
        Column("session", "Session", lambda r: r.session, min_width=10, priority=2),
        Column(
            "amount",
            "Amount",
            amount,
            width=16,
            align="right",
            searchable=False,
            sort=lambda r: r.amount,
            first_reverse=True,
        ),
        Column(
            "cost",
            "Cost $",
            lambda r: f"{r.cost:,.2f}",
            width=9,
            align="right",
            searchable=False,
            sort=lambda r: r.cost,
            first_reverse=True,
            priority=7,
        ),
    ]


ColumnsFactory = Callable[[Store], list[Column[object]]]
