"""``duplex-agent serve``: the browser page and its call endpoint on one websockets server.

``GET /`` (and the page's other files) serves ``demos/web``; ``/call`` upgrades to a
WebSocket that runs one ``Session`` per call (``duplex_agent.protocol`` messages).
Loopback by default; on any other address every request needs the start-up token. Every
request must name an allowed Host (DNS-rebinding defence) and use GET or HEAD; routes are
normalised before any check. A malformed or too-fast message, or a call silent for
``idle_timeout_s``, ends only its own call, with an ERROR and a close code; a call's line
is free again the moment its socket closes.
"""

from __future__ import annotations

import asyncio
import http
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from duplex_agent.clock import WallClock
from duplex_agent.live import heap
from duplex_agent.live.call import SAMPLE_RATE, CallWorker, SteppedSession
from duplex_agent.live.guard import (
    PaceLimit,
    allowed_hosts,
    host_ok,
    new_token,
    origin_ok,
    route,
    static_file,
    token_ok,
)
from duplex_agent.protocol import (
    MAX_AUDIO_BYTES,
    Message,
    ProtocolError,
    Tag,
    decode_client,
    encode,
    encode_error,
)

WEB_ROOT = Path(__file__).resolve().parents[2] / "demos" / "web"
PRIVATE = frozenset({"/", "/index.html", "/call"})  # need the token off loopback
CLOSE_MALFORMED, CLOSE_IDLE, CLOSE_FULL, CLOSE_INTERNAL = 1008, 1001, 1013, 1011
METHODS = frozenset({"GET", "HEAD"})
# Frames up to this size reach the protocol decoder (which refuses oversized audio with
# 1008 and an ERROR); larger ones are refused by the WebSocket layer itself (1009).
MAX_FRAME_BYTES = 4 * MAX_AUDIO_BYTES


@dataclass(frozen=True)
class ServeConfig:
    # Address to bind; anything but loopback requires the start-up token.
    host: str = "127.0.0.1"
    # TCP port (0 picks a free one).
    port: int = 8765
    # Concurrent calls; one more caller is refused with a clear message.
    max_calls: int = 2
    # Seconds of user audio a call may queue while its session catches up.
    max_backlog_s: float = 10.0
    # A call that sends no audio for this long is closed ("idle").
    idle_timeout_s: float = 30.0
    # Extra Host names the server answers to (e.g. its DNS name behind a proxy); loopback
    # names and the bound address are always allowed.
    allow_hosts: tuple[str, ...] = ()
    # Directory of the page's static files.
    web_root: Path = WEB_ROOT


class CallRefused(Exception):
    def __init__(self, code: str, message: str, close_code: int) -> None:
        super().__init__(message)
        self.code, self.close_code = code, close_code


class CallServer:
    """Serves the page and calls; ``make_session()`` builds each call's session."""

    def __init__(self, make_session: Callable[[], SteppedSession], config: ServeConfig,
                 token: str | None = None, ssl_context=None) -> None:
        self.config = config
        self.token = token if token is not None else new_token(config.host)
        self._make_session = make_session
        self._ssl = ssl_context
        self._hosts = allowed_hosts(config.host, config.allow_hosts)
        self.active = 0
        self.port = config.port
        heap.limit_arenas()  # call threads share malloc arenas: RSS stays flat (heap.py)

    def url(self, host: str | None = None) -> str:
        scheme = "https" if self._ssl else "http"
        query = f"?token={self.token}" if self.token else ""
        return f"{scheme}://{host or self.config.host}:{self.port}/{query}"

    async def serve(self, ready: Callable[[], None] | None = None,
                    stop: asyncio.Event | None = None) -> None:
        """Serve until ``stop`` is set (forever without one). Cancelling is safe."""
        from websockets.asyncio.server import serve

        async with serve(self._call, self.config.host, self.config.port, ssl=self._ssl,
                         process_request=self._http, max_size=MAX_FRAME_BYTES,
                         max_queue=64, close_timeout=2) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            if ready:
                ready()
            await (stop.wait() if stop else asyncio.Future())

    def _http(self, connection, request):
        """Method, Host, token (page and call; the page's scripts and styles are public)
        and Origin, on the normalised route; static files for non-WebSocket requests."""
        method = getattr(request, "method", "GET")
        if method not in METHODS:
            return _plain(connection, http.HTTPStatus.METHOD_NOT_ALLOWED, "GET or HEAD only\n")
        host, origin = _single(request.headers, "Host"), _single(request.headers, "Origin")
        if not host_ok(host, self._hosts):
            return _plain(connection, http.HTTPStatus.MISDIRECTED_REQUEST,
                          "unknown Host: start the server with --allow-host NAME\n")
        path = route(request.path)
        if path is None:
            return _plain(connection, http.HTTPStatus.NOT_FOUND, "not found\n")
        if (path in PRIVATE or path.startswith("/call")) and \
                not token_ok(request.path, self.token):
            return _plain(connection, http.HTTPStatus.FORBIDDEN,
                          "token required: open the URL printed at start-up\n")
        if origin == "" or not origin_ok(origin, host):
            return _plain(connection, http.HTTPStatus.FORBIDDEN, "origin not allowed\n")
        if path == "/call" and method == "GET":
            return None  # upgrade to the call WebSocket
        return self._static(connection, path, head=method == "HEAD")

    def _static(self, connection, path: str, head: bool):
        from websockets.datastructures import Headers
        from websockets.http11 import Response

        from duplex_agent.live.guard import STATIC_TYPES

        file = static_file(self.config.web_root, path)
        if file is None:
            return _plain(connection, http.HTTPStatus.NOT_FOUND, "not found\n")
        body = file.read_bytes()
        headers = Headers([("Content-Type", STATIC_TYPES[file.suffix]),
                           ("Content-Length", str(len(body))),
                           ("Cache-Control", "no-store"),
                           ("X-Content-Type-Options", "nosniff")])
        return Response(200, "OK", headers, b"" if head else body)

    async def _call(self, connection) -> None:
        """One call, from accept to close. Cancelling it ends the call."""
        if self.active >= self.config.max_calls:
            await _refuse(connection, CallRefused(
                "full", f"the agent is busy: all {self.config.max_calls} call lines are in "
                        "use; try again in a minute", CLOSE_FULL))
            return
        self.active += 1
        worker, refusal = None, None
        try:
            worker, refusal = await self._run_call(connection)
        finally:
            self.active -= 1  # the line is free the moment the call is over
        if refusal is not None:
            await _refuse(connection, refusal)
        if worker is not None:
            await asyncio.to_thread(worker.stop)  # its queued input is dropped, not worked off
            await asyncio.to_thread(heap.trim)  # the call's freed native memory goes back

    async def _run_call(self, connection) -> tuple[CallWorker, CallRefused | None]:
        """Run the call until the page hangs up or breaks a rule (the refusal to send)."""
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[list[Message]] = asyncio.Queue()
        session = await asyncio.to_thread(self._make_session)
        worker = CallWorker(session, _emitter(loop, outbox), self.config.max_backlog_s)
        worker.start()
        sender = asyncio.create_task(_send(connection, outbox))
        from websockets.exceptions import ConnectionClosed

        refusal = None
        try:
            await _receive(connection, worker, self.config.idle_timeout_s)
        except CallRefused as err:
            refusal = err
        except ConnectionClosed:
            pass  # the page went away without a goodbye
        finally:
            worker.hang_up()
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        return worker, refusal


def _emitter(loop: asyncio.AbstractEventLoop, outbox: asyncio.Queue):
    def emit(messages: list[Message]) -> None:
        if messages:
            try:
                loop.call_soon_threadsafe(outbox.put_nowait, messages)
            except RuntimeError:  # the loop closed: the call is over
                pass
    return emit


async def _receive(connection, worker: CallWorker, idle_timeout_s: float) -> None:
    """Feed the page's audio to the worker until it hangs up; raises CallRefused."""
    from websockets.exceptions import ConnectionClosedOK

    limit = PaceLimit(WallClock())
    while True:
        try:
            async with asyncio.timeout(idle_timeout_s):
                raw = await connection.recv()
        except TimeoutError:
            raise CallRefused("idle", f"call ended: no audio for {idle_timeout_s:.0f} s",
                              CLOSE_IDLE) from None
        except ConnectionClosedOK:
            return
        try:
            samples = decode_client(raw)
        except ProtocolError as err:
            raise CallRefused("malformed", f"malformed message: {err}", CLOSE_MALFORMED) from None
        exceeded = limit.admit(len(samples) / SAMPLE_RATE)
        if exceeded:
            raise CallRefused("rate", f"call ended: {exceeded}", CLOSE_MALFORMED)
        if not worker.feed(samples):
            if worker.error is not None:
                raise CallRefused("internal", f"the agent failed: {worker.error}",
                                  CLOSE_INTERNAL)
            raise CallRefused("overloaded", "the agent fell too far behind; call ended",
                              CLOSE_FULL)


async def _send(connection, outbox: asyncio.Queue) -> None:
    """Send the worker's messages in order; an ERROR from it ends the call."""
    from websockets.exceptions import ConnectionClosed

    try:
        while True:
            for message in await outbox.get():
                await connection.send(encode(message))
                if message.tag is Tag.ERROR:
                    await connection.close(CLOSE_INTERNAL, message.data["code"])
                    return
    except ConnectionClosed:
        return


def _single(headers, name: str) -> str | None:
    """The header's one value; None when absent, "" when given more than once."""
    values = headers.get_all(name)
    return None if not values else values[0] if len(values) == 1 else ""


def _plain(connection, status: http.HTTPStatus, text: str):
    response = connection.respond(status, text)
    response.headers["Connection"] = "close"
    return response


async def _refuse(connection, refusal: CallRefused) -> None:
    from websockets.exceptions import ConnectionClosed

    try:
        await connection.send(encode_error(refusal.code, str(refusal)))
        await connection.close(refusal.close_code, refusal.code)
    except ConnectionClosed:
        pass


class ServerThread:
    """Runs a ``CallServer`` on its own event loop in a thread (tests, benchmarks)."""

    def __init__(self, server: CallServer) -> None:
        self.server = server
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="call-server", daemon=True)

    def __enter__(self) -> CallServer:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("call server did not start")
        return self.server

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            await self.server.serve(self._ready.set, self._stop)

        asyncio.run(main())
