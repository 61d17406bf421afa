"""What the words say about turn-taking, in English and Chinese (pure text rules).

Backchannels and fillers, laughter tags, whether a text sounds finished, which
kind of interruption a text is, and whether it is addressed to someone else.
Chinese has no spaces, so Chinese cue words are matched on the run of CJK
characters, and "only backchannels" means the characters can be covered by
backchannel tokens.
"""

from __future__ import annotations

import re
from functools import cache

# Non-lexical annotations Whisper writes: "(laughs)", "[LAUGHTER]", "*chuckles*", "[Music]".
_TAG = re.compile(r"[\[(*][^\])*]{0,30}[\])*]")
_LAUGH = re.compile(r"laugh|chuckl|giggl|哈哈|呵呵|嘿嘿|笑")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9']+(?:-[a-z0-9']+)*")

EN_BACKCHANNELS = {
    "mm", "mmm", "mhm", "mm-hm", "mm-hmm", "mmhmm", "hm", "hmm", "uh-huh", "uhhuh", "yeah",
    "yea", "yep", "yup", "yes", "ya", "yah", "right", "okay", "ok", "sure", "alright", "oh",
    "ah", "aha", "ooh", "wow", "cool", "nice", "true", "exactly", "totally", "definitely",
    "absolutely", "gotcha", "indeed", "haha", "hahaha", "hehe", "lol", "i see", "got it",
    "of course", "i know", "that's right", "go on", "makes sense", "fair enough", "i get it",
    "sounds good", "uh huh", "mm hmm", "oh okay", "oh i see",
}
EN_FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "hmm", "mm", "ah", "well"}
ZH_BACKCHANNELS = {
    "嗯", "嗯嗯", "嗯哼", "唔", "哦", "噢", "喔", "哎", "啊", "呀", "对", "对的", "对啊", "对呀",
    "是", "是的", "是啊", "是呀", "好", "好的", "好啊", "好吧", "行", "可以", "没错", "明白",
    "了解", "知道了", "懂了", "我懂", "我明白", "这样啊", "原来如此", "原来是这样", "就是这样",
    "哈", "呵", "嘿", "当然", "确实", "有道理", "了", "嘛", "呢",
}
ZH_FILLERS = {"呃", "额", "嗯", "那个", "就是", "这个", "然后"}

# Words a finished utterance almost never ends on: conjunctions, some prepositions,
# articles and possessives, fillers. Words that often do end one ("you", "her", "that",
# "do", "in", "for", "then", "though") are left out on purpose: a false "unfinished"
# makes the agent wait ~2 s.
EN_TRAILING = {
    "and", "but", "or", "so", "because", "cause", "'cause", "if", "although", "unless",
    "than", "to", "of", "at", "with", "into", "onto", "the", "a", "an", "my", "your", "our",
    "their", "i", "i'm", "it's", "there's", "gonna", "wanna", "very", "um", "umm", "uh",
    "uhh", "er", "erm",
}
# Words a finished utterance rarely ends on, but sometimes does ("Here it is."): the
# speaker is more likely going on ("what I want to know is ..."). A weaker cue.
EN_HANGING = {"is", "was", "are", "were", "am", "be", "been", "like", "actually", "rather",
              "mean", "guess", "basically"}
# A self-correction under way: "the fifth, no", "the fifth, sorry" (the right one follows).
EN_CORRECTIONS = {"no", "sorry", "wait"}
EN_ANSWER_ENDS = {"so", "no", "not", "yes", "yeah", "oh", "well", "really", "course", "sure"}
# "so" ends these finished phrases: "I think so."
EN_SO_FINISHED = {"think", "hope", "guess", "believe", "suppose", "said", "afraid", "not"}
ZH_TRAILING = (
    "然后", "但是", "可是", "不过", "所以", "因为", "而且", "还有", "就是", "那个", "这个", "如果",
    "虽然", "或者", "还是", "和", "跟", "与", "的话", "比如", "我想", "我觉得", "我是说", "然后呢",
    "呃", "额", "把", "被", "给", "在", "对于", "关于", "因此", "于是", "并且", "以及",
)
ZH_FINAL_PARTICLES = "吗呢吧了啊呀嘛哦啦"
_UNFINISHED_PUNCT = ("...", "…", ",", "，", "、", "-", "—", ":", "：")
_FINISHED_PUNCT = (".", "?", "!", "。", "？", "！")

# Interruption cues. A "stop" is an utterance that is only a stop command.
EN_STOP = ("stop", "stop it", "stop talking", "shut up", "be quiet", "quiet", "enough",
           "that's enough", "never mind", "wait", "hold on", "hang on", "pause", "cancel")
EN_STOP_FILLER = {"please", "ok", "okay", "just", "no", "now", "hey", "sorry", "can", "you",
                  "could", "would", "right", "a", "second", "sec", "moment", "minute", "for"}
ZH_STOP = ("停一下", "停下", "停", "别说了", "别说", "不要说了", "不要说", "别讲了", "别讲", "闭嘴",
           "够了", "安静", "暂停", "等一下", "等等", "算了", "打住")
ZH_STOP_FILLER = "好了吧啊呀先请你一下不要别"
EN_REPEAT = ("say that again", "say it again", "repeat", "pardon", "come again", "what did you say",
             "what was that", "didn't catch", "didn't hear", "didn't get that", "one more time",
             "sorry what", "excuse me")
ZH_REPEAT = ("再说一遍", "再说一次", "再讲一遍", "重复", "没听清", "没听到", "没听懂", "你说什么",
             "你说啥", "说什么")
# A bare "what?" / "huh?" / "什么？" asks for a repeat; inside a sentence "what" does not.
EN_BARE_REPEAT = {"what", "huh", "sorry", "pardon", "eh", "wait", "excuse", "me"}
ZH_BARE_REPEAT = ("什么", "啥")
EN_TOPIC = ("by the way", "anyway", "let's talk about", "talk about something", "something else",
            "change the subject", "different question", "another question", "new topic",
            "forget that", "never mind that", "on another note", "different topic")
ZH_TOPIC = ("换个话题", "换个问题", "另外", "对了", "顺便", "说点别的", "聊点别的", "聊聊别的",
            "说别的", "不说这个", "先不说这个", "换一个", "我想问")
EN_NEGATION = ("no", "nope", "nah", "not", "don't", "didn't", "isn't", "wasn't", "aren't",
               "that's wrong", "wrong", "incorrect", "actually", "i meant", "that's not")
ZH_NEGATION = ("不是", "不对", "错了", "不要", "不用", "没有", "并不", "不不", "我不是说")

# Content cues that the user is talking to someone else.
EN_VOCATIVES = {"mom", "mum", "dad", "honey", "babe", "baby", "sweetie", "darling", "guys",
                "kids", "sweetheart", "mommy", "daddy"}
# Asides that only make sense to someone in the room ("I'm on the phone"): enough alone.
EN_ASIDES = ("i'm on the phone", "i am on the phone", "i'm on a call", "i am on a call",
             "be right there", "i'm coming", "coming in a minute", "talking to someone")
EN_ELSEWHERE = ("on the phone", "on a call", "coming", "one sec", "just a sec",
                "give me a minute")
EN_CALLS = {"hey", "hi", "oi", "yo", "excuse"}  # "Hey Tom", "Oi, Sam": a call to someone
# Capitalised words that are no name: a final ", Sunday?" is not someone being called.
EN_NOT_NAMES = {"i", "i'm", "i'll", "ok", "okay", "monday", "tuesday", "wednesday", "thursday",
                "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
                "june", "july", "august", "september", "october", "november", "december",
                "english", "chinese", "god"}
_EN_TOKEN = re.compile(r"[A-Za-z']+|[,.?!;:]")
ZH_VOCATIVES = ("妈", "爸", "老公", "老婆", "宝贝", "亲爱的", "儿子", "女儿", "宝宝", "你们")
ZH_ASIDES = ("我在打电话", "我打电话呢", "马上来", "马上就来", "来了来了")
ZH_ELSEWHERE = ("打电话", "我在忙", "等我一下")


def strip_tags(text: str) -> str:
    return _TAG.sub(" ", text)


def has_laughter(text: str) -> bool:
    return bool(_LAUGH.search(text.lower()))


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def words(text: str) -> list[str]:
    """Lower-case English words (apostrophes and hyphens kept), tags removed."""
    return _WORD.findall(strip_tags(text).lower().replace("’", "'"))


def cjk(text: str) -> str:
    """Only the CJK characters of the text, tags removed."""
    return "".join(_CJK.findall(strip_tags(text)))


def _covered(units: tuple[str, ...], vocab: frozenset[str], joiner: str) -> bool:
    """Can ``units`` be split into consecutive pieces that are all in ``vocab``?"""

    @cache
    def from_(i: int) -> bool:
        if i == len(units):
            return True
        return any(joiner.join(units[i:j]) in vocab and from_(j)
                   for j in range(i + 1, min(len(units), i + 4) + 1))

    return from_(0)


_EN_BC = frozenset(EN_BACKCHANNELS | EN_FILLERS)
_ZH_BC = frozenset(ZH_BACKCHANNELS | ZH_FILLERS)


def _laugh_word(word: str) -> bool:
    return bool(re.fullmatch(r"(ha|he|hah|heh)+h?|a?ha+", word))


# Hums and hesitation sounds however Whisper spells them: "MMMM", "mhmm", "hmmm",
# "uhhh", "ummm", "ahh", "ohh", "errr" (no words, at any length).
_SOUND = re.compile(r"m+(-?h*m+)*|h+m+|m+h+m*|u+h+|u+m+|a+h+|o+h+|e+r+m*|h+u+h+")


def _sound_word(word: str) -> bool:
    return bool(_SOUND.fullmatch(word.replace("-", "")))


def is_backchannel(text: str) -> bool:
    """Only backchannel tokens, fillers or laughter (no content); False for empty text."""
    tokens = words(text)
    english = tuple(w for w in tokens if not _laugh_word(w) and not _sound_word(w))
    chinese = tuple(re.sub(r"(哈|呵|嘿)+", "", cjk(text)))
    if not english and not chinese:
        return len(english) < len(tokens) or has_laughter(text)
    return _covered(english, _EN_BC, " ") and _covered(chinese, _ZH_BC, "")


def is_filler_only(text: str) -> bool:
    english, chinese = words(text), cjk(text)
    return bool(english or chinese) and \
        all(w in EN_FILLERS or _sound_word(w) for w in english) and \
        _covered(tuple(chinese), frozenset(ZH_FILLERS), "")


def content_size(text: str) -> int:
    """Words (English) plus characters (Chinese) beyond backchannels: 0 = no content."""
    if is_backchannel(text):
        return 0
    return len([w for w in words(text) if w not in _EN_BC and not _laugh_word(w)
                and not _sound_word(w)]) + len(cjk(text))


def filler_count(text: str) -> int:
    chinese = cjk(text)
    return sum(w in ("um", "umm", "uh", "uhh", "er", "erm") for w in words(text)) + \
        sum(chinese.count(f) for f in ("呃", "额", "那个"))


def completeness(text: str) -> str | None:
    """"complete", "incomplete" (trailing conjunction, filler, unfinished clause),
    "hanging" (a weaker sign of more to come: a trailing "is", "like", "actually", a
    self-correction "..., no") or None."""
    body = strip_tags(text).strip()
    if not body:
        return None
    if body.endswith(_UNFINISHED_PUNCT):
        return "incomplete"
    if is_chinese(body):
        return _zh_completeness(body)
    tokens = words(body)
    if tokens and tokens[-1] in EN_TRAILING and \
            not (tokens[-1] == "so" and len(tokens) > 1 and tokens[-2] in EN_SO_FINISHED):
        return "incomplete"
    if tokens and (tokens[-1] in EN_HANGING or _correcting(body, tokens)):
        return "hanging"
    return "complete" if body.endswith(_FINISHED_PUNCT) else None


def _correcting(body: str, tokens: list[str]) -> bool:
    """"Make it the fifth, no." - a correction word set off after at least three words."""
    last, before = tokens[-1], tokens[-2] if len(tokens) > 1 else ""
    head = body.rstrip(" .!?…").lower()
    answer = before in EN_ANSWER_ENDS or before.endswith("n't")  # "I don't think so, no."
    return last in EN_CORRECTIONS and len(tokens) >= 4 and not answer and \
        head[:len(head) - len(last)].rstrip().endswith((",", "."))


def _zh_completeness(body: str) -> str | None:
    chinese = cjk(body)
    if chinese.endswith(ZH_TRAILING):
        return "incomplete"
    if body.endswith(_FINISHED_PUNCT) or chinese.endswith(tuple(ZH_FINAL_PARTICLES)):
        return "complete"
    return None


def _has_phrase(tokens: list[str], phrases: tuple[str, ...]) -> bool:
    padded = f" {' '.join(tokens)} "
    return any(f" {phrase} " in padded for phrase in phrases)


def _is_stop_command(text: str) -> bool:
    tokens, chinese = words(text), cjk(text)
    rest = f" {' '.join(tokens)} "
    for phrase in sorted(EN_STOP, key=len, reverse=True):
        rest = rest.replace(f" {phrase} ", " ")
    hit = rest != f" {' '.join(tokens)} "
    for phrase in ZH_STOP:
        hit, chinese = hit or phrase in chinese, chinese.replace(phrase, "")
    leftover = [w for w in rest.split() if w not in EN_STOP_FILLER]
    return hit and not leftover and not chinese.strip(ZH_STOP_FILLER)


def _is_bare_repeat(tokens: list[str], chinese: str) -> bool:
    if tokens and not chinese:
        return bool({"what", "huh"} & set(tokens)) and set(tokens) <= EN_BARE_REPEAT
    return not tokens and chinese.strip("啊呀嗯你说") in ZH_BARE_REPEAT


def interruption_kind(text: str) -> str:
    """stop / repeat / topic_switch / negation / follow_up (the default)."""
    tokens, chinese = words(text), cjk(text)
    if _is_stop_command(text):
        return "stop"
    if _is_bare_repeat(tokens, chinese):
        return "repeat"
    for kind, en, zh in (("repeat", EN_REPEAT, ZH_REPEAT), ("topic_switch", EN_TOPIC, ZH_TOPIC),
                         ("negation", EN_NEGATION, ZH_NEGATION)):
        if _has_phrase(tokens, en) or any(cue in chinese for cue in zh):
            return kind
    if chinese.startswith("不"):
        return "negation"
    return "follow_up"


def addressed_elsewhere(text: str) -> str | None:
    """"vocative" (calls someone else: "Mom, ...", "Hey Tom, ...", "..., honey?"),
    "aside" (words only someone in the room is meant to hear: "I'm on the phone"),
    "phrase" (a weaker cue: "one sec") or None. The whole text is read: a name at the
    end counts as much as one at the start."""
    tokens, chinese = words(text), cjk(text)
    if (chinese and not tokens and chinese.startswith(ZH_VOCATIVES)) or \
            (tokens and not chinese and _en_vocative(text)):
        return "vocative"
    if _has_phrase(tokens, EN_ASIDES) or any(cue in chinese for cue in ZH_ASIDES):
        return "aside"
    if _has_phrase(tokens, EN_ELSEWHERE) or any(cue in chinese for cue in ZH_ELSEWHERE):
        return "phrase"
    return None


def _is_name(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in EN_NOT_NAMES


def _en_vocative(text: str) -> bool:
    """Someone else called by name or by a family word: at the start, after "hey", or
    set off by a comma (", Tom?", ", honey, ...")."""
    tokens = _EN_TOKEN.findall(strip_tags(text).replace("’", "'"))
    lowered = [t.lower() for t in tokens]
    if lowered and lowered[0] in EN_VOCATIVES:
        return True
    for i, token in enumerate(lowered):
        called = tokens[i + 1] if i + 1 < len(tokens) else ""
        called = tokens[i + 2] if called == "," and i + 2 < len(tokens) else called
        if token in EN_CALLS and (called.lower() in EN_VOCATIVES or _is_name(called)):
            return True
        after = lowered[i + 2] if i + 2 < len(lowered) else "."
        if token == "," and i + 1 < len(tokens) and after in (",", ".", "?", "!") and \
                (lowered[i + 1] in EN_VOCATIVES or _is_name(tokens[i + 1])):
            return True
    return False
