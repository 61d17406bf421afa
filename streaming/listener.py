"""The listening pipeline: chunks of 16 kHz audio in, VAD and ASR events out.

``Listener`` is synchronous and deterministic (stream time only), so a file,
a microphone and a test all get the same events for the same audio.
``listen_stage`` wraps it as an async generator stage for the session loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np

from streaming.asr import StreamingAsr
from streaming.audio import FrameAssembler
from streaming.config import SAMPLE_RATE, ListenConfig
from streaming.events import ListenEvent
from streaming.vad import FRAME_SIZE, StreamingVad


@dataclass
class ListenModels:
    """The loaded models a Listener needs; load once, share across listeners of one thread."""

    vad_path: str
    decoder: object  # streaming.whisper.WhisperDecoder

    @classmethod
    def load(cls, config: ListenConfig) -> ListenModels:
        from streaming.models import resolve
        from streaming.whisper import WhisperDecoder

        role = {"tiny.en": "asr-tiny.en", "base": "asr-base"}.get(config.asr.model)
        if role is None:
            raise ValueError(f"unknown ASR model {config.asr.model!r}: use tiny.en or base")
        return cls(str(resolve("vad")), WhisperDecoder(resolve(role), config.asr))


@dataclass
class Listener:
    config: ListenConfig
    models: ListenModels
    _frames: FrameAssembler = field(init=False)

    def __post_init__(self) -> None:
        self._frames = FrameAssembler(FRAME_SIZE)
        self._vad = StreamingVad(self.config.vad, self.models.vad_path)
        self._asr = StreamingAsr(self.config.asr, self.models.decoder)

    @property
    def now(self) -> float:
        """Stream time: samples consumed / sample rate."""
        return self._frames.samples_consumed / SAMPLE_RATE

    def push(self, chunk: np.ndarray) -> list[ListenEvent]:
        """Feed any number of samples; return the events they complete."""
        events: list[ListenEvent] = []
        for frame in self._frames.push(chunk):
            events += self._step(frame.samples, frame.start_sample)
        return events

    def finish(self) -> list[ListenEvent]:
        """End of stream: process the padded last frame and close an open segment."""
        events: list[ListenEvent] = []
        for frame in self._frames.flush():
            events += self._step(frame.samples, frame.start_sample)
        for vad_event in self._vad.flush(self._frames.samples_consumed / SAMPLE_RATE):
            events.append(vad_event)
            events += self._asr.on_vad(vad_event)
        return events

    def _step(self, samples: np.ndarray, start_sample: int) -> list[ListenEvent]:
        vad_events = self._vad.push(samples, start_sample)
        events: list[ListenEvent] = list(self._asr.push_audio(samples))
        for vad_event in vad_events:
            events.append(vad_event)
            events += self._asr.on_vad(vad_event)
        return events


async def listen_stage(chunks: AsyncIterator[np.ndarray],
                       listener: Listener) -> AsyncIterator[ListenEvent]:
    """Async stage: audio chunks in, listen events out.

    Decoding runs in a worker thread so the loop stays responsive. Cancelling
    is safe between chunks; a decode already running finishes in its thread.
    """
    async for chunk in chunks:
        for event in await asyncio.to_thread(listener.push, chunk):
            yield event
    for event in await asyncio.to_thread(listener.finish):
        yield event


def listen_file(audio: np.ndarray, listener: Listener,
                chunk_samples: int | None = None) -> list[ListenEvent]:
    """Run a whole recording through ``listener`` (in one piece or in chunks)."""
    from streaming.audio import chunks

    events: list[ListenEvent] = []
    for chunk in chunks(audio, [chunk_samples or len(audio)]):
        events += listener.push(chunk)
    return events + listener.finish()
