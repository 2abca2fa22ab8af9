"""The command line against hostile input: a server's answers, and local files and settings.

Two tables. `REFUSALS`: a config file, the environment and arguments -> one line on stderr and
exit status 2 before any full-screen UI, with advice that fits. `SERVER_CASES`: every error case
of `cases.py`, met by `lazytinker download` -> exit status 1, one safe line on stderr per
checkpoint, and with `--json` one JSON line on stdout without the key. Run in-process (the
entry point `lazytinker.cli.main`), so the table is quick; one case runs the real executable.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lazytinker.api.transfer import Progress
from lazytinker.cli import main
from lazytinker.cli.download import ProgressLine
from lazytinker.text import remember_secret
from lazytinker.ui.app import LazytinkerApp
from tests.hostile.cases import CASES, RUNS
from tests.hostile.payloads import EVIL, KEY, assert_safe_line, assert_safe_output
from tests.hostile.server import HostileServer
from tests.hostile.test_api import FAST, script

ARCHIVE = "/api/v1/training_runs/run-1/checkpoints/weights/a/archive"
PATH = "tinker://run-1/weights/a"


@dataclass(frozen=True)
class Refusal:
    """One start-up refusal: what is set up, and what the one line must say."""

    id: str
    says: str
    config: str | bytes | None = None
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    credentials: str | None = None
    fifo: str = ""  # "config" or "credentials": that file is a FIFO nobody writes


REFUSALS = [
    Refusal(
        "unknown-ui-key",
        "config.toml:2 [ui]: unknown key 'refersh' in [ui]; did you mean "
        "'refresh'? valid: animations, read_only, refresh, screenshots, theme",
        "[ui]\nrefersh = 1\n",
    ),
    Refusal(
        "unknown-top-level-key",
        "config.toml:1: unknown key 'refersh' in the top level",
        "refersh = 1\n",
    ),
    Refusal(
        "unknown-profile-key",
        "config.toml:3 [profiles.p]: unknown key 'base_ulr'",
        '[profiles.p]\nflavor = "tinker"\nbase_ulr = "https://x"\n',
    ),
    Refusal(
        "unknown-binding-id",
        "config.toml:2 [keys]: no binding is called 'nosuch'; "
        "the binding ids are about, activate, audit_next_day,",
        '[keys]\nnosuch = "x"\n',
    ),
    Refusal(
        "key-clash",
        "config.toml:3 [keys]: publish = 'd' puts 'd' on two bindings in the "
        "all checkpoints view (delete is there too)",
        '[keys]\nsort = "o"\npublish = "d"\n',
    ),
    Refusal(
        "bad-toml",
        "is not valid TOML: Expected '=' after a key in a key/value pair (at line 2",
        "[ui]\nthis is not toml\n",
    ),
    Refusal(
        "config-not-utf8",
        "is not UTF-8 text (byte 0xff at line 2, column 6); save it as UTF-8",
        b"[ui]\ntheme\xff = 1\n",
    ),
    Refusal("config-a-fifo", "is not a regular file", fifo="config"),
    Refusal(
        "refresh-nan",
        "refresh must be a positive number of seconds from 0.2 to 3600, not nan",
        "[ui]\nrefresh = nan\n",
    ),
    Refusal("refresh-inf", "not inf", "[ui]\nrefresh = inf\n"),
    Refusal(
        "profile-nosuch",
        "Unknown profile 'nosuch': the profiles in",
        "[profiles.prod]\n",
        args=["--profile", "nosuch"],
    ),
    Refusal(
        "profile-nosuch-none-defined",
        "defines none; add a [profiles.nosuch] table there",
        args=["--profile", "nosuch"],
    ),
    Refusal(
        "base-url-not-a-url",
        "must look like https://host[:port][/path]",
        args=["--base-url", "ftp:/nowhere"],
    ),
    Refusal("base-url-ipv6-unclosed", "does not parse", args=["--base-url", "http://[::1"]),
    Refusal("base-url-port-99999", "does not parse", args=["--base-url", "http://127.0.0.1:99999"]),
    Refusal(
        "base-url-with-controls",
        "holds spaces or control characters",
        args=["--base-url", "http://127.0.0.1/\x1b]0;x\x07"],
    ),
    Refusal(
        "http-to-a-remote-host",
        "Refusing plain http:// to example.com",
        args=["--base-url", "http://example.com"],
    ),
    Refusal(
        "theme-unknown-option",
        "--theme 'noord' is not a theme; did you mean 'nord'? The themes: ansi-dark,",
        args=["--theme", "noord"],
    ),
    Refusal(
        "theme-unknown-in-config",
        "config.toml [ui]: theme = 'nosuch' is not a theme",
        '[ui]\ntheme = "nosuch"\n',
    ),
    Refusal(
        "option-out-of-range",
        "argument --refresh: must be between 0.2 and 3600 seconds (lazytinker --help lists",
        args=["--refresh", "-1"],
    ),
    Refusal("option-unknown", "unrecognized arguments: --nosuch", args=["--nosuch"]),
    Refusal(
        "logs-folder-missing",
        "--logs '/nonexistent/runs': no such folder",
        args=["--logs", "/nonexistent/runs"],
    ),
    Refusal("logs-a-file", "--logs '/dev/null': not a folder", args=["--logs", "/dev/null"]),
    Refusal("key-non-ascii", "contains non-ASCII characters", env={"TINKER_API_KEY": "tml-héllo"}),
    Refusal(
        "key-with-a-line-break", "contains a line break", env={"TINKER_API_KEY": "tml-abc\r\ndef"}
    ),
    Refusal(
        "credentials-nested-100000-deep",
        "Cannot read stored credentials",
        credentials="[" * 100_000,
    ),
    Refusal("credentials-a-fifo", "is not a regular file", fifo="credentials"),
]


def _set_up(refusal: Refusal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    if refusal.fifo == "config":
        os.mkfifo(config)
    elif isinstance(refusal.config, bytes):
        config.write_bytes(refusal.config)
    elif refusal.config is not None:
        config.write_text(refusal.config)
    home = tmp_path / "home"
    (home / ".tinker").mkdir(parents=True)
    credentials = home / ".tinker" / "credentials.json"
    if refusal.fifo == "credentials":
        os.mkfifo(credentials)
    elif refusal.credentials is not None:
        credentials.write_text(refusal.credentials)
    for name in ("TINKER_API_KEY", "TINKER_BASE_URL", "TINKER_CREDENTIAL_CMD", "HPCAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("LAZYTINKER_CONFIG", str(config))
    if not refusal.env and refusal.fifo != "credentials" and refusal.credentials is None:
        monkeypatch.setenv("TINKER_API_KEY", KEY)
    for name, value in refusal.env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.id for r in REFUSALS])
def test_a_start_up_refusal_is_one_line_before_any_ui(
    refusal: Refusal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _set_up(refusal, tmp_path, monkeypatch)

    def no_ui(self: LazytinkerApp, **_: Any) -> None:
        raise AssertionError("the full-screen UI started")

    monkeypatch.setattr(LazytinkerApp, "run", no_ui)
    try:
        status = main(refusal.args)
    except SystemExit as exited:  # the argument parser exits by itself
        status = exited.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("lazytinker: ")
    assert_safe_line(err)
    assert refusal.says in err, err


SERVER_CASES = [
    c for c in CASES if c.error is not None and not c.id.startswith(("redirect", "retry-after-of"))
]


def _on_the_archive(routes: list[Any]) -> list[Any]:
    """The case's answers, given by the archive endpoint instead of the run listing."""
    return [(m, ARCHIVE if p == RUNS else p, answers) for m, p, answers in routes]


@pytest.mark.parametrize("case", SERVER_CASES, ids=[c.id for c in SERVER_CASES])
def test_download_meets_a_hostile_server_with_one_safe_line(
    case: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TINKER_API_KEY", KEY)
    monkeypatch.setenv("LAZYTINKER_CONFIG", str(tmp_path / "none.toml"))
    # The same retries, quicker: the table is about what is said, not how long it waits.
    monkeypatch.setattr("lazytinker.api.transport.RetryPolicy", lambda: FAST)
    with HostileServer() as server, HostileServer(handshake=False) as other:
        script(server, _on_the_archive(case.routes), other)
        args = ["download", PATH, "-o", str(tmp_path), "--json", "--base-url", server.url]
        status = main([*args, "--timeout", "2"])
    out, err = capsys.readouterr()
    assert status == 1, (out, err)
    assert err.count("\n") == 1, err
    assert err.startswith(f"lazytinker download: {PATH}: ")
    assert_safe_line(err)
    record = json.loads(out)
    assert record["status"] == "failed"
    assert_safe_line(record["error"])
    assert_safe_line(out)
    assert not list(tmp_path.glob("run-1*")), "something was left under the final name"


def test_a_failing_credential_command_is_told_by_its_exit_status_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TINKER_API_KEY", raising=False)
    monkeypatch.setenv("LAZYTINKER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TINKER_CREDENTIAL_CMD", f"echo {KEY}; echo '{KEY} \x1b]0;x' >&2; exit 3")
    with HostileServer() as server:
        status = main(["download", PATH, "-o", str(tmp_path), "--base-url", server.url])
    out, err = capsys.readouterr()
    assert status == 1
    assert "failed with exit status 3; run it yourself to see why" in err
    assert_safe_line(err)
    assert out == ""


def test_the_progress_line_shows_a_servers_file_name_safely() -> None:
    remember_secret(KEY)  # as resolving the profile does
    sink = io.StringIO()  # not a terminal: the line takes its default width
    line = ProgressLine(sink)
    line.update(Progress(phase="downloading", file=f"{EVIL}{KEY}", done=10, total=100))
    # Our own `\r` and erase-line redraw it in place; the rest is the server's name, made safe.
    written = sink.getvalue()
    assert written.startswith("\r")
    assert_safe_output(re.sub(r"\r|\x1b\[2?K", "", written))
    assert "evil\\x1b]52;c;" in written  # shown escaped (and perhaps cut to fit the line)


def test_the_real_executable_refuses_in_one_line(tmp_path: Path) -> None:
    """The same refusal from the installed entry point, in a process of its own."""
    config = tmp_path / "config.toml"
    config.write_text('[keys]\npublish = "d"\n')
    env = {**os.environ, "LAZYTINKER_CONFIG": str(config), "TINKER_API_KEY": KEY}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lazytinker")), "--base-url", "http://127.0.0.1:9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "publish = 'd' puts 'd' on two bindings" in done.stderr


def test_an_unexpected_crash_prints_no_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    remember_secret(KEY)

    def explode(argv: Any) -> int:
        token = KEY  # a local a traceback with locals would print
        raise RuntimeError(f"boom {token} {EVIL}")

    monkeypatch.setattr("lazytinker.cli.app.main", explode)
    status = main([])
    _, err = capsys.readouterr()
    assert status == 70
    assert "RuntimeError: boom *** evil\\x1b]52;" in err
    assert_safe_output(err)


def test_the_themes_known_without_textual_are_the_pinned_textuals() -> None:
    """The start-up accepts these names without importing Textual: each must be a real theme,
    and every theme Textual ships should be known (else it pays the import to accept it)."""
    from textual.theme import BUILTIN_THEMES

    from lazytinker.cli.refusals import KNOWN_THEMES

    assert set(BUILTIN_THEMES) == KNOWN_THEMES
