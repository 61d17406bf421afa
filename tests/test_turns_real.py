"""The controller on real event streams: silero VAD + Whisper tiny.en + Smart Turn + pitch.

JFK's "And so, my fellow Americans, ask not what your country can do for you,
ask what you can do for your country" comes in four phrases with pauses of
0.5-1 s. A 0.8 s silence timeout takes the turn inside the sentence; the
default controller holds it where Smart Turn hears the sentence going on.
"""

from __future__ import annotations

import pytest

from duplex_agent.config import SAMPLE_RATE, ListenConfig
from duplex_agent.events import FinalPitch, SpeechEnded, SpeechStarted
from duplex_agent.turns import TakeTurn, TurnConfig, TurnController
from duplex_agent.turns.script import run
from streaming.audio import load_audio
from streaming.listener import Listener, listen_file
from streaming.prosody import pitch_movement
from streaming.smart_turn import PRE_SPEECH_S, SmartTurn

SMART_TURN_S = 0.09  # its compute, charged to the stream time of its event


@pytest.fixture(scope="module")
def jfk_events(shared_data, tiny_models):
    """The listening events plus Smart Turn and final pitch at every VAD segment end."""
    audio = load_audio(shared_data / "asr" / "jfk.flac")
    events = listen_file(audio, Listener(ListenConfig(), tiny_models))
    onset = next(e.start for e in events if isinstance(e, SpeechStarted))
    model, extra = SmartTurn(), []
    for end in (e for e in events if isinstance(e, SpeechEnded)):
        turn_audio = audio[int(max(0.0, onset - PRE_SPEECH_S) * SAMPLE_RATE):
                           int(end.time * SAMPLE_RATE)]
        extra.append(model.predict(turn_audio, round(end.time + SMART_TURN_S, 3)))
        movement = pitch_movement(audio[int(end.start * SAMPLE_RATE):
                                        int(end.end * SAMPLE_RATE)])
        if movement is not None:
            extra.append(FinalPitch(end.time, end.start, movement))
    return events + extra, len(audio) / SAMPLE_RATE


def turns_taken(events, duration: float, config: TurnConfig) -> list[TakeTurn]:
    actions = run(TurnController(config), events, duration + 3.0)
    return [a for a in actions if isinstance(a, TakeTurn)]


def test_default_holds_the_turn_through_the_sentence(jfk_events):
    events, duration = jfk_events
    takes = turns_taken(events, duration, TurnConfig())
    for take in takes:
        print(f"\n{take.time:6.2f} s  {take.user_text!r}\n         {take.reason}", end="")
    final = takes[-1]
    assert "my fellow americans" in final.user_text.lower()
    assert final.user_text.lower().rstrip(".").endswith("your country")
    assert final.time - final.speech_end < 1.0
    texts = [t.user_text.lower().rstrip(".!") for t in takes]
    assert not any(t.endswith(("ask not", "do for you")) for t in texts)


def test_naive_timeout_takes_the_turn_inside_the_sentence(jfk_events):
    events, duration = jfk_events
    texts = [t.user_text.lower() for t in turns_taken(events, duration, TurnConfig.naive())]
    print(f"\nnaive: {texts}")
    assert len(texts) >= 3 and any(t.rstrip(".!").endswith("ask not") for t in texts)
