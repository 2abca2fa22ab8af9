"""A program in a pseudo-terminal, driven and read from outside (tests and benchmarks).

`PtyApp` forks a child on a pty of a given size, collects everything it writes, and waits for
markers, quiet gaps or the end of a key's repaint; `benchmarks/` times with it, tests read the
bytes a real terminal would receive.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from pathlib import Path


class PtyApp:
    """A child process on a pty of a given size; counts and waits for its output."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        size: tuple[int, int] = (160, 48),
        cwd: Path | None = None,
    ):
        self.start = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            if cwd is not None:
                os.chdir(cwd)
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
