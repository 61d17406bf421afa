"""Piper (VITS, ONNX) with the bundled "joe" voice: the natural English voice.

Style mapping: rate -> length_scale, expressiveness -> noise_scale and noise_w
(relative to the voice's own), pitch shift -> resampling with a compensating
length_scale (or WORLD, see ``VoiceConfig.pitch_method``), range, brightness
and energy -> ``dsp.finish``. Word times come from
Piper's phoneme durations when the onnx package is there to expose them.
Other languages than English go to espeak-ng.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.voice.backend import (
    ClauseVoice,
    VoiceUnavailableError,
    base_language,
    resample_factor,
    with_estimated_words,
)
from duplex_agent.voice.chunks import Rendered, WordTiming
from duplex_agent.voice.clauses import word_spans
from duplex_agent.voice.config import VoiceConfig
from duplex_agent.voice.dsp import finish
from duplex_agent.voice.style import VoiceStyle

SILENT_PHONEMES = {"^", "$", "_", " "}
# Share of joe's duration that length_scale does not scale (each phoneme's frame count is
# rounded up, and every phoneme is followed by a pad of at least one frame). Measured on
# 20 sentences: duration ~ 0.2 + 0.8 * length_scale (0.6 -> 0.70, 1.5 -> 1.37, 1.7 -> 1.54).
FIXED_DURATION_SHARE = 0.2


class PiperVoice(ClauseVoice):
    name = "piper"
    languages = ("en",)

    def __init__(self, config: VoiceConfig | None = None,
                 model_path: str | Path | None = None) -> None:
        self.config = config or VoiceConfig()
        if model_path is None:
            from streaming.models import resolve

            model_path = resolve("tts-voice")
        self._piper, self.aligned = _load(Path(model_path), self.config)
        self.native_rate = self._piper.config.sample_rate
        self._espeak = None

    def render(self, text: str, style: VoiceStyle, language: str = "en") -> Rendered:
        if base_language(language) not in self.languages:
            return self._fallback().render(text, style, language)
        factor = resample_factor(style, self.config)
        chunks = self._synthesize(text, style, factor)
        raw = np.concatenate([c.audio_float_array for c in chunks]) if chunks \
            else np.zeros(0, np.float32)
        rendered = self._to_16k(text, raw, chunks, self.native_rate * factor)
        return finish(rendered, style, self.config, shifted=factor != 1.0)

    def _synthesize(self, text: str, style: VoiceStyle, factor: float) -> list:
        from piper import SynthesisConfig

        own = self._piper.config
        syn = SynthesisConfig(length_scale=own.length_scale * factor * length_scale(style.rate),
                              noise_scale=own.noise_scale * style.expressiveness,
                              noise_w_scale=own.noise_w_scale * style.expressiveness,
                              normalize_audio=False)
        return list(self._piper.synthesize(text, syn, include_alignments=self.aligned))

    def _to_16k(self, text: str, raw: np.ndarray, chunks: list, rate: float) -> Rendered:
        import soxr

        audio = soxr.resample(raw, rate, SAMPLE_RATE, quality="HQ").astype(np.float32) \
            if len(raw) else raw
        words = aligned_words(text, chunks, SAMPLE_RATE / rate) if self.aligned else None
        if words is None:
            return with_estimated_words(text, audio, self.config)
        return Rendered(audio, words)

    def _fallback(self):
        if self._espeak is None:
            from duplex_agent.voice.espeak_backend import EspeakVoice

            self._espeak = EspeakVoice(self.config)
        return self._espeak


def length_scale(rate: float) -> float:
    """Piper length_scale that makes speech ``rate`` times as fast as the voice's own."""
    return max(0.25, (1 / rate - FIXED_DURATION_SHARE) / (1 - FIXED_DURATION_SHARE))


def aligned_words(text: str, chunks: list, scale: float) -> tuple[WordTiming, ...] | None:
    """Word times from Piper's per-phoneme sample counts, or None when the phoneme words
    do not match the text's words one to one (e.g. "$25" is three spoken words)."""
    groups: list[tuple[int, int]] = []
    offset = 0
    for chunk in chunks:
        if chunk.phoneme_alignments is None:
            return None
        groups += _phoneme_words(chunk.phoneme_alignments, offset)
        offset += len(chunk.audio_float_array)
    spans = word_spans(text)
    if len(groups) != len(spans):
        return None
    return tuple(WordTiming(a, b, int(round(s * scale)), int(round(e * scale)))
                 for (a, b), (s, e) in zip(spans, groups))


def _phoneme_words(alignments: list, offset: int) -> list[tuple[int, int]]:
    """Sample spans of the runs of sounding phonemes between spaces (punctuation and the
    pauses it makes are left out)."""
    groups, current, pos = [], None, offset
    for item in alignments:
        if item.phoneme == " " and current:
            groups.append(current)
            current = None
        elif item.phoneme not in SILENT_PHONEMES and not _is_punctuation(item.phoneme):
            current = (current[0] if current else pos, pos + int(item.num_samples))
        pos += int(item.num_samples)
    if current:
        groups.append(current)
    return groups


def _is_punctuation(phoneme: str) -> bool:
    return all(unicodedata.category(ch).startswith(("P", "S")) for ch in phoneme)


def _load(model_path: Path, config: VoiceConfig):
    """A piper.PiperVoice with our thread count; with alignment output if onnx is there."""
    try:
        import onnxruntime
        from piper import PiperVoice as _Piper
        from piper.config import PiperConfig
    except ImportError as err:
        raise VoiceUnavailableError(f"Piper is not installed ({err}): "
                                    "pip install 'duplex-agent[voice]'") from None
    config_path = model_path.with_name(model_path.name + ".json")
    if not model_path.exists() or not config_path.exists():
        raise VoiceUnavailableError(f"Piper voice files missing: {model_path} and {config_path}")
    model, aligned = _model_bytes(model_path) if config.word_alignment else (None, False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = config.threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model or str(model_path), sess_options=options,
                                           providers=["CPUExecutionProvider"])
    piper_config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    return _Piper(session=session, config=piper_config), aligned


def _model_bytes(model_path: Path) -> tuple[bytes | None, bool]:
    """The model with Piper's duration tensor exposed (piper's own patch), or (None, False)."""
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        return None, False
    model = onnx.load(str(model_path))
    try:
        add_alignment_output(model)
    except ValueError:  # already patched, or no duration tensor
        return None, False
    return model.SerializeToString(), True
