"""Timeline entries -> protocol messages for a live listener (page or terminal).

Pure: the ``Feed`` keeps the agent's state and the open turn's timing, and turns
each new timeline entry into the messages the page shows (transcript, state,
emotion, thought, per-turn latency) and a FLUSH when the agent stops speaking.
"""

from __future__ import annotations

from duplex_agent.protocol import Message, Tag

THOUGHT_FIELDS = ("emotion", "intensity", "cause", "shift", "need", "strategy", "language")
EMOTION_FIELDS = ("label", "intensity", "valence", "arousal", "confidence", "driver")
STATE_AFTER = {"SpeechStarted": "hearing", "StartThinking": "thinking", "TakeTurn": "thinking",
               "AgentSpeechStarted": "speaking", "AgentSpeechEnded": "listening",
               "StopSpeaking": "hearing", "Utterance": "listening"}


class Feed:
    """Follows one session's timeline; ``messages(entries)`` for the new entries."""

    def __init__(self) -> None:
        self.state = "listening"
        self._turn: dict | None = None  # the TakeTurn waiting for its first audio

    def messages(self, entries: list[dict], backlog_s: float = 0.0) -> list[Message]:
        """Messages for ``entries``; ``backlog_s`` is how far the session lags live input."""
        out: list[Message] = []
        for entry in entries:
            out.extend(self._content(entry, backlog_s))
            out.extend(self._state(entry))
        return out

    def _content(self, entry: dict, backlog_s: float) -> list[Message]:
        match entry["type"]:
            case "AsrPartial":
                text = f"{entry['committed']} {entry['tail']}".strip()
                return [_transcript("user", text, False, entry)] if text else []
            case "AsrFinal":
                return [_transcript("user", entry["text"], True, entry)]
            case "Utterance":
                return [_transcript("agent", entry["heard"] or entry["text"], True, entry,
                                    interrupted=entry["interrupted"])]
            case "Thought":
                fields = {k: entry[k] for k in THOUGHT_FIELDS if k in entry}
                return [Message(Tag.THOUGHT, data={"summary": entry["summary"], **fields})]
            case "EmotionEstimate":
                return [Message(Tag.EMOTION,
                                data={k: entry[k] for k in EMOTION_FIELDS if k in entry})]
            case "StopSpeaking":
                return [Message(Tag.FLUSH)]
            case "TakeTurn":
                self._turn = entry
            case "AgentSpeechStarted":
                return self._latency(entry, backlog_s)
        return []

    def _latency(self, started: dict, backlog_s: float) -> list[Message]:
        turn, self._turn = self._turn, None
        if turn is None or turn.get("speech_end") is None:
            return []
        end = float(turn["speech_end"])
        return [Message(Tag.LATENCY, data={
            "decide_s": round(float(turn["time"]) - end, 3),
            "first_audio_s": round(float(started["time"]) - end, 3),
            "backlog_s": round(backlog_s, 3),
            "text": turn.get("user_text", "")})]

    def _state(self, entry: dict) -> list[Message]:
        new = STATE_AFTER.get(entry["type"])
        if entry["type"] == "SpeechEnded" and self.state == "hearing":
            new = "listening"
        if entry["type"] == "Utterance" and entry.get("interrupted"):
            new = None  # the user cut in and is still talking: stay "hearing"
        if new is None or new == self.state:
            return []
        self.state = new
        return [Message(Tag.STATE, data={"state": new})]


def _transcript(role: str, text: str, final: bool, entry: dict, **extra) -> Message:
    return Message(Tag.TRANSCRIPT, data={"role": role, "text": text, "final": final,
                                         "time": entry["time"], **extra})
