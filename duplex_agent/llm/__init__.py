"""LLM backends behind one small interface that streams text pieces.

``LlmBackend.chat(messages, ...)`` streams a chat reply; ``complete(prompt, ...)``
streams a raw completion (for the few-shot base model). Backends: local
llama.cpp (``LlamaCppBackend``) and any OpenAI-compatible server
(``OpenAiHttpBackend``: vLLM, llama.cpp server...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(frozen=True)
class Sampling:
    max_tokens: int = 64  # hard cap on reply length
    temperature: float = 0.3  # low: replies should be steady, not creative
    top_p: float = 0.9
    stop: tuple[str, ...] = ()  # extra stop strings
    seed: int = 7  # fixed, so runs are repeatable


class LlmBackend(Protocol):
    name: str

    def chat(self, messages: list[Message], sampling: Sampling,
             opener: str = "") -> Iterator[str]:
        """Stream the assistant's reply to ``messages``. A backend that can, starts the
        reply with ``opener`` and continues it (the opener is streamed first); others
        ignore it."""
        ...

    def complete(self, prompt: str, sampling: Sampling) -> Iterator[str]:
        """Stream a raw continuation of ``prompt``."""
        ...


def until_stopped(pieces: Iterator[str], stopped: Callable[[], bool]) -> Iterator[str]:
    """``pieces`` until ``stopped()`` says True (asked before each); the stream is closed
    when this ends, which ends its request (``PieceStream``)."""
    try:
        for piece in pieces:
            if stopped():
                return
            yield piece
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()


def load_backend(kind: str, url: str | None = None, model: str | None = None,
                 threads: int = 2) -> LlmBackend:
    """``kind``: "smollm2" (local chat), "gemma" (local few-shot) or "http" (``url``)."""
    if kind == "http":
        from duplex_agent.llm.http import OpenAiHttpBackend

        if not url:
            raise ValueError("the http backend needs --llm-url (e.g. http://127.0.0.1:8000/v1)")
        return OpenAiHttpBackend(url, model or "default")
    from duplex_agent.llm.local import LlamaCppBackend
    from streaming.models import resolve

    roles = {"smollm2": "llm-chat", "gemma": "llm-fewshot"}
    if kind not in roles:
        raise ValueError(f"unknown LLM backend {kind!r}: use smollm2, gemma or http")
    return LlamaCppBackend(resolve(roles[kind]), name=kind, threads=threads)
