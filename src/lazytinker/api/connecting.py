"""Getting a service ready for calls (issue 19): the key read once, the SDK's handshake in the
background, and the JWT only once the server has asked for one. A mixin of `Transport`, which
sends the calls; the handshake itself is `handshake.py`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from lazytinker.api.auth import Credentials
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.handshake import HandshakeState, exchange_jwt, run_handshake
from lazytinker.api.target import ServerTarget

if TYPE_CHECKING:
    from lazytinker.api.transport import Transport


class Connecting:
    """The key, the handshake's task and state, and the credential each call sends."""

    target: ServerTarget
    credentials: Credentials

    def start_connecting(self, target: ServerTarget) -> None:
        """The state before anything was sent (called by `Transport.__init__`)."""
        self.handshake_state = HandshakeState.PENDING
        self.handshake_error: str | None = None
        self.handshake_raised: LazytinkerError | None = None
        # Set once calls know their credential (the raw key, or the JWT the server asked for).
        self.auth_settled = asyncio.Event()
        self.jwt_wanted = False
        self._key_lock = asyncio.Lock()
        self._key_read = False
        self._handshake: asyncio.Task[None] | None = None
        if target.flavor != "tinker":
            self.handshake_state = HandshakeState.NONE
            self.auth_settled.set()

    async def connect(self) -> None:
        """Read the credential and, for tinker, wait for the handshake. Raises what makes the
        server unusable; a handshake that failed otherwise is recorded and calls go on."""
        await self._read_key()
        task = self.start_handshake()
        if task is not None:
            await asyncio.shield(task)
            if self.handshake_raised is not None:
                raise self.handshake_raised

    async def ensure_connected(self) -> None:
        """What a call needs before it is sent: the key, the handshake under way, and the JWT
        when the server has asked for one (every endpoint call starts here)."""
        await self._read_key()
        self.start_handshake()
        if self.jwt_wanted and not self.auth_settled.is_set():
            await self.auth_settled.wait()

    async def _read_key(self) -> None:
        if self._key_read:
            return
        async with self._key_lock:
            if not self._key_read:
                await self.credentials.read_key(self.target.key_source)
                self._key_read = True

    def start_handshake(self) -> asyncio.Task[None] | None:
        """Start the handshake in the background (tinker), once; again after it failed to
        reach the server. Returns its task (None for a flavor without one)."""
        if self.handshake_state is HandshakeState.NONE:
            return None
        task = self._handshake
        if task is None or (task.done() and self.handshake_raised is not None):
            self.handshake_raised = None
            self.handshake_state = HandshakeState.PENDING
            transport = cast("Transport", self)
            task = self._handshake = asyncio.get_running_loop().create_task(
                run_handshake(transport)
            )
        return task

    async def stop_handshake(self) -> None:
        """Cancel the handshake if it is still going (closing)."""
        task = self._handshake
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _fresh_token(self) -> str:
        if self.credentials.is_stale():
            await exchange_jwt(cast("Transport", self), replacing=self.credentials.jwt)
        return self.credentials.token
