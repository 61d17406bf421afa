"""Turn-taking: a pure controller (events and stream time in, actions out).

Split by decision: ``end_of_turn`` (text, pitch, Smart Turn -> wait),
``barge_in`` (interruptions and their kind), ``pause`` (the reply's pause while
user speech over it is undecided), ``addressee`` (third parties,
the user talking to others), ``echo`` (the agent's own playback),
``backchannel`` (the agent's), ``policy`` (emotion-aware patience),
``lexicon`` (English and Chinese cue words), composed by ``controller``.
"""

from duplex_agent.turns.actions import (
    Action,
    Backchannel,
    PauseSpeaking,
    Reject,
    ResumeSpeaking,
    StartThinking,
    StopSpeaking,
    TakeTurn,
    ThinkAhead,
)
from duplex_agent.turns.config import TurnConfig
from duplex_agent.turns.controller import TurnController, TurnEvent
from duplex_agent.turns.state import Phase

__all__ = ["Action", "Backchannel", "PauseSpeaking", "Phase", "Reject", "ResumeSpeaking",
           "StartThinking", "StopSpeaking", "TakeTurn", "ThinkAhead", "TurnConfig",
           "TurnController", "TurnEvent"]
