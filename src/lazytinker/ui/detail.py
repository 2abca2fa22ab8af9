"""The detail panel: every field of the highlighted run, checkpoint, session or sampler."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from pydantic import BaseModel
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from lazytinker.api.models import (
    Checkpoint,
    GetSamplerResponse,
    Metadata,
    SupportedModel,
    TrainingRun,
    WeightsInfoResponse,
)
from lazytinker.local import LocalRun
from lazytinker.store import Capability, SessionInfo, Store, run_is_active
from lazytinker.ui import format as fmt
from lazytinker.ui.text import printable
from lazytinker.ui.training_detail import training_lines

Part = str | tuple[str, str]
LABEL = "$text-muted"
GOOD = "$text-success"
BAD = "$text-error"
WEIGHTS_DELAY = 0.3
"""Seconds the cursor rests on a checkpoint before its weights info is asked for."""


def _field(label: str, value: str, style: str = "") -> list[Part]:
    """`label value` with the label dimmed; the value is literal server text."""
    return [(f"{label} ", LABEL), (printable(value), style) if style else printable(value), "  "]


def _metadata(metadata: Metadata | None) -> list[Part]:
    if not metadata:
        return [("metadata ", LABEL), ("none", LABEL)]
    pairs = ", ".join(f"{k}={v}" for k, v in sorted(metadata.items()))
    return [("metadata ", LABEL), printable(pairs)]


def _lines(*lines: list[Part]) -> Content:
    parts: list[Part] = []
    for index, line in enumerate(lines):
        if index:
            parts.append("\n")
        parts.extend(line)
    return Content.assemble(*parts)


def run_detail(
    run: TrainingRun, store: Store, *, width: int = 100, metrics: Sequence[str] | None = None
) -> Content:
    """Every field of a training run; first its training (state, progress, curves of the
    `metrics`, else the main ones) when its log folder is on this box."""
    now = store.now()
    active = run_is_active(run, now)
    first: list[Part] = [(printable(run.training_run_id), "bold"), "  "]
    local = store.local_run(run.training_run_id)
    name = store.run_name(run.training_run_id) if local is None else None
    if name:
        first += _field("name", name)
    first += _field("base", run.base_model)
    first += _field("LoRA rank" if run.is_lora else "full", str(run.lora_rank or "-"))
    first += _field("owner", run.model_owner or "-")
    first += _field("corrupted", "yes" if run.corrupted else "no", BAD if run.corrupted else "")
    second = _field("last request", fmt.long_time(run.last_request_time, now))
    second += _field("state", "active" if active else "idle", GOOD if active else "")
    last = run.last_checkpoint.path if run.last_checkpoint else "none"
    sampler = run.last_sampler_checkpoint.path if run.last_sampler_checkpoint else "none"
    third = _field("last checkpoint", last) + _field("last sampler", sampler)
    if local is not None:
        state, curves, recipe = training_lines(local, metrics, width)
        return _lines(state, curves, first, recipe, second, third, _metadata(run.user_metadata))
    return _lines(first, second, third, _metadata(run.user_metadata))


def local_run_detail(
    local: LocalRun, *, width: int = 100, metrics: Sequence[str] | None = None
) -> Content:
    """A log folder on this box: its training, recipe, and the service runs it names."""
    state, curves, recipe = training_lines(local, metrics, width)
    runs = _field("folder", local.key) + _field("runs", ", ".join(local.run_ids) or "none yet")
    if local.skipped_lines:
        runs += _field("unreadable lines", str(local.skipped_lines))
    return _lines(state, curves, recipe, runs)


def _weights(info: WeightsInfoResponse | str | None) -> list[Part]:
    if info is None:
        return [("weights ", LABEL), ("loading…", LABEL)]
    if isinstance(info, str):
        return [("weights ", LABEL), (printable(info), BAD)]
    modules = [
        name
        for name, on in (
            ("attn", info.train_attn),
            ("mlp", info.train_mlp),
            ("unembed", info.train_unembed),
        )
        if on
    ]
    line = _field("weights: base", info.base_model)
    line += _field("LoRA rank" if info.is_lora else "full", str(info.lora_rank or "-"))
    line += _field("trained", ", ".join(modules) or "-")
    return line


def checkpoint_detail(checkpoint: Checkpoint, store: Store) -> Content:
    """Every field of a checkpoint, plus what loading its weights needs."""
    now = store.now()
    first: list[Part] = [(printable(checkpoint.path), "bold"), "  "]
    first += _field("type", checkpoint.checkpoint_type)
    first += _field("size", fmt.size(checkpoint.size_bytes))
    first += _field(
        "visibility",
        "public" if checkpoint.public else "private",
        GOOD if checkpoint.public else "",
    )
    second = _field("created", fmt.long_time(checkpoint.time, now))
    second += _field(
        "expires",
        "never" if checkpoint.expires_at is None else fmt.long_time(checkpoint.expires_at, now),
    )
    return _lines(
        first,
        second,
        _weights(store.weights_info.get(checkpoint.path)),
        _metadata(checkpoint.user_metadata),
    )


def session_detail(session: SessionInfo, store: Store) -> Content:
    """Every field of a session the store knows."""
    now = store.now()
    active = store.session_active(session)
    first: list[Part] = [(printable(session.session_id), "bold"), "  "]
    name = store.session_name(session)
    if name:
        first += _field("name", name)
    first += _field(
        "status", session.status or ("active" if active else "-"), GOOD if active else ""
    )
    first += _field("owner", session.owner or "-")
    second = _field("created", fmt.long_time(session.created_at, now))
    if session.checkpoints_count is not None:
        second += _field("checkpoints", str(session.checkpoints_count))
    if session.storage_bytes is not None:
        second += _field("storage", fmt.size(session.storage_bytes))
    runs = store.runs_of_session(session.session_id)
    third = _field("runs", str(len(runs)))
    if session.sampler_ids is not None:
        third += _field("samplers", str(len(session.sampler_ids)))
    return _lines(first, second, third, _metadata(session.user_metadata))


def sampler_detail(sampler: GetSamplerResponse, store: Store) -> Content:
    """A sampler's id, base model and model path."""
    first: list[Part] = [(printable(sampler.sampler_id), "bold"), "  "]
    first += _field("base", sampler.base_model)
    return _lines(first, _field("model path", sampler.model_path or "-"))


def model_detail(model: SupportedModel, store: Store) -> Content:
    """A supported model's capabilities."""
    first: list[Part] = [(printable(model.model_name or "?"), "bold"), "  "]
    first += _field("context", str(model.max_context_length or "-"))
    first += _field("trainable", str(model.trainable))
    first += _field("sampleable", str(model.sampleable))
    return _lines(first)


def generic_detail(item: Any) -> Content:
    """Every field of any other row (storage, billing), as `name value` pairs."""
    if isinstance(item, BaseModel):
        fields = item.model_dump()
    elif is_dataclass(item) and not isinstance(item, type):
        fields = asdict(item)
    else:
        return Content(printable(str(item)))
    parts: list[Part] = []
    for name, value in fields.items():
        if name == "key" or value is None:
            continue
        parts += _field(name.replace("_", " "), str(value))
    return _lines(parts)


class DetailPanel(Static):
    """Shows the highlighted item (reading a checkpoint's weights info when the cursor rests
    on it); empty text says what to do."""

    DEFAULT_CSS = """
    DetailPanel { height: 6; border: round $panel-lighten-2; padding: 0 1; }
    """

    def __init__(self, store: Store | None, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.store = store
        self.item: Any = None
        self.metrics: list[str] | None = None
        """The metrics whose curves a run's detail shows (None: its main metrics)."""
        self._shown: str | None = None
        self._weights_timer: Timer | None = None
        self.border_title = "Detail"

    def show(self, item: Any) -> None:
        """Show an item (run, checkpoint, session, sampler, model) or nothing."""
        self.item = item
        self.redraw()

    def follow(self, item: Any) -> None:
        """Show the highlighted item; for a checkpoint, read its weights info once the cursor
        rests there (not for every row it passes on the way)."""
        self.show(item)
        store = self.store
        if store is None or not isinstance(item, Checkpoint) or item.path in store.weights_info:
            return
        if self._weights_timer is not None:
            self._weights_timer.stop()
        path = item.path
        self._weights_timer = self.set_timer(WEIGHTS_DELAY, lambda: self._load_weights(path))

    def _load_weights(self, path: str) -> None:
        if self.store is not None and self.store.supports(Capability.WEIGHTS_INFO):
            self.run_worker(self.store.load_weights_info(path), group="weights")

    def redraw(self) -> None:
        """Render the current item again (its data or the clock changed); repaint only when
        the text changed, so the once-a-minute clock tick of an idle screen writes nothing."""
        content = self._content()
        if content.markup != self._shown:
            self._shown = content.markup
            self.update(content, layout=False)

    def _content(self) -> Content:
        store, item = self.store, self.item
        if store is None or item is None:
            return Content("Nothing highlighted.")
        if isinstance(item, LocalRun):
            return local_run_detail(item, width=max(40, self.size.width - 4), metrics=self.metrics)
        if isinstance(item, TrainingRun):
            width = max(40, self.size.width - 4)
            return run_detail(item, store, width=width, metrics=self.metrics)
        if isinstance(item, Checkpoint):
            return checkpoint_detail(item, store)
        if isinstance(item, SessionInfo):
            return session_detail(item, store)
        if isinstance(item, GetSamplerResponse):
            return sampler_detail(item, store)
        if isinstance(item, SupportedModel):
            return model_detail(item, store)
        return generic_detail(item)
