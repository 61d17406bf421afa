"""The call server's checks: Host, Origin, token, paths, message pace, and static files.

Pure helpers with the clock injected, so tests run them on a virtual clock.
"""

from __future__ import annotations

import collections
import hmac
import ipaddress
import posixpath
import secrets
import socket
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from duplex_agent.clock import Clock

STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token(host: str) -> str | None:
    """A random token for a server reachable from other machines; None on loopback."""
    return None if is_loopback(host) else secrets.token_urlsafe(18)


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")


def token_ok(path: str, token: str | None) -> bool:
    """Whether the request path carries the server's token (always, when it has none)."""
    if token is None:
        return True
    given = parse_qs(path.partition("?")[2]).get("token", [""])[0]
    return hmac.compare_digest(given.encode(), token.encode())


def allowed_hosts(bound: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """Host names a request may address: loopback names, the bound address, ``extra``
    (``--allow-host``), and for a wildcard bind this machine's own name and addresses.
    Anything else (a rebinding attacker's domain) is refused."""
    names = {*LOOPBACK_NAMES, bound.lower(), *(h.lower() for h in extra)}
    if bound in WILDCARDS:
        hostname = socket.gethostname()
        names.add(hostname.lower())
        try:
            names.update(socket.gethostbyname_ex(hostname)[2])
        except OSError:
            pass
    return frozenset(names - set(WILDCARDS))


def host_name(authority: str | None) -> str | None:
    """The host of ``name[:port]`` or ``[v6]:port``, lower case; None if malformed."""
    if not authority or any(c in authority for c in "/\\@ \t") or not authority.isascii():
        return None
    try:
        parsed = urlsplit(f"//{authority}")
        parsed.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    return parsed.hostname


def host_ok(host_header: str | None, allowed: frozenset[str]) -> bool:
    """Whether the Host header names this server (DNS-rebinding defence)."""
    return host_name(host_header) in allowed


def origin_ok(origin: str | None, host_header: str | None) -> bool:
    """Browsers send the page's Origin: it must be this server's own (same host:port).
    Non-browser clients send none; the token (off loopback) still applies to them."""
    if origin is None:
        return True
    if not host_header:
        return False
    return origin in (f"http://{host_header}", f"https://{host_header}")


def route(path: str) -> str | None:
    """The normalised route of a request target: query dropped, percent-escapes decoded,
    slashes collapsed, dot segments resolved ("//index.html" -> "/index.html");
    None for a target that is not a plain absolute path."""
    target = path.partition("?")[0]
    decoded = unquote(target)
    if not decoded.startswith("/") or any(c in decoded for c in "\\\0") or "%" in decoded:
        return None
    normal = posixpath.normpath("/" + decoded.lstrip("/"))
    return "/" + normal.lstrip("/")


def static_file(root: Path, path: str) -> Path | None:
    """The file under ``root`` that ``path`` names, or None: only files directly in
    ``root`` with a known type (no subdirectories, no traversal)."""
    normal = route(path)
    if normal is None:
        return None
    name = normal.lstrip("/") or "index.html"
    if "/" in name or name.startswith("."):
        return None
    candidate = root / name
    if candidate.suffix not in STATIC_TYPES or not candidate.is_file():
        return None
    return candidate


class PaceLimit:
    """Caps one call's input by the client's own pace over a sliding window.

    The audio (and the messages) received in the last ``window_s`` may not exceed what a
    real-time client sends in ``window_s + stall_s``: frames a correctly paced client sent
    while the server stalled (up to ``stall_s``) arrive as a burst and still pass, so such
    a client can never trip it; a client that streams faster than real time soon does.
    """

    def __init__(self, clock: Clock, window_s: float = 30.0, stall_s: float = 5.0,
                 messages_per_s: float = 100.0, drift: float = 1.02) -> None:
        self._clock = clock
        self._window_s = window_s
        self._max_audio_s = (window_s + stall_s) * drift + 0.5  # + one largest frame
        self._max_messages = int((window_s + stall_s) * messages_per_s)
        self._received: collections.deque[tuple[float, float]] = collections.deque()
        self._audio_s = 0.0

    def admit(self, audio_s: float) -> str | None:
        """None if this message keeps the client within its pace, else what it exceeded."""
        now = self._clock.now()
        self._received.append((now, audio_s))
        self._audio_s += audio_s
        while self._received[0][0] < now - self._window_s:
            self._audio_s -= self._received.popleft()[1]
        if len(self._received) > self._max_messages:
            return "too many messages per second"
        if self._audio_s > self._max_audio_s:
            return "audio sent faster than real time"
        return None
