"""Thoughts formed while the user still speaks (ThinkAhead), and which one a reply reuses.

A thought ahead is formed on the reply lane from a partial transcript. A reply (or a
speculative one) reuses it when its words only extend that partial; live, the newest
thought may still be forming then. The reply lane is serial, so a reply queued behind a
thought it cannot use would wait for it for nothing: such a thought is stopped (the
model stops at its next token). Which thought a reply takes, for words ``text``:

1. the one still forming, on the same words: wait for it (it is exactly this turn);
2. the newest formed one that ``text`` extends (the one still forming is stopped);
3. the one still forming, if ``text`` extends it: wait for it;
4. none (the one still forming is stopped); the reply thinks afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from duplex_agent.session.lanes import Lane, Pending
from duplex_agent.thinking.thought import Thought

REUSE_THOUGHT_SHARE = 0.6  # a partial this much of the final keeps its thought


@dataclass
class _Ahead:
    text: str
    pending: Pending[Thought] | None = None
    stopped: bool = False  # no reply wants it: the model stops at its next token
    chosen: bool = False  # a reply waits for it
    seen: bool = False  # its result was collected (``formed``)


class ThoughtsAhead:
    def __init__(self) -> None:
        self._forming: _Ahead | None = None  # the newest thought started
        self._formed: _Ahead | None = None  # the newest thought the model formed

    def start(self, lane: Lane, time: float, text: str,
              think: Callable[[Callable[[], bool]], Thought]) -> None:
        """Form the thought on ``text`` on ``lane``: ``think(stopped)``."""
        ahead = _Ahead(text)
        ahead.pending = lane.start(time, lambda: think(lambda: ahead.stopped))
        self._forming = ahead

    def formed(self, now: float) -> tuple[float, str] | None:
        """(ready time, words) of the newest thought the first time it is seen formed by
        the model; else None."""
        ahead = self._forming
        if ahead is None or ahead.seen or ahead.pending is None:
            return None
        done, thought, ready = ahead.pending.poll(now)
        if not done:
            return None
        ahead.seen = True
        if ahead.stopped or thought is None or thought.driver != "model":
            return None
        self._formed = ahead
        return ready, ahead.text

    def prior_for(self, text: str) -> Callable[[], Thought | None] | None:
        """The thought a reply on ``text`` takes when its thinking starts (see above)."""
        forming = self._forming if self._forming is not None and not self._forming.seen \
            and not self._forming.stopped else None
        if forming is not None and same_words(forming.text, text):
            return self._choose(forming)
        formed = self._formed
        if formed is not None and extends(formed.text, text):
            if forming is not None:
                forming.stopped = True
            return formed.pending.value  # type: ignore[union-attr]
        if forming is not None and extends(forming.text, text):
            return self._choose(forming)
        if forming is not None:
            forming.stopped = True
        return None

    def clear(self) -> None:
        """The turn was taken: a thought still forming that no reply waits for stops."""
        forming = self._forming
        if forming is not None and not forming.chosen:
            forming.stopped = True
        self._forming = self._formed = None

    @staticmethod
    def _choose(ahead: _Ahead) -> Callable[[], Thought | None]:
        ahead.chosen = True
        return ahead.pending.value  # type: ignore[union-attr]


def words(text: str) -> list[str]:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):  # Chinese: characters are the words
        return [ch for ch in text if ch.isalnum()]
    return ["".join(ch for ch in w.lower() if ch.isalnum()) for w in text.split()]


def same_words(a: str, b: str) -> bool:
    return words(a) == words(b)


def extends(partial: str, final: str, share: float = REUSE_THOUGHT_SHARE) -> bool:
    """``final`` starts with ``partial``'s words, which make up at least ``share`` of it."""
    head, whole = words(partial), words(final)
    return bool(head) and whole[:len(head)] == head and len(head) >= share * len(whole)
