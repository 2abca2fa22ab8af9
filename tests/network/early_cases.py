"""What the early-request tests share: a client whose first wave went early, the error a call
ends in with and without them, and the command line run to a refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from lazytinker.api import tls
from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import UnreachableError
from lazytinker.cli.first_wave import start_early
from tests.ui.harness import profile_for


@asynccontextmanager
async def early_client(url: str) -> AsyncIterator[TinkerAPI]:
    """A client of the hpcai-flavored server at `url` whose first wave was sent early (over
    https, with the TLS context prepared first, as the command line does)."""
    profile = profile_for(url, flavor="hpcai")
    tls.prepare(url)
    async with TinkerAPI(profile.target(), early=start_early(profile)) as api:
        yield api


async def unreachable_both_ways(url: str) -> tuple[str, str]:
    """The message of the `UnreachableError` one listing ends in at `url` (hpcai flavor):
    first with the client sending it, then with the early requests sent first."""
    messages = []
    for early in (False, True):
        profile = profile_for(url, flavor="hpcai")
        async with TinkerAPI(
            profile.target(), early=start_early(profile) if early else None, deadline=5
        ) as api:
            with pytest.raises(UnreachableError) as raised:
                await api.list_training_runs(limit=100, offset=0)
            messages.append(str(raised.value))
    return messages[0], messages[1]


def run_refused(args: list[str], config_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`lazytinker ARGS` run to its end without a terminal (a refusal ends it before any
    screen), with the demo key, no config file and `env` on top."""
    environ = {
        **os.environ,
        "TINKER_API_KEY": "tml-demo",
        "LAZYTINKER_CONFIG": str(config_dir / "none.toml"),
        **env,
    }
    binary = Path(sys.executable).with_name("lazytinker")
    return subprocess.run(
        [str(binary), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
