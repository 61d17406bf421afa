"""Configuration: nested frozen dataclasses, built once at the edge (CLI flags).

Each stage receives only its own section. The listening sections are defined in
``streaming.config``; the session's own sections live beside the code they
configure (``duplex_agent.session.config`` and its neighbours).
"""

from __future__ import annotations

# The listening sections live with the listening code; re-exported here so the agent
# has one place to import its configuration from.
from streaming.config import (  # noqa: F401
    SAMPLE_RATE,
    AsrConfig,
    AudioConfig,
    ListenConfig,
    VadConfig,
)
