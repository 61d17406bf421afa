"""Audio front end: decode any common file to 16 kHz mono float32, cut it into frames.

Stream time is the master clock: a frame's time is the number of samples
before it divided by the sample rate. Re-framing is exact, so feeding audio in
any chunk size yields the same frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from streaming.config import SAMPLE_RATE
from streaming.errors import StreamingError


class AudioError(StreamingError, ValueError):
    """Input audio that cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Frame:
    """A fixed-size block of 16 kHz mono float32 samples at a stream position."""

    samples: np.ndarray
    start_sample: int

    @property
    def time(self) -> float:
        """Stream time of the first sample, in seconds."""
        return self.start_sample / SAMPLE_RATE

    @property
    def end_time(self) -> float:
        return (self.start_sample + len(self.samples)) / SAMPLE_RATE


def to_mono_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mix to mono and resample to 16 kHz (soxr, high quality)."""
    if rate <= 0:
        raise AudioError(f"invalid sample rate {rate}")
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    if rate != SAMPLE_RATE and len(audio):
        import soxr

        audio = soxr.resample(audio, rate, SAMPLE_RATE, quality="HQ").astype(np.float32)
    return audio


def clean(audio: np.ndarray, source: str) -> np.ndarray:
    """Reject empty or all-NaN audio; zero isolated NaN/inf samples; clip to [-1, 1]."""
    if audio.size == 0:
        raise AudioError(f"{source}: no audio samples (empty file or stream)")
    finite = np.isfinite(audio)
    if not finite.any():
        raise AudioError(f"{source}: every sample is NaN or infinite")
    if not finite.all():
        audio = np.where(finite, audio, 0.0).astype(np.float32)
    return np.clip(audio, -1.0, 1.0)


def _decode_with_av(path: Path) -> tuple[np.ndarray, int]:
    """Fallback for containers libsndfile does not read (m4a, webm, ...)."""
    from faster_whisper.audio import decode_audio

    return decode_audio(str(path), sampling_rate=SAMPLE_RATE), SAMPLE_RATE


def load_audio(path: str | Path, max_duration_s: float = 3 * 3600.0) -> np.ndarray:
    """Decode wav/flac/ogg/mp3 (and via PyAV most other formats) to 16 kHz mono float32."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes)")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        info = None
    if info is not None:
        if info.duration > max_duration_s:
            raise AudioError(f"{path}: {info.duration:.0f} s is longer than the "
                             f"{max_duration_s:.0f} s limit (split it, or raise the limit)")
        try:
            samples, rate = sf.read(str(path), dtype="float32", always_2d=False)
        except (sf.LibsndfileError, RuntimeError) as err:
            raise AudioError(f"{path}: corrupt or truncated audio ({err})") from None
    else:
        try:
            samples, rate = _decode_with_av(path)
        except Exception as err:  # PyAV raises many types for undecodable input
            raise AudioError(f"{path}: not a readable audio file ({err})") from None
    audio = clean(to_mono_16k(samples, rate), str(path))
    if len(audio) / SAMPLE_RATE > max_duration_s:
        raise AudioError(f"{path}: longer than the {max_duration_s:.0f} s limit")
    return audio


def pcm16_to_float(data: bytes) -> np.ndarray:
    """Little-endian int16 PCM bytes to float32 in [-1, 1)."""
    if len(data) % 2:
        raise AudioError(f"PCM16 payload has an odd byte count ({len(data)})")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


class FrameAssembler:
    """Re-frames arbitrary chunks into exact ``frame_size`` frames with stream positions."""

    def __init__(self, frame_size: int) -> None:
        self.frame_size = frame_size
        self._pending = np.zeros(0, dtype=np.float32)
        self._next_start = 0

    @property
    def samples_consumed(self) -> int:
        """Samples taken in so far (framed or pending): the stream clock."""
        return self._next_start + len(self._pending)

    def push(self, chunk: np.ndarray) -> list[Frame]:
        """Add a chunk; return every frame it completes."""
        chunk = np.asarray(chunk, dtype=np.float32).reshape(-1)
        buffer = np.concatenate([self._pending, chunk]) if len(self._pending) else chunk
        frames = []
        whole = len(buffer) // self.frame_size * self.frame_size
        for offset in range(0, whole, self.frame_size):
            frames.append(Frame(buffer[offset:offset + self.frame_size].copy(), self._next_start))
            self._next_start += self.frame_size
        self._pending = buffer[whole:].copy()
        return frames

    def flush(self) -> list[Frame]:
        """Zero-pad and return the last partial frame, if any."""
        if not len(self._pending):
            return []
        padded = np.zeros(self.frame_size, dtype=np.float32)
        padded[:len(self._pending)] = self._pending
        self._pending = np.zeros(0, dtype=np.float32)
        frame = Frame(padded, self._next_start)
        self._next_start += self.frame_size
        return [frame]


def chunks(audio: np.ndarray, sizes: Iterable[int]) -> Iterator[np.ndarray]:
    """Cut ``audio`` into consecutive chunks of the given sizes (cycled), for streaming."""
    position = 0
    sizes = list(sizes)
    i = 0
    while position < len(audio):
        size = max(1, sizes[i % len(sizes)])
        yield audio[position:position + size]
        position += size
        i += 1
