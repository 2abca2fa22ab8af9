"""`lazytinker serve`: run the stand-in Tinker server until Ctrl-C."""

from __future__ import annotations

import argparse
import socket
import sys
import textwrap
from collections.abc import Callable, Sequence

import uvicorn

from lazytinker.server.config import ServerConfig
from lazytinker.server.faults import FaultSpecError
from lazytinker.server.partial import GROUPS, parse_without
from lazytinker.server.quirks import QUIRKS, parse_quirks
from lazytinker.server.spec import CompatSpecError

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


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0 seconds")
    return value


def _names(parse: Callable[[str], tuple[str, ...]]) -> Callable[[str], tuple[str, ...]]:
    def checked(text: str) -> tuple[str, ...]:
        try:
            return parse(text)
        except CompatSpecError as error:
            raise argparse.ArgumentTypeError(str(error).split(": ", 1)[-1]) from None

    return checked


def _entry(name: str, text: str) -> str:
    return textwrap.fill(
        text,
        width=79,
        initial_indent=f"  {name:<19} ",
        subsequent_indent=" " * 22,
        break_on_hyphens=False,
    )


def _epilog() -> str:
    lines = ["--without groups (answered as partial servers answer them):"]
    lines += [_entry(name, group.summary) for name, group in GROUPS.items()]
    lines += ["", "--quirks (real-world data quirks):"]
    lines += [_entry(name, text) for name, text in QUIRKS.items()]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The `serve` command line, exactly as issue 3 specifies it."""
    parser = argparse.ArgumentParser(
        prog="lazytinker serve",
        description="Run a stand-in Tinker server on this machine, seeded with believable data.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "--live-interval",
        type=_positive_seconds,
        default=ServerConfig.live_interval,
        metavar="SECONDS",
        help=f"seconds between two saves of a live run (default {ServerConfig.live_interval:g})",
    )
    parser.add_argument(
        "--cookbook-logs",
        metavar="DIR",
        help="write a tinker-cookbook log folder for each live run under DIR",
    )
    parser.add_argument(
        "--without",
        type=_names(parse_without),
        default=(),
        metavar="GROUP[,GROUP...]",
        help="turn route groups off, as a partial server (groups below)",
    )
    parser.add_argument(
        "--quirks",
        type=_names(parse_quirks),
        default=(),
        metavar="QUIRK[,QUIRK...]",
        help="play real-world data quirks (quirks below)",
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
        live_interval=args.live_interval,
        faults=args.faults,
        archive=args.archive,
        without=args.without,
        quirks=args.quirks,
        cookbook_logs=args.cookbook_logs,
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
