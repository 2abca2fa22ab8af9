"""`ServerThread`: the stand-in server on uvicorn in a daemon thread, for tests and `--demo`."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

import uvicorn

from lazytinker.server.app import create_app
from lazytinker.server.config import ServerConfig

__all__ = ["ServerThread", "bind_socket"]


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0 = a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Saying IPPROTO_TCP explicitly is what makes asyncio set TCP_NODELAY on accepted connections;
    # without it every keep-alive response waits on Nagle + delayed ACK (~40 ms a request).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class ServerThread:
    """Run the stand-in server in a background thread with its own event loop.

    `start()` blocks until the server accepts connections and returns its base URL.
    """

    def __init__(self, config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.url = ""
        self.app = create_app(config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    def start(self) -> str:
        """Start serving; returns `http://HOST:PORT`."""
        sock = bind_socket(self.host, self.port)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        self._server = server
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="lazytinker-server", daemon=True
        )
        self._thread = thread
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the stand-in server failed to start")
            thread.join(0.01)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{self.port}"
        return self.url

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self.app.state.lazytinker.db.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
