"""The call server over loopback with a fake session: calls, refusals, isolation."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import numpy as np
import pytest

from duplex_agent.clock import VirtualClock
from duplex_agent.live.feed import Feed
from duplex_agent.live.guard import RateLimit, is_loopback, origin_ok, static_file, token_ok
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
            assert (await until(ws, Tag.STATE)).data == {"state": "listening"}

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
            for _ in range(400):  # 8 s of audio at once
                try:
                    await ws.send(SILENCE)
                except ConnectionClosed:
                    break
            assert (await until(ws, Tag.ERROR)).data["code"] == "rate"

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
    assert static_file(tmp_path, "/../index.html") is None


def test_rate_limit_on_a_virtual_clock() -> None:
    clock = VirtualClock()
    limit = RateLimit(clock, audio_speed=1.0, audio_burst_s=1.0, messages_per_s=1000)
    assert limit.admit(0.5) is None and limit.admit(0.5) is None  # a 1 s burst is fine
    assert limit.admit(0.02) == "audio sent faster than real time"
    clock.advance_to(0.5)
    assert limit.admit(0.4) is None


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
        "hearing", "thinking", "speaking", "listening"]
    assert got[1][1]["text"] == "what joy" and not got[1][1]["final"]
    assert got[4][1]["first_audio_s"] == pytest.approx(0.8)
    assert got[-1][1] == {"role": "agent", "text": "How", "final": True, "time": 4.0,
                          "interrupted": True}
