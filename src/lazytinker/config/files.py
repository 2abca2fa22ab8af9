"""Reading the small local files the config names (config.toml, credentials.json) without a hang.

A path can be a FIFO nobody writes (opening it for reading would wait for ever), a device, a
huge file, or bytes that are not UTF-8. Each is one `ConfigError` line here: the file is opened
without blocking and checked to be a regular file before a byte is read, and read only up to a
size no such file reaches.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lazytinker.api.errors import ConfigError

MAX_LOCAL_FILE = 1024 * 1024
"""A config or credentials file is a few hundred bytes; past a MiB it is not one."""


def read_local_text(path: Path, what: str, *, limit: int = MAX_LOCAL_FILE) -> str | None:
    """The text of a small local file, or None when it does not exist.

    `what` names the file in messages ("Config file", "Stored credentials").
    """
    try:
        # O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read {what.lower()} {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{what} {path} is not a regular file; point it at a file")
        if info.st_size > limit:
            raise ConfigError(
                f"{what} {path} is larger than {limit // 1024} KiB; is it the right file?"
            )
        os.set_blocking(fd, True)
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise ConfigError(f"Cannot read {what.lower()} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ConfigError(
            f"{what} {path} is larger than {limit // 1024} KiB; is it the right file?"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, "
            f"column {column}); save it as UTF-8"
        ) from None
