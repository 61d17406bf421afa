"""The session's log: events, decisions, thoughts and agent speech on one timeline.

Each entry is a dict: ``time`` (stream seconds), ``category`` (event, action,
thought, agent, note), ``type`` (the class name, e.g. TakeTurn, Reject), and the
object's own fields (a Reject's ``kind`` is the rejection kind).

Written as JSON lines by the file driver, drawn by ``plot.py``, scored by the
evaluation suite, and shown in the browser's debug panel.
"""

from __future__ import annotations

import dataclasses

from duplex_agent.events import Word


class Timeline:
    def __init__(self) -> None:
        self.entries: list[dict] = []

    def _add(self, category: str, obj, **extra) -> None:
        fields = {k: _plain(v) for k, v in dataclasses.asdict(obj).items()}
        self.entries.append({**fields, "time": round(float(fields.get("time", 0.0)), 3),
                             "category": category, "type": type(obj).__name__, **extra})

    def event(self, event) -> None:
        self._add("event", event)

    def action(self, action) -> None:
        self._add("action", action)

    def thought(self, thought) -> None:
        self._add("thought", thought, summary=thought.summary())

    def agent(self, utterance, heard: str, reply=None) -> None:
        self.entries.append({"time": round(float(utterance.ended_at or 0.0), 3),
                             "category": "agent",
                             "type": "Utterance", "id": utterance.uid,
                             "start": utterance.started_at, "end": utterance.ended_at,
                             "text": utterance.full_text, "heard": heard,
                             "interrupted": utterance.interrupted,
                             "source": reply.source if reply else "fixed",
                             "rejected_draft": reply.draft if reply and reply.reasons else "",
                             "rejected_because": list(reply.reasons) if reply else []})

    def note(self, time: float, what: str, text: str = "") -> None:
        self.entries.append({"time": round(time, 3), "category": "note", "type": what,
                             "text": text})

    def of_type(self, name: str) -> list[dict]:
        return [e for e in self.entries if e["type"] == name]


def _plain(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value if not isinstance(v, Word)]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
