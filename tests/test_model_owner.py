"""The model owner: requests never interleave, readers get pieces as they come, closing a
stream cancels its request, and errors reach the reader."""

from __future__ import annotations

import threading

import pytest

from duplex_agent.llm.owner import ModelOwner


class Recorder:
    """A stand-in model that notes which request is running at every piece."""

    def __init__(self) -> None:
        self.running: str | None = None
        self.log: list[str] = []
        self.overlaps = 0
        self.release = threading.Semaphore(0)  # one piece per release

    def produce(self, name: str, n: int, wait: bool = False):
        def pieces():
            if self.running is not None:
                self.overlaps += 1
            self.running = name
            try:
                for i in range(n):
                    if wait:
                        self.release.acquire(timeout=5)
                    self.log.append(f"{name}{i}")
                    yield f"{name}{i} "
            finally:
                self.running = None
        return pieces


def test_interleaved_readers_get_whole_requests_one_after_another():
    owner, model = ModelOwner("test"), Recorder()
    a = owner.stream(model.produce("a", 5))
    b = owner.stream(model.produce("b", 5))
    # Read them interleaved, as two sessions (or a speculation and a reply) would.
    got_a, got_b = [], []
    for _ in range(5):
        got_b.append(next(b))
        got_a.append(next(a))
    assert "".join(got_a) == "a0 a1 a2 a3 a4 " and "".join(got_b) == "b0 b1 b2 b3 b4 "
    assert model.log == [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)]
    assert model.overlaps == 0


def test_closing_a_stream_cancels_its_request_and_frees_the_model():
    owner, model = ModelOwner("test"), Recorder()
    slow = owner.stream(model.produce("s", 1000, wait=True))
    model.release.release()
    assert next(slow) == "s0 "
    slow.close()
    model.release.release()  # let the owner reach its next piece, where it sees the close
    after = owner.stream(model.produce("n", 2))
    assert list(after) == ["n0 ", "n1 "]
    assert len([p for p in model.log if p.startswith("s")]) < 1000


def test_an_error_reaches_the_reader_and_the_owner_serves_on():
    owner = ModelOwner("test")

    def broken():
        yield "x"
        raise RuntimeError("model failed")

    stream = owner.stream(broken)
    assert next(stream) == "x"
    with pytest.raises(RuntimeError, match="model failed"):
        next(stream)
    assert owner.call(lambda: 41 + 1) == 42
