"""The one thread that owns a model which must never be used by two callers at once.

llama.cpp keeps the prompt being generated in its context: two streams interleaved on one
model (two calls, or a speculative reply and a spoken one) sample from each other's logits
and abort the process (``GGML_ASSERT(logits != nullptr)``). So every use of such a model is a
request to its owner thread, served one at a time in arrival order, each run to its end (or
until its reader closes it) before the next starts. Readers get the pieces as they are made.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


class PieceStream(Iterator[str]):
    """The pieces of one request, as its owner makes them. Closing it (or dropping it)
    cancels the request: the owner stops at its next piece. Safe to close from any thread."""

    def __init__(self) -> None:
        self.pieces: queue.SimpleQueue = queue.SimpleQueue()
        self.cancelled = threading.Event()
        self._done = False

    def __next__(self) -> str:
        if self._done:
            raise StopIteration
        item = self.pieces.get()
        if item is _END:
            self._done = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._done = True
            raise item
        return item

    def close(self) -> None:
        self.cancelled.set()

    def __del__(self) -> None:
        self.cancelled.set()


class ModelOwner:
    """Runs requests against one model on one daemon thread, strictly one after another."""

    def __init__(self, name: str) -> None:
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"model-{name}", daemon=True)
        self._thread.start()

    def stream(self, produce: Callable[[], Iterator[str]]) -> PieceStream:
        """Queue ``produce`` (called on the owner thread) and return its pieces' stream."""
        stream = PieceStream()
        self._requests.put((produce, stream))
        return stream

    def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the owner thread and wait for its result."""
        box: list = []

        def produce() -> Iterator[str]:
            box.append(work())
            return iter(())

        for _ in self.stream(produce):
            pass
        return box[0]

    def _serve(self) -> None:
        while True:
            produce, stream = self._requests.get()
            if not stream.cancelled.is_set():
                self._run(produce, stream)
            stream.pieces.put(_END)

    @staticmethod
    def _run(produce: Callable[[], Iterator[str]], stream: PieceStream) -> None:
        pieces = None
        try:
            pieces = produce()
            for piece in pieces:
                stream.pieces.put(piece)
                if stream.cancelled.is_set():
                    break
        except BaseException as err:  # handed to the reader, who raises it
            stream.pieces.put(err)
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
