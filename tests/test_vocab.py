"""The IEAT model's compact base for real: the registry Gemma-3-270M copied with only the
tokens our model can need. With our adapter on both, the copy must score every kept token
exactly as the whole model does (the embedding rows moved with their tokens), split text
of kept pieces exactly as before, and keep the chat format's specials working."""

from __future__ import annotations

import contextlib
import os

import numpy as np
import pytest

from duplex_agent.thinking.ieat_format import render_prompt, voice_line
from duplex_agent.thinking.ieat_model import adapter_path, base_model

pytestmark = pytest.mark.models

PROMPTS = [
    render_prompt([], "My dog died this morning and the house feels so empty.",
                  voice_line(("low", "slow"), ())),
    render_prompt([], "快递又把我的包裹弄丢了，客服还挂我电话，气死我了！",
                  voice_line(("loud",), ())),
]


def _llama(path):
    from llama_cpp import Llama

    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        return Llama(model_path=str(path), n_ctx=256, n_threads=1, verbose=False,
                     lora_path=str(adapter_path()))


def _pieces(path) -> list[bytes]:
    from gguf import GGUFReader

    field = GGUFReader(path).fields["tokenizer.ggml.tokens"]
    return [bytes(field.parts[i]) for i in field.data]


def _last_logits(llm) -> np.ndarray:
    import llama_cpp

    pointer = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),)).copy()


@pytest.fixture(scope="module")
def models():
    full, compact = base_model(full=True), base_model()
    assert compact != full and "-vocab-" in compact.name  # the copy was made
    return {"full": _llama(full), "compact": _llama(compact),
            "full_pieces": _pieces(full), "compact_pieces": _pieces(compact)}


def test_the_copy_is_a_sixth_of_the_vocabulary_and_keeps_both_languages(models):
    full, compact = models["full_pieces"], models["compact_pieces"]
    assert len(compact) < len(full) / 5
    kept = set(compact)
    for piece in ("<start_of_turn>", "<end_of_turn>", "<eos>", "<bos>", "<0x0A>", "emotion",
                  "▁comfort", "我", "气", "，"):
        assert piece.encode() in kept, piece
    assert models["compact"].token_eos() == compact.index(b"<eos>")
    assert models["compact"].token_bos() == compact.index(b"<bos>")


@pytest.mark.parametrize("prompt", PROMPTS, ids=["en", "zh"])
def test_the_copy_splits_the_prompt_as_before_and_scores_kept_tokens_the_same(models, prompt):
    full, compact = models["full"], models["compact"]
    full_ids = full.tokenize(prompt.encode(), add_bos=True, special=True)
    compact_ids = compact.tokenize(prompt.encode(), add_bos=True, special=True)
    assert [models["full_pieces"][i] for i in full_ids] == \
        [models["compact_pieces"][i] for i in compact_ids]
    full.reset()
    full.eval(full_ids)
    compact.reset()
    compact.eval(compact_ids)
    full_logits, compact_logits = _last_logits(full), _last_logits(compact)
    index = {piece: i for i, piece in enumerate(models["full_pieces"])}
    rows = [index[piece] for piece in models["compact_pieces"]]
    assert np.std(full_logits) > 1.0  # real scores, not an empty buffer
    np.testing.assert_allclose(compact_logits, full_logits[rows], rtol=1e-3, atol=1e-3)
    assert models["compact_pieces"][int(np.argmax(compact_logits))] == b"emotion"
