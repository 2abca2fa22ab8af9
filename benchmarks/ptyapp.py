"""Run a program in a pseudo-terminal and time what it paints, from outside (benchmarks only)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "tml-demo"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `tinkerscope serve ARGS` in its own process; returns it and its URL once healthy."""
    port = free_port()
    command = [sys.executable, "-m", "tinkerscope", "serve", "--port", str(port), *args]
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
        TINKERSCOPE_CONFIG=str(ROOT / ".cache" / "no-such-config.toml"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    env.pop("NO_COLOR", None)
    return env


class PtyApp:
    """A child process on a pty of a given size; counts and waits for its output."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (160, 48)):
        self.start = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.execvpe(argv[0], argv, env)
        cols, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()

    def read(self, timeout: float) -> bytes:
        """What arrives within `timeout` seconds (b"" if nothing)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until `marker` has appeared in the output."""
        deadline = time.perf_counter() + timeout
        while marker not in self.output:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{marker!r} never appeared")
            self.read(0.05)
        return time.perf_counter() - self.start

    def quiet(self, gap: float = 0.05, limit: float = 10.0) -> int:
        """Read until nothing arrives for `gap` seconds; returns the bytes read."""
        total = 0
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            chunk = self.read(gap)
            if not chunk:
                break
            total += len(chunk)
        return total

    def key_latency(self, key: bytes, gap: float = 0.03) -> float:
        """Seconds from writing `key` until its repaint has been written in full."""
        self.quiet(gap)
        sent = time.perf_counter()
        os.write(self.fd, key)
        last = None
        while True:
            chunk = self.read(gap if last else 2.0)
            if not chunk:
                break
            last = time.perf_counter()
        return (last or sent) - sent

    def peak_rss_mib(self) -> float:
        """The child's peak resident memory (VmHWM)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the child has used."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        """Stop the child."""
        try:
            os.kill(self.pid, signal.SIGTERM)
            for _ in range(50):
                done, _ = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.05)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def tinker_cli() -> Path | None:
    """The official `tinker` CLI 0.38.0 from the SDK tests' cached venv (built if missing)."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.sdk.venvs import TINKER_STEPS, sdk_python

        python = sdk_python("tinker-0.38.0", TINKER_STEPS)
    except BaseException as error:  # pytest.skip raises a BaseException when offline
        print(f"(the tinker CLI could not be installed: {error})")
        return None
    cli = python.parent / "tinker"
    return cli if cli.exists() else None
