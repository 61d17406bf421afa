"""End of turn on scripted timelines: each signal on and off, patience, speculation.

The user speaks 0.5-2.5 s; the VAD closes the segment at 2.75 s; the ASR
final arrives at 2.90 s; Smart Turn at 2.83 s. Decision times are asserted
to one 10 ms tick.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from duplex_agent.events import EmotionEstimate
from duplex_agent.turns import (
    Reject,
    StartThinking,
    TakeTurn,
    ThinkAhead,
    TurnConfig,
    TurnController,
)
from duplex_agent.turns.config import EndOfTurnConfig
from duplex_agent.turns.script import Listening, run, user_says

TICK = 0.01
END = 2.5  # the user's last speech
FAST_ASR = Listening(asr_s=0.02)  # the final arrives at 2.77 s: it never holds a decision


def signals(text: bool, pitch: bool, smart: bool) -> TurnConfig:
    return TurnConfig(end_of_turn=EndOfTurnConfig(use_text=text, use_pitch=pitch,
                                                  use_smart_turn=smart))


def take_turn(config: TurnConfig, events, until: float = 10.0) -> TakeTurn:
    takes = [a for a in run(TurnController(config), events, until) if isinstance(a, TakeTurn)]
    assert len(takes) == 1, takes
    return takes[0]


def expected_wait(*log_odds: float, base: float = 0.8, k: float = 0.4) -> float:
    return min(max(base * math.exp(-k * sum(log_odds)), 0.3), 3.0)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


COMPLETE = user_says(0.5, END, "I had a really rough day at work today.", listening=FAST_ASR,
                     pitch_st=-3.0, smart_turn=0.95)


@pytest.mark.parametrize("text,pitch,smart", [
    (False, False, False), (True, False, False), (False, True, False), (False, False, True),
    (True, True, False), (True, True, True)])
def test_each_signal_on_and_off(text, pitch, smart):
    """All signals agree "complete"; each one that is on shortens the wait, by the formula."""
    odds = ([logit(0.8)] if text else []) + ([0.5 * logit(0.75)] if pitch else []) + \
        ([1.2 * logit(0.95)] if smart else [])
    wait = expected_wait(*odds)
    take = take_turn(signals(text, pitch, smart), COMPLETE)
    # a decision can only happen once the VAD closed the segment and the signal arrived
    earliest = END + 0.25 + (0.08 if smart else 0.0)
    assert take.time == pytest.approx(max(END + wait, earliest), abs=TICK + 1e-9)
    assert take.user_text == "I had a really rough day at work today."
    assert take.speech_start == 0.5 and take.speech_end == END


def test_no_signal_is_a_plain_silence_timeout():
    take = take_turn(TurnConfig.naive(), COMPLETE)
    assert take.time == pytest.approx(END + 0.8, abs=TICK)
    assert "no signal" in take.reason


def test_trailing_conjunction_waits_longer():
    cfg = signals(True, False, False)
    done = take_turn(cfg, user_says(0.5, END, "I went to the store.", listening=FAST_ASR))
    going = take_turn(cfg, user_says(0.5, END, "I went to the store and", listening=FAST_ASR))
    assert done.time == pytest.approx(END + expected_wait(logit(0.8)), abs=TICK)
    assert going.time == pytest.approx(END + expected_wait(logit(0.1)), abs=TICK)
    assert going.time - done.time > 1.2


@pytest.mark.parametrize("ending", ["but", "so", "because", "the", "um", "...", ","])
def test_unfinished_endings_hold_the_turn_past_the_naive_timeout(ending):
    text = f"I wanted to tell you {ending}" if ending.isalpha() else f"I wanted to tell you{ending}"
    take = take_turn(signals(True, False, False), user_says(0.5, END, text, listening=FAST_ASR))
    assert take.time - END > 1.5


def test_final_pitch_fall_ends_the_turn_sooner_than_a_flat_ending():
    cfg = signals(False, True, False)
    fall = take_turn(cfg, user_says(0.5, END, "i went to the store", pitch_st=-3.0))
    flat = take_turn(cfg, user_says(0.5, END, "i went to the store", pitch_st=0.2,
                                    listening=FAST_ASR))
    rise = take_turn(cfg, user_says(0.5, END, "i went to the store", pitch_st=4.0,
                                    listening=FAST_ASR))
    assert fall.time == pytest.approx(END + expected_wait(0.5 * logit(0.75)), abs=TICK)
    assert flat.time == pytest.approx(END + expected_wait(0.5 * logit(0.45)), abs=TICK)
    assert rise.time == pytest.approx(END + 0.8, abs=TICK)  # a rise has no opinion
    assert fall.time < rise.time < flat.time


def test_smart_turn_overrides_the_text_when_confident():
    cfg = TurnConfig()
    unfinished_words = user_says(0.5, END, "and then we drove home and", smart_turn=0.97,
                                 listening=FAST_ASR)
    finished_words = user_says(0.5, END, "We drove home.", smart_turn=0.03, listening=FAST_ASR)
    assert take_turn(cfg, unfinished_words).time - END < 0.8  # sooner than the naive timeout
    assert take_turn(cfg, finished_words).time - END > 1.5
    text_only = signals(True, False, False)
    assert take_turn(text_only, unfinished_words).time - END > 1.5
    assert take_turn(text_only, finished_words).time - END < 0.8


def test_a_prediction_arriving_after_the_user_went_on_is_ignored():
    """Smart Turn for the pause at 2.0 s arrives at 2.55 s, when the user speaks again."""
    late = Listening(smart_turn_s=0.3)
    events = user_says(0.5, 2.0, "I think", smart_turn=0.99, listening=late) + \
        user_says(2.3, END, "that we should go.", listening=FAST_ASR)
    take = take_turn(signals(True, False, True), events)
    assert take.time == pytest.approx(END + expected_wait(logit(0.8)), abs=TICK)


def test_turn_waits_for_the_final_transcript_then_takes_it():
    slow = Listening(asr_s=0.9)  # the final arrives at 3.65 s, after the wait
    take = take_turn(TurnConfig(), user_says(0.5, END, "I went to the store.", listening=slow))
    assert take.time == pytest.approx(END + 0.25 + 0.9, abs=TICK)


def test_speculative_thinking_starts_in_a_pause_before_the_turn_is_taken():
    actions = run(TurnController(), user_says(0.5, END, "I had a rough day.", smart_turn=0.6),
                  10.0)
    start = next(a for a in actions if isinstance(a, StartThinking))
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert start.time == pytest.approx(END + 0.25) and start.time < take.time
    assert start.partial_text == "I had a rough day."
    unfinished = run(TurnController(), user_says(0.5, END, "I had a rough day and"), 10.0)
    assert not any(isinstance(a, StartThinking) for a in unfinished)


def sad(time: float, confidence: float = 0.8) -> EmotionEstimate:
    return EmotionEstimate(time, "sad", 0.7, -0.6, -0.3, confidence, "voice")


def test_sad_user_gets_more_patience():
    cfg = signals(True, False, False)
    words = user_says(0.5, END, "I miss her so much.", listening=FAST_ASR)
    calm = take_turn(cfg, words)
    patient = take_turn(cfg, words + [sad(1.5)])
    assert patient.time - END == pytest.approx(1.5 * (calm.time - END), abs=TICK)
    assert "patience x1.5: user sad" in patient.reason


def test_unconfident_or_stale_emotion_changes_nothing():
    cfg = signals(True, False, False)
    words = user_says(40.5, 42.5, "I miss her so much.", listening=FAST_ASR)
    calm = take_turn(cfg, words, until=50)
    assert take_turn(cfg, words + [sad(41.0, confidence=0.1)], until=50).time == calm.time
    assert take_turn(cfg, words + [sad(1.0)], until=50).time == calm.time  # 40 s old


def test_hesitant_user_gets_more_patience():
    cfg = signals(True, False, False)
    plain = take_turn(cfg, user_says(0.5, END, "I don't know what to do.", listening=FAST_ASR))
    hesitant = take_turn(cfg, user_says(0.5, END, "Um, I, uh, I don't know what to do.",
                                        listening=FAST_ASR))
    assert hesitant.time - END == pytest.approx(1.3 * (plain.time - END), abs=TICK)


def test_patience_can_be_switched_off():
    cfg = replace(TurnConfig.naive())
    words = user_says(0.5, END, "I miss her so much.")
    assert take_turn(cfg, words + [sad(1.5)]).time == pytest.approx(END + 0.8, abs=TICK)


def test_noise_without_words_never_takes_the_turn():
    actions = run(TurnController(), user_says(0.5, 0.9, ""), 5.0)
    assert [type(a) for a in actions] == [Reject] and actions[0].kind == "noise"


def test_a_user_who_paused_long_before_gets_more_patience():
    """The user's own pacing: after a 1.2 s pause inside the first turn (the rest of that
    turn, and the next turn, wait 1.2 / 0.8 = 1.5 times longer than for a new user."""
    from duplex_agent.turns.script import SimulatedAgent

    first = user_says(0.5, 2.5, "I was thinking that we could go to the") + \
        user_says(3.7, 4.5, "beach on Sunday.")
    second = user_says(12.0, 13.5, "What should I bring?")
    actions = run(TurnController(), first + second, 18.0, agent=SimulatedAgent(think_s=0.3))
    takes = [a for a in actions if isinstance(a, TakeTurn)]
    assert [t.user_text for t in takes] == [
        "I was thinking that we could go to the beach on Sunday.", "What should I bring?"]
    assert all("patience x1.5: user pauses up to 1.2 s" in t.reason for t in takes)
    fresh = next(a for a in run(TurnController(), second, 18.0) if isinstance(a, TakeTurn))
    assert takes[1].time - 13.5 == pytest.approx(1.5 * (fresh.time - 13.5), abs=0.011)


def test_the_thought_starts_while_the_user_is_still_speaking():
    """Partials every 0.5 s of a 12-word turn: a ThinkAhead at 5 words, then every 3 more,
    all before the user stops; a short turn gets none."""
    text = "My sister called to say she is moving to Canada next spring."
    actions = run(TurnController(), user_says(0.5, 5.0, text, listening=FAST_ASR), 10.0)
    ahead = [a for a in actions if isinstance(a, ThinkAhead)]
    sizes = [len(a.partial_text.split()) for a in ahead]
    assert sizes and sizes[0] >= 5 and all(b - a >= 3 for a, b in zip(sizes, sizes[1:]))
    assert all(a.time < 5.0 and text.startswith(a.partial_text) for a in ahead)
    short = run(TurnController(), user_says(0.5, 1.5, "Hi there.", listening=FAST_ASR), 5.0)
    assert not any(isinstance(a, ThinkAhead) for a in short)
    off = TurnConfig(end_of_turn=EndOfTurnConfig(think_ahead_words=0))
    assert not any(isinstance(a, ThinkAhead)
                   for a in run(TurnController(off), user_says(0.5, 5.0, text), 10.0))


def test_thinking_ahead_on_chinese_counts_two_characters_as_a_word():
    text = "我昨天面试了一家很大的公司但是到现在还没有消息"
    actions = run(TurnController(), user_says(0.5, 5.0, text, listening=FAST_ASR), 10.0)
    ahead = [a for a in actions if isinstance(a, ThinkAhead)]
    assert ahead and all(len(a.partial_text) >= 10 for a in ahead)
