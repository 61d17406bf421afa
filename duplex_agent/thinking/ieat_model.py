"""Our IEAT model at run time: the registry Gemma-3-270M plus the LoRA adapter trained on
the team's corpus (``duplex_agent/adapters/``), applied by llama.cpp. Nothing is downloaded.

One pass per turn: the model writes its private thought (emotion, cause, need, strategy),
then the reply. ``think`` runs the first half and stops at ``reply:``; the reply continues
from exactly that text (``reply_prompt``), so llama.cpp's prompt cache makes the second
half cost only the reply's own tokens. A thought formed on a partial transcript can be
reused for the final one: only the changed words and the reply are then computed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from duplex_agent.errors import UserError
from duplex_agent.llm import Sampling, until_stopped
from duplex_agent.thinking.ieat_format import (
    TURN_END,
    EarlierTurn,
    IeatThought,
    parse_output,
    render_prompt,
    render_thought,
)

ADAPTER = Path(__file__).resolve().parents[1] / "adapters" / "ieat-gemma3-270m-lora.gguf"
CORPUS = Path(__file__).resolve().parents[2] / "prompts" / "ieat" / "train.jsonl"
THOUGHT_SAMPLING = Sampling(max_tokens=72, temperature=0.0, stop=("reply:", TURN_END))
REPLY_SAMPLING = Sampling(max_tokens=64, temperature=0.2, stop=(TURN_END, "\n"))
RECALL_SAMPLING = Sampling(max_tokens=140, temperature=0.2, stop=(TURN_END, "\n"))


class AdapterError(UserError):
    """The IEAT adapter is missing or damaged; the agent uses its rule-based thinking."""


def adapter_path(path: Path | None = None) -> Path:
    """The adapter file, checked against the SHA-256 recorded beside it."""
    from streaming.models import sha256_of

    path = path or ADAPTER
    recorded = path.with_suffix(".sha256")
    if not path.is_file() or not recorded.is_file():
        raise AdapterError(f"IEAT adapter {path.name} is missing from {path.parent}; "
                           "replies use the rule-based thought and SmolLM2")
    expected = recorded.read_text().split()[0]
    if sha256_of(path) != expected:
        raise AdapterError(f"IEAT adapter {path} is damaged (SHA-256 differs from "
                           f"{recorded.name}); replies use the rule-based thought and SmolLM2")
    return path


def base_model(full: bool = False) -> Path:
    """The registry Gemma-3-270M, as a copy that writes only the tokens the corpus and the
    two languages need (``duplex_agent.llm.vocab``: about twice as fast a token), made once
    into the model cache. ``full``, or when the copy cannot be made (no ``gguf`` package,
    no corpus beside the code): the registry file itself, with a note on stderr."""
    from streaming.models import cache_dir, resolve

    base = resolve("llm-fewshot")
    if full:
        return base
    try:
        from duplex_agent.llm.vocab import compact_copy
        from duplex_agent.training.corpus import load, render

        def texts() -> Iterator[str]:
            return ("".join(render(record)) for record in load([CORPUS]))

        return compact_copy(base, texts, CORPUS.read_bytes(), cache_dir() / "gemma")
    except (ImportError, OSError, ValueError, KeyError) as err:
        print(f"note: the IEAT model uses the whole Gemma vocabulary (slower): {err}",
              file=sys.stderr)
        return base


class IeatModel:
    """Gemma-3-270M + the IEAT adapter behind the one llama.cpp owner thread."""

    name = "ieat"

    def __init__(self, threads: int = 1, adapter: Path | None = None,
                 base: Path | None = None) -> None:
        from duplex_agent.llm.local import LlamaCppBackend

        self.backend = LlamaCppBackend(base or base_model(), name="ieat", n_ctx=1024,
                                       threads=threads, lora_path=adapter_path(adapter))

    def think(self, history: list[EarlierTurn], user: str, voice: str,
              stopped: Callable[[], bool] = lambda: False) -> tuple[IeatThought, str]:
        """The thought for this turn and the text to continue for its reply. ``stopped``
        is asked at each token: a thought no longer wanted ends there (malformed)."""
        prompt = render_prompt(history, user, voice)
        written = "".join(until_stopped(self.backend.complete(prompt, THOUGHT_SAMPLING),
                                        stopped))
        thought = parse_output(written + "reply: x")  # the reply comes later
        return thought, prompt + written.rstrip() + "\nreply:"

    def rethink(self, history: list[EarlierTurn], user: str, voice: str,
                earlier: IeatThought) -> str:
        """The reply prompt for ``user`` with a thought already formed (on a partial)."""
        lines = render_thought(earlier.emotion, earlier.intensity, earlier.cause, earlier.need,
                               earlier.strategy, earlier.note)
        return render_prompt(history, user, voice) + lines.rstrip()

    def reply(self, reply_prompt: str, recall: bool = False) -> Iterator[str]:
        """Stream the reply that follows the thought (queued at once)."""
        return self.backend.complete(reply_prompt, RECALL_SAMPLING if recall else REPLY_SAMPLING)

    def warm(self, history: list[EarlierTurn]) -> None:
        """Evaluate the next turn's fixed prefix into the cache ahead of time."""
        prefix = render_prompt(history, "", "").split("now:")[0]
        for _ in self.backend.complete(prefix, Sampling(max_tokens=1)):
            break
