"""OpenAI-compatible HTTP backend (vLLM, llama.cpp server, ...), streaming over SSE."""

from __future__ import annotations

import json
from collections.abc import Iterator

from duplex_agent.errors import UserError
from duplex_agent.llm import Message, Sampling


class LlmServerError(UserError):
    """The LLM server could not be reached or answered with an error."""


class OpenAiHttpBackend:
    def __init__(self, base_url: str, model: str = "default", api_key: str = "none",
                 timeout_s: float = 60.0) -> None:
        import httpx

        self.name = f"http:{base_url}"
        self.model = model
        self._client = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=timeout_s,
                                    headers={"Authorization": f"Bearer {api_key}"})

    def chat(self, messages: list[Message], sampling: Sampling,
             opener: str = "") -> Iterator[str]:
        del opener  # server models are strong enough to start on their own
        body = {"model": self.model, "messages": messages, **self._params(sampling)}
        for event in self._stream("chat/completions", body):
            piece = event["choices"][0].get("delta", {}).get("content")
            if piece:
                yield piece

    def complete(self, prompt: str, sampling: Sampling) -> Iterator[str]:
        body = {"model": self.model, "prompt": prompt, **self._params(sampling)}
        for event in self._stream("completions", body):
            piece = event["choices"][0].get("text")
            if piece:
                yield piece

    @staticmethod
    def _params(sampling: Sampling) -> dict:
        return {"max_tokens": sampling.max_tokens, "temperature": sampling.temperature,
                "top_p": sampling.top_p, "seed": sampling.seed, "stream": True,
                **({"stop": list(sampling.stop)} if sampling.stop else {})}

    def _stream(self, path: str, body: dict) -> Iterator[dict]:
        import httpx

        try:
            with self._client.stream("POST", path, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise LlmServerError(f"LLM server answered {response.status_code}: "
                                         f"{response.text[:200]}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield json.loads(data)
        except httpx.HTTPError as err:
            raise LlmServerError(f"cannot reach the LLM server at {self._client.base_url}: "
                                 f"{err}") from None
