"""`lazytinker serve`: run the stand-in Tinker server until Ctrl-C."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence

import uvicorn

from lazytinker.server.config import ServerConfig
from lazytinker.server.faults import FaultSpecError

__all__ = ["build_parser", "main"]


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must not be negative")
    return value


def _port(text: str) -> int:
    value = _non_negative(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port (0..65535)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The `serve` command line, exactly as issue 3 specifies it."""
    parser = argparse.ArgumentParser(
        prog="lazytinker serve",
        description="Run a stand-in Tinker server on this machine, seeded with believable data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="port; 0 takes a free one")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accepted key (repeatable; default tml-demo)",
    )
    parser.add_argument("--flavor", choices=("tinker", "hpcai"), default="tinker")
    parser.add_argument("--db", metavar="PATH", help="SQLite file (default: in memory)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--sessions", type=_non_negative, default=8)
    parser.add_argument("--runs", type=_non_negative, default=30)
    parser.add_argument("--checkpoints-per-run", type=_non_negative, default=20)
    parser.add_argument("--live", action="store_true", help="active sessions keep saving")
    parser.add_argument(
        "--no-archive",
        dest="archive",
        action="store_false",
        help="answer 404 to GET …/archive, as a service without the legacy route does",
    )
    parser.add_argument(
        "--faults", default="", metavar="SPEC", help='e.g. "500:0.1,503:0.05,slow:0.1@/archive"'
    )
    return parser


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints the agreed ready line once it accepts connections."""

    announce = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self.announce, flush=True)


def main(argv: Sequence[str]) -> int:
    """Run the server; returns the process exit status."""
    args = build_parser().parse_args(list(argv))
    keys = tuple(args.api_keys) if args.api_keys else ("tml-demo",)
    config = ServerConfig(
        api_keys=keys,
        flavor=args.flavor,
        db_path=args.db,
        seed=args.seed,
        sessions=args.sessions,
        runs=args.runs,
        checkpoints_per_run=args.checkpoints_per_run,
        live=args.live,
        faults=args.faults,
        archive=args.archive,
    )
    from lazytinker.server.app import create_app
    from lazytinker.server.runner import bind_socket

    try:
        app = create_app(config)
    except FaultSpecError as error:
        print(f"lazytinker serve: --faults: {error}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(
            f"lazytinker serve: cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    server = _AnnouncingServer(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    )
    server.announce = f"lazytinker {config.flavor} stand-in listening on http://{host}:{port}"
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
