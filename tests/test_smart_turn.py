"""Smart Turn v3.2 and the final pitch movement on real recordings.

Protocol (pipecat's): the audio from 0.5 s before the speech onset to the
VAD's end-of-speech decision (speech end + 0.25 s hang-over). "Complete" is
the whole read sentence; "cut" is the same recording cut in the middle of a
word about 60 % of the way in, followed by the same hang-over of silence.
Word times come from the real listening path (tiny.en). Numbers print with -s.
"""

from __future__ import annotations

import numpy as np
import pytest

from duplex_agent.config import SAMPLE_RATE, ListenConfig
from duplex_agent.events import AsrFinal, EndOfTurnPrediction, SpeechEnded
from streaming.audio import load_audio
from streaming.listener import Listener, listen_file
from streaming.prosody import pitch_movement
from streaming.smart_turn import (
    N_FRAMES,
    N_MELS,
    PRE_SPEECH_S,
    WINDOW_SAMPLES,
    SmartTurn,
    fit_window,
    log_mel_features,
)

HANG_OVER_S = 0.25  # VadConfig.min_silence_s


def span(audio: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """audio[t0:t1] in seconds, zero-padded where the recording ends first."""
    piece = audio[int(t0 * SAMPLE_RATE):int(t1 * SAMPLE_RATE)]
    return np.concatenate([piece, np.zeros(int((t1 - t0) * SAMPLE_RATE) - len(piece),
                                            np.float32)])


@pytest.fixture(scope="module")
def smart_turn():
    return SmartTurn()


@pytest.fixture(scope="module")
def cases(shared_data, tiny_models):
    """(name, complete audio, cut audio, speech until end, speech until cut)."""
    paths = sorted((shared_data / "asr" / "speechbrain_timit_like").glob("*.wav"))
    out = []
    for path in paths + [shared_data / "asr" / "jfk.flac"]:
        audio = load_audio(path)
        events = listen_file(audio, Listener(ListenConfig(), tiny_models))
        words = [w for e in events if isinstance(e, AsrFinal) for w in e.words]
        ends = [e for e in events if isinstance(e, SpeechEnded)]
        onset, end = max(0.0, ends[0].start - PRE_SPEECH_S), ends[-1].end
        word = words[int(len(words) * 0.6)]
        cut_at = (word.start + word.end) / 2
        out.append((path.name, span(audio, onset, end + HANG_OVER_S),
                    np.concatenate([span(audio, onset, cut_at), _hang_over()]),
                    span(audio, onset, end), span(audio, onset, cut_at)))
    return out


def _hang_over() -> np.ndarray:
    return np.zeros(int(HANG_OVER_S * SAMPLE_RATE), np.float32)


def test_input_contract_is_eight_seconds_padded_at_the_start():
    short = np.ones(SAMPLE_RATE, np.float32)
    window = fit_window(short)
    assert window.shape == (WINDOW_SAMPLES,)
    assert not window[:-SAMPLE_RATE].any() and window[-SAMPLE_RATE:].all()
    long = np.arange(10 * SAMPLE_RATE, dtype=np.float32)
    assert fit_window(long)[-1] == long[-1] and len(fit_window(long)) == WINDOW_SAMPLES
    features = log_mel_features(np.random.default_rng(0).normal(0, 0.1, 3 * SAMPLE_RATE))
    assert features.shape == (N_MELS, N_FRAMES) and features.dtype == np.float32
    assert -1.5 < features.min() and features.max() <= 1.6  # Whisper scaling: (log10 + 4) / 4


def test_complete_sentences_score_higher_than_cut_ones(cases, smart_turn):
    complete = np.array([smart_turn.probability(c[1]) for c in cases])
    cut = np.array([smart_turn.probability(c[2]) for c in cases])
    for (name, *_), p_full, p_cut in zip(cases, complete, cut):
        print(f"\n{name:16s} complete P={p_full:.3f}   cut mid-word P={p_cut:.3f}", end="")
    print(f"\nmean complete {complete.mean():.3f} ({(complete > 0.5).sum()}/{len(cases)} > 0.5), "
          f"mean cut {cut.mean():.3f} ({(cut < 0.5).sum()}/{len(cases)} < 0.5), "
          f"pairs ordered {(complete > cut).sum()}/{len(cases)}")
    assert complete.mean() > cut.mean() + 0.3
    assert (complete > 0.5).sum() >= 8 and (cut < 0.5).sum() >= 6
    assert (complete > cut).sum() >= 9


def test_prediction_event_is_stamped_with_stream_time(cases, smart_turn):
    event = smart_turn.predict(cases[-1][1], time=11.2)
    assert isinstance(event, EndOfTurnPrediction) and event.time == 11.2
    assert 0.0 <= event.probability <= 1.0


def test_final_pitch_falls_more_often_at_sentence_ends(cases):
    full = [pitch_movement(c[3]) for c in cases]
    cut = [pitch_movement(c[4]) for c in cases]
    falls_full = sum(m is not None and m < -1.0 for m in full)
    falls_cut = sum(m is not None and m < -1.0 for m in cut)
    print(f"\nfinal pitch movement (st) complete {full}\n  cut {cut}\n"
          f"falls > 1 st: complete {falls_full}/{len(cases)}, cut {falls_cut}/{len(cases)}")
    assert falls_full > falls_cut
    assert pitch_movement(np.zeros(SAMPLE_RATE, np.float32)) is None
