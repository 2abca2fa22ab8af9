"""The options that name a service, shared by `lazytinker` and `lazytinker download`, and the
profile they resolve to."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lazytinker.config import Profile, Settings


def add_service_options(parser: argparse.ArgumentParser) -> None:
    """`--profile`, `--base-url`, `--flavor` and `--insecure`."""
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use")
    parser.add_argument("--base-url", metavar="URL", help="service URL (overrides the profile)")
    parser.add_argument("--flavor", choices=("tinker", "hpcai"), help="service flavor")
    parser.add_argument(
        "--insecure", action="store_true", help="allow plain http:// to a non-loopback host"
    )


def profile_from(args: argparse.Namespace, settings: Settings) -> Profile:
    """The profile those options pick; raises `ConfigError` as `resolve_profile` does."""
    from lazytinker.config import resolve_profile

    return resolve_profile(
        settings=settings,
        profile=args.profile,
        base_url=args.base_url,
        flavor=args.flavor,
        insecure=args.insecure,
    )
