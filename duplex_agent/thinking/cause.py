"""Find the cause of the user's feeling in their own words.

Explicit markers win ("because ...", "after ...", "sad that ...", "因为..."); else
the clause that reports an event rather than only the feeling. The span is kept
in the user's words and also turned to the second person for the thought
("my dog died" -> "your dog died").
"""

from __future__ import annotations

import re

from duplex_agent.perception.text import lexicon_hits, split_tags

MARKERS_EN = re.compile(
    r"\b(?:because(?: of)?|since|after|ever since|that|about|over|when)\s+(.+)", re.I)
FEELING_WORDS_EN = re.compile(
    r"\b(i'?m|i am|i feel|feeling|so|really|very|just|sad|happy|angry|upset|scared|afraid|"
    r"worried|anxious|nervous|glad|excited|furious|mad|annoyed|down|depressed|lonely|great|"
    r"terrible|awful|good|bad|fine|okay|ok|tired|frustrated|disgusted|surprised|shocked|"
    r"thrilled|heartbroken|stressed|ugh|wow|oh|no|yes|well|um|uh)\b", re.I)
MARKERS_ZH = re.compile(r"(?:因为|由于|自从)(.+?)(?:[，,。！!？?]|所以|$)")
BEFORE_SO_ZH = re.compile(r"(.+?)(?:，|,)?所以")
CLAUSE_SPLIT = re.compile(r"(?<=[.!?;。！？；])\s*|,\s+(?:and|but|so)\s+|[，,]\s*")
SECOND_PERSON = [(r"\bI'm\b", "you're"), (r"\bI am\b", "you are"), (r"\bI've\b", "you've"),
                 (r"\bI'd\b", "you'd"), (r"\bI'll\b", "you'll"), (r"\bI was\b", "you were"),
                 (r"\bmyself\b", "yourself"), (r"\bmy\b", "your"), (r"\bmine\b", "yours"),
                 (r"\bme\b", "you"), (r"\bI\b", "you"), (r"\bam\b", "are")]


LEADING_FILLERS = re.compile(r"^(?:(?:and|but|so|then|well|also|oh|um|uh|anyway|plus)\b[\s,]*)+",
                             re.I)
LEADING_FILLERS_ZH = re.compile(r"^(?:然后|但是|可是|结果|而且|所以|不过|嗯|啊)+")


def find_cause(text: str, language: str = "en") -> str:
    """The span of ``text`` that says why the user feels as they do ("" if none)."""
    clean = split_tags(text)[0].strip()
    if not clean:
        return ""
    if language.startswith("zh"):
        return LEADING_FILLERS_ZH.sub("", _cause_zh(clean))
    return LEADING_FILLERS.sub("", _cause_en(clean))


def _cause_en(text: str) -> str:
    clauses = [c.strip(" .!?;,") for c in CLAUSE_SPLIT.split(text) if c and c.strip(" .!?;,")]
    for clause in clauses:
        match = MARKERS_EN.search(clause)
        if match and _content_words(match.group(1)) >= 2 and _is_feeling_clause(clause, match):
            return match.group(1).strip(" .!?;,")
    events = [c for c in clauses if _content_words(c) >= 2]
    return max(events, key=_content_words) if events else (clauses[0] if clauses else "")


def _is_feeling_clause(clause: str, match: re.Match) -> bool:
    """'sad that X' / 'because X' count; 'that' as a plain pronoun does not."""
    marker = clause[match.start():match.start(1)].strip().lower()
    return marker != "that" or bool(FEELING_WORDS_EN.search(clause[:match.start()]))


def _content_words(text: str) -> int:
    words = re.findall(r"[A-Za-z']+", text)
    return sum(1 for w in words if not FEELING_WORDS_EN.fullmatch(w) and len(w) > 2)


def _cause_zh(text: str) -> str:
    for pattern in (MARKERS_ZH, BEFORE_SO_ZH):
        match = pattern.search(text)
        if match and len(match.group(1).strip()) >= 2:
            return match.group(1).strip("，,。！!？? ")
    clauses = [c.strip() for c in re.split(r"[，,。！!？?；;]", text) if c.strip()]
    if not clauses:
        return ""
    events = [c for c in clauses if not _feeling_only_zh(c)] or clauses
    return max(events, key=lambda c: (lexicon_hits(c) > 0, len(c)))


FEELING_ONLY_ZH = re.compile(r"^(?:我|真的|好|很|太|非常|特别|有点|觉得|感到|了|啊|呀|的)*"
                             r"(?:难过|伤心|生气|开心|高兴|害怕|担心|紧张|失望|烦|累|激动)"
                             r"(?:了|啊|呀|死了|极了)*$")


def _feeling_only_zh(clause: str) -> bool:
    """"我好难过" states the feeling; it is not its cause."""
    return bool(FEELING_ONLY_ZH.match(clause))


def second_person(span: str, language: str = "en") -> str:
    """Turn the user's words about themselves into words about "you"."""
    if language.startswith("zh"):
        return span.replace("我们", "你们").replace("我", "你")
    for pattern, replacement in SECOND_PERSON:
        span = re.sub(pattern, replacement, span, flags=re.I)
    return span
