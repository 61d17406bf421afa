"""Streaming voice activity detection: the silero ONNX graph plus hysteresis.

``SileroVad`` runs the graph on 512-sample frames, carrying its recurrent
state and the 64-sample context between calls. ``VadSegmenter`` is pure: it
turns per-frame speech probabilities into speech-start / speech-end events
with stream times (start/stop thresholds, minimum speech, hang-over).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from streaming.config import SAMPLE_RATE, VadConfig
from streaming.events import SpeechEnded, SpeechStarted, VadEvent

FRAME_SIZE = 512  # samples per VAD frame at 16 kHz (32 ms), fixed by the model
CONTEXT_SIZE = 64  # samples of the previous frame the model sees before each frame


class SileroVad:
    """Speech probability per 512-sample frame, from the bundled silero ONNX graph."""

    def __init__(self, model_path: str | Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), sess_options=options,
                                             providers=["CPUExecutionProvider"])
        self._rate = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        """Forget all history (a new stream)."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT_SIZE, dtype=np.float32)

    def __call__(self, frame: np.ndarray) -> float:
        if frame.shape != (FRAME_SIZE,):
            raise ValueError(f"VAD frames must be {FRAME_SIZE} samples, got {frame.shape}")
        window = np.concatenate([self._context, frame.astype(np.float32)])[None, :]
        prob, self._state = self._session.run(
            None, {"input": window, "state": self._state, "sr": self._rate})
        self._context = window[0, -CONTEXT_SIZE:]
        return float(prob.reshape(-1)[0])


class VadSegmenter:
    """Hysteresis over frame probabilities -> SpeechStarted / SpeechEnded (pure, no I/O)."""

    def __init__(self, config: VadConfig) -> None:
        self.config = config
        self._candidate: float | None = None  # onset of not-yet-confirmed speech
        self._start: float | None = None  # onset of the confirmed segment
        self._last_speech = 0.0  # end of the newest speech frame

    @property
    def in_speech(self) -> bool:
        return self._start is not None

    def push(self, prob: float, t0: float, t1: float) -> list[VadEvent]:
        """One frame spanning stream times ``t0``..``t1`` with speech probability ``prob``."""
        if self._start is None:
            return self._while_silent(prob, t0, t1)
        return self._while_speaking(prob, t1)

    def _while_silent(self, prob: float, t0: float, t1: float) -> list[VadEvent]:
        cfg = self.config
        if prob >= cfg.start_threshold:
            self._candidate = t0 if self._candidate is None else self._candidate
            self._last_speech = t1
        elif prob < cfg.stop_threshold:
            self._candidate = None
        if self._candidate is not None and self._last_speech - self._candidate >= cfg.min_speech_s:
            self._start, self._candidate = self._candidate, None
            return [SpeechStarted(time=t1, start=self._start)]
        return []

    def _while_speaking(self, prob: float, t1: float) -> list[VadEvent]:
        cfg = self.config
        assert self._start is not None
        if prob >= cfg.stop_threshold:
            self._last_speech = t1
        if t1 - self._last_speech >= cfg.min_silence_s:
            return [self._end(t1)]
        if t1 - self._start >= cfg.max_segment_s:
            ended = self._end(t1)
            self._start = t1
            return [ended, SpeechStarted(time=t1, start=t1)]
        return []

    def _end(self, now: float) -> SpeechEnded:
        assert self._start is not None
        event = SpeechEnded(time=now, start=self._start, end=max(self._last_speech, self._start))
        self._start = None
        return event

    def flush(self, now: float) -> list[VadEvent]:
        """End of stream: close an open segment."""
        self._candidate = None
        return [self._end(now)] if self._start is not None else []


class StreamingVad:
    """Frames in, VAD events out: ``SileroVad`` + ``VadSegmenter``."""

    def __init__(self, config: VadConfig, model_path: str | Path) -> None:
        self.model = SileroVad(model_path, threads=config.threads)
        self.segmenter = VadSegmenter(config)

    def push(self, samples: np.ndarray, start_sample: int) -> list[VadEvent]:
        prob = self.model(samples)
        t0 = start_sample / SAMPLE_RATE
        return self.segmenter.push(prob, t0, t0 + FRAME_SIZE / SAMPLE_RATE)

    def flush(self, now: float) -> list[VadEvent]:
        return self.segmenter.flush(now)
