"""The English and Chinese cue words behind the turn-taking rules."""

from __future__ import annotations

import pytest

from duplex_agent.turns.lexicon import (
    addressed_elsewhere,
    completeness,
    content_size,
    filler_count,
    interruption_kind,
    is_backchannel,
)


@pytest.mark.parametrize("text", [
    "Mm-hm.", "Mhm.", "Yeah.", "Yeah, yeah.", "Right.", "Uh-huh.", "Okay.", "OK", "I see.",
    "Oh, I see.", "Got it.", "Sure.", "(laughs)", "[LAUGHTER]", "*chuckles*", "Hahaha.",
    "Ha ha.", "Um.", "嗯", "嗯嗯。", "对。", "对对对", "好的。", "是的", "哦，这样啊", "哈哈哈",
    "嗯，明白了。", "没错。", "MMMM", "Mhmm.", "Hmmm...", "Uhhh.", "Ummm, yeah.", "Ohh."])
def test_backchannels(text):
    assert is_backchannel(text) and content_size(text) == 0


@pytest.mark.parametrize("text", [
    "", "No.", "Yeah, but what about Paris?", "Mum.", "Hummus.", "Umbrella?", "Okay, stop.",
    "What?", "Really? Why?",
    "对，但是我想问一下", "不对。", "好的，那明天呢？"])
def test_not_backchannels(text):
    assert not is_backchannel(text)


@pytest.mark.parametrize("text,kind", [
    ("Stop.", "stop"), ("Okay, stop please.", "stop"), ("Please stop talking!", "stop"),
    ("Hold on a second.", "stop"), ("Never mind.", "stop"), ("That's enough.", "stop"),
    ("停", "stop"), ("别说了。", "stop"), ("好了，停一下吧。", "stop"), ("等一下", "stop"),
    ("What?", "repeat"), ("Sorry, what?", "repeat"), ("Can you say that again?", "repeat"),
    ("I didn't catch that.", "repeat"), ("Wait, what did you say?", "repeat"),
    ("你说什么？", "repeat"), ("再说一遍", "repeat"), ("我没听清。", "repeat"),
    ("By the way, how is the weather?", "topic_switch"),
    ("Let's talk about something else.", "topic_switch"),
    ("Never mind that, let us talk about cats.", "topic_switch"),
    ("换个话题吧", "topic_switch"), ("对了，你喜欢猫吗？", "topic_switch"),
    ("No, that's not what I meant.", "negation"), ("Actually, I was asking about dogs.",
                                                   "negation"),
    ("Nope.", "negation"), ("不对，不是这样的。", "negation"), ("不是，我是说明天。", "negation"),
    ("不，我要的是红色的。", "negation"),
    ("What about Tuesday?", "follow_up"), ("And then what happened?", "follow_up"),
    ("How long does it take?", "follow_up"), ("那周末呢？", "follow_up"),
    ("你喜欢什么颜色？", "follow_up")])
def test_interruption_kinds(text, kind):
    assert interruption_kind(text) == kind


@pytest.mark.parametrize("text,verdict", [
    ("I went to the store.", "complete"), ("Is it?", "complete"), ("I went to the", "incomplete"),
    ("I went to the store and", "incomplete"), ("So, um", "incomplete"),
    ("Thank you.", "complete"), ("I don't know what to do.", "complete"),
    ("I saw her.", "complete"), ("I think so.", "complete"), ("It was great, so", "incomplete"),
    ("And I was like, but", "incomplete"),
    ("I think that...", "incomplete"), ("Well, I was thinking,", "incomplete"),
    ("because", "incomplete"), ("i went to the store", None),
    ("So what I really want to know is", "hanging"), ("It was, like", "hanging"),
    ("Book me a table for the fifth, no.", "hanging"), ("No.", "complete"),
    ("I don't think so, no.", "complete"), ("Here it is.", "hanging"),
    ("我今天很开心。", "complete"), ("你觉得呢", "complete"),
    ("我今天去了商店，然后", "incomplete"),
    ("因为", "incomplete"), ("我觉得", "incomplete"), ("", None)])
def test_completeness(text, verdict):
    assert completeness(text) == verdict


def test_addressed_elsewhere_and_fillers():
    assert addressed_elsewhere("Honey, can you get the door?") == "vocative"
    assert addressed_elsewhere("妈，我在打电话") == "vocative"
    assert addressed_elsewhere("Sorry, I'm on the phone.") == "aside"
    assert addressed_elsewhere("I'm on the phone. Give me a minute.") == "aside"
    assert addressed_elsewhere("Just a sec.") == "phrase"
    assert addressed_elsewhere("我在打电话呢") == "aside"
    assert addressed_elsewhere("I told my mom about it.") is None
    assert addressed_elsewhere("What is the weather like?") is None
    assert filler_count("Um, I, uh, I don't know.") == 2
    assert filler_count("呃，那个，我不知道") == 2


@pytest.mark.parametrize("text", [
    "Hey Tom, can you close the window please?", "Hey, Tom, one second.",
    "Can you close the window please, Tom?", "Sorry, Mum, I'm on the phone.",
    "Hold on, honey, I'll be right there.", "Mom, I'm on the phone, give me a minute."])
def test_someone_else_called_anywhere_in_the_words(text):
    assert addressed_elsewhere(text) == "vocative"


@pytest.mark.parametrize("text", [
    "Hey, what about the weekend?", "What about the weekend, Sunday?",
    "Okay, I see.", "Can we talk about Paris instead?", "I told Tom about it.",
    "Hi, I had a rough week."])
def test_names_and_greetings_that_call_nobody_else(text):
    assert addressed_elsewhere(text) is None
