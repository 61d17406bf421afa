"""The VAD's hysteresis, on scripted probability sequences (no model)."""

from __future__ import annotations

from duplex_agent.config import VadConfig
from duplex_agent.events import SpeechEnded, SpeechStarted
from streaming.vad import VadSegmenter

FRAME = 0.032


def run(probs: list[float], config: VadConfig | None = None):
    seg = VadSegmenter(config or VadConfig())
    events = []
    for i, p in enumerate(probs):
        events += seg.push(p, i * FRAME, (i + 1) * FRAME)
    return events + seg.flush(len(probs) * FRAME)


def test_start_and_end_with_onset_and_last_speech_times():
    events = run([0.0] * 10 + [0.9] * 20 + [0.0] * 20)
    assert events[0] == SpeechStarted(time=15 * FRAME, start=10 * FRAME)  # 5 frames >= 0.15 s
    end = events[1]
    assert isinstance(end, SpeechEnded)
    assert abs(end.start - 0.32) < 1e-9 and abs(end.end - 30 * FRAME) < 1e-9
    assert end.time - end.end >= 0.25  # hang-over before deciding
    assert len(events) == 2


def test_a_click_shorter_than_min_speech_is_ignored():
    assert run([0.0] * 5 + [0.9] * 3 + [0.0] * 20) == []


def test_hysteresis_keeps_speech_through_middling_probabilities():
    events = run([0.9] * 10 + [0.4] * 30 + [0.9] * 5 + [0.0] * 20)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_short_pause_does_not_split_but_long_one_does():
    short = run([0.9] * 10 + [0.0] * 5 + [0.9] * 10 + [0.0] * 20)  # 0.16 s gap
    long = run([0.9] * 10 + [0.0] * 12 + [0.9] * 10 + [0.0] * 20)  # 0.38 s gap
    assert sum(isinstance(e, SpeechEnded) for e in short) == 1
    assert sum(isinstance(e, SpeechEnded) for e in long) == 2


def test_long_speech_is_cut_at_max_segment():
    events = run([0.9] * 200, VadConfig(max_segment_s=2.0))
    ends = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(ends) == 4 and all(e.end - e.start <= 2.0 + FRAME for e in ends)


def test_open_segment_is_closed_at_end_of_stream():
    events = run([0.9] * 20)
    assert isinstance(events[-1], SpeechEnded) and events[-1].time == 20 * FRAME
