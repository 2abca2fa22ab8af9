"""Running a credential command (`api_key_cmd`, `TINKER_CREDENTIAL_CMD`) within bounds.

The command prints the key on stdout. It gets no stdin (it must not eat the app's keys) and its
stderr goes nowhere (it would draw over the full-screen UI); it has `timeout` seconds, and what
it prints is read up to `limit` bytes. A failure is reported by its exit status alone: what a
failing command printed could be the key, or another secret of the password store.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time

from lazytinker.api.errors import NoCredentialError

OUTPUT_LIMIT = 64 * 1024
"""A key is under a hundred bytes, a JWT a few thousand; a command printing more is not one."""


def run_credential_command(command: str, where: str, *, timeout: float) -> str:
    """The stripped stdout of `command`, run by the shell; `where` names it in messages."""
    try:
        proc = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise NoCredentialError(f"The {where} could not be run: {exc.strerror or exc}") from None
    assert proc.stdout is not None
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while len(output) <= OUTPUT_LIMIT:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoCredentialError(f"The {where} did not finish within {timeout:g} s")
                if not selector.select(left):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
        if len(output) > OUTPUT_LIMIT:
            raise NoCredentialError(
                f"The {where} printed more than {OUTPUT_LIMIT // 1024} KiB; a key is one short line"
            )
        try:
            status = proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            raise NoCredentialError(f"The {where} did not finish within {timeout:g} s") from None
    finally:
        if proc.poll() is None:
            # The whole group: a shell's children (`sleep`, a pager) go with it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
    if status != 0:
        raise NoCredentialError(
            f"The {where} failed with exit status {status}; run it yourself to see why"
        )
    key = output.decode("utf-8", "replace").strip()
    if not key:
        raise NoCredentialError(f"The {where} printed nothing")
    return key
