"""The session's configuration: one nested frozen dataclass, built at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field

from duplex_agent.config import ListenConfig
from duplex_agent.turns.config import EndOfTurnConfig, TurnConfig
from duplex_agent.voice.config import VoiceConfig

BLOCK_SAMPLES = 320  # 20 ms at 16 kHz: the session's step, and the playout block


@dataclass(frozen=True)
class ReplyConfig:
    # What thinks and writes replies: ieat (our fine-tuned model, falls back to smollm2
    # without its adapter), smollm2 (local chat), gemma (local few-shot), http, none.
    llm: str = "ieat"
    # Base URL of an OpenAI-compatible server when llm == "http".
    llm_url: str | None = None
    # Model name to ask that server for.
    llm_model: str | None = None
    # CPU threads for the local LLM (the other core keeps listening).
    llm_threads: int = 1
    # Start the thought and reply on a confident partial before the turn ends.
    speculate: bool = True


MAX_WAIT_S = 2.0  # the longest silence the end-of-turn signals may ask the user to hold


def session_turns() -> TurnConfig:
    """The controller's defaults, with end-of-turn weights fitted to our ASR.

    Whisper ends almost every segment with a full stop, also half a sentence cut at
    a pause, so a "finished-looking" text says little (P 0.55 instead of 0.8), and the
    final pitch fall is weak on real speech (weight 0.25 instead of 0.5). On the
    duplex suite (duplex-agent eval duplex, same run and load) this held 2 of 4
    mid-sentence pauses instead of 0 of 4: rejection 27.5 -> 40 %, total 66.7 -> 70.3,
    stop latency unchanged. The longest wait is 2 s instead of 3 s: Smart Turn scored
    complete synthetic questions as unfinished (P 0.04), and the user spoke again
    before the agent answered.
    """
    from dataclasses import replace

    return replace(TurnConfig(), end_of_turn=replace(EndOfTurnConfig(), text_complete_p=0.55,
                                                     pitch_weight=0.25, max_silence_s=MAX_WAIT_S))


@dataclass(frozen=True)
class SessionConfig:
    # Listening: VAD and ASR.
    listen: ListenConfig = field(default_factory=ListenConfig)
    # Turn-taking decisions.
    turns: TurnConfig = field(default_factory=session_turns)
    # The agent's voice.
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    # Writing replies.
    reply: ReplyConfig = field(default_factory=ReplyConfig)
    # Use Smart Turn (audio end-of-turn model) at each pause.
    smart_turn: bool = True
    # Check each segment's voice against the enrolled user.
    speaker_check: bool = True
    # Seconds of speech after onset before the speaker check runs. The neural voice print
    # judges a voice from 0.5 s (benchmarks/speaker_check.py); a background voice is then
    # rejected while the reply's pause for it is still shorter than a breath.
    speaker_check_after_s: float = 0.5
    # Whether the input can contain the agent's own playback (a microphone near a
    # speaker). Files of the user's voice alone cannot; echo gating is off then.
    input_has_echo: bool = False
    # Pause the agent's speech the moment user speech starts over it (at about the user's
    # own level), and resume when that speech ends without being taken as an
    # interruption; the controller's stop decision then only confirms the pause.
    # Measured on the duplex suite in one run: stop latency p50 1.07 -> 0.26 s, same
    # interruption and rejection rates, total 70.1 -> 72.0.
    pause_on_onset: bool = True
    # Speech this many dB below the enrolled user's level does not pause the agent.
    pause_level_margin_db: float = 6.0
    # Run the reply lane (thought, LLM, voice) on a thread of its own, beside listening
    # (live drivers); off, its compute is charged to the stream timeline inline (files).
    threaded_reply: bool = False

    @classmethod
    def live(cls, input_has_echo: bool = True) -> SessionConfig:
        """Sessions of the live drivers (browser calls, microphone): the reply lane is a
        thread of its own, so thinking, the LLM and the voice run beside the listening
        (the file driver models the two lanes the same way), and the thought is formed
        while the user still speaks. Each lane gets one thread (ASR, voice, torch): the
        two vCPUs share a core, and the LLM alone makes 40 tokens/s, 22 while Whisper
        decodes on the other one; a third thread only adds contention."""
        from dataclasses import replace

        listen = ListenConfig()
        listen = replace(listen, asr=replace(listen.asr, threads=1))
        return cls(listen=listen, voice=replace(VoiceConfig(), threads=1),
                   input_has_echo=input_has_echo, threaded_reply=True)

    @classmethod
    def naive(cls) -> SessionConfig:
        """The baseline: same models, 0.8 s silence timeout, whole-utterance ASR (no
        partials), no barge-in policy, no speculation."""
        from dataclasses import replace

        listen = ListenConfig()
        listen = replace(listen, asr=replace(listen.asr, partial_interval_s=0.0))
        return cls(listen=listen, turns=TurnConfig.naive(), smart_turn=False,
                   speaker_check=False, reply=ReplyConfig(speculate=False),
                   pause_on_onset=False)
