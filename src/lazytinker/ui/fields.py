"""What the detail shows of each kind of row, as labelled fields formatted as the tables format
them (sizes, counts, yes/no, money, times against the shown moment); never a raw field name, a
bare float or a Python `None`.

The detail panel flows the fields a line per group; the zoomed detail (`z`) puts each on a line
of its own and lists the metadata key by key. Both read them from here, so they cannot differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from lazytinker.api.models import (
    Checkpoint,
    TrainingRun,
)
from lazytinker.store import SessionInfo, Store, run_is_active
from lazytinker.ui import format as fmt
from lazytinker.ui.columns import BillingRow

if TYPE_CHECKING:
    from lazytinker.api.models import (
        CheckpointStorageItem,
        GetSamplerResponse,
        SupportedModel,
        WeightsInfoResponse,
    )

U = fmt.UNKNOWN

GOOD = "$text-success"
BAD = "$text-error"
MUTED = "$text-muted"


class Field(msgspec.Struct, frozen=True):
    """One labelled value (server text in `value` is shown literally by whoever paints it)."""

    label: str
    value: str
    style: str = ""


class Fields(msgspec.Struct):
    """An item's title (its id) and its fields in groups (a line each in the panel), and its
    metadata, which the zoomed detail lists key by key."""

    title: str
    groups: list[list[Field]] = msgspec.field(default_factory=list)
    metadata: Mapping[str, str] | None = None
    has_metadata: bool = True
    """Whether this kind of item carries metadata at all (a model or a storage row does not)."""


def yes_no(value: bool | None) -> str:
    """`yes`, `no`, or `—` when not known."""
    return U if value is None else ("yes" if value else "no")


def number(value: float | None) -> str:
    """`1,234` (whole) or `1,234.57`; `—` when not known."""
    if value is None:
        return U
    if isinstance(value, bool):
        return yes_no(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def money(value: float | None) -> str:
    """`$34.53`; `—` when not known."""
    return U if value is None else f"${value:,.2f}"


def text(value: str | None) -> str:
    """Server text as is; `—` when missing or empty."""
    return value or U


def _rank(is_lora: bool, rank: int | None) -> Field:
    """`LoRA rank 32`, or `training full fine-tune` (a rank without LoRA means nothing)."""
    if is_lora or rank is not None:
        return Field("LoRA rank", str(rank) if rank is not None else U)
    return Field("training", "full fine-tune")


def run_fields(run: TrainingRun, store: Store) -> Fields:
    """A training run: model and rank, owner, state, last request, last checkpoints."""
    now = store.moment
    active = run_is_active(run, now)
    first: list[Field] = []
    name = store.run_name(run.training_run_id)
    if name and store.local_run(run.training_run_id) is None:  # else its training says it
        first.append(Field("name", name))
    first += [
        Field("base", text(run.base_model)),
        _rank(run.is_lora, run.lora_rank),
        Field("owner", text(run.model_owner)),
        Field("corrupted", yes_no(run.corrupted), BAD if run.corrupted else ""),
    ]
    if run.project_id:
        first.append(Field("project", run.project_id))
    second = [
        Field("last request", fmt.long_time(run.last_request_time, now)),
        Field("state", "active" if active else "idle", GOOD if active else ""),
    ]
    last = run.last_checkpoint.path if run.last_checkpoint else "none"
    sampler = run.last_sampler_checkpoint.path if run.last_sampler_checkpoint else "none"
    third = [Field("last checkpoint", last), Field("last sampler", sampler)]
    return Fields(run.training_run_id, [first, second, third], run.user_metadata)


def _weights(info: WeightsInfoResponse | str | None) -> list[Field]:
    if info is None:
        return [Field("weights", "loading…", MUTED)]
    if isinstance(info, str):
        return [Field("weights", info, BAD)]
    modules = [
        name
        for name, on in (
            ("attn", info.train_attn),
            ("mlp", info.train_mlp),
            ("unembed", info.train_unembed),
        )
        if on
    ]
    said = (info.train_attn, info.train_mlp, info.train_unembed)
    return [
        Field("weights: base", text(info.base_model)),
        _rank(info.is_lora, info.lora_rank),
        Field("trained", U if all(v is None for v in said) else (", ".join(modules) or "none")),
    ]


def checkpoint_fields(checkpoint: Checkpoint, store: Store) -> Fields:
    """A checkpoint: type, size, visibility, dates, and what loading its weights needs."""
    now = store.moment
    info = store.weights_info.get(checkpoint.path)
    first = [
        Field("type", checkpoint.checkpoint_type),
        Field("size", fmt.size(checkpoint.size_bytes)),
        Field(
            "visibility",
            ("public" if checkpoint.public else "private") if fmt.sent(checkpoint, "public") else U,
            GOOD if checkpoint.public else "",
        ),
    ]
    said_by_weights = (
        info is not None and not isinstance(info, str) and info.base_model == checkpoint.base_model
    )
    if checkpoint.base_model and not said_by_weights:
        first.append(Field("base", checkpoint.base_model))
    second = [
        Field("created", fmt.long_time(checkpoint.time, now)),
        Field(
            "expires",
            U
            if not fmt.sent(checkpoint, "expires_at")
            else "never"
            if checkpoint.expires_at is None
            else fmt.long_time(checkpoint.expires_at, now, future=True),
        ),
    ]
    weights = _weights(info)
    return Fields(checkpoint.path, [first, second, weights], checkpoint.user_metadata)


def session_fields(session: SessionInfo, store: Store) -> Fields:
    """A session: name, status, owner, created, how much it holds."""
    now = store.moment
    active = store.session_active(session)
    first = []
    name = store.session_name(session)
    if name:
        first.append(Field("name", name))
    status = session.status or ("active" if active else U)
    first += [Field("status", status, GOOD if active else ""), Field("owner", text(session.owner))]
    if session.project_id:
        first.append(Field("project", session.project_id))
    second = [Field("created", fmt.long_time(session.created_at, now))]
    if session.checkpoints_count is not None:
        second.append(Field("checkpoints", number(session.checkpoints_count)))
    if session.storage_bytes is not None:
        second.append(Field("storage", fmt.size(session.storage_bytes)))
    third = [Field("runs", number(len(store.runs_of_session(session.session_id))))]
    if session.sampler_ids is not None:
        third.append(Field("samplers", number(len(session.sampler_ids))))
    return Fields(session.session_id, [first, second, third], session.user_metadata)


def sampler_fields(sampler: GetSamplerResponse) -> Fields:
    """A sampler: base model and the checkpoint it serves (`enter` goes there)."""
    return Fields(
        sampler.sampler_id,
        [
            [Field("base", text(sampler.base_model))],
            [Field("model path", text(sampler.model_path))],
        ],
        has_metadata=False,
    )


def model_fields(model: SupportedModel) -> Fields:
    """A supported model: context length, trainable, sampleable."""
    return Fields(
        model.label or U,
        [
            [
                Field("context", number(model.max_context_length)),
                Field("trainable", yes_no(model.trainable)),
                Field("sampleable", yes_no(model.sampleable)),
            ]
            + (
                [Field("named by", "model_id (no model_name)")]
                if model.model_name is None and model.model_id
                else []
            )
        ],
        has_metadata=False,
    )


def storage_fields(item: CheckpointStorageItem) -> Fields:
    """A storage row: who, how many checkpoints, how much, what it costs a month."""
    return Fields(
        item.project_id or "(no project)",
        [
            [
                Field("owner", text(item.user_name)),
                Field("email", text(item.user_email)),
                Field("user", text(item.org_user_urn)),
            ],
            [
                Field("checkpoints", number(item.checkpoint_count)),
                Field("size", fmt.size(item.size_bytes)),
                Field("cost", f"{money(item.estimated_monthly_cost_usd)} a month"),
            ],
        ],
        has_metadata=False,
    )


def billing_fields(row: BillingRow) -> Fields:
    """A billing row: one day's usage of one kind, model and session."""
    if row.unit == "tokens":
        amount = f"{number(int(row.amount))} tokens"
    elif row.unit == "GBh":
        amount = f"{row.amount:,.1f} GB-hours"
    else:
        amount = number(int(row.amount))
    return Fields(
        f"{row.day} · {row.kind}",
        [
            [Field("model", row.model), Field("session", row.session)],
            [Field("amount", amount), Field("cost", money(row.cost))],
        ],
        has_metadata=False,
    )


def record_values(item: object) -> dict[str, Any] | None:
    """A record's fields by name (a struct's or a dataclass's), or None for anything else."""
    if isinstance(item, msgspec.Struct):
        return msgspec.structs.asdict(item)
    if is_dataclass(item) and not isinstance(item, type):
        return asdict(item)
    return None


def any_fields(item: Any, store: Store) -> Fields:
    """Whatever else a pane may hold: its fields by name, each formatted by its kind."""
    values = item.model_dump() if hasattr(item, "model_dump") else record_values(item)
    if values is None:
        return Fields(str(item), has_metadata=False)
    shown = [
        Field(name.replace("_", " "), _value(value, store))
        for name, value in values.items()
        if name != "key" and value is not None
    ]
    return Fields(type(item).__name__, [shown], has_metadata=False)


def _value(value: Any, store: Store) -> str:
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, datetime):
        return fmt.long_time(value, store.moment)
    return str(value)


def fields_of(item: Any, store: Store) -> Fields:
    """The fields of a highlighted row, whatever its kind."""
    if isinstance(item, TrainingRun):
        return run_fields(item, store)
    if isinstance(item, Checkpoint):
        return checkpoint_fields(item, store)
    if isinstance(item, SessionInfo):
        return session_fields(item, store)
    # The other views' rows: their models are built when those views first open.
    from lazytinker.api.models import CheckpointStorageItem, GetSamplerResponse, SupportedModel

    if isinstance(item, GetSamplerResponse):
        return sampler_fields(item)
    if isinstance(item, SupportedModel):
        return model_fields(item)
    if isinstance(item, CheckpointStorageItem):
        return storage_fields(item)
    if isinstance(item, BillingRow):
        return billing_fields(item)
    return any_fields(item, store)
