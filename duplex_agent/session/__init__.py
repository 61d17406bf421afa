"""The full-duplex session: one loop for every driver (file, microphone, browser, tests).

``Session.step(block)`` consumes 20 ms of user audio and returns the 20 ms the agent
plays at the same stream time. Inside: listening (VAD, ASR), turn signals (Smart
Turn, final pitch, speaker check, emotion), the pure TurnController, and the one
Utterance that owns the agent's current reply. Compute is charged to lanes on the
session's clock, so latencies measured on files are those a live user would feel.
"""
