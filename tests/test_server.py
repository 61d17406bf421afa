"""The call server over loopback with a fake session: calls, refusals, isolation."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from duplex_agent.clock import VirtualClock
from duplex_agent.live.feed import Feed
from duplex_agent.live.guard import (
    PaceLimit,
    allowed_hosts,
    host_ok,
    is_loopback,
    origin_ok,
    route,
    static_file,
    token_ok,
)
from duplex_agent.live.server import CallServer, ServeConfig, ServerThread
from duplex_agent.protocol import Tag, decode, encode_audio

websockets = pytest.importorskip("websockets")
from websockets.asyncio.client import connect as ws_connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, InvalidStatus  # noqa: E402

SPEECH = encode_audio(Tag.AUDIO_IN, np.full(320, 0.2, np.float32))
SILENCE = encode_audio(Tag.AUDIO_IN, np.zeros(320, np.float32))


class Timeline:
    def __init__(self) -> None:
        self.entries: list[dict] = []


class EchoSession:
    """Hears 5+ loud blocks, then at the next silent one 'replies' for 1 s; loud input
    while it replies stops the reply."""

    def __init__(self) -> None:
        self.timeline, self.loud, self.speak, self.t = Timeline(), 0, 0, 0.0

    def step(self, block: np.ndarray) -> np.ndarray:
        self.t += 0.02
        if np.any(block) and self.speak:  # the user cuts in
            self.speak = 0
            self.timeline.entries.append({"time": round(self.t, 3), "type": "StopSpeaking"})
        elif np.any(block):
            self.loud += 1
        elif self.loud >= 5:
            self.loud, self.speak = 0, 50
            self._turn()
        if self.speak:
            self.speak -= 1
            return np.full(320, 0.1, np.float32)
        return np.zeros(320, np.float32)

    def _turn(self) -> None:
        t = round(self.t, 3)
        self.timeline.entries += [
            {"time": t, "type": "AsrFinal", "text": "hello agent"},
            {"time": t, "type": "TakeTurn", "speech_end": t - 0.1, "user_text": "hello agent"},
            {"time": t, "type": "AgentSpeechStarted"}]


def connect(url: str, **kwargs):
    return ws_connect(url, ping_interval=None, **kwargs)  # no keepalive task to outlive us


def serve(**overrides) -> ServerThread:
    config = ServeConfig(**{"port": 0, **overrides})
    return ServerThread(CallServer(EchoSession, config))


async def talk(ws, blocks: int = 8) -> None:
    for _ in range(blocks):
        await ws.send(SPEECH)
    await ws.send(SILENCE)


async def until(ws, tag: Tag, limit: int = 200):
    for _ in range(limit):
        message = decode(await asyncio.wait_for(ws.recv(), 10))
        if message.tag is tag:
            return message
    raise AssertionError(f"no {tag.name} in {limit} messages")


def test_a_call_gets_transcript_state_latency_and_audio(no_leaked_tasks) -> None:
    async def call(url: str) -> None:
        async with connect(url) as ws:
            await talk(ws)
            assert (await until(ws, Tag.TRANSCRIPT)).data["text"] == "hello agent"
            assert (await until(ws, Tag.LATENCY)).data["first_audio_s"] == pytest.approx(0.1)
            assert np.allclose((await until(ws, Tag.AUDIO_OUT)).audio, 0.1, atol=1e-3)

    with serve() as server:
        assert server.token is None  # loopback: no token needed
        no_leaked_tasks(call(f"ws://127.0.0.1:{server.port}/call"))


def test_cutting_in_flushes_the_page_at_once(no_leaked_tasks) -> None:
    async def call(url: str) -> None:
        async with connect(url) as ws:
            await talk(ws)
            await until(ws, Tag.AUDIO_OUT)
            await ws.send(SPEECH)
            assert (await until(ws, Tag.FLUSH)).data is None
            assert (await until(ws, Tag.STATE)).data == {"state": "hearing"}  # user talks on

    with serve() as server:
        no_leaked_tasks(call(f"ws://127.0.0.1:{server.port}/call"))


def test_off_loopback_needs_the_token(no_leaked_tasks) -> None:
    async def attempts(port: int, token: str) -> None:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{port}/call"):
                pass
        assert refused.value.response.status_code == 403
        async with connect(f"ws://127.0.0.1:{port}/call?token={token}") as ws:
            await talk(ws)
            await until(ws, Tag.AUDIO_OUT)

    with serve(host="0.0.0.0") as server:
        assert server.token and server.token in server.url()
        no_leaked_tasks(attempts(server.port, server.token))
        with pytest.raises(urllib.error.HTTPError, match="403"):
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=10)


def raw_http(port: int, request: bytes) -> bytes:
    """Send ``request`` as is and return the whole response."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_only_get_and_head_and_head_has_no_body() -> None:
    with serve() as server:
        for method in (b"POST", b"PUT", b"TRACE", b"DELETE", b"G\0T"):
            response = raw_http(server.port, method + b" / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert b"<html" not in response.lower(), method
            assert response.startswith((b"HTTP/1.1 405", b"HTTP/1.1 400")), (method, response)
        head = raw_http(server.port, b"HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and head.endswith(b"\r\n\r\n"), head
        get = raw_http(server.port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert get.startswith(b"HTTP/1.1 200") and b"<html" in get.lower()


def test_a_foreign_host_is_refused_even_with_a_matching_origin(no_leaked_tasks) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host
    and Origin; both match each other, neither names this server."""
    async def attempt(port: int) -> None:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://evil.example:{port}/call", host="127.0.0.1", port=port,
                               origin=f"http://evil.example:{port}"):
                pass
        assert refused.value.response.status_code == 421

    with serve() as server:
        page = raw_http(server.port, f"GET / HTTP/1.1\r\nHost: evil.example:{server.port}\r\n"
                        f"Origin: http://evil.example:{server.port}\r\n\r\n".encode())
        assert page.startswith(b"HTTP/1.1 421") and b"<html" not in page.lower()
        no_leaked_tasks(attempt(server.port))


def test_no_spelling_of_a_private_route_skips_the_token() -> None:
    with serve(host="0.0.0.0") as server:
        for path in ("//index.html", "//", "/./", "/%2F", "/index.html/.", "///call"):
            response = raw_http(server.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                .encode())
            assert response.startswith(b"HTTP/1.1 403") or response.startswith(
                b"HTTP/1.1 404"), (path, response[:40])
            assert b"<html" not in response.lower(), path


def test_a_silent_call_is_closed_as_idle(no_leaked_tasks) -> None:
    async def call(url: str) -> None:
        async with connect(url) as ws:
            error = await until(ws, Tag.ERROR)
            assert error.data["code"] == "idle" and "no audio" in error.data["message"]
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1001

    with serve(idle_timeout_s=0.3) as server:
        no_leaked_tasks(call(f"ws://127.0.0.1:{server.port}/call"))


class StuckSession(EchoSession):
    """A session whose step blocks until the test lets it go (a long reply being computed)."""

    gate = threading.Event()

    def step(self, block: np.ndarray) -> np.ndarray:
        StuckSession.gate.wait(30)
        return super().step(block)


def test_a_line_is_free_as_soon_as_its_caller_hangs_up(no_leaked_tasks) -> None:
    async def calls(url: str) -> None:
        async with connect(url) as first:
            for _ in range(200):  # 4 s queued behind a step that does not finish
                await first.send(SPEECH)
        async with connect(url) as second:  # the only line: free again at once
            StuckSession.gate.set()
            await talk(second)
            await until(second, Tag.AUDIO_OUT)

    StuckSession.gate.clear()
    config = ServeConfig(port=0, max_calls=1)
    try:
        with ServerThread(CallServer(StuckSession, config)) as server:
            no_leaked_tasks(calls(f"ws://127.0.0.1:{server.port}/call"))
    finally:
        StuckSession.gate.set()


def test_the_page_is_served_and_nothing_else() -> None:
    with serve() as server:
        base = f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(base + "/", timeout=10) as page:
            assert b"<html" in page.read().lower()
        for bad in ("/../pyproject.toml", "/nothing.js", "/%2e%2e/README.md"):
            with pytest.raises(urllib.error.HTTPError, match="404"):
                urllib.request.urlopen(base + bad, timeout=10)


def test_foreign_origin_is_refused(no_leaked_tasks) -> None:
    async def attempt(port: int) -> None:
        with pytest.raises(InvalidStatus, match="403"):
            async with connect(f"ws://127.0.0.1:{port}/call", origin="http://evil.example"):
                pass

    with serve() as server:
        no_leaked_tasks(attempt(server.port))


def test_a_full_server_refuses_with_a_clear_message(no_leaked_tasks) -> None:
    async def calls(url: str) -> None:
        async with connect(url) as first:
            await talk(first)
            await until(first, Tag.AUDIO_OUT)
            async with connect(url) as second:
                error = await until(second, Tag.ERROR)
                assert error.data["code"] == "full" and "busy" in error.data["message"]
                with pytest.raises(ConnectionClosed) as closed:
                    await second.recv()
                assert closed.value.rcvd.code == 1013

    with serve(max_calls=1) as server:
        no_leaked_tasks(calls(f"ws://127.0.0.1:{server.port}/call"))


def test_a_malformed_message_ends_only_its_own_call(no_leaked_tasks) -> None:
    async def calls(url: str) -> None:
        async with connect(url) as good, connect(url) as bad:
            await bad.send(b"\x99garbage")
            error = await until(bad, Tag.ERROR)
            assert error.data["code"] == "malformed" and "0x99" in error.data["message"]
            with pytest.raises(ConnectionClosed) as closed:
                await bad.recv()
            assert closed.value.rcvd.code == 1008
            await talk(good)
            await until(good, Tag.AUDIO_OUT)

    with serve() as server:
        no_leaked_tasks(calls(f"ws://127.0.0.1:{server.port}/call"))


def test_audio_faster_than_real_time_is_capped(no_leaked_tasks) -> None:
    async def flood(url: str) -> None:
        async with connect(url) as ws:
            for _ in range(2500):  # 50 s of audio at once
                try:
                    await ws.send(SILENCE)
                except ConnectionClosed:
                    break
            assert (await until(ws, Tag.ERROR)).data["code"] in ("rate", "overloaded")

    with serve() as server:
        no_leaked_tasks(flood(f"ws://127.0.0.1:{server.port}/call"))


def test_guards() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert token_ok("/call", None) and token_ok("/call?token=abc", "abc")
    assert not token_ok("/call", "abc") and not token_ok("/call?token=abd", "abc")
    assert origin_ok(None, "h:1") and origin_ok("http://h:1", "h:1")
    assert not origin_ok("http://h:2", "h:1") and not origin_ok("http://h:1", None)


def test_static_files_stay_in_their_directory(tmp_path) -> None:
    (tmp_path / "index.html").write_text("<html>")
    (tmp_path / "secret.txt").write_text("no")
    assert static_file(tmp_path, "/") == tmp_path / "index.html"
    assert static_file(tmp_path, "/index.html?token=x") == tmp_path / "index.html"
    assert static_file(tmp_path, "/secret.txt") is None
    assert static_file(tmp_path, "/../secret.txt") is None
    assert static_file(tmp_path, "/../../etc/passwd") is None
    assert static_file(tmp_path, "//index.html") == tmp_path / "index.html"


def test_a_paced_client_never_trips_the_limit_even_after_a_server_stall() -> None:
    clock = VirtualClock()
    limit = PaceLimit(clock)
    t = 0.0
    for second in range(60):  # a minute of 20 ms frames at real-time pace...
        if second == 30:  # ...except that the server stalled 5 s and reads the backlog at once
            for _ in range(250):
                assert limit.admit(0.02) is None
            t += 5.0
            continue
        for _ in range(50):
            t += 0.02
            clock.advance_to(t)
            assert limit.admit(0.02) is None


def test_a_client_faster_than_real_time_is_stopped() -> None:
    clock = VirtualClock()
    limit = PaceLimit(clock)
    verdicts = []
    for i in range(2000):  # 1.5x real time
        clock.advance_to(i * 0.02 / 1.5)
        verdicts.append(limit.admit(0.02))
    assert "audio sent faster than real time" in verdicts
    flood = PaceLimit(VirtualClock())
    assert "too many messages per second" in [flood.admit(0.0) for _ in range(4000)]


def test_routes_are_normalised_before_any_check() -> None:
    assert route("//index.html") == "/index.html" and route("//") == "/"
    assert route("/./call?token=x") == "/call" and route("/a/../call") == "/call"
    assert route("/%2Fcall") == "/call" and route("/%252e") is None
    assert route("http://evil/") is None and route("/x\\y") is None


def test_hosts_are_allowed_by_name() -> None:
    hosts = allowed_hosts("127.0.0.1", ("agent.example",))
    for good in ("localhost:8765", "127.0.0.1", "[::1]:80", "LOCALHOST:1", "agent.example:443"):
        assert host_ok(good, hosts), good
    for bad in ("evil.example:8765", None, "", "localhost:abc", "a@localhost", "localhost/x"):
        assert not host_ok(bad, hosts), bad


def test_feed_turns_the_timeline_into_messages() -> None:
    feed = Feed()
    entries = [
        {"time": 0.6, "type": "SpeechStarted"},
        {"time": 1.0, "type": "AsrPartial", "committed": "what", "tail": "joy"},
        {"time": 2.5, "type": "TakeTurn", "speech_end": 2.2, "user_text": "what joy"},
        {"time": 2.6, "type": "Thought", "summary": "happy", "emotion": "happy"},
        {"time": 3.0, "type": "AgentSpeechStarted"},
        {"time": 4.0, "type": "StopSpeaking"},
        {"time": 4.0, "type": "Utterance", "text": "How lovely.", "heard": "How",
         "interrupted": True}]
    got = [(m.tag, m.data) for m in feed.messages(entries)]
    tags = [tag for tag, _ in got]
    assert tags == [Tag.STATE, Tag.TRANSCRIPT, Tag.STATE, Tag.THOUGHT, Tag.LATENCY, Tag.STATE,
                    Tag.FLUSH, Tag.STATE, Tag.TRANSCRIPT]
    assert [d["state"] for t, d in got if t is Tag.STATE] == [
        "hearing", "thinking", "speaking", "hearing"]  # cut off: the user is talking
    assert got[1][1]["text"] == "what joy" and not got[1][1]["final"]
    assert got[4][1]["first_audio_s"] == pytest.approx(0.8)
    assert got[-1][1] == {"role": "agent", "text": "How", "final": True, "time": 4.0,
                          "interrupted": True}


def test_freed_native_memory_can_be_returned_between_calls():
    from duplex_agent.live import heap

    def rss_mb() -> float:
        status = Path("/proc/self/status").read_text().splitlines()
        return int(next(line.split()[1] for line in status if line.startswith("VmRSS"))) / 1024

    assert heap.limit_arenas() is True  # glibc: the arena cap applies
    blocks = [bytearray(60_000) for _ in range(2000)]  # heap chunks, not mmaps
    kept = blocks[::2]  # every other one stays: 60 MB of holes glibc keeps for itself
    del blocks
    before = rss_mb()
    heap.trim()
    assert before - rss_mb() > 20, "the freed holes went back to the system"
    assert len(kept) == 1000


def test_live_sessions_reply_on_a_thread_and_otherwise_decide_as_on_files():
    from duplex_agent.session.config import SessionConfig

    live, files = SessionConfig.live(input_has_echo=True), SessionConfig()
    assert live.threaded_reply and not files.threaded_reply and live.input_has_echo
    assert live.turns == files.turns
