"""Protocol fuzzing against the real call server on loopback: every malformed message,
of every kind, ends only its own call with 1008 and an ERROR; good calls keep working."""

from __future__ import annotations

import asyncio
import random

import numpy as np
import pytest

from duplex_agent.live.server import MAX_FRAME_BYTES, CallServer, ServeConfig, ServerThread
from duplex_agent.protocol import MAX_AUDIO_BYTES, Tag, decode, encode_audio
from tests.test_server import EchoSession, connect, talk, until

pytest.importorskip("websockets")
from websockets.exceptions import ConnectionClosed  # noqa: E402

SEED = 20261202
PER_CLASS = 400


def malformed(rng: random.Random) -> dict[str, list[bytes | str]]:
    """Several hundred hostile messages of each class, from one seed."""
    def noise(n: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(n))

    other_tags = [t for t in range(256) if t != Tag.AUDIO_IN]
    return {
        "random bytes": [bytes([rng.choice(other_tags)]) + noise(rng.randrange(0, 64))
                         for _ in range(PER_CLASS)],
        "every tag": [bytes([tag]) + noise(rng.randrange(0, 40)) for tag in other_tags],
        "empty": [b""] * 20,
        "odd-length audio": [bytes([Tag.AUDIO_IN]) + noise(2 * rng.randrange(0, 300) + 1)
                             for _ in range(PER_CLASS)],
        "audio without samples": [bytes([Tag.AUDIO_IN])] * 20,
        "oversized audio": [bytes([Tag.AUDIO_IN]) + bytes(MAX_AUDIO_BYTES + 2 * rng.randrange(
            1, MAX_AUDIO_BYTES)) for _ in range(50)],
        "text frames": ["".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(
            0, 50))) for _ in range(PER_CLASS)],
        "deep json": [bytes([rng.choice([0x10, 0x11, 0x12, 0x7F])]) + b"[" * rng.randrange(
            9, 20000) for _ in range(100)],
        "json objects": [bytes([rng.choice([0x10, 0x11, 0x12, 0x13, 0x14, 0x7F])]) +
                         b'{"text": "' + noise(rng.randrange(0, 30)).hex().encode() + b'"}'
                         for _ in range(PER_CLASS)],
        "agent audio from the page": [encode_audio(Tag.AUDIO_OUT, np.zeros(320, np.float32))
                                      for _ in range(50)],
    }


async def one_bad_call(url: str, message: bytes | str) -> tuple[int | None, str | None]:
    """Send one malformed message; the close code and ERROR code that come back."""
    async with connect(url, max_size=None) as ws:
        await ws.send(message)
        code = None
        try:
            while True:
                reply = decode(await asyncio.wait_for(ws.recv(), 10))
                if reply.tag is Tag.ERROR:
                    code = reply.data["code"]
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None, code


def test_every_malformed_message_ends_only_its_own_call(no_leaked_tasks) -> None:
    classes = malformed(random.Random(SEED))
    total = sum(len(m) for m in classes.values())
    assert total >= 2000

    async def run(url: str) -> None:
        async with connect(url) as good:  # a real call stays up through all of it
            for name, messages in classes.items():
                for message in messages:
                    close, error = await one_bad_call(url, message)
                    assert (close, error) == (1008, "malformed"), (name, message[:20])
                await talk(good)  # after each class, the good call is still served
                await until(good, Tag.AUDIO_OUT)

        for size in (MAX_FRAME_BYTES + 1, 1 << 20):  # beyond the transport's cap
            assert (await one_bad_call(url, bytes([Tag.AUDIO_IN]) + bytes(size)))[0] == 1009

    config = ServeConfig(port=0, max_calls=2)
    with ServerThread(CallServer(EchoSession, config)) as server:
        no_leaked_tasks(run(f"ws://127.0.0.1:{server.port}/call"))
