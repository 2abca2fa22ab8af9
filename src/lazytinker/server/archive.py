"""Checkpoint files generated on the fly: PEFT adapter files and a tar of them.

Nothing is ever held in memory whole: a file is a list of segments (short literal bytes, or runs
of zero bytes), and any byte range of it can be streamed. The tar is laid out so that its length is
exactly the checkpoint's `size_bytes`, with a valid safetensors header in the adapter file.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass

from lazytinker.server.catalog import BaseModel

__all__ = ["CHUNK", "Blob", "checkpoint_files", "checkpoint_tar"]

CHUNK = 256 * 1024
_ZEROS = bytes(CHUNK)
BLOCK = 512
_MIN_SAFETENSORS = 4096


@dataclass(frozen=True)
class Blob:
    """A byte string described by segments: `bytes` literally, `int` as that many zero bytes."""

    segments: tuple[bytes | int, ...]

    @property
    def length(self) -> int:
        """Total length in bytes."""
        return sum(s if isinstance(s, int) else len(s) for s in self.segments)

    def iter_range(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield bytes `[start, end)` in chunks of at most `CHUNK` bytes."""
        end = self.length if end is None else end
        position = 0
        for segment in self.segments:
            size = segment if isinstance(segment, int) else len(segment)
            lo, hi = max(start, position), min(end, position + size)
            if lo < hi:
                if isinstance(segment, int):
                    remaining = hi - lo
                    while remaining > 0:
                        step = min(remaining, CHUNK)
                        yield _ZEROS if step == CHUNK else _ZEROS[:step]
                        remaining -= step
                else:
                    piece = segment[lo - position : hi - position]
                    for offset in range(0, len(piece), CHUNK):
                        yield piece[offset : offset + CHUNK]
            position += size
            if position >= end:
                break


def adapter_config(model: BaseModel, rank: int) -> bytes:
    """A PEFT `adapter_config.json` for a LoRA on every linear layer."""
    config = {
        "base_model_name_or_path": model.name,
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": rank,
        "lora_alpha": 32,
        "lora_dropout": 0.0,
        "bias": "none",
        "target_modules": [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ],
    }
    return (json.dumps(config, indent=2) + "\n").encode()


def _header_bytes(tensors: dict[str, object], pad_to: int) -> bytes:
    text = json.dumps(tensors, separators=(",", ":")).encode()
    return text + b" " * (pad_to - len(text))


def safetensors_blob(model: BaseModel, rank: int, size: int) -> Blob:
    """A valid safetensors file of exactly `size` bytes: LoRA tensors (zeros), then a U8 filler."""
    size = max(size, _MIN_SAFETENSORS)
    shapes: list[tuple[str, list[int], int]] = []
    budget = size * 0.9
    used = 0
    for layer in range(model.layers):
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            for part, shape in (("lora_A", [rank, model.hidden]), ("lora_B", [model.hidden, rank])):
                nbytes = 2 * shape[0] * shape[1]
                if used + nbytes > budget - 64 * (len(shapes) + 8):
                    break
                name = f"base_model.model.model.layers.{layer}.self_attn.{proj}.{part}.weight"
                shapes.append((name, shape, nbytes))
                used += nbytes

    def build(filler: int) -> dict[str, object]:
        tensors: dict[str, object] = {"__metadata__": {"format": "pt", "base_model": model.name}}
        offset = 0
        for name, shape, nbytes in shapes:
            tensors[name] = {
                "dtype": "BF16",
                "shape": shape,
                "data_offsets": [offset, offset + nbytes],
            }
            offset += nbytes
        if filler:
            tensors["lazytinker.filler"] = {
                "dtype": "U8",
                "shape": [filler],
                "data_offsets": [offset, offset + filler],
            }
        return tensors

    probe = len(json.dumps(build(size), separators=(",", ":")))
    header_len = (probe + 7) // 8 * 8
    filler = size - 8 - header_len - used
    header = _header_bytes(build(filler), header_len)
    return Blob((header_len.to_bytes(8, "little"), header, used + filler))


def checkpoint_files(model: BaseModel, rank: int, safetensors_size: int) -> dict[str, Blob]:
    """The files of an exported LoRA checkpoint, by relative path."""
    return {
        "adapter_config.json": Blob((adapter_config(model, rank),)),
        "adapter_model.safetensors": safetensors_blob(model, rank, safetensors_size),
        "checkpoint_complete": Blob((b"",)),
    }


def _tar_header(name: str, size: int, mtime: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o644
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _pad(size: int) -> int:
    return -size % BLOCK


def checkpoint_tar(model: BaseModel, rank: int, total: int, mtime: int) -> Blob:
    """A tar of the checkpoint's files whose length is exactly `total` (when it is big enough)."""
    config = adapter_config(model, rank)
    fixed = 3 * BLOCK + len(config) + _pad(len(config)) + 2 * BLOCK
    weights_size = max(_MIN_SAFETENSORS, (total - fixed) // BLOCK * BLOCK)
    files = checkpoint_files(model, rank, weights_size)
    segments: list[bytes | int] = []
    for name in ("adapter_config.json", "adapter_model.safetensors", "checkpoint_complete"):
        blob = files[name]
        segments.append(_tar_header(name, blob.length, mtime))
        segments.extend(blob.segments)
        segments.append(_pad(blob.length))
    used = sum(s if isinstance(s, int) else len(s) for s in segments)
    # End of archive: at least two zero blocks; any remainder is more zeros, which readers skip.
    segments.append(max(2 * BLOCK, total - used))
    return Blob(tuple(s for s in segments if s))
