"""The agent's backchannels on scripted timelines: when they fit, and which words.

A long user turn: 0.5-4.8 s, a 1.7 s pause, 6.5-9.8 s, a 1.7 s pause,
11.5-13.0 s. The first two parts end unfinished ("... and"), so the pauses are
not the end of the turn: the agent backchannels 1.6 s into each (never sooner:
a shorter pause is the user's breath, and speech in it talks over them), then
takes the turn after the last, finished part.
"""

from __future__ import annotations

import pytest

from duplex_agent.events import EmotionEstimate
from duplex_agent.turns import Backchannel, Phase, TakeTurn, TurnConfig, TurnController
from duplex_agent.turns.backchannel import CHEERFUL_TONES, OPTIONS, choose
from duplex_agent.turns.config import BackchannelConfig
from duplex_agent.turns.script import run, user_says

LONG_TURN = (user_says(0.5, 4.8, "So yesterday I went to see my grandmother in hospital and")
             + user_says(6.5, 9.8, "she did not recognise me at first which was hard and")
             + user_says(11.5, 13.0, "I just don't know what to do."))
LONG_TURN_ZH = (user_says(0.5, 4.8, "昨天我去医院看我奶奶，然后")
                + user_says(6.5, 9.8, "她一开始没认出我，我心里很难受，而且")
                + user_says(11.5, 13.0, "我真的不知道该怎么办。"))


def emotion(label: str, valence: float, intensity: float = 0.7,
            incongruent: bool = False) -> EmotionEstimate:
    return EmotionEstimate(1.0, label, intensity, valence, 0.0, 0.8, "text",
                           incongruent=incongruent)


def backchannels(events, config: TurnConfig | None = None) -> list[Backchannel]:
    controller = TurnController(config)
    actions = run(controller, events, 17.0)
    assert controller.phase == Phase.THINKING  # the turn was taken once, at the end
    assert sum(isinstance(a, TakeTurn) for a in actions) == 1
    return [a for a in actions if isinstance(a, Backchannel)]


def test_backchannels_fall_in_the_pauses_of_a_long_turn():
    got = backchannels(LONG_TURN)
    assert [b.time for b in got] == pytest.approx([4.8 + 1.6, 9.8 + 1.6])
    assert [(b.text, b.tone, b.kind) for b in got] == [("mm-hm", "neutral", "continuer"),
                                                       ("uh-huh", "neutral", "continuer")]


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
                _, tone, _ = choose(feeling, language)
                assert tone not in CHEERFUL_TONES, (label, intensity, language)
    masked = emotion("happy", 0.6, incongruent=True)  # smiling words, sad voice
    assert choose(masked, "en")[1] not in CHEERFUL_TONES
    assert all(tone not in CHEERFUL_TONES for (lang, mood), options in OPTIONS.items()
               if mood == "distress" for _, tone, _ in options)


def test_every_option_names_a_cached_clip():
    kinds = {"continuer", "agreement", "sympathy", "understanding", "surprise"}
    assert {kind for options in OPTIONS.values() for _, _, kind in options} <= kinds


def test_no_backchannel_in_a_short_turn_or_when_the_turn_is_ending():
    short = user_says(0.5, 1.5, "I went out and") + user_says(3.2, 4.5, "it rained.")
    actions = run(TurnController(), short, 8.0)  # a 1.7 s pause, but the turn had only
    assert not any(isinstance(a, Backchannel) for a in actions)  # just begun
    ending = user_says(0.5, 4.0, "I went to see my grandmother in hospital today.",
                       smart_turn=0.9)
    assert backchannels(ending) == []


def test_backchannels_keep_their_distance():
    spaced = TurnConfig(backchannel=BackchannelConfig(min_gap_s=6.0))
    assert [b.time for b in backchannels(LONG_TURN, spaced)] == pytest.approx([6.4])


def test_no_backchannel_in_a_pause_shorter_than_a_breath_and_a_half():
    """Pauses of 0.6-1.4 s inside a long turn: the agent stays silent in every one."""
    events, t = [], 0.5
    for k, pause in enumerate((0.6, 0.9, 1.2, 1.4)):
        events += user_says(t, t + 4.5, f"and then part {k} of the story went on and")
        t += 4.5 + pause
    events += user_says(t, t + 1.5, "That was the end of it.")
    controller = TurnController()
    actions = run(controller, events, t + 4.0)
    assert not any(isinstance(a, Backchannel) for a in actions)
    assert sum(isinstance(a, TakeTurn) for a in actions) == 1


def test_backchannels_can_be_switched_off():
    off = TurnConfig(backchannel=BackchannelConfig(enabled=False))
    assert backchannels(LONG_TURN, off) == []


def test_a_chinese_turn_joins_its_pieces_without_spaces():
    actions = run(TurnController(), LONG_TURN_ZH, 14.0)
    take = next(a for a in actions if isinstance(a, TakeTurn))
    assert take.user_text == ("昨天我去医院看我奶奶，然后她一开始没认出我，我心里很难受，而且"
                              "我真的不知道该怎么办。")
    assert take.language == "zh"
