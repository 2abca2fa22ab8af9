"""Helpers for the download tests: an API client, small archives, a scripted API server."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Limits
from lazytinker.api.paths import CheckpointRef, Flavor
from lazytinker.config import Profile

KEY = "tml-secret-key-for-tests"
FAST = Limits(backoff=0.01, max_build_wait=10.0)
REF = CheckpointRef.parse("tinker://sess:train:0/weights/final")
ARCHIVE = "/api/v1/training_runs/sess:train:0/checkpoints/weights/final/archive"
EXTERNAL = CheckpointRef.parse("tinker://sess:train:0/external_weights/final")
EXTERNAL_URLS = (
    "/api/v1/training_runs/sess:train:0/checkpoints/external_weights/final/external_weights_urls"
)


def api_for(url: str, flavor: Flavor = "tinker") -> TinkerAPI:
    """A client for a server at `url`, with the test key."""
    return TinkerAPI(Profile("test", flavor, url, KEY).target())


def tar_of(files: dict[str, bytes], mode: str = "w") -> bytes:
    """A tar (or `w:gz`) of regular files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GOOD_TAR = tar_of({"adapter_config.json": b"{}", "checkpoint_complete": b""})


def names(folder: Path) -> list[str]:
    """The entries of a folder, sorted (nothing when it does not exist)."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
