"""Our IEAT model for real: the registry Gemma-3-270M with the repository's LoRA adapter,
loaded by llama.cpp, thinks and answers one English and one Chinese turn; and without its
adapter (missing or damaged) the agent says so in one line and keeps working."""

from __future__ import annotations

import pytest

from duplex_agent.reply.guardrails import check
from duplex_agent.thinking import ieat_model
from duplex_agent.thinking.ieat_format import EMOTIONS, STRATEGIES
from duplex_agent.thinking.ieat_model import AdapterError, adapter_path

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def mind():
    from duplex_agent.mind import Mind

    loaded = Mind.load("ieat")
    assert loaded.ieat is not None, loaded.note  # the adapter ships with the repository
    return loaded


@pytest.mark.parametrize("text, voice, language, feelings", [
    ("My dog died this morning and the house feels so empty.", ("low", "slow", "soft"), "en",
     {"sad"}),
    ("快递又把我的包裹弄丢了，客服还挂我电话，气死我了！", ("loud", "fast", "tense"), "zh",
     {"angry", "disgust"}),
])
def test_the_model_thinks_then_answers_in_the_users_language(mind, text, voice, language,
                                                             feelings):
    thinker, writer = mind.thinker(), mind.writer()
    thought, _ = thinker.think(0.0, text, described_voice=voice)
    assert thought.driver == "model" and thought.language == language
    assert thought.emotion in EMOTIONS and thought.strategy in STRATEGIES
    assert thought.emotion in feelings, thought
    assert thought.cause and thought.cause.strip() != text.strip()
    prompt = thinker.reply_prompt(thought)
    assert prompt is not None and prompt.endswith("reply:")
    thinker.commit(thought, text)
    reply = writer.write(thought, text, thinker.memory, prompt)
    assert reply.source == "llm", reply  # the model's own reply passed every check
    assert check(reply.text, thought, text).ok


def test_a_missing_or_damaged_adapter_is_one_clear_line_and_the_agent_keeps_working(
        tmp_path, monkeypatch, capsys):
    from duplex_agent.mind import Mind

    missing = tmp_path / "ieat.gguf"
    with pytest.raises(AdapterError, match="missing"):
        adapter_path(missing)
    missing.write_bytes(b"not an adapter")
    missing.with_suffix(".sha256").write_text("0" * 64 + "  ieat.gguf\n")
    with pytest.raises(AdapterError, match="damaged"):
        adapter_path(missing)

    monkeypatch.setattr(ieat_model, "ADAPTER", missing)
    mind = Mind.load("ieat")
    assert mind.ieat is None and mind.llm is not None and "damaged" in mind.note
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "rule-based" in err
    thinker, writer = mind.thinker(), mind.writer()
    thought, _ = thinker.think(0.0, "I failed my driving test again.")
    assert thought.driver != "model"
    assert writer.write(thought, "I failed my driving test again.", thinker.memory).text
