"""Audio end-of-turn signals: the Smart Turn v3.2 model and the final pitch movement.

Smart Turn v3.2 (BSD-2-Clause, ships inside the ``pipecat-ai`` wheel; we load
only its ONNX file, never pipecat) reads the last 8 s of the user's 16 kHz
audio and says how likely the turn is complete. Its input contract, read from
pipecat's own loader: the last 8 s (128 000 samples), zero-padded at the
*start* when shorter; the waveform normalised to zero mean and unit variance
over that padded window; Whisper log-mel features (80 mels, 25 ms window,
10 ms hop, 800 frames, log10 clamped to 8 below the maximum, then
``(x + 4) / 4``); input ``input_features`` of shape (batch, 80, 800); output
(batch, 1) already passed through a sigmoid. Pipecat feeds it the audio from
0.5 s before the turn's speech onset up to the moment the VAD closes the
segment, so the trailing silence of the VAD hang-over is part of the input.

``pitch_movement`` is the prosody signal: how far the pitch moves over the
last voiced stretch of a segment, in semitones (a final fall means "done").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from streaming.config import SAMPLE_RATE
from streaming.events import EndOfTurnPrediction

WINDOW_SAMPLES = 8 * SAMPLE_RATE  # the model sees exactly 8 s
N_MELS = 80
N_FRAMES = 800  # 10 ms hop over 8 s
PRE_SPEECH_S = 0.5  # audio before the speech onset that callers should include
_NORM_EPS = 1e-7  # variance floor of the waveform normalisation


def fit_window(audio: np.ndarray) -> np.ndarray:
    """The last 8 s of ``audio``, zero-padded at the start when shorter."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)[-WINDOW_SAMPLES:]
    if len(audio) < WINDOW_SAMPLES:
        audio = np.concatenate([np.zeros(WINDOW_SAMPLES - len(audio), np.float32), audio])
    return audio


_EXTRACTOR = None


def _extractor():
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from faster_whisper.feature_extractor import FeatureExtractor

        _EXTRACTOR = FeatureExtractor(feature_size=N_MELS, chunk_length=8)
    return _EXTRACTOR


def log_mel_features(audio: np.ndarray) -> np.ndarray:
    """Smart Turn's input for one stretch of audio: float32 (80, 800)."""
    window = fit_window(audio)
    window = (window - window.mean()) / np.sqrt(window.var() + _NORM_EPS)
    # padding=0: the window is already exactly 8 s; Whisper's extractor drops the last frame.
    features = _extractor()(window.astype(np.float32), padding=0)
    return np.asarray(features[:, :N_FRAMES], dtype=np.float32)


class SmartTurn:
    """The Smart Turn v3.2 ONNX graph; ``probability(audio)`` = P(turn complete)."""

    def __init__(self, model_path: str | Path | None = None, threads: int = 1) -> None:
        import onnxruntime as ort

        if model_path is None:
            from streaming.models import resolve

            model_path = resolve("end-of-turn")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(model_path), sess_options=options,
                                             providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def probability(self, audio: np.ndarray) -> float:
        """P(complete) for the user's audio ending now (the last 8 s are used)."""
        features = log_mel_features(audio)[None]
        (out,) = self._session.run(None, {self._input: features})
        return float(np.clip(np.asarray(out).reshape(-1)[0], 0.0, 1.0))

    def predict(self, audio: np.ndarray, time: float) -> EndOfTurnPrediction:
        """The event for audio that ends at stream time ``time``.

        Pass the user's audio from ``PRE_SPEECH_S`` before the turn's speech
        onset up to ``time`` (typically the VAD's speech-ended decision).
        """
        return EndOfTurnPrediction(time=time, probability=round(self.probability(audio), 4))
