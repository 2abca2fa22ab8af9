"""`serve --no-archive`: `GET …/archive` answers 404, as on a service that has dropped the route."""

from __future__ import annotations

import httpx
import pytest

from lazytinker.server.cli import build_parser
from tests.conftest import StartServer

KEY = {"X-API-Key": "tml-demo"}


def test_flag_sets_the_config() -> None:
    assert build_parser().parse_args(["--no-archive"]).archive is False
    assert build_parser().parse_args([]).archive is True


@pytest.mark.parametrize("flavor", ["tinker", "hpcai"])
def test_archive_is_404_without_it(start_server: StartServer, flavor: str) -> None:
    with_archive = start_server(flavor=flavor)
    without = start_server(flavor=flavor, archive=False)
    run = httpx.get(f"{without.url}/api/v1/training_runs?limit=1", headers=KEY).json()
    run_id = run["training_runs"][0]["training_run_id"]
    checkpoint = httpx.get(
        f"{without.url}/api/v1/training_runs/{run_id}/checkpoints", headers=KEY
    ).json()["checkpoints"][0]["checkpoint_id"]
    suffix = f"/api/v1/training_runs/{run_id}/checkpoints/{checkpoint}/archive"
    # Same seed, same checkpoint: the server with the archive route redirects to it.
    assert httpx.get(with_archive.url + suffix, headers=KEY).status_code == 302
    missing = httpx.get(without.url + suffix, headers=KEY)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    # Everything else still works.
    listed = httpx.get(f"{without.url}/api/v1/training_runs/{run_id}/checkpoints", headers=KEY)
    assert listed.status_code == 200
