"""What thinks and answers: our IEAT model by default, or an LLM told the rule-based thought.

``Mind.load("ieat")`` loads the registry Gemma-3-270M with the repository's LoRA adapter;
if the adapter is missing or damaged it says so in one line and falls back to SmolLM2
with the rule-based thought, so the agent keeps working. Every driver (session, respond,
HumDial) builds its thinker and writer here, so they all think the same way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from duplex_agent.perception import Perceiver
from duplex_agent.reply import ReplyWriter
from duplex_agent.thinking.thinker import Thinker

KINDS = ("ieat", "smollm2", "gemma", "http", "none")


@dataclass
class Mind:
    llm: object | None  # duplex_agent.llm.LlmBackend that writes the replies
    ieat: object | None  # duplex_agent.thinking.ieat_model.IeatModel when it thinks too
    mode: str = "chat"  # ReplyWriter mode for a plain LLM ("chat" or "fewshot")
    note: str = ""  # why the IEAT model is not in use, if it was asked for

    @property
    def name(self) -> str:
        return "ieat" if self.ieat is not None else getattr(self.llm, "name", "none")

    @classmethod
    def load(cls, kind: str = "ieat", url: str | None = None, model: str | None = None,
             threads: int = 1, quiet: bool = False) -> Mind:
        """``threads``: llama.cpp threads; one is faster on 2 cores (the IEAT model decodes
        48 tok/s on 1 thread, 19 on 2: benchmarks/thinking_latency.py)."""
        from duplex_agent.llm import load_backend

        if kind not in KINDS:
            raise ValueError(f"unknown reply model {kind!r}: use one of {', '.join(KINDS)}")
        note = ""
        if kind == "ieat":
            from duplex_agent.thinking.ieat_model import AdapterError, IeatModel

            try:
                ieat = IeatModel(threads=threads)
                return cls(ieat.backend, ieat)
            except AdapterError as err:
                note, kind = str(err), "smollm2"
                if not quiet:
                    print(f"note: {note}", file=sys.stderr)
        llm = None if kind == "none" else load_backend(kind, url, model, threads=threads)
        return cls(llm, None, "fewshot" if kind == "gemma" else "chat", note)

    def thinker(self, perceiver: Perceiver | None = None) -> Thinker:
        return Thinker(perceiver, model=self.ieat)

    def writer(self) -> ReplyWriter:
        return ReplyWriter(self.llm, mode=self.mode)

    def warm(self) -> None:
        """One tiny generation, so the first reply does not pay the model's first use."""
        from duplex_agent.llm import Sampling

        if self.llm is not None:
            list(self.llm.complete("Hello", Sampling(max_tokens=1)))
