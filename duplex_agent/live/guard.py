"""The call server's checks: token, Origin, message rate, and the static files it may serve.

Pure helpers with the clock injected, so tests run them on a virtual clock.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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


def token_ok(path: str, token: str | None) -> bool:
    """Whether the request path carries the server's token (always, when it has none)."""
    if token is None:
        return True
    given = parse_qs(urlsplit(path).query).get("token", [""])[0]
    return hmac.compare_digest(given.encode(), token.encode())


def origin_ok(origin: str | None, host_header: str | None) -> bool:
    """Browsers send the page's Origin: it must be this server's own (same host:port).
    Non-browser clients send none; the token (off loopback) still applies to them."""
    if origin is None:
        return True
    if not host_header:
        return False
    return origin in (f"http://{host_header}", f"https://{host_header}")


def static_file(root: Path, path: str) -> Path | None:
    """The file under ``root`` that ``path`` names, or None: only files directly in
    ``root`` with a known type (no subdirectories, no traversal)."""
    name = urlsplit(path).path.lstrip("/") or "index.html"
    if "/" in name or name.startswith("."):
        return None
    candidate = root / name
    if candidate.suffix not in STATIC_TYPES or not candidate.is_file():
        return None
    return candidate


@dataclass
class Bucket:
    """A token bucket: ``rate`` units per second, bursts of up to ``capacity``."""

    rate: float
    capacity: float
    level: float = -1.0
    last: float | None = None

    def take(self, amount: float, now: float) -> bool:
        if self.last is None:
            self.level, self.last = self.capacity, now
        self.level = min(self.capacity, self.level + (now - self.last) * self.rate)
        self.last = now
        if amount > self.level:
            return False
        self.level -= amount
        return True


class RateLimit:
    """Caps one call's input: seconds of audio per second and messages per second."""

    def __init__(self, clock: Clock, audio_speed: float = 1.5, audio_burst_s: float = 2.0,
                 messages_per_s: float = 150.0) -> None:
        self._clock = clock
        self._audio = Bucket(audio_speed, audio_burst_s)
        self._messages = Bucket(messages_per_s, messages_per_s)

    def admit(self, audio_s: float) -> str | None:
        """None if this message is within the caps, else what was exceeded."""
        now = self._clock.now()
        if not self._messages.take(1.0, now):
            return "too many messages per second"
        if not self._audio.take(audio_s, now):
            return "audio sent faster than real time"
        return None
