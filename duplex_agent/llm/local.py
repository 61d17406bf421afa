"""Local llama.cpp backend (llama-cpp-python), CPU only.

llama.cpp keeps the tokens of the previous prompt in its KV cache and reuses
the longest common prefix, so a stable system prompt and history are only
evaluated once; ``warm()`` evaluates a prefix ahead of time (while the user is
still talking). The model is touched only by its ``ModelOwner`` thread: requests from any
number of sessions run one at a time, each to its end, never interleaved.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from duplex_agent.llm import Message, Sampling
from duplex_agent.llm.owner import ModelOwner


class LlamaCppBackend:
    def __init__(self, model_path: str | Path, name: str = "local", n_ctx: int = 2048,
                 threads: int = 2, batch_threads: int = 2,
                 lora_path: str | Path | None = None) -> None:
        from llama_cpp import Llama

        self.name = name
        self._formatter = None
        self._owner = ModelOwner(name)

        def load() -> Llama:
            with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
                return Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads,
                             n_threads_batch=batch_threads, verbose=False, seed=7,
                             lora_path=str(lora_path) if lora_path else None)

        self._llm = self._owner.call(load)

    def chat(self, messages: list[Message], sampling: Sampling,
             opener: str = "") -> Iterator[str]:
        """Stream the reply; the request is queued at once (closing the stream cancels it)."""
        if opener:
            prompt = self._format(messages) + opener
            return _prefixed(opener, self._owner.stream(lambda: self._complete(prompt, sampling)))
        return self._owner.stream(lambda: self._chat(messages, sampling))

    def complete(self, prompt: str, sampling: Sampling) -> Iterator[str]:
        """Stream a continuation; queued at once, cancelled by closing the stream."""
        return self._owner.stream(lambda: self._complete(prompt, sampling))

    def _chat(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        stream = self._llm.create_chat_completion(
            messages=messages, max_tokens=sampling.max_tokens, temperature=sampling.temperature,
            top_p=sampling.top_p, stop=list(sampling.stop) or None, seed=sampling.seed,
            stream=True)
        for chunk in stream:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def _format(self, messages: list[Message]) -> str:
        """The model's own chat template (from the GGUF) applied, ready for the reply."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if self._formatter is None:
            meta = self._llm.metadata
            self._formatter = Jinja2ChatFormatter(
                template=meta["tokenizer.chat_template"], add_generation_prompt=True,
                eos_token=self._llm.detokenize([self._llm.token_eos()]).decode(errors="ignore"),
                bos_token=self._llm.detokenize([self._llm.token_bos()]).decode(errors="ignore"))
        return self._formatter(messages=messages).prompt

    def _complete(self, prompt: str, sampling: Sampling) -> Iterator[str]:
        stream = self._llm.create_completion(
            prompt, max_tokens=sampling.max_tokens, temperature=sampling.temperature,
            top_p=sampling.top_p, stop=list(sampling.stop) or None, seed=sampling.seed,
            stream=True)
        for chunk in stream:
            piece = chunk["choices"][0]["text"]
            if piece:
                yield piece

    def warm(self, messages: list[Message]) -> None:
        """Evaluate ``messages`` into the KV cache now (while the user is still talking), so
        the real call, which shares their prefix, only evaluates what is new."""
        for _ in self.chat(messages, Sampling(max_tokens=1)):
            break


def _prefixed(first: str, rest: Iterator[str]) -> Iterator[str]:
    try:
        yield first
        yield from rest
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()
