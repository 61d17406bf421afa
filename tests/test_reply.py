"""Guard-rails, templates and the sentence-by-sentence checking of replies.

The checking logic runs on scripted token streams here; tests/test_llm_real.py runs
the same writer on the real bundled models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from duplex_agent.llm import Sampling
from duplex_agent.memory import EmotionalMemory
from duplex_agent.reply import ReplyWriter, chat_messages, template
from duplex_agent.reply.guardrails import check
from duplex_agent.thinking.thought import Thought, VoiceHint


def thought(emotion="sad", cause="my dog died", cause_you="your dog died", strategy="validate",
            language="en", turn=1, note="") -> Thought:
    return Thought(turn=turn, time=0.0, emotion=emotion, intensity=0.8, cause=cause,
                   cause_you=cause_you, shift="first turn", need="comfort",
                   strategy=strategy, voice=VoiceHint("sad", 0.8), language=language,
                   driver="text", note=note)


SAID = "My dog died yesterday."


def test_a_good_reply_passes():
    verdict = check("I'm so sorry your dog died. That must hurt a lot.", thought(), SAID)
    assert verdict.ok, verdict.reasons


def test_each_rule_can_fail():
    cases = {
        "wrong language": "我很抱歉你的狗去世了。",
        "more than two sentences": "I'm sorry. Your dog died. That is sad.",
        "too long": "I'm sorry your dog died " + "and " * 40 + "that hurts.",
        "leaks private notes or roles": "Strategy: validate. I'm sorry your dog died.",
        "repeats itself": "I'm sorry sorry sorry your dog died.",
        "invents numbers": "I'm sorry your dog died at 12 years old.",
        "invents names": "I'm sorry your dog Max died.",
        "does not reference the feeling or its cause": "The weather is nice today.",
        "answers distress with cheer": "How wonderful that your dog died.",
        "echoes the user's words as its own": "My dog died yesterday, so sad.",
        "tells the user not to get help": "I'm sorry your dog died. Don't call anyone yet.",
    }
    for rule, reply in cases.items():
        verdict = check(reply, thought(), SAID)
        assert not verdict.ok and any(r.startswith(rule) for r in verdict.reasons), (rule, verdict)


def test_chinese_reply_rules():
    zh = thought(cause="我被录取了", cause_you="你被录取了", emotion="happy",
                 strategy="celebrate", language="zh")
    assert check("太好了，恭喜你被录取了！", zh, "我被录取了！").ok
    assert "wrong language" in check("Congratulations!", zh, "我被录取了！").reasons
    sad = thought(cause="导师说还要大改", cause_you="导师说还要大改", emotion="sad", language="zh")
    echo = check("导师说大改，我好难过。", sad, "可是导师说还要大改，我好难过。")
    assert "echoes the user's words as its own" in echo.reasons
    scared = thought(cause="爸爸喝醉了砸东西", cause_you="爸爸喝醉了砸东西", emotion="fear",
                     strategy="calm", language="zh")
    said = "我爸喝醉了又在砸东西，我们躲在屋里。"
    assert "tells the user not to get help" in check("先别急着叫警察，先别出去。", scared,
                                                      said).reasons
    calm = replace(scared, driver="model")
    assert check("先把门锁好，要是他想冲进来，马上打110。", calm, said).ok


def test_templates_are_short_fit_the_feeling_and_never_read_the_user_back():
    from duplex_agent.prompts import load_pairs
    from duplex_agent.thinking.ieat_format import STRATEGIES

    for language in ("en", "zh"):
        keys = {key for key, _ in load_pairs(f"templates/{language}.txt")}
        assert keys == set(STRATEGIES), language  # every strategy has its own lines
    for strategy in STRATEGIES:
        emotion = {"celebrate": "happy", "ask": "neutral", "inform": "neutral"}.get(strategy, "sad")
        line = template(thought(strategy=strategy, emotion=emotion))
        assert "dog" not in line and "{" not in line, line
        assert len(line.split()) <= 20, line
        own = replace(thought(strategy=strategy, emotion=emotion), driver="model")
        assert check(line, own, SAID).ok, line
    zh = template(thought(cause="我被录取了", cause_you="你被录取了", emotion="happy",
                          strategy="celebrate", language="zh"))
    assert "录取" not in zh and len(zh) <= 30


def test_the_corpus_replies_pass_the_guard_rails():
    """The rules are calibrated on the team's corpus: its replies pass (a rule that rejects
    good replies only raises the fallback rate)."""
    from pathlib import Path

    from duplex_agent.training.corpus import load

    corpus = Path(__file__).resolve().parents[1] / "prompts" / "ieat" / "dev.jsonl"
    records = load([corpus])
    failed = []
    for r in records:
        said = " ".join(t["user"] for t in r["history"]) + " " + r["user"]
        t = thought(emotion=r["emotion"], cause=r["cause"], cause_you=r["cause"],
                    strategy=r["strategy"], language=r["lang"])
        t = replace(t, driver="model")
        if not check(r["reply"], t, said).ok:
            failed.append(r["id"])
    assert len(records) >= 300 and len(failed) <= 0.02 * len(records), failed


class ScriptedLlm:
    """Replays a fixed token stream: exercises the checking logic without a model."""

    name = "scripted"

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def chat(self, messages, sampling: Sampling, opener: str = "") -> Iterator[str]:
        del messages, sampling, opener
        yield from self.tokens

    def complete(self, prompt, sampling: Sampling) -> Iterator[str]:
        del prompt, sampling
        yield from self.tokens


def test_sentences_are_released_one_by_one_and_cut_after_two():
    tokens = ["I'm so", " sorry your", " dog died.", " That must", " hurt.", " Also, ", "more."]
    writer = ReplyWriter(ScriptedLlm(tokens))
    pieces = list(writer.stream(thought(), SAID, EmotionalMemory()))
    assert [p[0] for p in pieces] == ["I'm so sorry your dog died.", "That must hurt."]
    assert pieces[-1][1].source == "llm" and writer.stats.fallback_rate == 0.0


def test_a_bad_first_sentence_falls_back_to_the_template_and_is_counted():
    writer = ReplyWriter(ScriptedLlm(["Strategy: validate.", " Fine."]))
    reply = writer.write(thought(), SAID, EmotionalMemory())
    assert reply.source == "template" and reply.text == template(thought())
    assert "dog" not in reply.text  # a fallback never reads the user's words back
    assert writer.stats.fallbacks == 1 and writer.stats.reasons
    assert reply.reasons and reply.draft.startswith("Strategy")


class ClosableTokens:
    """A token stream that records how far it was read and whether it was closed (as
    the LLM owner's stream is: closing it ends the request)."""

    def __init__(self, tokens: list[str]) -> None:
        self._tokens, self.read, self.closed = iter(tokens), 0, False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.read += 1
        return next(self._tokens)

    def close(self) -> None:
        self.closed = True


def test_a_reply_cut_off_mid_sentence_stops_its_llm_at_the_next_token():
    stream = ClosableTokens(["I'm so", " sorry your", " dog", " died.", " That must", " hurt."])

    class OneStream(ScriptedLlm):
        def chat(self, messages, sampling: Sampling, opener: str = "") -> Iterator[str]:
            return stream

    writer = ReplyWriter(OneStream([]))
    pieces = list(writer.stream(thought(), SAID, EmotionalMemory(),
                                stopped=lambda: stream.read >= 2))
    # cut off inside the first sentence: nothing released, no template, no fallback counted
    assert pieces == [] and writer.stats.fallbacks == 0
    assert stream.read == 2 and stream.closed


def test_a_bad_second_sentence_is_dropped():
    writer = ReplyWriter(ScriptedLlm(["I'm sorry your dog died.", " Rex was 12."]))
    reply = writer.write(thought(), SAID, EmotionalMemory())
    assert reply.text == "I'm sorry your dog died." and reply.source == "llm"


def test_memory_questions_are_answered_from_memory():
    memory = EmotionalMemory()
    memory.add(thought(), SAID)
    writer = ReplyWriter(ScriptedLlm(["unused"]))
    reply = writer.write(thought(strategy="recall", turn=2), "Why do I feel this way?", memory)
    assert reply.source == "memory" and "your dog died" in reply.text


def test_the_thought_is_injected_before_the_reply():
    memory = EmotionalMemory()
    messages = chat_messages(thought(note="the words sound fine but the voice sounds sad"),
                             SAID, memory)
    assert messages[0]["role"] == "system" and messages[-1]["role"] == "user"
    assert messages[-1]["content"] == SAID
    note = messages[0]["content"]
    assert "never read it out" in note and "your dog died" in note and "voice sounds sad" in note


def test_an_ieat_reply_continues_the_models_thought_and_may_recall_in_four_sentences():
    memory = EmotionalMemory()
    recall = replace(thought(strategy="recall", emotion="neutral"), driver="model")
    tokens = [" You started calm.", " Then the news hit you.", " You felt sad.",
              " Now you sound steadier.", " And more."]
    writer = ReplyWriter(ScriptedLlm(tokens))
    pieces = list(writer.stream(recall, "How did my feelings change?", memory,
                                ieat_prompt="<start_of_turn>user ... reply:"))
    assert [p[0] for p in pieces] == ["You started calm.", "Then the news hit you.",
                                      "You felt sad.", "Now you sound steadier."]
    bad = ReplyWriter(ScriptedLlm([" emotion: sad 0.8 cause: x."]))
    reply = bad.write(recall, "How did my feelings change?", memory, ieat_prompt="p reply:")
    assert reply.source == "template" and reply.text == memory.answer("trajectory", "en")
