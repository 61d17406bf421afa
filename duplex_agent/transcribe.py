"""The ``transcribe`` job: a recording through the streaming listener, as if live."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from duplex_agent.config import SAMPLE_RATE, ListenConfig
from duplex_agent.events import AsrFinal, AsrPartial, ListenEvent, SpeechEnded

CHUNK_S = 0.5  # the file is fed in chunks of this much audio, like a live stream


@dataclass(frozen=True)
class TranscriptionResult:
    file: str
    duration_s: float
    model: str
    events: tuple[ListenEvent, ...]
    compute_s: float  # wall time spent listening (for the real-time factor)
    audio: np.ndarray | None = None  # the decoded 16 kHz input, if asked to keep it

    @property
    def finals(self) -> list[AsrFinal]:
        return [e for e in self.events if isinstance(e, AsrFinal)]

    @property
    def partials(self) -> list[AsrPartial]:
        return [e for e in self.events if isinstance(e, AsrPartial)]

    @property
    def segments(self) -> list[SpeechEnded]:
        return [e for e in self.events if isinstance(e, SpeechEnded)]

    @property
    def text(self) -> str:
        return " ".join(f.text for f in self.finals if f.text)


def segment_audio(result: TranscriptionResult, final: AsrFinal) -> np.ndarray:
    """The audio of one final's speech segment (needs ``keep_audio=True``)."""
    assert result.audio is not None, "transcribe_file(..., keep_audio=True) keeps the audio"
    return result.audio[int(final.segment_start * SAMPLE_RATE):int(final.segment_end * SAMPLE_RATE)]


def transcribe_file(path: Path, config: ListenConfig,
                    keep_audio: bool = False) -> TranscriptionResult:
    from tqdm import tqdm

    from streaming.audio import chunks, load_audio
    from streaming.listener import Listener, ListenModels

    audio = load_audio(path, config.audio.max_duration_s)
    listener = Listener(config, ListenModels.load(config))
    events: list[ListenEvent] = []
    step = int(CHUNK_S * SAMPLE_RATE)
    started = time.perf_counter()  # wall-clock ok: reports compute cost only
    with tqdm(total=round(len(audio) / SAMPLE_RATE, 1), unit="s", desc="listening",
              disable=None, leave=False) as bar:
        for chunk in chunks(audio, [step]):
            events += listener.push(chunk)
            bar.update(round(len(chunk) / SAMPLE_RATE, 1))
    events += listener.finish()
    return TranscriptionResult(str(path), len(audio) / SAMPLE_RATE, config.asr.model,
                               tuple(events), time.perf_counter() - started,  # wall-clock ok
                               audio if keep_audio else None)
