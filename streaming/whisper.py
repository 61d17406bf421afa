"""Whisper decoding on a trimmed encoder window (CTranslate2 via faster-whisper parts).

faster-whisper always pads the log-mel features to 30 s (3000 frames), and the
encoder's cost grows with the window, so a 3 s utterance pays for 30 s. Here
the window is sized to the speech (rounded up to whole seconds, never below
``min_window_s``); ``benchmarks/asr_latency.py`` measures the gain and the WER.
Word times come from CTranslate2's cross-attention alignment.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from streaming.config import SAMPLE_RATE, AsrConfig

FULL_WINDOW = 3000  # log-mel frames in Whisper's native 30 s window
FRAMES_PER_SECOND = 100


@dataclass(frozen=True, slots=True)
class DecodedWord:
    text: str
    start: float  # seconds from the start of the decoded audio
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    words: tuple[DecodedWord, ...]
    language: str
    window_frames: int  # encoder window actually used
    no_speech_prob: float


def compression_ratio(text: str) -> float:
    """High values (> 2.4) mean the text repeats itself (a Whisper failure mode)."""
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def window_frames(content_frames: int, config: AsrConfig) -> int:
    """Encoder window for ``content_frames`` of features under the config's policy."""
    if config.window == "full":
        return FULL_WINDOW
    rounded = math.ceil(content_frames / FRAMES_PER_SECOND) * FRAMES_PER_SECOND
    return int(min(FULL_WINDOW, max(rounded, config.min_window_s * FRAMES_PER_SECOND)))


class WhisperDecoder:
    """One Whisper model; ``transcribe(audio)`` decodes up to 30 s of 16 kHz audio."""

    def __init__(self, model_dir: str | Path, config: AsrConfig) -> None:
        from faster_whisper import WhisperModel

        self.config = config
        self._fw = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                cpu_threads=config.threads)
        self.multilingual = self._fw.model.is_multilingual
        if not self.multilingual and config.language not in (None, "en"):
            raise ValueError(f"{model_dir} is English-only; use the base model for "
                             f"language {config.language!r}")

    def transcribe(self, audio: np.ndarray, beam_size: int = 1,
                   window: str | None = None) -> Transcript:
        """Decode ``audio`` (at most 30 s); ``window`` overrides the config's policy."""
        if len(audio) > 30 * SAMPLE_RATE:
            raise ValueError("WhisperDecoder.transcribe takes at most 30 s; segment first")
        margin = np.zeros(int(self.config.window_margin_s * SAMPLE_RATE), dtype=np.float32)
        features = self._fw.feature_extractor(np.concatenate([audio, margin]), padding=160)
        content = features.shape[-1] - 1
        policy = window or self.config.window
        frames = window_frames(content, _with_window(self.config, policy))
        result = self._decode(features, content, frames, beam_size, len(audio))
        if frames < FULL_WINDOW and compression_ratio(result.text) > 2.4:
            result = self._decode(features, content, FULL_WINDOW, beam_size, len(audio))
        return result

    def _decode(self, features: np.ndarray, content: int, frames: int, beam_size: int,
                n_samples: int) -> Transcript:
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        window = np.zeros((1, features.shape[0], frames), dtype=np.float32)
        used = min(content, frames)
        window[0, :, :used] = features[:, :used]
        encoded = self._fw.model.encode(ctranslate2.StorageView.from_array(window),
                                        to_cpu=False)
        language = self._language(encoded)
        tokenizer = Tokenizer(self._fw.hf_tokenizer, self.multilingual, task="transcribe",
                              language=language)
        duration = n_samples / SAMPLE_RATE
        out = self._fw.model.generate(
            encoded, [list(tokenizer.sot_sequence) + [tokenizer.no_timestamps]],
            beam_size=beam_size, max_length=min(448, 20 + int(duration * 12)),
            suppress_blank=True, suppress_tokens=_suppressed(tokenizer),
            return_scores=True, return_no_speech_prob=True, no_repeat_ngram_size=0)[0]
        tokens = [t for t in out.sequences_ids[0] if t < tokenizer.eot]
        text = tokenizer.decode(tokens).strip()
        words = self._words(tokenizer, tokens, encoded, used, duration)
        return Transcript(text, words, language, frames, float(out.no_speech_prob))

    def _language(self, encoded) -> str:
        if not self.multilingual:
            return "en"
        if self.config.language:
            return self.config.language
        best = self._fw.model.detect_language(encoded)[0][0][0]  # e.g. "<|en|>"
        return best[2:-2]

    def _words(self, tokenizer, tokens: list[int], encoded, frames: int,
               duration: float) -> tuple[DecodedWord, ...]:
        if not tokens:
            return ()
        aligned = self._fw.find_alignment(tokenizer, [tokens], encoded, frames)[0]
        words = []
        for item in aligned:
            text = item["word"].strip()
            if not text:
                continue
            start = min(float(item["start"]), duration)
            end = min(max(float(item["end"]), start), duration)
            if words and _is_punctuation(text):  # "Americans" + "," -> "Americans,"
                prev = words.pop()
                words.append(DecodedWord(prev.text + text, prev.start, prev.end, prev.probability))
                continue
            words.append(DecodedWord(text, start, end, float(item["probability"])))
        return tuple(words)


def _is_punctuation(text: str) -> bool:
    return all(not ch.isalnum() for ch in text)


def _with_window(config: AsrConfig, policy: str) -> AsrConfig:
    from dataclasses import replace

    return config if config.window == policy else replace(config, window=policy)


def _suppressed(tokenizer) -> list[int]:
    from faster_whisper.transcribe import get_suppressed_tokens

    return list(get_suppressed_tokens(tokenizer, (-1,)) or [])
