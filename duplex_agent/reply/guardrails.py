"""Checks on every reply before it is spoken.

A reply must be in the user's language, one or two short sentences (up to four when it
recalls the conversation), free of leaked thought fields and model markup, loops and
invented facts (numbers or names about the user that they never said), must not cheer at
distress or grieve good news, must not speak as the user, and must touch the feeling or
something the user said. The rules are calibrated on the team-written corpus: its replies
pass, the failure shapes of small models do not (see tests/test_reply.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from duplex_agent.perception.text import is_chinese
from duplex_agent.thinking.policy import feeling_word
from duplex_agent.thinking.thought import Thought

MAX_WORDS_EN, MAX_CHARS_ZH = 45, 75  # one or two spoken sentences
RECALL_WORDS_EN, RECALL_CHARS_ZH = 90, 140  # a trajectory or an explanation
LEAKS = re.compile(r"\b(?:emotion|cause|need|strategy|intensity|note|thought|reply|user|agent|"
                   r"assistant|person|companion|feeling|voice)\s*:|as an ai|language model|"
                   r"<\|?[a-z_]+\|?>|<(?:start|end)_of_turn>|\[|\]|(?:策略|强度|原因|情绪|对方|"
                   r"陪伴者|用户|回复)[:：]|内心独白", re.I)
STOP = set("that this with have just your you they them what when then there their about "
           "really very been from were will would could should feel feeling felt".split())
EMPATHY_EN = re.compile(r"\b(sorry|sounds?|understand|hear|makes sense|must|congratulations|"
                        r"wonderful|glad|happy for|proud|here for|with you|hard|tough)\b", re.I)
CHEER = re.compile(r"\b(?:how wonderful|that's wonderful|great news|good news|congratulations|"
                   r"fantastic|awesome|yay|hooray)\b|恭喜|太棒了|好消息", re.I)
SORROW = re.compile(r"\b(?:so sorry|sorry to hear|i'm sorry|heartbroken|that's sad|how sad|"
                    r"my condolences)\b|难过|伤心|节哀|遗憾", re.I)
FEELING_STEMS = {"happy": "happ glad joy excit great wonder congrat proud",
                 "sad": "sad sorr hurt lone miss heart down loss",
                 "angry": "angr unfair frustr upset mad annoy furious",
                 "fear": "scar afraid worr anxi nerv fear safe",
                 "surprise": "surpris wow unexpect believ shock",
                 "disgust": "disgust gross awful upset",
                 "neutral": ""}
SMALL_WORDS = set("the and but for not are was had has his her its our out can get got one two "
                  "all any now how why who did don't i'm it's im me we us so too yes".split())
# Numbers anyone may say: emergency and help lines (en and zh).
# Telling someone not to get help (a 270M model once said "先别急着叫警察" to a user hiding
# from a violent parent): never spoken, whatever else the reply does well.
NO_HELP_EN = re.compile(
    r"\b(?:don't|do not|no need to|never|wouldn't)\s+(?:call|phone|ring|contact|go to|see|tell)"
    r"\s+(?:the\s+|a\s+|an\s+|your\s+)?(?:police|cops|911|999|112|ambulance|doctor|hospital|"
    r"gp|a&e|er|crisis line|anyone|for help)", re.I)
NO_HELP_ZH = re.compile(r"(?<!要)(?:别|不要|不用|没必要|用不着)[^，。！？,.!?]{0,4}"
                        r"(?:报警|叫警察|打110|打120|打急救|求助|去医院|看医生|找人帮忙|告诉别人)")
SERVICE_NUMBERS = {"110", "111", "112", "119", "120", "122", "911", "999", "988", "12345", "12356",
                   "12320", "12315"}
# Capitalised words that are not names someone could invent about the user.
NOT_NAMES = set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February "
                "March April May June July August September October November December Christmas "
                "Easter Mum Mom Dad Grandma Grandpa Nana God English Chinese Mandarin".split())
RELATION = re.compile(r"\b(?:your(?:\s+[a-z]+)?|named|called|with|sister|brother|friend|boss|"
                      r"son|daughter|wife|husband|partner|mum|mom|dad|teacher|doctor)"
                      r"\s+([A-Z][a-z]+)")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", text.strip()) if s.strip()]


def check(reply: str, thought: Thought, said: str) -> Verdict:
    """Every rule that ``reply`` breaks; ``said`` is everything the user has said so far."""
    reasons = []
    text = reply.strip()
    if not text:
        return Verdict(False, ("empty",))
    zh = thought.language == "zh"
    recall = thought.strategy == "recall"
    if zh != is_chinese(text) or (not zh and re.search(r"[\u4e00-\u9fff]", text)):
        reasons.append("wrong language")
    if len(sentences(text)) > (4 if recall else 2):
        reasons.append(f"more than {'four' if recall else 'two'} sentences")
    size = len(re.findall(r"[\u4e00-\u9fff]", text)) if zh else len(text.split())
    if size > ((RECALL_CHARS_ZH if zh else RECALL_WORDS_EN) if recall else
               (MAX_CHARS_ZH if zh else MAX_WORDS_EN)):
        reasons.append("too long")
    if LEAKS.search(text):
        reasons.append("leaks private notes or roles")
    if _repeats(text, zh):
        reasons.append("repeats itself")
    reasons += _invented(text, said, zh, thought.strategy)
    if (NO_HELP_ZH if zh else NO_HELP_EN).search(text):
        reasons.append("tells the user not to get help")
    reasons += _wrong_feeling(text, thought)
    if _echoes(text, said, zh):
        reasons.append("echoes the user's words as its own")
    if thought.driver != "model" and not _references(text, thought, said, zh):
        # A generic reply from a model told the thought; our IEAT model works the cause out
        # itself and paraphrases it (the lexical check rejected 4 % of the corpus' replies).
        reasons.append("does not reference the feeling or its cause")
    return Verdict(not reasons, tuple(reasons))


def _repeats(text: str, zh: bool) -> bool:
    """A loop: a word three times running, a three-word run said twice, or (Chinese) a
    four-character run said twice."""
    if zh:
        chars = re.sub(r"[^\u4e00-\u9fff]", "", text)
        grams = [chars[i:i + 4] for i in range(len(chars) - 3)]
        return len(grams) - len(set(grams)) >= 2
    words = re.findall(r"\w+", text.lower())
    trigrams = list(zip(words, words[1:], words[2:]))
    return any(a == b == c for a, b, c in trigrams) or len(trigrams) - len(set(trigrams)) >= 2


def _wrong_feeling(text: str, thought: Thought) -> list[str]:
    """Good news met with "I'm so sorry", or grief met with "how wonderful" (a recall of
    the whole conversation may name both)."""
    if thought.strategy == "recall":
        return []
    if thought.emotion == "happy" and SORROW.search(text):
        return ["answers good news with sorrow"]
    if thought.emotion in ("sad", "angry", "fear", "disgust") and CHEER.search(text):
        return ["answers distress with cheer"]
    return []


def _echoes(text: str, said: str, zh: bool) -> bool:
    """The reply speaks as the user ("my manager...") or repeats what they said."""
    if zh:
        mine = [c for c in re.split(r"[，,。！!？?；;]", said) if "我" in c and len(c) >= 3]
        return (len(text) >= 6 and text.strip("。！!") in said) or any(c in text for c in mine)
    mine = set(re.findall(r"\bmy \w+", said.lower()))
    if mine & set(re.findall(r"\bmy \w+", text.lower())):
        return True
    words = re.findall(r"\w+", text.lower())
    said_words = set(re.findall(r"\w+", said.lower()))
    return len(words) >= 4 and sum(w in said_words for w in words) / len(words) > 0.8


def _invented(text: str, said: str, zh: bool, strategy: str) -> list[str]:
    """Numbers or names about the user that they never said. An answer to a question
    (``inform``) may name books, places and amounts; help-line numbers are always fine."""
    if strategy == "inform":
        return []
    reasons = []
    numbers = _numbers(text) - _numbers(said) - SERVICE_NUMBERS
    if numbers:
        reasons.append(f"invents numbers {sorted(numbers)}")
    if not zh:
        said_lower = said.lower()
        names = [m for m in RELATION.findall(text)
                 if m.lower() not in said_lower and m not in NOT_NAMES]
        if names:
            reasons.append(f"invents names {names}")
    return reasons


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", re.sub(r"(?<=\d)[,.](?=\d{3}\b)", "", text)))


def _references(text: str, thought: Thought, said: str, zh: bool) -> bool:
    """The reply touches the feeling, its cause or something the user said (an answer to
    a question is its own reference)."""
    if thought.strategy == "inform":
        return True
    if zh:
        pool = thought.cause + feeling_word(thought.emotion, "zh") + said[-120:]
        return any(text.find(pool[i:i + 2]) >= 0 for i in range(len(pool) - 1)
                   if re.match(r"[\u4e00-\u9fff]{2}", pool[i:i + 2]))
    lower = text.lower()
    content = {w[:5] for w in re.findall(r"[a-z']{3,}", f"{thought.cause} {said}".lower())
               if w not in STOP and w not in SMALL_WORDS}
    stems = FEELING_STEMS[thought.emotion].split() + [feeling_word(thought.emotion, "en")]
    return any(c in lower for c in content) or any(s and s in lower for s in stems) or \
        bool(EMPATHY_EN.search(text))
