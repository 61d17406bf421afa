"""The models a session needs, loaded once and shared by the sessions of one process."""

from __future__ import annotations

from dataclasses import dataclass

from duplex_agent.session.config import SessionConfig


@dataclass
class SessionModels:
    listen: object  # streaming.listener.ListenModels
    smart_turn: object | None  # streaming.smart_turn.SmartTurn
    text_emotion: object  # duplex_agent.perception.text.TextEmotionModel
    mind: object  # duplex_agent.mind.Mind: the thinking and reply model
    voice: object  # duplex_agent.voice.ClauseVoice
    backchannels: object  # duplex_agent.voice.BackchannelCache

    @classmethod
    def load(cls, config: SessionConfig | None = None, mind: object | None = None
             ) -> SessionModels:
        """Every model the config asks for; ``mind``: a thinker and writer already loaded
        (a benchmark's variant) instead of the config's."""
        from duplex_agent.mind import Mind
        from duplex_agent.perception.text import TextEmotionModel
        from duplex_agent.voice import BackchannelCache, load_voice
        from streaming.listener import ListenModels
        from streaming.smart_turn import SmartTurn

        config = config or SessionConfig()
        reply = config.reply
        if config.threaded_reply:
            import torch
            torch.set_num_threads(1)
        mind = mind or Mind.load(reply.llm, reply.llm_url, reply.llm_model,
                                 threads=reply.llm_threads)
        voice = load_voice(config=config.voice)
        models = cls(listen=ListenModels.load(config.listen), smart_turn=SmartTurn(),
                     text_emotion=TextEmotionModel(), mind=mind, voice=voice,
                     backchannels=BackchannelCache(voice))
        models.warm()
        return models

    def warm(self) -> None:
        """Run every model once, so first-use costs (loading MiniLM, the LLM's first
        evaluation, Piper's session) fall at start-up and not in the first reply."""
        import numpy as np

        self.text_emotion.estimate("I am glad to meet you.")
        self.mind.warm()
        self.voice.synthesize("Hello.")
        self.listen.decoder.transcribe(np.zeros(16000, np.float32))
        if self.smart_turn is not None:
            self.smart_turn.probability(np.zeros(16000, np.float32))
