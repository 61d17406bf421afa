"""The agent's backchannels on scripted timelines: when they fit, and which words.

A long user turn: 0.5-3.5 s, a pause, 4.6-8.0 s, a pause, 9.0-10.5 s. The
first two parts end unfinished ("... and"), so the pauses are not the end
of the turn: the agent backchannels 0.45 s into each, then takes the turn
after the last, finished part.
"""

from __future__ import annotations

import pytest

from duplex_agent.events import EmotionEstimate
from duplex_agent.turns import Backchannel, Phase, TakeTurn, TurnConfig, TurnController
from duplex_agent.turns.backchannel import CHEERFUL_TONES, OPTIONS, choose
from duplex_agent.turns.config import BackchannelConfig
from duplex_agent.turns.script import run, user_says

LONG_TURN = (user_says(0.5, 3.5, "So yesterday I went to see my grandmother in hospital and")
             + user_says(4.6, 8.0, "she did not recognise me at first which was hard and")
             + user_says(9.0, 10.5, "I just don't know what to do."))
LONG_TURN_ZH = (user_says(0.5, 3.5, "昨天我去医院看我奶奶，然后")
                + user_says(4.6, 8.0, "她一开始没认出我，我心里很难受，而且")
                + user_says(9.0, 10.5, "我真的不知道该怎么办。"))


def emotion(label: str, valence: float, intensity: float = 0.7,
            incongruent: bool = False) -> EmotionEstimate:
    return EmotionEstimate(1.0, label, intensity, valence, 0.0, 0.8, "text",
                           incongruent=incongruent)


def backchannels(events, config: TurnConfig | None = None) -> list[Backchannel]:
    controller = TurnController(config)
    actions = run(controller, events, 14.0)
    assert controller.phase == Phase.THINKING  # the turn was taken once, at the end
    assert sum(isinstance(a, TakeTurn) for a in actions) == 1
    return [a for a in actions if isinstance(a, Backchannel)]


def test_backchannels_fall_in_the_pauses_of_a_long_turn():
    got = backchannels(LONG_TURN)
    assert [b.time for b in got] == pytest.approx([3.5 + 0.45, 8.0 + 0.45])
    assert [(b.text, b.tone) for b in got] == [("mm-hm", "neutral"), ("uh-huh", "neutral")]


def test_they_follow_the_users_language():
    assert [b.text for b in backchannels(LONG_TURN_ZH)] == ["嗯", "嗯嗯"]


@pytest.mark.parametrize("label,valence,expected", [
    ("sad", -0.7, [("oh no", "soft"), ("mm", "soft")]),
    ("fear", -0.5, [("oh no", "soft"), ("mm", "soft")]),
    ("angry", -0.6, [("I see", "calm"), ("mm", "calm")]),
    ("happy", 0.8, [("oh nice", "bright"), ("ha", "bright")]),
    ("neutral", -0.5, [("oh no", "soft"), ("mm", "soft")]),  # negative valence: distress
    ("happy", 0.8, [("oh nice", "bright"), ("ha", "bright")]),
])
def test_backchannels_fit_the_users_emotion(label, valence, expected):
    got = backchannels([emotion(label, valence)] + LONG_TURN)
    assert [(b.text, b.tone) for b in got] == expected


def test_no_cheerful_backchannel_to_distress_in_any_language():
    for label in ("sad", "fear", "anxious", "neutral"):
        for intensity in (0.2, 0.9):
            for language in ("en", "zh"):
                feeling = emotion(label, -0.6, intensity)
                _, tone = choose(feeling, language)
                assert tone not in CHEERFUL_TONES, (label, intensity, language)
    masked = emotion("happy", 0.6, incongruent=True)  # smiling words, sad voice
    assert choose(masked, "en")[1] not in CHEERFUL_TONES
    assert all(tone not in CHEERFUL_TONES for (lang, mood), options in OPTIONS.items()
               if mood == "distress" for _, tone in options)


def test_no_backchannel_in_a_short_turn_or_when_the_turn_is_ending():
    short = user_says(0.5, 1.5, "I went out and") + user_says(2.4, 3.5, "it rained.")
    assert backchannels(short) == []
    ending = user_says(0.5, 4.0, "I went to see my grandmother in hospital today.",
                       smart_turn=0.9)
    assert backchannels(ending) == []


def test_backchannels_keep_their_distance():
    spaced = TurnConfig(backchannel=BackchannelConfig(min_gap_s=6.0))
    assert [b.time for b in backchannels(LONG_TURN, spaced)] == pytest.approx([3.95])


def test_backchannels_can_be_switched_off():
    off = TurnConfig(backchannel=BackchannelConfig(enabled=False))
    assert backchannels(LONG_TURN, off) == []


def test_a_chinese_turn_joins_its_pieces_without_spaces():
    actions = run(TurnController(), LONG_TURN_ZH, 14.0)
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.user_text == ("昨天我去医院看我奶奶，然后她一开始没认出我，我心里很难受，而且"
                              "我真的不知道该怎么办。")
    assert take.language == "zh"
