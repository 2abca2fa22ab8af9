"""The benchmarks' shared set-up: the stand-in in its own process, the environment, the CLI.

`PtyApp` (a program in a pseudo-terminal, timed from outside) lives in `tests/terminal.py`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.terminal import PtyApp  # noqa: E402

__all__ = ["KEY", "ROOT", "PtyApp", "app_env", "free_port", "serve", "tinker_cli"]
KEY = "tml-demo"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `lazytinker serve ARGS` in its own process; returns it and its URL once healthy."""
    port = free_port()
    command = [sys.executable, "-m", "lazytinker", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(f"{url}/api/v1/healthz").status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the stand-in server did not start")


def app_env(url: str) -> dict[str, str]:
    """Environment for our app or the CLI: the stand-in's URL and key, no user config."""
    env = dict(os.environ)
    env.update(
        TINKER_API_KEY=KEY,
        TINKER_BASE_URL=url,
        LAZYTINKER_CONFIG=str(ROOT / ".cache" / "no-such-config.toml"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    env.pop("NO_COLOR", None)
    return env


def tinker_cli() -> Path | None:
    """The official `tinker` CLI 0.38.0 from the SDK tests' cached venv (built if missing)."""
    try:
        from tests.sdk.venvs import TINKER_STEPS, sdk_python

        python = sdk_python("tinker-0.38.0", TINKER_STEPS)
    except BaseException as error:  # pytest.skip raises a BaseException when offline
        print(f"(the tinker CLI could not be installed: {error})")
        return None
    cli = python.parent / "tinker"
    return cli if cli.exists() else None
