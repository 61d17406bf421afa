"""Which thought formed ahead a reply takes, and which ones are stopped (ThoughtsAhead).

Live, the newest thought may still be forming on the reply lane's thread when the turn
ends. These tests run real ``ThreadLane`` threads with stand-in thinking that waits for
the test to let it finish (or for its ``stopped`` flag), so the order of events is the
test's own; nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from duplex_agent.session.ahead import ThoughtsAhead, extends, same_words
from duplex_agent.session.lanes import Lane, ThreadLane

WAIT_S = 10.0


class Thinking:
    """One stand-in thought: forms when ``finish()`` is called, or gives up when stopped."""

    def __init__(self, words: str) -> None:
        self.words, self.was_stopped = words, False
        self._finish = threading.Event()

    def finish(self) -> None:
        self._finish.set()

    def __call__(self, stopped) -> SimpleNamespace:
        deadline = time.monotonic() + WAIT_S
        while not self._finish.is_set() and time.monotonic() < deadline:
            if stopped():
                self.was_stopped = True
                return SimpleNamespace(driver="text", words=self.words)  # malformed
            time.sleep(0.002)
        return SimpleNamespace(driver="model", words=self.words)


def settle(ahead: ThoughtsAhead, lane: ThreadLane) -> None:
    """Wait until the lane has finished everything started, and collect it."""
    deadline = time.monotonic() + WAIT_S
    while lane.busy(0.0) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert not lane.busy(0.0)
    ahead.formed(0.0)


@pytest.fixture
def lane():
    lane = ThreadLane("reply")
    yield lane
    lane.close()


def test_a_reply_waits_for_the_thought_still_forming_on_its_own_words(lane):
    ahead, thinking = ThoughtsAhead(), Thinking("I lost my job today.")
    ahead.start(lane, 1.0, "I lost my job today.", thinking)
    prior = ahead.prior_for("I lost my job today")
    assert prior is not None and prior() is None  # not formed yet: the reply queues behind
    ahead.clear()  # the turn is taken: a thought a reply waits for is not stopped
    thinking.finish()
    settle(ahead, lane)
    assert not thinking.was_stopped and prior().words == "I lost my job today."


def test_a_thought_on_other_words_is_stopped_and_the_formed_one_is_used(lane):
    ahead, first = ThoughtsAhead(), Thinking("I lost my")
    ahead.start(lane, 1.0, "I lost my", first)
    first.finish()
    settle(ahead, lane)
    stale = Thinking("I lost my jab")  # the ASR revised the last word
    ahead.start(lane, 2.0, "I lost my jab", stale)
    prior = ahead.prior_for("I lost my job")
    settle(ahead, lane)
    assert stale.was_stopped  # the reply does not wait behind it
    assert prior is not None and prior().words == "I lost my"


def test_nothing_reusable_stops_the_thought_forming_and_the_reply_thinks_afresh(lane):
    ahead, stale = ThoughtsAhead(), Thinking("Can you")
    ahead.start(lane, 1.0, "Can you", stale)
    assert ahead.prior_for("Can you tell me how to sleep better tonight please") is None
    settle(ahead, lane)
    assert stale.was_stopped


def test_a_longer_thought_still_forming_wins_over_an_older_one_the_words_outgrew(lane):
    ahead, old = ThoughtsAhead(), Thinking("I lost my job")
    ahead.start(lane, 1.0, "I lost my job", old)
    old.finish()
    settle(ahead, lane)
    newer = Thinking("I lost my job today and")
    ahead.start(lane, 2.0, "I lost my job today and", newer)
    prior = ahead.prior_for("I lost my job today and I feel awful")  # 4/9 vs 6/9 words
    newer.finish()
    settle(ahead, lane)
    assert not newer.was_stopped and prior().words == "I lost my job today and"


def test_on_a_file_every_thought_is_formed_when_started():
    ahead, lane = ThoughtsAhead(), Lane("reply")
    thinking = Thinking("I lost my job")
    thinking.finish()
    ahead.start(lane, 1.0, "I lost my job", thinking)
    assert ahead.formed(5.0) == (pytest.approx(1.0, abs=0.05), "I lost my job")
    assert ahead.prior_for("I lost my job today")().words == "I lost my job"


def test_words_compare_without_case_or_punctuation():
    assert same_words("I lost my job.", "i lost my JOB")
    assert extends("我丢了工作", "我丢了工作。")
    assert not extends("I lost", "I lost my job today")  # 2 of 5 words < 0.6
