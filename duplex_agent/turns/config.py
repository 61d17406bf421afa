"""Turn-taking configuration: one frozen section per decision.

Every signal and rule can be switched off, so the evaluation suite can report
the agent with and without each one. With ``TurnConfig.naive()`` the
controller becomes the baseline: a fixed 0.8 s silence timeout, barge-in on
any voice activity, no rejection rules, no backchannels.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EndOfTurnConfig:
    # Use the ASR text: a trailing "and"/"but"/"so", filler or unfinished clause means wait.
    use_text: bool = True
    # Use the final pitch movement (FinalPitch events): a final fall means done.
    use_pitch: bool = True
    # Use the Smart Turn v3.2 audio model (EndOfTurnPrediction events).
    use_smart_turn: bool = True
    # Silence after the last speech that ends the turn when no signal has an opinion (s);
    # with every signal off this is a plain silence timeout.
    base_silence_s: float = 0.8
    # The shortest silence the signals can ask for (s); the VAD hang-over is 0.25 s.
    min_silence_s: float = 0.3
    # The longest silence the signals can ask for, before emotion-aware patience (s).
    max_silence_s: float = 3.0
    # How strongly the evidence moves the wait: wait = base * exp(-sensitivity * evidence),
    # evidence being the weighted sum of each signal's log-odds of "complete".
    sensitivity: float = 0.4
    # Weight of the text signal's log-odds.
    text_weight: float = 1.0
    # Weight of the pitch signal's log-odds (a weak signal on real recordings).
    pitch_weight: float = 0.5
    # Weight of Smart Turn's log-odds (the strongest signal: confident predictions dominate).
    smart_turn_weight: float = 1.2
    # P(complete) the text signal reports for a text that ends like a finished sentence.
    text_complete_p: float = 0.8
    # P(complete) the text signal reports for an unfinished text.
    text_incomplete_p: float = 0.1
    # P(complete) for a text that hangs ("... is", "... like", "the fifth, no").
    text_hanging_p: float = 0.3
    # P(complete) for a final pitch fall.
    pitch_fall_p: float = 0.75
    # P(complete) for a flat ending (a rise is neutral: questions rise too).
    pitch_flat_p: float = 0.45
    # Pitch movement (semitones) at or below which the ending counts as a fall.
    pitch_fall_st: float = -1.0
    # Movements smaller than this in size (semitones) count as flat.
    pitch_flat_st: float = 1.0
    # After the wait, how long to hold out for the ASR final before taking the turn on
    # the partial text (s).
    final_grace_s: float = 1.0
    # In a pause, speculative thinking starts once P(complete) reaches this (above 0.5:
    # some signal must say "complete").
    speculate_p: float = 0.6
    # While the user is still speaking, the thought (not the reply) starts on a partial of
    # at least this many words (two Chinese characters count as one; 0: never) ...
    think_ahead_words: int = 5
    # ... and starts again each time the partial has grown by this many more.
    think_ahead_step: int = 3


@dataclass(frozen=True)
class BargeInConfig:
    # "content": stop when speech over the agent carries words beyond a backchannel;
    # "vad": stop as soon as the VAD hears speech over the agent (naive baseline);
    # "off": never stop (half duplex).
    mode: str = "content"
    # Stop on user-like speech over the agent that lasts this long even before the
    # ASR has any words (s).
    sustained_s: float = 1.2
    # Fewest content words (a Chinese character counts as one) that make an interruption.
    min_content: int = 1
    # Pause the reply while user-like speech over it is undecided (PauseSpeaking), and
    # resume it when that speech is rejected or ends without words (ResumeSpeaking).
    pause: bool = True
    # User-like speech must last this long over the agent before the reply pauses (s,
    # from its start; the VAD confirms speech at 0.15 s): a quick "mm-hm" passes
    # without a gap, and a longer one leaves a gap shorter than itself.
    pause_after_s: float = 0.3
    # Speech more than this many dB below the user's level does not pause the reply.
    pause_level_margin_db: float = 6.0
    # While the reply is paused (nothing is audible), the stop on words waits for the end
    # of the speech, so words meant for someone else ("..., Tom?") are heard whole before
    # the agent gives up its turn; a stop command, or speech this long, stops it at once (s).
    confirm_s: float = 3.0


@dataclass(frozen=True)
class AddresseeConfig:
    # Use the speaker similarity to the enrolled user (SpeakerCheck.similarity).
    use_speaker: bool = True
    # Use the level relative to the enrolled user (SpeakerCheck.relative_level_db).
    use_level: bool = True
    # Use content cues ("Mom, ...", "I'm on the phone", "妈，...").
    use_content: bool = True
    # Similarity below which the speaker is someone else outright (same-speaker chunks
    # of ~1 s scored 0.34-0.94 on the pyannote sample).
    reject_similarity: float = 0.15
    # Similarity below which the speaker is doubtful (one weak cue; two reject).
    doubt_similarity: float = 0.4
    # Level relative to the user below which speech is background outright (dB).
    reject_level_db: float = -15.0
    # Level relative to the user below which speech is doubtful (dB). The user's own
    # backchannels and asides measured -3.4..+3.4 dB, background voices 10 dB down
    # -7..-10 dB (the shared pyannote dialogue, checked over 0.5-2 s).
    doubt_level_db: float = -6.0


@dataclass(frozen=True)
class EchoConfig:
    # Drop user speech that matches the agent's own playback (PlaybackReference events).
    enabled: bool = True
    # Echo can still arrive this long after the playback that caused it (s).
    window_s: float = 0.6
    # Played words are compared with what the microphone heard for this long (s).
    text_window_s: float = 6.0
    # Expected level of the echo relative to the playback level (speaker-to-mic coupling,
    # dB); much lower with the browser's echo cancellation.
    coupling_db: float = -6.0
    # Speech up to this many dB above the expected echo level may still be echo.
    margin_db: float = 6.0
    # A segment whose words are at least this share of recently played words is echo.
    text_overlap: float = 0.6


@dataclass(frozen=True)
class BackchannelConfig:
    # Let the agent backchannel ("mm-hm", "oh no") in pauses of long user turns.
    enabled: bool = True
    # The user must have held the turn this long before the agent backchannels (s): never
    # in the first seconds of a turn.
    min_turn_s: float = 4.0
    # Silence after the user's speech at which a backchannel fits (s). HumDial counts any
    # agent speech inside a user's pause as a failure; people pause 0.5-1.5 s mid-thought,
    # and the VAD confirms renewed speech 0.15 s after it began: no pause under ~1.45 s
    # gets one.
    pause_s: float = 1.6
    # Fewest seconds between two agent backchannels.
    min_gap_s: float = 4.0
    # No backchannel if the turn is expected to end within this many seconds of the pause
    # reaching pause_s (the agent takes the turn instead).
    margin_s: float = 0.3


@dataclass(frozen=True)
class PolicyConfig:
    # Emotion-aware patience: multiply the end-of-turn wait by this for a sad or fearful user.
    sad_patience: float = 1.5
    # ... and by this for a hesitant user (fillers, "hesitant" estimates).
    hesitant_patience: float = 1.3
    # Emotion estimates below this confidence are ignored.
    min_confidence: float = 0.35
    # Emotion estimates older than this are stale (s).
    max_age_s: float = 30.0
    # Fillers ("um", "uh", "呃", "那个") in the turn that make the user count as hesitant.
    hesitant_fillers: int = 2
    # The user's own pacing: mid-turn pauses of this length (s) are ordinary; a user who
    # has paused longer inside earlier turns gets proportionally more patience ...
    pacing_reference_s: float = 0.8
    # ... up to this factor.
    pacing_patience: float = 1.5
    # Mid-turn pauses remembered for the user's pacing.
    pacing_memory: int = 6


@dataclass(frozen=True)
class TurnConfig:
    # When the user's turn is over.
    end_of_turn: EndOfTurnConfig = field(default_factory=EndOfTurnConfig)
    # When user speech stops the agent.
    barge_in: BargeInConfig = field(default_factory=BargeInConfig)
    # Whether speech is meant for the agent (third parties, the user talking to others).
    addressee: AddresseeConfig = field(default_factory=AddresseeConfig)
    # Never taking the agent's own playback for user speech.
    echo: EchoConfig = field(default_factory=EchoConfig)
    # The agent's own backchannels.
    backchannel: BackchannelConfig = field(default_factory=BackchannelConfig)
    # Emotion-aware patience and backchannel choice.
    policy: PolicyConfig = field(default_factory=PolicyConfig)

    @classmethod
    def naive(cls) -> TurnConfig:
        """The baseline: 0.8 s silence timeout, stop on any voice, no rejection rules."""
        return cls(
            end_of_turn=EndOfTurnConfig(use_text=False, use_pitch=False, use_smart_turn=False),
            barge_in=BargeInConfig(mode="vad", pause=False),
            addressee=AddresseeConfig(use_speaker=False, use_level=False, use_content=False),
            echo=EchoConfig(enabled=False),
            backchannel=BackchannelConfig(enabled=False),
            policy=PolicyConfig(sad_patience=1.0, hesitant_patience=1.0))
