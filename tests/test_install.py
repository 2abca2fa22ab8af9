"""Install lazytinker as users do (a wheel in a fresh venv outside the checkout) and run it.

The wheel is built from this checkout, installed with its `server` extra into a new virtual
environment under a temporary folder, and then every entry point is run from there with the
checkout out of reach (another working directory, no PYTHONPATH): `--version`, `serve`, and the
app itself in a pseudo-terminal until the stand-in's run ids are painted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from lazytinker import __version__
from tests.sdk.venvs import _NETWORK_MARKERS
from tests.terminal import PtyApp

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    output = done.stdout + done.stderr
    if done.returncode != 0 and any(marker in output for marker in _NETWORK_MARKERS):
        pytest.skip(f"package index unreachable: {' '.join(command[:4])}")
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout."""
    wheels = tmp_path_factory.mktemp("wheels")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
          "-w", str(wheels), str(ROOT)])  # fmt: skip
    (built,) = wheels.glob("lazytinker-*.whl")
    return built


def _venv_with(requirement: str, directory: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(directory)
    _run([str(directory / "bin" / "python"), "-m", "pip", "install", "--quiet",
          "--disable-pip-version-check", requirement])  # fmt: skip
    return directory / "bin"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh venv holding the wheel with its server extra."""
    return _venv_with(f"{wheel}[server]", tmp_path_factory.mktemp("installed"))


def test_without_the_server_extra_serve_and_demo_say_what_to_install(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    bare = _venv_with(str(wheel), tmp_path_factory.mktemp("bare"))
    for args in (["serve"], ["--demo"]):
        done = subprocess.run(
            [str(bare / "lazytinker"), *args],
            capture_output=True, text=True, cwd=tmp_path, env=_outside_env(tmp_path), timeout=60,
        )  # fmt: skip
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1, done.stderr
        assert "lazytinker[server]" in done.stderr


def _outside_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        TERM="xterm-256color",
        TINKER_API_KEY="tml-demo",
    )
    return env


def test_version_and_help_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    env = _outside_env(tmp_path)
    done = _run([str(installed / "lazytinker"), "--version"], cwd=tmp_path, env=env)
    assert done.stdout.strip() == f"lazytinker {__version__}"
    for sub in ([], ["serve"], ["download"]):
        shown = _run([str(installed / "lazytinker"), *sub, "--help"], cwd=tmp_path, env=env)
        assert shown.stdout.startswith(f"usage: lazytinker {' '.join(sub)}".rstrip())


def test_everything_loads_from_inside_the_installed_package(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import lazytinker, lazytinker.ui.resources as r; "
        "print(lazytinker.__file__); print(r.tcss_path())"
    )
    done = _run([str(installed / "python"), "-c", probe], cwd=tmp_path, env=_outside_env(tmp_path))
    package_file, stylesheet = done.stdout.split()
    site = installed.parent.resolve()
    for loaded in (package_file, stylesheet):
        assert Path(loaded).resolve().is_relative_to(site), loaded
        assert not Path(loaded).resolve().is_relative_to(ROOT), loaded


@pytest.fixture
def installed_server(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`lazytinker serve --port 0` of the installed wheel; yields its URL from the ready line."""
    command = [str(installed / "lazytinker"), "serve", "--port", "0", "--runs", "5"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=_outside_env(tmp_path), stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        assert found, f"no ready line from serve: {line!r}"
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_installed_app_paints_the_servers_runs(
    installed: Path, installed_server: str, tmp_path: Path
) -> None:
    env = {**_outside_env(tmp_path), "TINKER_BASE_URL": installed_server}
    app = PtyApp([str(installed / "lazytinker")], env, size=(120, 35), cwd=tmp_path)
    try:
        app.wait_for(b":train:", timeout=60)
    finally:
        app.close()
    assert b"lazytinker" in app.output
