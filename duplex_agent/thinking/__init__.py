"""Thinking: the private thought (thought.py), its policy tables (policy.py), the cause
(cause.py) and the per-turn thinker that ties perception and memory together (thinker.py)."""
