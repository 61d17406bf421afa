"""Listening configuration: nested frozen dataclasses, built once at the edge.

Each stage receives only its own section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SAMPLE_RATE = 16_000  # every stage works on 16 kHz mono float32


@dataclass(frozen=True)
class AudioConfig:
    # Longest input file we accept, in seconds (longer input is almost surely a mistake).
    max_duration_s: float = 3 * 3600.0


@dataclass(frozen=True)
class VadConfig:
    # Speech probability at or above which a silence frame turns into speech.
    start_threshold: float = 0.5
    # Probability below which a speech frame counts as silence (hysteresis: < start).
    stop_threshold: float = 0.35
    # Speech shorter than this (seconds) is dropped as a click or breath.
    min_speech_s: float = 0.15
    # Silence that must last this long (seconds) before a segment ends (the hang-over).
    min_silence_s: float = 0.25
    # Segments are cut at this length so one ASR call never exceeds Whisper's 30 s window.
    max_segment_s: float = 28.0
    # onnxruntime threads for the VAD graph (it is tiny; one is plenty).
    threads: int = 1


@dataclass(frozen=True)
class AsrConfig:
    # Which bundled Whisper: "tiny.en" (fast, English) or "base" (accurate, multilingual).
    model: str = "tiny.en"
    # Language code for decoding, or None to detect it (base only; tiny.en is English).
    language: str | None = "en"
    # CTranslate2 CPU threads per call.
    threads: int = 2
    # Encoder window policy: "trim" sizes the window to the speech (plus margin),
    # "full" always pads to Whisper's 30 s (the library default; slower).
    window: str = "trim"
    # Smallest trimmed window in seconds; shorter windows make Whisper repeat itself.
    min_window_s: float = 10.0
    # Silence kept after the speech inside the window, in seconds.
    window_margin_s: float = 1.0
    # Stream time between partial hypotheses while the user is speaking, in seconds.
    partial_interval_s: float = 0.5
    # Beam size for the final transcript (partials are always greedy).
    final_beam_size: int = 1


@dataclass(frozen=True)
class ListenConfig:
    # Audio front end.
    audio: AudioConfig = field(default_factory=AudioConfig)
    # Voice activity detection.
    vad: VadConfig = field(default_factory=VadConfig)
    # Speech recognition.
    asr: AsrConfig = field(default_factory=AsrConfig)


@dataclass(frozen=True)
class SpeakerConfig:
    # How a segment's voice is compared with the enrolled user's: "neural" (the GE2E
    # voice print from the resemblyzer wheel; needs torch) or "mfcc" (MFCC statistics
    # and pitch; no model, tells similar voices apart poorly).
    method: str = "neural"
    # A later turn whose similarity is at least this joins the user's voice print
    # (SpeakerProfile.learn); less confident turns leave it unchanged.
    learn_similarity: float = 0.8
    # The voice print is the running mean of at most this many turns; after that each
    # new turn weighs 1/learn_turns, so the print follows a slowly changing voice.
    learn_turns: int = 20
