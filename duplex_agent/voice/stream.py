"""The streaming voice stage: LLM tokens in, speakable clauses out, as soon as each ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from duplex_agent.voice.backend import Voice
from duplex_agent.voice.chunks import SpeechChunk, make_chunk, pause_before
from duplex_agent.voice.clauses import ClauseSplitter, break_kind
from duplex_agent.voice.style import VoiceStyle, check_style


async def speak_stream(tokens: AsyncIterator[str], voice: Voice, style: VoiceStyle,
                       language: str = "en") -> AsyncIterator[SpeechChunk]:
    """Speak text as it streams in: each clause is synthesised the moment the splitter
    sees it end, in a worker thread (``asyncio.to_thread``), and yielded with its span
    in the whole reply and a leading pause for the break before it.

    The first chunk has no leading pause, so first audio comes one clause after the
    first tokens. Tokens are read only between syntheses: to overlap generation and
    synthesis, produce tokens in another task or thread.

    Cancelling is safe at any await (and so is ``aclose()``): nothing is yielded
    after it, and a clause already being synthesised finishes in its worker thread
    (at most one clause of compute) and is discarded. The token iterator belongs to
    the caller and is not closed here.
    """
    check_style(style)
    config = voice.config
    splitter = ClauseSplitter(config.min_clause_words, config.max_clause_words)
    offset, previous = 0, None
    async for token in tokens:
        for clause in splitter.push(token):
            yield await _speak(voice, clause, offset, previous, style, language)
            offset, previous = offset + len(clause), break_kind(clause)
    for clause in splitter.flush():
        yield await _speak(voice, clause, offset, previous, style, language)


async def _speak(voice: Voice, clause: str, offset: int, previous: str | None,
                 style: VoiceStyle, language: str) -> SpeechChunk:
    rendered = await asyncio.to_thread(voice.render, clause.strip(), style, language)
    return make_chunk(clause, offset, rendered, pause_before(previous, style))
