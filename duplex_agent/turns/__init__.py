"""Turn-taking: a pure controller (events and stream time in, actions out).

Split by decision: ``end_of_turn`` (text, pitch, Smart Turn -> wait),
``barge_in`` (interruptions and their kind), ``addressee`` (third parties,
the user talking to others), ``echo`` (the agent's own playback),
``backchannel`` (the agent's), ``policy`` (emotion-aware patience),
``lexicon`` (English and Chinese cue words), composed by ``controller``.
"""

from duplex_agent.turns.actions import (
    Action,
    Backchannel,
    Reject,
    StartThinking,
    StopSpeaking,
    TakeTurn,
)
from duplex_agent.turns.config import TurnConfig
from duplex_agent.turns.controller import TurnController, TurnEvent
from duplex_agent.turns.state import Phase

__all__ = ["Action", "Backchannel", "Phase", "Reject", "StartThinking", "StopSpeaking",
           "TakeTurn", "TurnConfig", "TurnController", "TurnEvent"]
