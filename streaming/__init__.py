"""The listening half: audio front end, streaming VAD, streaming ASR, model resolution."""
