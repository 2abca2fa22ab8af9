"""The TLS context of the API's connections: built once, early, and only where TLS is spoken.

Loading the CA bundle costs 50-90 ms, and httpx does it whenever a client is made. A plain
`http://` service (loopback only: the config refuses it elsewhere) gets a context that holds no
CA at all, so that a redirect to `https://` fails closed instead of going unverified. For an
`https://` service the command line calls `prepare` as soon as it knows the URL: a thread builds
the context (OpenSSL reads the bundle partly outside the interpreter lock) while the rest of the
start-up imports. The same context serves the start-up's early requests (`api/early.py`) and
every connection of the client after them.

It is built by httpx's own rules (`httpx.create_ssl_context()`: `SSL_CERT_FILE`, else
`SSL_CERT_DIR`, else certifi's bundle), written out here so that the early requests need not
wait for httpx to be imported; `tests/network/test_tls.py` holds the two to the same result.
"""

from __future__ import annotations

import os
import ssl
import threading

from lazytinker.api.errors import ConfigError

_built: dict[str, ssl.SSLContext] = {}
_failed: dict[str, ConfigError] = {}
_threads: dict[str, threading.Thread] = {}
_lock = threading.Lock()


Trusted = tuple[str | None, str | None]
"""Where the CAs are: a file, or a folder."""


def _trusted() -> Trusted:
    """Where the CAs httpx would trust are."""
    if cafile := os.environ.get("SSL_CERT_FILE"):
        return cafile, None
    if capath := os.environ.get("SSL_CERT_DIR"):
        return None, capath
    import certifi

    return certifi.where(), None


def verifying_context() -> ssl.SSLContext:
    """A verifying context with the CAs httpx would trust."""
    return _context(_trusted())


def _context(trusted: Trusted) -> ssl.SSLContext:
    cafile, capath = trusted
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except OSError as error:  # missing, unreadable, or no certificate in it (ssl.SSLError)
        raise _unusable(trusted, error) from None


def _unusable(trusted: Trusted, why: object) -> ConfigError:
    cafile, capath = trusted
    if os.environ.get("SSL_CERT_FILE"):
        where = f"SSL_CERT_FILE ({cafile})"
    elif os.environ.get("SSL_CERT_DIR"):
        where = f"SSL_CERT_DIR ({capath})"
    else:
        where = f"certifi's bundle ({cafile})"
    return ConfigError(f"The CA certificates of {where} cannot be used: {why}")


def _build(trusted: Trusted) -> None:
    try:
        context = _context(trusted)
    except ConfigError as error:
        with _lock:
            _failed["https"] = error
        return
    with _lock:
        _built.setdefault("https", context)


def prepare(base_url: str) -> None:
    """Start building the context `base_url` needs, in a thread (nothing for `http://`).
    Raises `ConfigError` at once when the CAs named by the environment are not there."""
    if not base_url.lower().startswith("https://"):
        return
    with _lock:
        if "https" in _built or "https" in _threads:
            return
        # Found here, in the caller's thread: `certifi` is imported here, not beside the
        # caller's own imports (threads importing at once slow each other down, ~0.1 s).
        trusted = _trusted()
        cafile, capath = trusted
        if (cafile and not os.path.isfile(cafile)) or (capath and not os.path.isdir(capath)):
            raise _unusable(trusted, "no such file or folder")
        thread = threading.Thread(
            target=_build, args=(trusted,), name="lazytinker-tls", daemon=True
        )
        _threads["https"] = thread
    thread.start()


def context_for(base_url: str) -> ssl.SSLContext:
    """The context for a service at `base_url`: verifying for `https://`, empty for `http://`.
    Raises `ConfigError` when the CAs to trust cannot be loaded."""
    if not base_url.lower().startswith("https://"):
        # Verifies (CERT_REQUIRED, hostname checked) against no CA: any TLS through it fails.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    thread = _threads.get("https")
    if thread is not None:
        thread.join()
    with _lock:
        found = _built.get("https")
        failed = _failed.get("https")
    if failed is not None:
        raise failed
    if found is None:
        found = verifying_context()
        with _lock:
            found = _built.setdefault("https", found)
    return found
