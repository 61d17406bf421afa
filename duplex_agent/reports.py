"""Human and JSON renderings of command results (no logic, only formatting)."""

from __future__ import annotations

import dataclasses
import json

from duplex_agent.events import AsrFinal, AsrPartial, SpeechEnded, SpeechStarted


def print_models(rows, as_json: bool) -> None:
    if as_json:
        print(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))
        return
    header = ("role", "package", "version", "size", "status", "file")
    table = [header] + [(r.role, r.package, r.version, _mb(r.size_bytes), r.status, r.path)
                        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size else "-"


def print_transcription(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(transcription_dict(result), indent=2, ensure_ascii=False))
        return
    for event in result.events:
        line = _event_line(event)
        if line:
            print(line)
    rtf = result.compute_s / max(result.duration_s, 1e-9)
    print(f"\n{result.file}: {result.duration_s:.2f} s, {len(result.segments)} speech segments, "
          f"model {result.model}, compute {result.compute_s:.2f} s (RTF {rtf:.2f})")
    print(f"transcript: {result.text}")


def _event_line(event) -> str | None:
    match event:
        case SpeechStarted(time=t, start=start):
            return f"[{t:7.2f}] speech   started at {start:.2f}"
        case SpeechEnded(time=t, start=start, end=end):
            return f"[{t:7.2f}] speech   {start:.2f}-{end:.2f}"
        case AsrPartial(time=t, committed=committed, tail=tail):
            return f"[{t:7.2f}] partial  {committed} | {tail}"
        case AsrFinal(time=t, text=text, words=words):
            timed = " ".join(f"{w.text}({w.start:.2f}-{w.end:.2f})" for w in words)
            return f"[{t:7.2f}] final    {text}\n{'':19}{timed}"
    return None


def transcription_dict(result) -> dict:
    return {
        "file": result.file,
        "duration_s": round(result.duration_s, 3),
        "model": result.model,
        "compute_s": round(result.compute_s, 3),
        "segments": [{"start": s.start, "end": s.end, "decided_at": s.time}
                     for s in result.segments],
        "partials": [{"time": p.time, "committed": p.committed, "tail": p.tail}
                     for p in result.partials],
        "finals": [{"time": f.time, "start": f.segment_start, "end": f.segment_end,
                    "text": f.text, "language": f.language,
                    "words": [dataclasses.asdict(w) for w in f.words]}
                   for f in result.finals],
        "text": result.text,
    }
