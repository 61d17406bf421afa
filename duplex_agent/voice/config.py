"""The voice's configuration: one frozen dataclass, built once at the edge."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceConfig:
    # Default backend: "piper" (natural, English; other languages go to espeak-ng) or "espeak".
    backend: str = "piper"
    # How the pitch shift is made: "resample" (synthesise longer or shorter, then resample:
    # exact, free, voice stays fully periodic; formants move with the pitch) or "world"
    # (WORLD vocoder: formants kept, but on joe it halves the frames that stay clearly
    # voiced, i.e. a rougher voice). pitch_range always uses WORLD, and only when != 1.
    # benchmarks/voice_delivery.py --pitch-methods measures both.
    pitch_method: str = "resample"
    # onnxruntime threads for the Piper graph.
    threads: int = 2
    # Whether to expose Piper's phoneme durations for exact word times (needs the onnx
    # package; without it word times are estimated from character counts).
    word_alignment: bool = True
    # espeak-ng voices per language (cmn-latn-pinyin reads Han characters with the right
    # tones in espeak-ng 1.51, where plain "cmn" reads tone digits as English numbers).
    espeak_voices: tuple[tuple[str, str], ...] = (("en", "en-us"), ("zh", "cmn-latn-pinyin"))
    # espeak-ng speaking rate at style rate 1.0, in words per minute.
    espeak_wpm: int = 165
    # Active-speech RMS level every clause is brought to at energy 0 dB, in dBFS.
    level_dbfs: float = -24.0
    # Clause-edge silence is trimmed below this level relative to the clause peak, in dB.
    trim_db: float = -40.0
    # Audio kept before the first and after the last loud frame of a clause, in seconds.
    edge_margin_s: float = 0.03
    # Fade in/out at clause edges (avoids clicks after trimming), in seconds.
    fade_s: float = 0.005
    # A comma-type break only ends a clause after at least this many words ("Oh, I see."
    # stays one clause); sentence ends always do.
    min_clause_words: int = 2
    # A clause with no punctuation is cut at a word boundary after this many words.
    max_clause_words: int = 24
    # Playout block: the unit of playback and of cancellation, in samples at 16 kHz (20 ms).
    block_samples: int = 320
    # Backchannels are spoken with the style of their emotion at this intensity ...
    backchannel_intensity: float = 0.6
    # ... and this much quieter than replies, in dB.
    backchannel_gain_db: float = -3.0

    def espeak_voice(self, language: str) -> str | None:
        """The espeak-ng voice for ``language`` (e.g. "en", "zh"), or None if unsupported."""
        return dict(self.espeak_voices).get(language.split("-")[0].lower())
