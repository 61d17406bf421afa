"""The call protocol between the browser page and ``duplex-agent serve``.

Every WebSocket message is binary: one tag byte, then the payload.

==========  ====  =========  ===================================================
message     tag   direction  payload
==========  ====  =========  ===================================================
AUDIO_IN    0x01  page->srv  PCM16 little-endian, 16 kHz mono (a 20 ms frame)
AUDIO_OUT   0x02  srv->page  PCM16 little-endian, 16 kHz mono (agent speech)
TRANSCRIPT  0x10  srv->page  JSON {"final": bool, "text": str, "time": float}
STATE       0x11  srv->page  JSON {"state": listening|hearing|thinking|speaking}
THOUGHT     0x12  srv->page  JSON {"summary": str, "emotion": str, ...}
EMOTION     0x13  srv->page  JSON {"label": str, "intensity": float, ...}
LATENCY     0x14  srv->page  JSON {"first_audio_s": float, ...} once per turn
FLUSH       0x20  srv->page  empty: drop every queued agent sample now
ERROR       0x7F  srv->page  JSON {"code": str, "message": str}
==========  ====  =========  ===================================================

The page sends only AUDIO_IN; anything else from it is malformed and ends that call.
Pure functions, no sockets: ``encode_*`` build bytes, ``decode`` parses them and
raises ``ProtocolError`` with a readable reason on anything malformed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from streaming.audio import pcm16_to_float

MAX_AUDIO_BYTES = 16000  # 0.5 s of PCM16 at 16 kHz: far more than one 20 ms frame
MAX_JSON_BYTES = 16384
MAX_JSON_DEPTH = 8  # our payloads are flat objects; deeper nesting is malformed


class Tag(IntEnum):
    AUDIO_IN = 0x01
    AUDIO_OUT = 0x02
    TRANSCRIPT = 0x10
    STATE = 0x11
    THOUGHT = 0x12
    EMOTION = 0x13
    LATENCY = 0x14
    FLUSH = 0x20
    ERROR = 0x7F


AUDIO_TAGS = frozenset({Tag.AUDIO_IN, Tag.AUDIO_OUT})
JSON_TAGS = frozenset({Tag.TRANSCRIPT, Tag.STATE, Tag.THOUGHT, Tag.EMOTION, Tag.LATENCY,
                       Tag.ERROR})


class ProtocolError(ValueError):
    """A message that does not follow the protocol; the reason says why."""


@dataclass(frozen=True, slots=True)
class Message:
    tag: Tag
    audio: np.ndarray | None = None  # float32 in [-1, 1] for the audio tags
    data: dict | None = None  # the JSON payload for the text tags


def encode_audio(tag: Tag, samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] -> one AUDIO_IN or AUDIO_OUT message."""
    if tag not in AUDIO_TAGS:
        raise ProtocolError(f"{tag.name} is not an audio message")
    pcm = np.clip(np.asarray(samples, np.float32), -1.0, 1.0) * 32767.0
    return bytes([tag]) + np.round(pcm).astype("<i2").tobytes()


def encode_json(tag: Tag, data: dict) -> bytes:
    """A dict -> one text message (compact UTF-8 JSON)."""
    if tag not in JSON_TAGS:
        raise ProtocolError(f"{tag.name} does not carry JSON")
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) > MAX_JSON_BYTES:
        raise ProtocolError(f"{tag.name} payload of {len(body)} bytes exceeds {MAX_JSON_BYTES}")
    return bytes([tag]) + body


def encode_flush() -> bytes:
    return bytes([Tag.FLUSH])


def encode_error(code: str, message: str) -> bytes:
    return encode_json(Tag.ERROR, {"code": code, "message": message})


def decode(raw: bytes | str) -> Message:
    """Parse one message; ``ProtocolError`` says what is wrong with a malformed one."""
    if isinstance(raw, str):
        raise ProtocolError("text frames are not part of the protocol; send binary")
    if not raw:
        raise ProtocolError("empty message")
    try:
        tag = Tag(raw[0])
    except ValueError:
        raise ProtocolError(f"unknown message tag 0x{raw[0]:02x}") from None
    body = bytes(raw[1:])
    if tag in AUDIO_TAGS:
        return Message(tag, audio=_decode_pcm(tag, body))
    if tag is Tag.FLUSH:
        if body:
            raise ProtocolError("FLUSH carries no payload")
        return Message(tag)
    return Message(tag, data=_decode_json(tag, body))


def decode_client(raw: bytes | str) -> np.ndarray:
    """Parse a message from the page: it may only send AUDIO_IN; its samples. The tag is
    checked before anything else is parsed."""
    if isinstance(raw, bytes | bytearray | memoryview) and len(raw) and raw[0] != Tag.AUDIO_IN:
        name = Tag(raw[0]).name if raw[0] in Tag._value2member_map_ else f"0x{raw[0]:02x}"
        raise ProtocolError(f"the page may only send AUDIO_IN, not {name}")
    message = decode(raw)
    assert message.tag is Tag.AUDIO_IN and message.audio is not None
    return message.audio


def _decode_pcm(tag: Tag, body: bytes) -> np.ndarray:
    if not body:
        raise ProtocolError(f"{tag.name} without samples")
    if len(body) % 2:
        raise ProtocolError(f"{tag.name} of {len(body)} bytes is not whole PCM16 samples")
    if len(body) > MAX_AUDIO_BYTES:
        raise ProtocolError(f"{tag.name} of {len(body)} bytes exceeds {MAX_AUDIO_BYTES}")
    return pcm16_to_float(body)


def _decode_json(tag: Tag, body: bytes) -> dict:
    if len(body) > MAX_JSON_BYTES:
        raise ProtocolError(f"{tag.name} payload of {len(body)} bytes exceeds {MAX_JSON_BYTES}")
    if _nesting(body) > MAX_JSON_DEPTH:
        raise ProtocolError(f"{tag.name} payload nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ProtocolError(f"{tag.name} payload is not UTF-8 JSON: {err}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{tag.name} payload must be a JSON object")
    return data


def _nesting(body: bytes) -> int:
    """The deepest bracket nesting in a JSON text (brackets inside strings excluded),
    found without parsing, so a hostile payload cannot exhaust the parser's recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def encode(message: Message) -> bytes:
    """A ``Message`` -> bytes (the inverse of ``decode``)."""
    if message.tag in AUDIO_TAGS:
        assert message.audio is not None, f"{message.tag.name} needs audio"
        return encode_audio(message.tag, message.audio)
    if message.tag is Tag.FLUSH:
        return encode_flush()
    return encode_json(message.tag, message.data or {})
