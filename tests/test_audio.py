"""Audio front end: decoding, resampling, framing and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from streaming.audio import AudioError, FrameAssembler, chunks, load_audio, pcm16_to_float


def _tone(rate: int, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = 0.3 * np.sin(2 * np.pi * 440 * t).astype(np.float32)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


@pytest.mark.parametrize(("fmt", "rate", "channels"), [
    ("wav", 16000, 1), ("wav", 8000, 2), ("flac", 44100, 2), ("ogg", 48000, 1), ("mp3", 22050, 2),
])
def test_any_common_file_becomes_16k_mono(tmp_path, fmt, rate, channels):
    path = tmp_path / f"tone.{fmt}"
    sf.write(path, _tone(rate, 1.5, channels), rate)
    audio = load_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(len(audio) - 24000) <= 1200  # mp3 adds encoder padding
    assert 0.15 < np.sqrt(np.mean(audio**2)) < 0.3  # the tone survived


def test_real_stereo_flac(shared_data):
    audio = load_audio(shared_data / "asr" / "jfk.flac")
    assert len(audio) == 176000  # 11.0 s at 16 kHz


def test_missing_empty_and_corrupt_files_say_why(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "nope.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(tmp_path / "empty.wav")
    (tmp_path / "junk.wav").write_bytes(b"RIFF" + bytes(range(256)) * 10)
    with pytest.raises(AudioError, match="not a readable audio file|corrupt"):
        load_audio(tmp_path / "junk.wav")


def test_header_only_wav_is_empty(tmp_path):
    sf.write(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no audio samples"):
        load_audio(tmp_path / "zero.wav")


def test_nan_audio(tmp_path):
    sf.write(tmp_path / "nan.wav", np.full(1600, np.nan, dtype=np.float32), 16000,
             subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        load_audio(tmp_path / "nan.wav")
    some = _tone(16000, 0.5)
    some[100:110] = np.nan
    sf.write(tmp_path / "some.wav", some, 16000, subtype="FLOAT")
    assert np.isfinite(load_audio(tmp_path / "some.wav")).all()


def test_too_long_is_refused_before_decoding(tmp_path):
    sf.write(tmp_path / "long.wav", _tone(16000, 3.0), 16000)
    with pytest.raises(AudioError, match="limit"):
        load_audio(tmp_path / "long.wav", max_duration_s=2.0)


def test_pcm16_bytes():
    assert pcm16_to_float(np.array([0, 16384, -32768], "<i2").tobytes()).tolist() == \
        [0.0, 0.5, -1.0]
    with pytest.raises(AudioError, match="odd"):
        pcm16_to_float(b"\x00\x01\x02")


def test_reframing_is_exact_for_any_chunking():
    audio = np.random.default_rng(0).standard_normal(10_000).astype(np.float32)
    sizes = np.random.default_rng(1).integers(1, 2000, 50).tolist()
    for chunk_sizes in ([len(audio)], [160], [512], [5120], sizes):
        assembler = FrameAssembler(512)
        frames = [f for c in chunks(audio, chunk_sizes) for f in assembler.push(c)]
        frames += assembler.flush()
        assert [f.start_sample for f in frames] == list(range(0, 10_240, 512))
        joined = np.concatenate([f.samples for f in frames])
        assert np.array_equal(joined[:10_000], audio) and not joined[10_000:].any()
        assert assembler.samples_consumed == 10_240
