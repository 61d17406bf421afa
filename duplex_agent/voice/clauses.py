"""Cut streaming LLM text into clauses the voice can speak one by one (pure, no I/O).

A clause ends at a sentence end (. ! ? … 。！？) or a clause break (, ; : — ，；：、)
once the next character shows the break is real: whitespace after ASCII
punctuation ("3.5" and "1,000" do not break), anything after CJK punctuation
or a dash. Abbreviations ("Dr.", "e.g.") and initials ("J. K.") do not end a
sentence. A comma-type break needs ``min_clause_words`` words before it; a run
of ``max_clause_words`` words without punctuation is cut at a word boundary.

The emitted clauses, joined, give back the input exactly (leading whitespace
belongs to the next clause), so character offsets need no bookkeeping, and any
split of the input into tokens yields the same clauses.
"""

from __future__ import annotations

import re

SENTENCE_ENDS = ".!?…。！？"
CLAUSE_ENDS = ",;:—，；：、"
NO_SPACE_NEEDED = "。！？，；：、—…"  # these break without whitespace after them
CLOSERS = "\"')]}”’»」』）"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e",
                 "cf", "approx", "dept", "mt"}

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_HAN}]|[^\\s{_HAN}]+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each spoken word: a run of non-space characters with a letter or
    digit in it (punctuation stays attached: "sorry,"), or one Han character."""
    return [m.span() for m in _TOKEN.finditer(text) if any(ch.isalnum() for ch in m.group())]


def break_kind(clause: str) -> str:
    """"sentence", "clause" or "none" (a clause cut for length, or the unpunctuated end)."""
    tail = clause.rstrip().rstrip(CLOSERS)
    if tail and tail[-1] in SENTENCE_ENDS:
        return "sentence"
    if tail and tail[-1] in CLAUSE_ENDS:
        return "clause"
    return "none"


class ClauseSplitter:
    """``push(token)`` returns the clauses completed by this token; ``flush()`` the rest."""

    def __init__(self, min_clause_words: int = 2, max_clause_words: int = 24) -> None:
        if min_clause_words < 1 or max_clause_words < min_clause_words:
            raise ValueError("need 1 <= min_clause_words <= max_clause_words")
        self.min_clause_words = min_clause_words
        self.max_clause_words = max_clause_words
        self._pending = ""

    def push(self, token: str) -> list[str]:
        self._pending += token
        clauses = []
        while (cut := self._next_cut(self._pending)) is not None:
            clauses.append(self._pending[:cut])
            self._pending = self._pending[cut:]
        return clauses

    def flush(self) -> list[str]:
        """End of the text: the unfinished clause, if it has any word in it."""
        rest, self._pending = self._pending, ""
        return [rest] if word_spans(rest) else []

    def _next_cut(self, text: str) -> int | None:
        forced = self._forced_cut(text)
        i = 0
        while i < len(text):
            if forced is not None and i >= forced:
                return forced
            ch = text[i]
            if ch == "\n" and word_spans(text[:i]):
                return i
            if ch in SENTENCE_ENDS or ch in CLAUSE_ENDS:
                end = _run_end(text, i)
                if end == len(text):
                    return None  # the next character decides
                if self._accepts(text, i, end):
                    return end
                i = end
                continue
            i += 1
        return forced

    def _accepts(self, text: str, start: int, end: int) -> bool:
        run = text[start:end]
        if not (text[end].isspace() or any(ch in NO_SPACE_NEEDED for ch in run)):
            return False
        if run.rstrip(CLOSERS) == "." and _is_abbreviation(text[:start]):
            return False
        sentence = any(ch in SENTENCE_ENDS for ch in run)
        return len(word_spans(text[:end])) >= (1 if sentence else self.min_clause_words)

    def _forced_cut(self, text: str) -> int | None:
        spans = word_spans(text)
        if len(spans) <= self.max_clause_words:
            return None
        return spans[self.max_clause_words - 1][1]


def _run_end(text: str, i: int) -> int:
    """Index after a run of punctuation starting at ``i`` and any closing quotes after it."""
    while i < len(text) and (text[i] in SENTENCE_ENDS or text[i] in CLAUSE_ENDS):
        i += 1
    while i < len(text) and text[i] in CLOSERS:
        i += 1
    return i


def _is_abbreviation(before: str) -> bool:
    match = re.search(r"(\S+)$", before)
    if not match:
        return False
    word = match.group(1).lstrip("\"'([{“‘").lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())
