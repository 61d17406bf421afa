"""HumDial (ICASSP 2026) challenge runners and offline scoring.

- ``formats``: Track 1 JSONL records, validation, atomic writes, the work file.
- ``track1``: emotional-intelligence dialogues through the thinker, reply writer and voice.
- ``track2``: full-duplex recordings through the file driver (time-synchronous output).
- ``score1`` / ``score2``: local stand-ins for the organisers' judges.

Format facts come from the organisers' public repositories (ASLP-lab/Hum-Dial README.md and
Emotional_Intelligence/eval_task{1,2,3}.py; ASLP-lab/HumDial-Challenge
content/track1/test_set.md and content/track2/test_set.md); no code of theirs is copied.
"""
