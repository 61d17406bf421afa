"""Audio clips for the duplex scenarios: real recordings and synthetic speech.

Every clip is trimmed to its speech (silero, as the organisers time audio) and
brought to a known active-speech level, so the scenario's ground-truth times are
the clip's own start and end. ``Clip.synthetic`` and ``Clip.source`` say where the
audio came from: real recordings from ../shared/data (manifest.json names their
origin), or speech synthesised here because its words matter (interruptions,
spoken backchannels, speech addressed to someone else).

The synthetic user voices are deliberately not the agent's plain voice: Piper
joe-us moved up 3 semitones and slowed 5 %, and espeak-ng's en-us voice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE
from duplex_agent.evaluation import timing

DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "data"
USER_LEVEL_DBFS = -26.0  # active-speech RMS of the user's clips before any relative gain
TRIM_PAD_S = 0.03  # audio kept either side of the first and last speech
PYANNOTE = "dialogue/pyannote/sample.wav"
SYNTH_VOICES = ("piper", "espeak")


@dataclass(frozen=True)
class Clip:
    audio: np.ndarray  # 16 kHz mono float32, trimmed to speech, at USER_LEVEL_DBFS
    text: str  # what is said ("" for laughter; real transcripts from the manifest)
    source: str  # "real: <file> [a-b s]" or "synthetic: <voice>"
    synthetic: bool  # True when the audio was synthesised, not recorded

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def data_dir() -> Path:
    """The shared recordings; a clear error when they are absent."""
    from duplex_agent.errors import UserError

    if not (DATA_DIR / "manifest.json").exists():
        raise UserError(f"shared recordings not found at {DATA_DIR} (manifest.json missing)")
    return DATA_DIR


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict]:
    entries = json.loads((data_dir() / "manifest.json").read_text())
    return {entry["file"]: entry for entry in entries}


def active_level_db(audio: np.ndarray) -> float:
    """RMS level (dBFS) over the 20 ms frames within 30 dB of the loudest one."""
    n = len(audio) // 320 * 320
    if n == 0:
        return -120.0
    frames = audio[:n].reshape(-1, 320).astype(np.float64)
    db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    active = frames[db >= db.max() - 30.0]
    return float(10 * np.log10(np.mean(active ** 2) + 1e-12))


def at_level(audio: np.ndarray, dbfs: float) -> np.ndarray:
    """``audio`` scaled to an active-speech level of ``dbfs``."""
    gain = 10 ** ((dbfs - active_level_db(audio)) / 20)
    return np.clip(audio * gain, -1.0, 1.0).astype(np.float32)


def trim_to_speech(audio: np.ndarray) -> np.ndarray:
    """Cut leading and trailing non-speech (silero segments), keeping TRIM_PAD_S."""
    segments = timing.speech_segments(audio)
    if not segments:
        return audio.astype(np.float32)
    pad = TRIM_PAD_S - timing.PAD_S  # silero's segments already carry PAD_S
    start = max(0, int((segments[0][0] - pad) * SAMPLE_RATE))
    end = min(len(audio), int((segments[-1][1] + pad) * SAMPLE_RATE))
    return audio[start:end].astype(np.float32)


def finish(audio: np.ndarray, text: str, source: str, synthetic: bool) -> Clip:
    return Clip(at_level(trim_to_speech(audio), USER_LEVEL_DBFS), text, source, synthetic)


def real_clip(file: str, start: float | None = None, end: float | None = None,
              text: str | None = None) -> Clip:
    """A real recording (path relative to the data folder), optionally a span of it."""
    from streaming.audio import load_audio

    audio = load_audio(data_dir() / file)
    a = int((start or 0.0) * SAMPLE_RATE)
    b = len(audio) if end is None else int(end * SAMPLE_RATE)
    span = "" if start is None and end is None else f" [{start or 0:.2f}-{end or 0:.2f} s]"
    words = text if text is not None else manifest().get(file, {}).get("transcript", "")
    return finish(audio[a:b], words, f"real: {file}{span}", synthetic=False)


@lru_cache(maxsize=2)
def _voice(name: str):
    from duplex_agent.voice import VoiceConfig, load_voice
    from duplex_agent.voice.espeak_backend import EspeakVoice

    if name == "espeak":
        return EspeakVoice(VoiceConfig(espeak_voices=(("en", "en-us"),)))
    return load_voice("piper")


def _user_style(name: str):
    from duplex_agent.voice import VoiceStyle

    # Not the agent's own voice: Piper's joe moved up 3 semitones and slowed 5 %.
    return VoiceStyle(pitch_semitones=3.0, rate=0.95) if name == "piper" else VoiceStyle()


@lru_cache(maxsize=256)
def synth_clip(text: str, voice: str = "piper") -> Clip:
    """SYNTHETIC speech for ``text`` in one of the synthetic user voices."""
    if voice not in SYNTH_VOICES:
        raise ValueError(f"unknown synthetic voice {voice!r}; known: {SYNTH_VOICES}")
    audio = _voice(voice).synthesize(text, _user_style(voice), "en")
    label = "Piper joe-us +3 st" if voice == "piper" else "espeak-ng en-us"
    return finish(audio, text, f"synthetic: {label}", synthetic=True)


def laughter_clip(index: int = 0, max_s: float = 1.5) -> Clip:
    """A real laugh from laughter/laughing (at most ``max_s`` of it)."""
    files = sorted((data_dir() / "laughter" / "laughing").glob("*.wav"))
    rel = str(files[index % len(files)].relative_to(data_dir()))
    clip = real_clip(rel, text="")
    return replace(clip, audio=clip.audio[:int(max_s * SAMPLE_RATE)])


def rttm_turns(rttm: Path) -> list[tuple[str, float, float]]:
    """(speaker, start, end) for each SPEAKER line of an RTTM file."""
    turns = []
    for line in rttm.read_text().splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, length = float(fields[3]), float(fields[4])
            turns.append((fields[7], start, start + length))
    return turns


def solo_regions(turns: list[tuple[str, float, float]], speaker: str,
                 margin: float = 0.05) -> list[tuple[float, float]]:
    """Spans where ``speaker`` talks and nobody else does (``margin`` kept clear)."""
    regions = []
    others = [(s - margin, e + margin) for who, s, e in turns if who != speaker]
    for who, start, end in turns:
        if who != speaker:
            continue
        pieces = [(start, end)]
        for os_, oe in others:
            pieces = [p for a, b in pieces for p in ((a, min(b, os_)), (max(a, oe), b))
                      if p[1] - p[0] > 0]
        regions += pieces
    return sorted(regions)


def pyannote_clip(speaker: str, rank: int = 0, max_s: float | None = None,
                  skip_s: float = 0.0) -> Clip:
    """The ``rank``-th longest solo region of a speaker in the pyannote sample (real),
    from ``skip_s`` into it, cut at ``max_s`` if given (a cut may fall mid-word: fine
    for background speech, not for a user's turn)."""
    turns = rttm_turns(data_dir() / "dialogue" / "pyannote" / "sample.rttm")
    regions = sorted(solo_regions(turns, speaker), key=lambda r: r[1] - r[0], reverse=True)
    start, end = regions[rank]
    start = min(start + skip_s, end)
    end = end if max_s is None else min(end, start + max_s)
    return real_clip(PYANNOTE, start, end, text="")


def split_at_gap(clip: Clip, index: int = 0) -> tuple[Clip, Clip]:
    """Cut a real sentence in two at its ``index``-th internal silence (both halves
    trimmed), to re-join with a pause of a chosen length."""
    probs = timing.speech_probabilities(clip.audio)
    step = timing.FRAME / SAMPLE_RATE
    voiced = np.flatnonzero(probs >= timing.THRESHOLD)
    gaps = [(voiced[i] + 1, voiced[i + 1]) for i in range(len(voiced) - 1)
            if voiced[i + 1] - voiced[i] > 1]
    if len(gaps) <= index:
        raise ValueError(f"{clip.source}: no internal silence number {index}")
    first, second = gaps[index]
    cut_a, cut_b = int(first * step * SAMPLE_RATE), int(second * step * SAMPLE_RATE)
    return replace(clip, audio=clip.audio[:cut_a]), replace(clip, audio=clip.audio[cut_b:])
