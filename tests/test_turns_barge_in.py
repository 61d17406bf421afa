"""Barge-in on scripted timelines: the agent's reply plays 3-9 s, the user cuts in at 5 s.

The reply pauses 0.3 s after the onset of user-like speech over it (5.3 s),
before any words are known. The stop then waits for the whole speech: it comes
when the VAD closes the segment, 0.25 s after the user's last word, and the
following TakeTurn must answer the interruption with its kind. Without the
pause, the stop comes within 150 ms of the first partial with content (5.65 s:
VAD confirmation 0.15 s + partial interval 0.5 s).
"""

from __future__ import annotations

import pytest

from duplex_agent.events import AsrPartial
from duplex_agent.turns import (
    PauseSpeaking,
    Phase,
    Reject,
    ResumeSpeaking,
    StopSpeaking,
    TakeTurn,
    TurnConfig,
    TurnController,
)
from duplex_agent.turns.config import BargeInConfig
from duplex_agent.turns.script import Listening, SimulatedAgent, agent_says, run, user_says

REPLY = agent_says(3.0, 9.0, "Tomorrow looks sunny in the morning with some rain later on.")
STOP_WITHIN = 0.15

CASES = [
    ("en", "follow_up", "What about the weekend, will it be warm?"),
    ("en", "negation", "No, that's not what I asked."),
    ("en", "repeat", "Sorry, what did you say?"),
    ("en", "topic_switch", "By the way, can we talk about dinner?"),
    ("en", "stop", "Stop, please stop."),
    ("zh", "follow_up", "那周末呢，会暖和吗？"),
    ("zh", "negation", "不对，不是这个意思。"),
    ("zh", "repeat", "你说什么？再说一遍。"),
    ("zh", "topic_switch", "换个话题吧，聊聊晚饭。"),
    ("zh", "stop", "停一下，别说了。"),
]


def first_content_partial(events) -> AsrPartial:
    return min((e for e in events if isinstance(e, AsrPartial) and e.text), key=lambda e: e.time)


NO_PAUSE = TurnConfig(barge_in=BargeInConfig(pause=False))
COMMANDS = ("stop", "repeat")  # these stop at once: nothing more needs to be heard


@pytest.mark.parametrize("language,kind,text", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_interruption_pauses_the_agent_at_once_and_is_answered(language, kind, text):
    user = user_says(5.0, 6.2, text)
    controller = TurnController()
    actions = run(controller, REPLY + user, 12.0)
    pauses = [a for a in actions if isinstance(a, PauseSpeaking)]
    assert [p.time for p in pauses] == pytest.approx([5.3])  # silent before any words
    stops = [a for a in actions if isinstance(a, StopSpeaking)]
    assert len(stops) == 1 and stops[0].kind == kind
    recognised = first_content_partial(user).time
    decided = recognised if kind in COMMANDS else 6.2 + 0.25  # command, or the whole speech
    assert 0.0 <= stops[0].time - decided <= STOP_WITHIN
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.interruption == kind and take.user_text == text
    assert take.language == language and take.time > stops[0].time
    assert [p for _, p in controller.phases] == [
        Phase.LISTENING, Phase.SPEAKING, Phase.USER_SPEAKING, Phase.THINKING]


@pytest.mark.parametrize("language,kind,text", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_without_the_pause_the_agent_stops_within_150_ms_of_the_words(language, kind, text):
    user = user_says(5.0, 6.2, text)
    actions = run(TurnController(NO_PAUSE), REPLY + user, 12.0)
    assert not any(isinstance(a, PauseSpeaking) for a in actions)
    stops = [a for a in actions if isinstance(a, StopSpeaking)]
    assert len(stops) == 1 and stops[0].kind == kind
    assert 0.0 <= stops[0].time - first_content_partial(user).time <= STOP_WITHIN


def test_the_simulated_session_stops_audio_and_records_what_was_heard():
    agent = SimulatedAgent(reply="one two three four five six seven eight nine ten",
                           words_per_s=2.0)
    events = user_says(0.2, 1.0, "Tell me a story.") + user_says(4.0, 5.0, "No, stop.")
    actions = run(TurnController(), events, 12.0, agent=agent)
    stop = next(a for a in actions if isinstance(a, StopSpeaking))
    assert stop.kind == "stop"  # paused at once, so the stop could wait for "No, stop."
    assert [a.interruption for a in actions if isinstance(a, TakeTurn)] == [None, "stop"]
    decided, silenced = agent.stops[0]
    assert decided == stop.time and silenced - decided <= STOP_WITHIN
    assert agent.pauses == [[4.3, stop.time]]


def test_while_paused_the_stop_waits_for_words_that_say_whom_they_are_for():
    """Paused at 5.3 s; the first partial, "Can you close", is not yet enough; the last,
    with ", Tom?", shows the words were for someone else: the reply resumes."""
    text = "Can you close the window please, Tom?"
    actions = run(TurnController(), REPLY + user_says(5.0, 7.0, text), 12.0)
    assert not any(isinstance(a, StopSpeaking | TakeTurn) for a in actions)
    reject = next(a for a in actions if isinstance(a, Reject))
    resume = next(a for a in actions if isinstance(a, ResumeSpeaking))
    assert reject.kind == "not_addressed" and resume.time == reject.time <= 7.25


def test_a_quiet_voice_over_the_agent_waits_for_its_speaker_check():
    """10 dB below the user: no pause, and no stop on its words before the check says
    whose voice it is (here: the user's, speaking softly; stop at the check)."""
    from duplex_agent.turns.inputs import VoiceLevel

    user = user_says(5.0, 7.0, "What about the weekend, will it be warm?", similarity=0.9,
                     relative_level_db=-10.0, listening=Listening(check_after_s=1.0))
    actions = run(TurnController(), REPLY + user + [VoiceLevel(5.15, 5.0, -10.0)], 12.0)
    assert not any(isinstance(a, PauseSpeaking) for a in actions)
    stop = next(a for a in actions if isinstance(a, StopSpeaking))
    assert stop.time == pytest.approx(6.0)


def test_sustained_user_speech_stops_the_agent_before_any_words():
    user = user_says(5.0, 7.5, "", similarity=0.9, level_db=-12.0)
    user = [e for e in user if not isinstance(e, AsrPartial)]  # the ASR is slow today
    actions = run(TurnController(NO_PAUSE), REPLY + user, 12.0)
    stop = next(a for a in actions if isinstance(a, StopSpeaking))
    assert stop.kind == "unclassified"
    assert stop.time == pytest.approx(5.0 + 1.2, abs=0.011)
    paused = run(TurnController(), REPLY + user, 12.0)  # silent at 5.3 s: no hurry
    stop = next(a for a in paused if isinstance(a, StopSpeaking))
    assert stop.time == pytest.approx(7.5 + 0.25) and stop.kind == "unclassified"


def test_sustained_voice_activity_that_may_be_echo_does_not_stop_the_agent():
    """No check (or an unlike voice) while the agent plays: wait for words."""
    user = [e for e in user_says(5.0, 7.5, "") if not isinstance(e, AsrPartial)]
    actions = run(TurnController(), REPLY + user, 12.0)
    assert not any(isinstance(a, StopSpeaking) for a in actions)


def test_user_going_on_while_the_agent_thinks_cancels_the_reply_and_merges_the_turn():
    events = user_says(0.5, 2.0, "I lost my job today.") + \
        user_says(2.9, 4.5, "and my landlord wants the rent.")
    actions = run(TurnController(), events, 10.0)
    first, second = [a for a in actions if isinstance(a, TakeTurn)]
    stop = next(a for a in actions if isinstance(a, StopSpeaking))
    assert first.time < stop.time < second.time and "while thinking" in stop.reason
    assert second.user_text == "I lost my job today. and my landlord wants the rent."
    assert second.interruption is None and second.speech_start == 0.5


def test_vad_mode_is_the_naive_baseline_that_stops_on_any_voice():
    naive = TurnConfig(barge_in=BargeInConfig(mode="vad"))
    actions = run(TurnController(naive), REPLY + user_says(5.0, 5.4, "Mm-hm."), 12.0)
    stop = next(a for a in actions if isinstance(a, StopSpeaking))
    assert stop.time == pytest.approx(5.15) and stop.kind == "unclassified"


def test_off_mode_never_stops_the_agent():
    half_duplex = TurnConfig(barge_in=BargeInConfig(mode="off"))
    actions = run(TurnController(half_duplex), REPLY + user_says(5.0, 6.2, "No, stop."), 12.0)
    assert not any(isinstance(a, StopSpeaking | Reject) for a in actions)
