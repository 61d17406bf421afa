"""A neural voice print: the GE2E speaker encoder that ships in the ``resemblyzer`` wheel.

The wheel carries ``resemblyzer/pretrained.pt`` (Apache-2.0): a 3-layer LSTM
(256 hidden units) whose last hidden state goes through a 256-unit linear layer,
a ReLU and an L2 norm, trained with the generalised end-to-end (GE2E) loss on
40-channel mel *power* spectra (resemblyzer feeds the LSTM the mel power, not its
log) of 25 ms windows every 10 ms at 16 kHz, in partial utterances of 160 frames
(1.6 s). We import neither resemblyzer nor its librosa/webrtcvad dependencies:
the file is located with ``importlib.util.find_spec``, the network is rebuilt here
with the same state-dict names, and the mel front end is numpy matching librosa's
``melspectrogram`` (Slaney mel scale and norm, periodic Hann window, centred frames
with zero padding). Checked against resemblyzer 0.1.4 with librosa 0.11 on the same
input: mel within 1e-7 relative, embeddings at cosine 1.000000.

Two deliberate differences from ``VoiceEncoder.embed_utterance(preprocess_wav(x))``:
no webrtcvad trimming of long silences (the session hands us VAD segments), and
speech shorter than one partial is embedded from the frames it has instead of
being zero-padded to 1.6 s (same equal-error rate in benchmarks/speaker_check.py,
a third of the LSTM steps for 0.5 s). Longer speech is cut into partials 1/1.3 s
apart whose embeddings are averaged, as resemblyzer does. torch loads on first use.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from streaming.config import SAMPLE_RATE

N_FFT = 400  # 25 ms window
HOP = 160  # 10 ms hop
N_MELS = 40
PARTIAL_FRAMES = 160  # frames per partial utterance (1.6 s), as trained
PARTIAL_RATE = 1.3  # partials per second of speech (resemblyzer's default)
MIN_COVERAGE = 0.75  # a last partial shorter than this share of 160 frames is dropped
TARGET_DBFS = -30.0  # quieter speech is raised to this level first (never lowered)
MIN_FRAMES = 20  # fewer frames than this (0.2 s) are not embedded
LSTM_LAYERS = 3
HIDDEN_SIZE = 256
EMBEDDING_SIZE = 256


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default): linear to 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log, linear)


@functools.cache
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangles, Slaney-normalised, from 0 Hz to Nyquist."""
    bins = np.fft.rfftfreq(N_FFT, 1 / SAMPLE_RATE)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    ramps = edges[:, None] - bins[None]
    widths = np.diff(edges)
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    return (triangles * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


@functools.cache
def _window() -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def mel_power(audio: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrum, one frame per 10 ms centred on ``HOP * i``."""
    x = np.pad(np.asarray(audio, dtype=np.float32).reshape(-1), N_FFT // 2)
    count = 1 + (len(x) - N_FFT) // HOP
    if count <= 0:
        return np.zeros((0, N_MELS), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, N_FFT)[::HOP][:count]
    power = np.abs(np.fft.rfft(frames * _window(), axis=1)) ** 2
    return (power.astype(np.float32) @ mel_filters().T).astype(np.float32)


def normalize_level(audio: np.ndarray) -> np.ndarray:
    """Raise quiet speech to ``TARGET_DBFS`` RMS (loud speech stays as it is)."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if len(audio) else 0.0
    if rms <= 1e-6:
        return audio
    gain_db = TARGET_DBFS - 20 * np.log10(rms)
    return audio * np.float32(10 ** (gain_db / 20)) if gain_db > 0 else audio


def partial_slices(n_samples: int) -> list[slice]:
    """The mel frames of each 160-frame partial of ``n_samples`` of audio (resemblyzer's
    policy for speech longer than one partial; shorter speech is one slice of all its
    frames). A slice may run past the last frame: zero-pad it."""
    n_frames = 1 + n_samples // HOP
    if n_frames <= PARTIAL_FRAMES:
        return [slice(0, n_frames)]
    step = int(round(SAMPLE_RATE / PARTIAL_RATE / HOP))
    starts = list(range(0, n_frames - PARTIAL_FRAMES + step + 1, step))
    if len(starts) > 1 and (n_samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP) < MIN_COVERAGE:
        starts.pop()
    return [slice(s, s + PARTIAL_FRAMES) for s in starts]


def _network(weights: Path):
    """The encoder with resemblyzer's state-dict names (``lstm.*``, ``linear.*``)."""
    import torch
    from torch import nn

    net = nn.ModuleDict({"lstm": nn.LSTM(N_MELS, HIDDEN_SIZE, LSTM_LAYERS, batch_first=True),
                         "linear": nn.Linear(HIDDEN_SIZE, EMBEDDING_SIZE)})
    state = torch.load(weights, map_location="cpu", weights_only=True)["model_state"]
    net.load_state_dict({k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))})
    return net.eval()


class VoiceEncoder:
    """Unit-length 256-d voice prints of 16 kHz speech."""

    def __init__(self, weights: Path) -> None:
        self._net = _network(weights)

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """Embeddings of a batch of equally long mel sequences, (batch, frames, 40)."""
        import torch

        with torch.inference_mode():
            _, (hidden, _) = self._net["lstm"](torch.from_numpy(np.ascontiguousarray(mels)))
            raw = torch.relu(self._net["linear"](hidden[-1]))
            return torch.nn.functional.normalize(raw, dim=1).numpy()

    def embed(self, audio: np.ndarray) -> np.ndarray | None:
        """The unit voice print of one stretch of speech; None if shorter than 0.2 s."""
        audio = normalize_level(audio)
        mel = mel_power(audio)
        if len(mel) < MIN_FRAMES:
            return None
        slices = partial_slices(len(audio))
        if slices[-1].stop > len(mel):  # the last partial runs past the end: zero-pad
            mel = np.pad(mel, ((0, slices[-1].stop - len(mel)), (0, 0)))
        mean = self.embed_mels(np.stack([mel[s] for s in slices])).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return (mean / norm).astype(np.float32) if norm > 0 else None


@functools.cache
def load_encoder() -> VoiceEncoder:
    """The shared encoder (loaded once); raises ModelMissingError without resemblyzer."""
    from streaming.models import resolve_speaker_encoder

    return VoiceEncoder(resolve_speaker_encoder())
