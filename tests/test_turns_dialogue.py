"""A 30 s conversation on a virtual clock, with a simulated session reacting to actions.

Every rule meets every other: a greeting, a user backchannel and a third
party over the reply (each pausing the reply, which resumes at once), a long sad
turn with a long mid-turn pause and an agent backchannel, a repeat request
cutting the agent off, the agent's own voice coming back through the
microphone, and a Chinese "stop". It runs in
milliseconds (nothing sleeps; benchmarks/ measures speed, tests do not).
"""

from __future__ import annotations

import pytest

from duplex_agent.events import AgentSpeechEnded, EmotionEstimate, SpeechStarted
from duplex_agent.turns import (
    Backchannel,
    PauseSpeaking,
    Phase,
    Reject,
    ResumeSpeaking,
    StartThinking,
    StopSpeaking,
    TakeTurn,
    ThinkAhead,
    TurnConfig,
    TurnController,
)
from duplex_agent.turns.script import SimulatedAgent, run, user_says

SCRIPT = (
    user_says(0.5, 2.5, "Hi, I had a pretty rough week.", smart_turn=0.9, pitch_st=-2.0)
    + user_says(4.5, 4.9, "Mm-hm.", similarity=0.9)
    + user_says(5.5, 6.3, "Are you coming to dinner?", similarity=0.05, level_db=-15.0)
    + user_says(8.0, 12.2, "My manager moved the deadline again and", similarity=0.9)
    + [EmotionEstimate(11.0, "sad", 0.7, -0.6, -0.2, 0.8, "voice")]
    + user_says(14.0, 15.6, "I worked all weekend and I am just so tired.", similarity=0.85,
                smart_turn=0.8)
    + user_says(17.5, 18.8, "Sorry, what did you say?", similarity=0.9, level_db=-12.0)
    + user_says(21.0, 21.6, "I hear you that sounds", similarity=0.2, level_db=-28.0)
    + user_says(24.5, 25.5, "Can you give me one tip?", similarity=0.9, smart_turn=0.9)
    + user_says(27.5, 28.3, "停一下，别说了。", similarity=0.9, level_db=-12.0))


def label(action) -> str:
    match action:
        case TakeTurn(interruption=None):
            return "take"
        case TakeTurn():
            return f"take:{action.interruption}"
        case StopSpeaking() | Reject():
            return f"{type(action).__name__}:{action.kind}"
        case Backchannel():
            return f"backchannel:{action.text}"
    return type(action).__name__


@pytest.fixture
def dialogue():
    agent = SimulatedAgent()
    controller = TurnController()
    actions = run(controller, SCRIPT, 31.0, agent=agent)
    return [a for a in actions if not isinstance(a, StartThinking)], controller, agent


def test_the_decisions_in_order(dialogue):
    actions, _, _ = dialogue
    actions = [a for a in actions if not isinstance(a, PauseSpeaking | ResumeSpeaking | ThinkAhead)]
    assert [label(a) for a in actions] == [
        "take", "Reject:backchannel", "Reject:third_party", "backchannel:oh no",
        "Reject:pause", "take", "StopSpeaking:repeat", "take:repeat", "Reject:echo", "take",
        "StopSpeaking:stop", "take:stop"]


def test_the_decision_times(dialogue):
    actions, _, agent = dialogue
    times = {label(a): a.time for a in actions}
    assert times["take"] < 30 and times["Reject:backchannel"] == pytest.approx(5.3)
    takes = [a for a in actions if isinstance(a, TakeTurn)]
    assert takes[0].time == pytest.approx(2.9)  # 0.4 s after the user's last word
    assert takes[1].speech_start == 8.0 and "patience x1.5: user sad" in takes[1].reason
    stops = [a for a in actions if isinstance(a, StopSpeaking)]
    # the first partial with words came 0.65 s after each onset; stop at once
    assert [s.time for s in stops] == pytest.approx([17.5 + 0.65, 27.5 + 0.65])
    assert all(off - on <= 0.15 for on, off in agent.stops)


def test_speech_over_the_agent_pauses_it_and_each_rejection_resumes_it(dialogue):
    actions, _, agent = dialogue
    pauses = [a for a in actions if isinstance(a, PauseSpeaking)]
    # 0.3 s into each stretch of user-like speech over the agent
    assert [p.time for p in pauses] == pytest.approx([4.8, 5.8, 17.8, 21.3, 27.8])
    after = [actions[actions.index(p) + 1:] for p in pauses]
    ends = [next(a for a in rest if isinstance(a, ResumeSpeaking | StopSpeaking))
            for rest in after]
    assert [type(e).__name__ for e in ends] == ["ResumeSpeaking", "ResumeSpeaking",
                                                "StopSpeaking", "ResumeSpeaking",
                                                "StopSpeaking"]
    # the "mm-hm" resumes when it ends (before its transcript), the third party and the
    # echo when they are rejected: never a gap longer than the speech itself
    assert [e.time for e in ends] == pytest.approx([4.9 + 0.25, 5.9, 18.15, 21.4, 28.15])
    assert agent.pauses == [[p.time, e.time] for p, e in zip(pauses, ends, strict=True)]


def test_the_phases(dialogue):
    _, controller, _ = dialogue
    phases = [p for _, p in controller.phases]
    cycle = [Phase.USER_SPEAKING, Phase.THINKING, Phase.SPEAKING]
    assert phases == [Phase.LISTENING] + cycle + [Phase.LISTENING] + cycle + cycle + \
        [Phase.LISTENING] + cycle + cycle


def test_the_naive_baseline_gets_it_wrong():
    """Same script, naive config: the backchannel and the echo cut the agent off, the
    third party joins a turn, and the long turn is taken mid-sentence."""
    actions = run(TurnController(TurnConfig.naive()), SCRIPT, 31.0, agent=SimulatedAgent())
    stops = [a.time for a in actions if isinstance(a, StopSpeaking)]
    assert 4.65 in stops and 21.15 in stops  # "Mm-hm." at 4.5 s, the echo at 21.0 s
    texts = [a.user_text for a in actions if isinstance(a, TakeTurn)]
    assert "Mm-hm. Are you coming to dinner?" in texts
    assert "My manager moved the deadline again and" in texts


def test_late_or_unknown_events_are_harmless():
    controller = TurnController()
    assert controller.on_event(AgentSpeechEnded(1.0, "never-started", "", False)) == []
    assert controller.on_tick(0.5) == [] and controller.now == 1.0  # time never goes back
    assert controller.on_event(SpeechStarted(2.0, 1.8)) == []
    assert controller.phase == Phase.USER_SPEAKING
