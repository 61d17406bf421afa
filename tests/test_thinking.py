"""The private thought, the cause, the emotional trajectory and memory answers."""

from __future__ import annotations

import re

import pytest

from duplex_agent.memory import memory_question
from duplex_agent.thinking.cause import find_cause, second_person
from duplex_agent.thinking.thinker import Thinker, reply_language


@pytest.fixture(scope="module")
def text_model():
    from duplex_agent.perception.text import TextEmotionModel

    return TextEmotionModel()


def new_thinker(text_model) -> Thinker:
    from duplex_agent.perception import Perceiver

    return Thinker(Perceiver(text_model))


@pytest.mark.parametrize(("text", "cause"), [
    ("I'm so sad. My dog died yesterday.", "My dog died yesterday"),
    ("I'm angry because my boss yelled at me.", "my boss yelled at me"),
    ("I'm worried about my exam tomorrow.", "my exam tomorrow"),
    ("And then I found out my dog is sick [sigh].", "I found out my dog is sick"),
    ("因为考试没考好，所以我很伤心", "考试没考好"),
    ("结果刚才收到通知，我被录取了！", "我被录取了"),
])
def test_cause_is_the_users_own_words(text, cause):
    language = "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"
    assert find_cause(text, language) == cause


def test_second_person():
    assert second_person("My boss yelled at me") == "your boss yelled at you"
    assert second_person("I'm tired of my job") == "you're tired of your job"
    assert second_person("我被录取了", "zh") == "你被录取了"


FOUR_TURNS = [
    ("I just got back from work.", "neutral", "got back from work"),
    ("My boss yelled at me in front of everyone today.", "angry", "boss yelled at you"),
    ("And then I found out my dog is sick [sigh].", "sad", "your dog is sick"),
    ("But my sister called and she's having a baby! [laughter]", "happy", "having a baby"),
]
WORDS = {"neutral": "okay", "angry": "angry", "sad": "sad", "happy": "happy"}


def test_four_turn_trajectory_names_each_emotion_in_order_with_its_event(text_model):
    thinker = new_thinker(text_model)
    thoughts = [thinker.on_final(float(i), text)[0] for i, (text, _, _) in enumerate(FOUR_TURNS)]
    assert [t.emotion for t in thoughts] == [e for _, e, _ in FOUR_TURNS]
    assert thoughts[1].shift == "neutral -> angry (worse)"
    assert thoughts[3].shift == "sad -> happy (better)" and thoughts[3].strategy == "celebrate"
    answer = thinker.memory.answer("trajectory", "en")
    positions = [answer.find(WORDS[e]) for _, e, _ in FOUR_TURNS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), answer
    for (_, _, event), word_pos in zip(FOUR_TURNS, positions):
        assert answer.find(event) > word_pos, (event, answer)  # each feeling, then its event


def test_why_answer_uses_causes_across_turns_and_unspoken_ones(text_model):
    thinker = new_thinker(text_model)
    for text, _, _ in FOUR_TURNS:
        thinker.on_final(0.0, text)
    thought, _ = thinker.on_final(0.0, "Why do I feel this way?")
    assert thought.strategy == "recall" and thought.emotion == "happy"
    answer = thinker.memory.answer("causes", "en")
    assert "having a baby" in answer and "boss yelled at you" in answer
    assert "your dog is sick" in answer and "you sighed" in answer  # a cue never put in words
    assert [t["emotion"] for t in thinker.memory.trajectory()] == [e for _, e, _ in FOUR_TURNS]


def test_chinese_dialogue(text_model):
    thinker = new_thinker(text_model)
    turns = ("我今天去面试了。", "面试官一直打断我，我很生气。", "结果刚才收到通知，我被录取了！")
    for text in turns:
        thought, _ = thinker.on_final(0.0, text)
        assert thought.language == "zh"
    answer = thinker.memory.answer("trajectory", "zh")
    assert answer.index("平静") < answer.index("生气") < answer.index("开心")
    assert "面试官一直打断你" in answer and "你被录取了" in answer


def test_provisional_thought_from_partials_is_not_remembered(text_model):
    thinker = new_thinker(text_model)
    thought = thinker.on_partial(1.0, "I'm really scared about")
    assert thought.provisional and thought.emotion == "fear"
    assert thinker.memory.turns == []


@pytest.mark.parametrize(("text", "kind"), [
    ("How did my feelings change today?", "trajectory"),
    ("Can you summarize how I felt?", "trajectory"),
    ("Why do I feel this way?", "causes"),
    ("我的情绪有什么变化？", "trajectory"),
    ("为什么我这么难过？", "causes"),
    ("My boss yelled at me.", None),
])
def test_memory_questions(text, kind):
    assert memory_question(text) == kind


def test_reply_language_follows_the_user():
    assert reply_language("今天天气不错") == "zh"
    assert reply_language("Nice weather today") == "en"


def test_a_chinese_feeling_statement_is_not_its_own_cause():
    assert find_cause("可是导师说还要大改，我好难过。", "zh") == "导师说还要大改"
