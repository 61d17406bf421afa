"""The real bundled LLMs through the reply writer, and the OpenAI-compatible backend
against a real llama.cpp server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from duplex_agent.llm import Sampling, load_backend
from duplex_agent.memory import EmotionalMemory
from duplex_agent.reply import ReplyWriter, chat_messages
from duplex_agent.reply.guardrails import check
from duplex_agent.thinking.thought import Thought, VoiceHint
from streaming.models import resolve

THOUGHT = Thought(turn=1, time=0.0, emotion="sad", intensity=0.8, cause="my dog died",
                  cause_you="your dog died", shift="first turn: sad",
                  need="comfort and to feel understood", strategy="validate",
                  voice=VoiceHint("sad", 0.9), language="en", driver="text")
SAID = "My dog died yesterday."


@pytest.fixture(scope="module")
def smollm2():
    return load_backend("smollm2")


def test_smollm2_streams_a_reply(smollm2):
    pieces = list(smollm2.chat(chat_messages(THOUGHT, SAID, EmotionalMemory()),
                               Sampling(max_tokens=40)))
    text = "".join(pieces)
    assert len(pieces) > 3 and len(text.split()) >= 3  # streamed, token by token


def test_reply_writer_on_smollm2_always_gives_a_checked_reply(smollm2):
    writer = ReplyWriter(smollm2)
    reply = writer.write(THOUGHT, SAID, EmotionalMemory())
    assert reply.source in ("llm", "template")
    assert check(reply.text, THOUGHT, SAID).ok, reply
    assert writer.stats.replies == 1 and writer.stats.fallbacks == (reply.source == "template")


def test_gemma_few_shot_reply():
    writer = ReplyWriter(load_backend("gemma"), mode="fewshot")
    reply = writer.write(THOUGHT, SAID, EmotionalMemory())
    assert check(reply.text, THOUGHT, SAID).ok, reply


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server():
    """A real ``python -m llama_cpp.server`` with SmolLM2 on loopback."""
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve("llm-chat")),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_listening(port, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_listening(port: int, process: subprocess.Popen) -> None:
    import httpx

    for _ in range(240):  # bounded: at most about a minute
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        try:  # wait a moment for the child, noticing at once if it dies
            process.wait(timeout=0.25)
            raise RuntimeError("llama_cpp.server exited during start-up")
        except subprocess.TimeoutExpired:
            continue
    raise RuntimeError("llama_cpp.server did not start")


def test_http_backend_against_a_real_server(llama_server):
    backend = load_backend("http", url=llama_server)
    pieces = list(backend.chat([{"role": "user", "content": "Say hello to me."}],
                               Sampling(max_tokens=20)))
    assert len(pieces) > 1 and "".join(pieces).strip()
    completion = "".join(backend.complete("The capital of France is", Sampling(max_tokens=5)))
    assert completion.strip()
    writer = ReplyWriter(backend)
    assert check(writer.write(THOUGHT, SAID, EmotionalMemory()).text, THOUGHT, SAID).ok


def test_http_backend_reports_an_unreachable_server():
    from duplex_agent.llm.http import LlmServerError

    backend = load_backend("http", url=f"http://127.0.0.1:{_free_port()}/v1")
    with pytest.raises(LlmServerError, match="cannot reach"):
        list(backend.chat([{"role": "user", "content": "hi"}], Sampling(max_tokens=5)))


def test_two_callers_on_one_model_get_their_own_replies(smollm2):
    """Two sessions (threads) streaming from the one shared model at once, reading
    token by token: no crash, and each gets exactly the reply it gets alone."""
    import threading

    prompts = {"a": "My cat is sick and I am worried.", "b": "I got the job I wanted!"}
    sampling = Sampling(max_tokens=24, temperature=0.0)

    def ask(text: str) -> list[dict]:
        return [{"role": "user", "content": text}]

    alone = {k: "".join(smollm2.chat(ask(t), sampling)) for k, t in prompts.items()}
    together: list[tuple[str, str]] = []

    def call(key: str) -> None:
        together.append((key, "".join(smollm2.chat(ask(prompts[key]), sampling))))

    threads = [threading.Thread(target=call, args=(k,)) for k in prompts for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(together) == sorted([(k, alone[k]) for k in prompts for _ in range(2)])
