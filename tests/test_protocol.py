"""The call protocol: round trips and clear errors, no sockets."""

from __future__ import annotations

import numpy as np
import pytest

from duplex_agent.protocol import (
    MAX_AUDIO_BYTES,
    Message,
    ProtocolError,
    Tag,
    decode,
    decode_client,
    encode,
    encode_audio,
    encode_error,
    encode_flush,
    encode_json,
)


def test_audio_round_trip_is_pcm16_little_endian() -> None:
    samples = np.linspace(-1.0, 1.0, 320, dtype=np.float32)
    raw = encode_audio(Tag.AUDIO_IN, samples)
    assert raw[0] == 0x01 and len(raw) == 1 + 640
    assert int.from_bytes(raw[1:3], "little", signed=True) == -32767
    message = decode(raw)
    assert message.tag is Tag.AUDIO_IN
    np.testing.assert_allclose(message.audio, samples, atol=1 / 16000)


def test_audio_is_clipped_not_wrapped() -> None:
    out = decode(encode_audio(Tag.AUDIO_OUT, np.array([2.0, -3.0], np.float32))).audio
    assert out[0] > 0.99 and out[1] < -0.99


@pytest.mark.parametrize("tag, data", [
    (Tag.TRANSCRIPT, {"role": "user", "text": "what joy there is", "final": True}),
    (Tag.STATE, {"state": "speaking"}),
    (Tag.THOUGHT, {"summary": "happy (0.5) because 'living'", "emotion": "happy"}),
    (Tag.EMOTION, {"label": "sad", "intensity": 0.4}),
    (Tag.LATENCY, {"first_audio_s": 0.82}),
    (Tag.TRANSCRIPT, {"role": "user", "text": "我很难过", "final": False}),
])
def test_json_round_trip(tag: Tag, data: dict) -> None:
    assert decode(encode_json(tag, data)) == Message(tag, data=data)


def test_flush_and_error_round_trip() -> None:
    assert decode(encode_flush()) == Message(Tag.FLUSH)
    assert decode(encode_error("full", "busy")).data == {"code": "full", "message": "busy"}


def test_encode_inverts_decode() -> None:
    for raw in (encode_flush(), encode_json(Tag.STATE, {"state": "thinking"}),
                encode_audio(Tag.AUDIO_OUT, np.zeros(4, np.float32))):
        assert encode(decode(raw)) == raw


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    ("hello", "text frames"),
    (b"\x99abc", "unknown message tag 0x99"),
    (b"\x01", "without samples"),
    (b"\x01\x00\x00\x00", "not whole PCM16"),
    (b"\x01" + bytes(MAX_AUDIO_BYTES + 2), "exceeds"),
    (b"\x11{not json", "not UTF-8 JSON"),
    (b"\x11\xff\xfe", "not UTF-8 JSON"),
    (b"\x11[1, 2]", "JSON object"),
    (b"\x20x", "no payload"),
])
def test_malformed_messages_say_why(raw, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        decode(raw)


def test_page_may_only_send_audio() -> None:
    assert len(decode_client(encode_audio(Tag.AUDIO_IN, np.zeros(320, np.float32)))) == 320
    with pytest.raises(ProtocolError, match="only send AUDIO_IN"):
        decode_client(encode_json(Tag.STATE, {"state": "speaking"}))


def test_wrong_payload_kind_is_refused_when_encoding() -> None:
    with pytest.raises(ProtocolError):
        encode_json(Tag.AUDIO_OUT, {})
    with pytest.raises(ProtocolError):
        encode_audio(Tag.STATE, np.zeros(2, np.float32))
