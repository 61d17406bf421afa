"""espeak-ng (the Debian program): fast fallback, and the voice for Chinese.

Robotic but about 100 times faster than real time. Style mapping: rate ->
words per minute; pitch shift -> espeak-ng's own pitch (its formant synthesis
moves F0 alone; resampling its audio up cost Whisper 4-11 points of WER on the
bright presets); range, brightness and energy -> ``dsp.finish``;
expressiveness has no equivalent. Word times are
estimated from character counts.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.voice.backend import (
    ClauseVoice,
    VoiceUnavailableError,
    with_estimated_words,
)
from duplex_agent.voice.chunks import Rendered
from duplex_agent.voice.config import VoiceConfig
from duplex_agent.voice.dsp import finish
from duplex_agent.voice.style import VoiceStyle

PROGRAM = "espeak-ng"
WPM_LIMITS = (80, 450)  # espeak-ng's accepted speaking rates
# espeak-ng -p (0-99, default 50) moves en-us F0 by about 0.165 semitone per step
# (measured: 35 -> -2.1 st, 65 -> +2.9 st, 80 -> +5.7 st).
SEMITONES_PER_PITCH_STEP = 0.165


class EspeakVoice(ClauseVoice):
    name = "espeak"

    def __init__(self, config: VoiceConfig | None = None) -> None:
        self.config = config or VoiceConfig()
        self.program = shutil.which(PROGRAM)
        if self.program is None:
            raise VoiceUnavailableError(f"{PROGRAM} is not installed: apt-get install espeak-ng")
        self.languages = tuple(lang for lang, _ in self.config.espeak_voices)

    def render(self, text: str, style: VoiceStyle, language: str = "en") -> Rendered:
        voice = self.config.espeak_voice(language)
        if voice is None:
            raise VoiceUnavailableError(f"no voice for language {language!r}; "
                                        f"known: {', '.join(self.languages)}")
        wpm = int(np.clip(round(self.config.espeak_wpm * style.rate), *WPM_LIMITS))
        pitch = int(np.clip(round(50 + style.pitch_semitones / SEMITONES_PER_PITCH_STEP), 0, 99))
        raw, rate = self._run(text, voice, wpm, pitch)
        audio = _to_16k(raw, rate)
        return finish(with_estimated_words(text, audio, self.config), style, self.config,
                      shifted=True)

    def _run(self, text: str, voice: str, wpm: int, pitch: int) -> tuple[np.ndarray, int]:
        # Text goes through stdin (UTF-8, -b 1) so a leading "-" is never read as a flag;
        # -z drops espeak's own pause at the end (we add the style's pauses ourselves).
        command = [self.program, "-v", voice, "-s", str(wpm), "-p", str(pitch), "-b", "1", "-z",
                   "--stdout", "--stdin"]
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                              timeout=60, check=False)
        if done.returncode != 0:
            raise VoiceUnavailableError(f"{PROGRAM} failed: {done.stderr.decode()[:200]}")
        return parse_wav(done.stdout)


def parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit mono PCM from espeak-ng's streamed WAV (its header sizes are placeholders)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise VoiceUnavailableError(f"{PROGRAM} did not return WAV audio")
    rate = int.from_bytes(data[24:28], "little")
    start = data.find(b"data", 12)
    if start < 0:
        raise VoiceUnavailableError(f"{PROGRAM} returned WAV audio without samples")
    body = data[start + 8:]
    samples = np.frombuffer(body[:len(body) // 2 * 2], dtype="<i2")
    return samples.astype(np.float32) / 32768.0, rate


def _to_16k(audio: np.ndarray, rate: float) -> np.ndarray:
    if rate == SAMPLE_RATE or not len(audio):
        return audio
    import soxr

    return soxr.resample(audio, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
