"""Checkpoint references: `tinker://RUN/KIND/NAME` and `hpcai://RUN/TYPE/NAME` (protocol.md §2, §9).

A `CheckpointRef` is flavor-neutral: it knows the run, the kind (training, sampler, external) and
the name, and can be written out, or turned into the `checkpoint_id` URL segment, in either flavor.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import msgspec

Flavor = Literal["tinker", "hpcai"]
FLAVORS: tuple[Flavor, ...] = ("tinker", "hpcai")


class CheckpointKind(StrEnum):
    """The kind of a checkpoint, named as the wire's `checkpoint_type` names it."""

    TRAINING = "training"
    SAMPLER = "sampler"
    EXTERNAL = "external"


_TINKER_SEGMENT = {
    CheckpointKind.TRAINING: "weights",
    CheckpointKind.SAMPLER: "sampler_weights",
    CheckpointKind.EXTERNAL: "external_weights",
}
_HPCAI_SEGMENT = {
    CheckpointKind.TRAINING: "training",
    CheckpointKind.SAMPLER: "sampler",
}
_KIND_BY_TINKER_SEGMENT = {segment: kind for kind, segment in _TINKER_SEGMENT.items()}
_KIND_BY_HPCAI_SEGMENT = {segment: kind for kind, segment in _HPCAI_SEGMENT.items()}

TINKER_FORM = "tinker://RUN_ID/weights|sampler_weights|external_weights/NAME"
HPCAI_FORM = "hpcai://RUN_ID/training|sampler/NAME"


class InvalidPathError(ValueError):
    """A checkpoint path that does not parse; the message quotes it and shows the expected form."""

    def __init__(self, text: str, why: str, *, expected: str | None = None) -> None:
        forms = expected or f"{TINKER_FORM} or {HPCAI_FORM}"
        self.text = text
        self.why = why
        super().__init__(f"Invalid checkpoint path {text!r}: {why}; expected {forms}")


class CheckpointRef(msgspec.Struct, frozen=True):
    """A reference to one checkpoint of one training run."""

    run_id: str
    kind: CheckpointKind
    name: str
    flavor: Flavor = "tinker"

    @classmethod
    def parse(cls, text: str) -> CheckpointRef:
        """Parse a `tinker://` or `hpcai://` path, raising `InvalidPathError` on anything else.

        The text is taken as it is: callers that accept typed input strip it first.
        """
        if text.startswith("tinker://"):
            return cls._parse_tinker(text, text[len("tinker://") :])
        if text.startswith("hpcai://"):
            return cls._parse_hpcai(text, text[len("hpcai://") :])
        raise InvalidPathError(text, "it must start with tinker:// or hpcai://")

    @classmethod
    def _parse_tinker(cls, text: str, rest: str) -> CheckpointRef:
        parts = rest.split("/")
        if len(parts) != 3:
            raise InvalidPathError(
                text, f"it has {len(parts)} parts after tinker://, not 3", expected=TINKER_FORM
            )
        run_id, segment, name = parts
        _check_run_and_name(text, run_id, name, TINKER_FORM)
        kind = _KIND_BY_TINKER_SEGMENT.get(segment)
        if kind is None:
            raise InvalidPathError(text, f"unknown kind {segment!r}", expected=TINKER_FORM)
        return cls(run_id, kind, name, "tinker")

    @classmethod
    def _parse_hpcai(cls, text: str, rest: str) -> CheckpointRef:
        parts = rest.split("/", 2)
        if len(parts) != 3:
            raise InvalidPathError(
                text, f"it has {len(parts)} parts after hpcai://, not 3", expected=HPCAI_FORM
            )
        run_id, segment, name = parts
        _check_run_and_name(text, run_id, name, HPCAI_FORM)
        kind = _KIND_BY_HPCAI_SEGMENT.get(segment)
        if kind is None:
            raise InvalidPathError(text, f"unknown type {segment!r}", expected=HPCAI_FORM)
        return cls(run_id, kind, name, "hpcai")

    @classmethod
    def from_checkpoint_id(
        cls, run_id: str, checkpoint_id: str, flavor: Flavor = "tinker"
    ) -> CheckpointRef:
        """Build a reference from a run id and a checkpoint id as the given flavor's URLs carry it.

        For hpcai the checkpoint id holds no kind; it is taken as a training checkpoint.
        """
        if flavor == "hpcai":
            return cls(run_id, CheckpointKind.TRAINING, checkpoint_id, "hpcai")
        return cls.parse(f"tinker://{run_id}/{checkpoint_id}")

    def with_flavor(self, flavor: Flavor) -> CheckpointRef:
        """The same checkpoint, written in another flavor's scheme."""
        return CheckpointRef(self.run_id, self.kind, self.name, flavor)

    @property
    def segment(self) -> str:
        """The kind segment of this flavor's path (`weights`, `sampler_weights`, `training`…)."""
        table = _HPCAI_SEGMENT if self.flavor == "hpcai" else _TINKER_SEGMENT
        try:
            return table[self.kind]
        except KeyError:
            raise InvalidPathError(
                str(self.kind), f"{self.flavor} has no {self.kind} checkpoints"
            ) from None

    @property
    def checkpoint_id(self) -> str:
        """The id as it goes into `/training_runs/{run}/checkpoints/{checkpoint_id}` URLs.

        Tinker: `<kind>/<name>` (it contains a slash). HPC-AI: the name alone.
        """
        if self.flavor == "hpcai":
            return self.name
        return f"{self.segment}/{self.name}"

    @property
    def path(self) -> str:
        """The full path, `tinker://run/kind/name` or `hpcai://run/type/name`."""
        return f"{self.flavor}://{self.run_id}/{self.segment}/{self.name}"

    def __str__(self) -> str:
        return self.path


def _check_run_and_name(text: str, run_id: str, name: str, form: str) -> None:
    if not run_id.strip():
        raise InvalidPathError(text, "the run id is empty", expected=form)
    if not name.strip():
        raise InvalidPathError(text, "the checkpoint name is empty", expected=form)
