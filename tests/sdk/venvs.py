"""Cached virtual environments holding the official SDKs, built with pip on first use.

Each environment lives in `.cache/sdk-venvs/<name>-<key>`, where the key hashes the Python version
and the install steps, so changing a pinned version builds a fresh one. A file lock keeps two test
runs from building the same environment at once. If pip fails because the package index cannot be
reached, the caller skips with that reason; any other failure is an error.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "sdk-venvs"
_NETWORK_MARKERS = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "Connection refused",
    "ProxyError",
    "SSLError",
)

# tinker: the SDK with its full, declared dependency set.
TINKER_STEPS: tuple[tuple[str, ...], ...] = (("tinker==0.38.0",),)
# hpcai: the SDK unmodified, but without its training stack (torch, transformers, datasets, wandb,
# ... several GB). Its REST client imports only these at run time.
HPCAI_STEPS: tuple[tuple[str, ...], ...] = (
    ("--no-deps", "hpcai==0.2.0"),
    ("httpx[http2]>=0.23,<1", "anyio", "distro", "pydantic>=2,<3", "sniffio", "typing-extensions",
     "numpy>=1.24,<2"),
)  # fmt: skip
# The full hpcai install, for LAZYTINKER_SDK_FULL=1: pin torch first (a CPU wheel may be on the
# machine's find-links; an unpinned torch pulls several GB of CUDA wheels).
HPCAI_FULL_STEPS: tuple[tuple[str, ...], ...] = (("torch==2.13.0",), ("hpcai==0.2.0",))


def _python(directory: Path) -> Path:
    return directory / "bin" / "python"


def sdk_python(name: str, steps: tuple[tuple[str, ...], ...]) -> Path:
    """The interpreter of a ready environment with `steps` installed (built once, then cached)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    key = hashlib.sha256(json.dumps([version, steps]).encode()).hexdigest()[:12]
    directory = CACHE / f"{name}-py{version}-{key}"
    marker = directory / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{directory.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return _python(directory)
        shutil.rmtree(directory, ignore_errors=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(directory)
        for step in steps:
            _pip(directory, step)
        marker.write_text(json.dumps(steps))
    return _python(directory)


def _pip(directory: Path, args: tuple[str, ...]) -> None:
    command = [str(_python(directory)), "-m", "pip", "install", "--quiet", "--retries", "2",
               "--timeout", "30", "--disable-pip-version-check", *args]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    shutil.rmtree(directory, ignore_errors=True)
    if any(marker in output for marker in _NETWORK_MARKERS):
        pytest.skip(f"package index unreachable, cannot install {' '.join(args)}")
    tail = "\n".join(line for line in output.splitlines() if "is ignored" not in line)[-2000:]
    pytest.fail(f"pip install {' '.join(args)} failed:\n{tail}")
