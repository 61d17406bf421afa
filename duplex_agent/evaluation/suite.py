"""Running the duplex scenarios through real sessions, under named configurations.

``default`` is the agent as shipped, ``naive`` the baseline (0.8 s silence
timeout, whole-utterance ASR, barge-in on any voice, no rejection rules), and
each ablation switches one signal or rule off. Every configuration uses the same
loaded models, and each scenario runs in a fresh session through the file
driver, so its output is the time-synchronous WAV a live user would have heard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from duplex_agent.evaluation.duplex import ScenarioScore, score, summarize
from duplex_agent.evaluation.scenarios import Scenario
from duplex_agent.evaluation.timing import speech_segments


def _default():
    from duplex_agent.session.config import SessionConfig

    return SessionConfig()


def _naive():
    from duplex_agent.session.config import SessionConfig

    return SessionConfig.naive()


def _turns(**sections) -> Callable[[], object]:
    """A default config with fields of turn-taking sections replaced, e.g.
    ``end_of_turn={"use_text": False}``."""
    def make():
        config = _default()
        turns = config.turns
        for section, changes in sections.items():
            turns = replace(turns, **{section: replace(getattr(turns, section), **changes)})
        return replace(config, turns=turns)
    return make


def _no_smart_turn():
    config = _turns(end_of_turn={"use_smart_turn": False})()
    return replace(config, smart_turn=False)


def _no_partials():
    config = _default()
    listen = replace(config.listen, asr=replace(config.listen.asr, partial_interval_s=0.0))
    return replace(config, listen=listen)


def _no_pause_on_onset():
    return replace(_default(), pause_on_onset=False)


def _no_speculation():
    config = _default()
    return replace(config, reply=replace(config.reply, speculate=False))


CONFIGS: dict[str, Callable[[], object]] = {
    "default": _default,
    "naive": _naive,
    "no-smart-turn": _no_smart_turn,  # end of turn without the Smart Turn audio model
    "no-text": _turns(end_of_turn={"use_text": False}),  # ... without ASR text completeness
    "no-pitch": _turns(end_of_turn={"use_pitch": False}),  # ... without the final pitch fall
    "no-speaker": _turns(addressee={"use_speaker": False}),  # addressee without voice match
    "no-level": _turns(addressee={"use_level": False}),  # ... without relative level
    "no-content": _turns(addressee={"use_content": False}),  # ... without content cues
    "no-partials": _no_partials,  # whole-utterance ASR only
    "no-speculation": _no_speculation,  # no thinking before the turn is over
    "no-think-ahead": _turns(end_of_turn={"think_ahead_words": 0}),  # no thought mid-turn
    "vad-barge-in": _turns(barge_in={"mode": "vad"}),  # stop on any voice over the agent
    "no-pause-on-onset": _no_pause_on_onset,  # keep talking until the stop decision
}
ABLATIONS = ("no-smart-turn", "no-text", "no-pitch", "no-speaker", "no-level", "no-content",
             "no-partials", "no-speculation", "no-think-ahead", "vad-barge-in",
             "no-pause-on-onset")


def session_config(name: str, llm: str | None = None, llm_url: str | None = None,
                   llm_model: str | None = None):
    """The named SessionConfig, with the reply LLM overridden when ``llm`` is given."""
    from duplex_agent.errors import UserError

    if name not in CONFIGS:
        raise UserError(f"unknown configuration {name!r}; known: {', '.join(CONFIGS)}")
    config = CONFIGS[name]()
    if llm is None:
        return config
    reply = replace(config.reply, llm=llm, llm_url=llm_url, llm_model=llm_model)
    return replace(config, reply=reply)


@dataclass
class ConfigResult:
    name: str
    scores: list[ScenarioScore]
    compute_s: float = 0.0  # wall-clock compute spent running this configuration

    @property
    def summary(self) -> dict:
        return summarize(self.scores)


def score_output(scenario: Scenario, output, timeline: list[dict]) -> ScenarioScore:
    """Score one run: agent speech timed with silero VAD on the output WAV."""
    return score(scenario, speech_segments(output), timeline)


def run_suite(scenarios: list[Scenario], configs: dict[str, object], models=None,
              progress: bool = True) -> dict[str, ConfigResult]:
    """Each scenario under each configuration (scenario-major, one progress bar)."""
    from tqdm import tqdm

    from duplex_agent.clock import Stopwatch
    from duplex_agent.session.file_driver import run_file
    from duplex_agent.session.models import SessionModels

    models = models or SessionModels.load(next(iter(configs.values())))
    results = {name: ConfigResult(name, []) for name in configs}
    bar = tqdm(total=len(scenarios) * len(configs), desc="duplex eval", unit="run",
               disable=not progress)
    for scenario in scenarios:
        for name, config in configs.items():
            bar.set_postfix_str(f"{scenario.name} [{name}]")
            with Stopwatch() as watch:  # wall-clock ok: reporting compute cost only
                run = run_file(scenario.audio, config, models)
            results[name].compute_s += watch.elapsed
            results[name].scores.append(score_output(scenario, run.output, run.timeline))
            bar.update()
    bar.close()
    return results
