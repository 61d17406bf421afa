"""The agent's voice: styled, streaming, cancellable speech (see DESIGN.md, "Voice").

    style = style_for("sad", 0.7)                   # delivery for the thought's emotion
    voice = load_voice("piper")                     # or "espeak"; zh always uses espeak-ng
    async for chunk in speak_stream(tokens, voice, style):
        playout.push(chunk)                         # Playout hands out 20 ms blocks
    heard = playout.stop(at_sample)                 # barge-in: the text actually heard

Importing this package loads numpy only; Piper, onnxruntime and pyworld load
when a voice is created or a pitch is moved.
"""

from duplex_agent.voice.backchannels import BackchannelCache
from duplex_agent.voice.backend import (
    BACKENDS,
    ClauseVoice,
    Voice,
    VoiceUnavailableError,
    load_voice,
)
from duplex_agent.voice.chunks import Rendered, SpeechChunk, WordTiming
from duplex_agent.voice.clauses import ClauseSplitter
from duplex_agent.voice.config import VoiceConfig
from duplex_agent.voice.playout import Playout
from duplex_agent.voice.stream import speak_stream
from duplex_agent.voice.style import (
    EMOTIONS,
    PRESETS,
    StyleError,
    VoiceStyle,
    style_for,
    style_from_json,
)

__all__ = [
    "BACKENDS", "EMOTIONS", "PRESETS", "BackchannelCache", "ClauseSplitter", "ClauseVoice",
    "Playout", "Rendered", "SpeechChunk", "StyleError", "Voice", "VoiceConfig", "VoiceStyle",
    "VoiceUnavailableError", "WordTiming", "load_voice", "speak_stream", "style_for",
    "style_from_json",
]
