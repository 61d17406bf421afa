"""Rejection on scripted timelines: what must neither take the turn nor stop the agent.

User backchannels and laughter over the agent, mid-sentence pauses, a third
party (by voice, by level, by both weak cues), the user talking to someone
else, and the agent's own playback coming back through the microphone.
"""

from __future__ import annotations

import pytest

from duplex_agent.turns import (
    Phase,
    Reject,
    StopSpeaking,
    TakeTurn,
    TurnConfig,
    TurnController,
)
from duplex_agent.turns.config import AddresseeConfig, EchoConfig
from duplex_agent.turns.script import agent_says, run, user_says

REPLY_TEXT = "The weather tomorrow looks sunny and warm in the afternoon."
REPLY = agent_says(3.0, 9.0, REPLY_TEXT, level_db=-20.0)


def outcome(events, config: TurnConfig | None = None, until: float = 12.0):
    controller = TurnController(config)
    actions = run(controller, events, until)
    return actions, controller


def kinds(actions, cls) -> list[str]:
    return [a.kind for a in actions if isinstance(a, cls)]


BACKCHANNELS = ["Mm-hm.", "Yeah.", "Right.", "Uh-huh.", "Okay.", "Yeah, yeah.", "I see.",
                "(laughs)", "Hahaha.", "嗯。", "对。", "好的。", "是的。", "嗯嗯，对对对。"]


@pytest.mark.parametrize("text", BACKCHANNELS)
def test_user_backchannel_over_the_agent_is_rejected_and_the_agent_goes_on(text):
    user = user_says(4.0, 4.6, text, similarity=0.9)
    actions, controller = outcome(REPLY + user)
    assert kinds(actions, Reject) == ["backchannel"]
    reject = next(a for a in actions if isinstance(a, Reject))
    assert reject.time == pytest.approx(4.6 + 0.25 + 0.15)  # on the final transcript
    assert not any(isinstance(a, StopSpeaking | TakeTurn) for a in actions)
    assert [p for _, p in controller.phases] == [Phase.LISTENING, Phase.SPEAKING,
                                                 Phase.LISTENING]


def test_backchannel_that_grows_into_content_interrupts():
    actions, _ = outcome(REPLY + user_says(4.0, 6.5, "Yeah, but what about the evening?"))
    assert kinds(actions, StopSpeaking) == ["follow_up"]


def test_backchannel_as_the_agent_finishes_does_not_become_a_turn():
    actions, controller = outcome(REPLY + user_says(8.7, 9.2, "Mm-hm."))
    assert kinds(actions, Reject) == ["backchannel"]
    assert not any(isinstance(a, TakeTurn) for a in actions)
    assert controller.phase == Phase.LISTENING


def test_words_as_the_agent_finishes_become_the_next_turn_without_a_stop():
    actions, _ = outcome(REPLY + user_says(8.7, 10.0, "What about Sunday?"))
    assert kinds(actions, StopSpeaking) == []
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.user_text == "What about Sunday?" and take.interruption is None


def test_mid_sentence_pause_keeps_the_turn_open():
    events = user_says(0.5, 2.0, "I was thinking that we could go to the") + \
        user_says(3.1, 4.5, "beach on Sunday.")
    actions, _ = outcome(events)
    assert kinds(actions, Reject) == ["pause"]
    pause = next(a for a in actions if isinstance(a, Reject))
    assert pause.time == pytest.approx(3.75)  # the first words after the pause
    takes = [a for a in actions if isinstance(a, TakeTurn)]
    assert len(takes) == 1 and takes[0].time > 4.5
    assert takes[0].user_text == "I was thinking that we could go to the beach on Sunday."
    naive, _ = outcome(events, TurnConfig.naive())  # 0.8 s of silence: cut off mid-sentence
    assert [a.user_text for a in naive if isinstance(a, TakeTurn)][0] == \
        "I was thinking that we could go to the"


def test_third_party_by_voice_is_ignored_over_the_agent():
    other = user_says(4.0, 6.0, "Can you pass me the salt please?", similarity=0.05,
                      level_db=-15.0)  # as loud as the user: not the echo of the reply
    actions, controller = outcome(REPLY + other)
    assert kinds(actions, Reject) == ["third_party"]
    assert not any(isinstance(a, StopSpeaking) for a in actions)
    assert controller.phase == Phase.LISTENING  # the reply finished at 9 s, uninterrupted


def test_third_party_by_level_is_ignored_while_listening():
    background = user_says(1.0, 3.0, "Did you see the game last night?", similarity=0.7,
                           relative_level_db=-20.0)
    actions, controller = outcome(background)
    assert kinds(actions, Reject) == ["third_party"]
    assert not any(isinstance(a, TakeTurn) for a in actions)
    assert controller.phase == Phase.LISTENING


def test_two_weak_cues_reject_but_one_does_not():
    both = user_says(1.0, 3.0, "Did you call the bank?", similarity=0.3, relative_level_db=-10)
    quieter_user = user_says(1.0, 3.0, "Did you call the bank?", similarity=0.8,
                             relative_level_db=-10)
    odd_voice = user_says(1.0, 3.0, "Did you call the bank?", similarity=0.3)
    assert kinds(outcome(both)[0], Reject) == ["third_party"]
    for user in (quieter_user, odd_voice):
        actions = outcome(user)[0]
        assert not any(isinstance(a, Reject) for a in actions)
        assert any(isinstance(a, TakeTurn) for a in actions)


def test_third_party_in_the_middle_of_a_user_turn_is_left_out_of_it():
    """Background speech neither takes nor holds the turn: the user's silence clock runs."""
    events = user_says(0.5, 2.0, "So my sister called and", similarity=0.9) + \
        user_says(2.4, 3.0, "Dinner is ready!", similarity=0.02) + \
        user_says(3.5, 5.5, "she is moving to Berlin.", similarity=0.85)
    actions, _ = outcome(events)
    assert kinds(actions, Reject) == ["third_party", "pause"]  # the pause: only the user's
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.user_text == "So my sister called and she is moving to Berlin."


@pytest.mark.parametrize("text", ["Honey, can you get the door?", "Mom, I'm on a call!",
                                  "妈，我在打电话呢。", "老公，帮我拿一下快递。"])
def test_user_talking_to_someone_else_is_not_addressed_to_the_agent(text):
    listening, _ = outcome(user_says(1.0, 2.8, text, similarity=0.9))
    assert kinds(listening, Reject) == ["not_addressed"]
    assert not any(isinstance(a, TakeTurn) for a in listening)
    over_agent, _ = outcome(REPLY + user_says(4.0, 5.8, text, similarity=0.9))
    assert kinds(over_agent, Reject) == ["not_addressed"]
    assert not any(isinstance(a, StopSpeaking) for a in over_agent)


def test_addressee_cues_can_be_switched_off():
    off = TurnConfig(addressee=AddresseeConfig(use_speaker=False, use_level=False,
                                               use_content=False))
    other = user_says(4.0, 6.0, "Honey, can you pass me the salt?", similarity=0.05,
                      relative_level_db=-25, level_db=-15.0)
    assert kinds(outcome(REPLY + other, off)[0], StopSpeaking) == ["follow_up"]


def test_echo_of_the_agents_words_is_never_user_speech():
    echo = user_says(3.2, 5.0, "the weather tomorrow looks sunny")  # the mic hears the reply
    actions, controller = outcome(REPLY + echo)
    assert kinds(actions, Reject) == ["echo"]
    assert not any(isinstance(a, StopSpeaking | TakeTurn) for a in actions)
    assert [p for _, p in controller.phases] == [Phase.LISTENING, Phase.SPEAKING,
                                                 Phase.LISTENING]


def test_echo_by_level_and_voice_before_any_words():
    """Quiet (-28 dB, below playback -20 dB - 6 dB + 6 dB), unlike the user: echo."""
    echo = user_says(3.2, 6.0, "sunny", similarity=0.2, level_db=-28.0)
    actions, _ = outcome(REPLY + echo)
    assert kinds(actions, Reject) == ["echo"]
    assert not any(isinstance(a, StopSpeaking) for a in actions)


def test_the_user_over_the_agent_is_not_echo():
    loud_user = user_says(4.0, 5.5, "Wait, is that in Celsius?", similarity=0.9, level_db=-12)
    quiet_user = user_says(4.0, 5.5, "Wait, is that in Celsius?", similarity=0.9, level_db=-30)
    assert kinds(outcome(REPLY + loud_user)[0], StopSpeaking) == ["follow_up"]
    assert kinds(outcome(REPLY + quiet_user)[0], StopSpeaking) == ["follow_up"]


def test_echo_of_the_agents_backchannel_while_the_user_pauses():
    """The agent's own "mm-hm" in a pause of the user's turn must not join the turn."""
    from duplex_agent.events import PlaybackReference

    events = user_says(0.5, 3.5, "So yesterday I went to see my grandmother and") + \
        [PlaybackReference(4.0 + k * 0.1, -20.0, "mm-hm") for k in range(3)] + \
        user_says(4.0, 4.3, "mm-hm", similarity=0.2, level_db=-30.0) + \
        user_says(5.0, 6.5, "she did not recognise me.", similarity=0.9)
    actions, _ = outcome(events)
    assert "echo" in kinds(actions, Reject)
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.user_text == "So yesterday I went to see my grandmother and she did not " \
                             "recognise me."


def test_echo_gating_can_be_switched_off():
    no_gate = TurnConfig(echo=EchoConfig(enabled=False))
    echo = user_says(3.2, 5.0, "the weather tomorrow looks sunny")
    assert kinds(outcome(REPLY + echo, no_gate)[0], StopSpeaking) == ["follow_up"]
