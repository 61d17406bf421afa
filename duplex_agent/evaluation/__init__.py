"""Quality and timing measurements shared by benchmarks/ and the tests: emotion
(emotion.py) and the full-duplex suite (scenarios.py, duplex.py, suite.py)."""
