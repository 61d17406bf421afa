"""Optional LLM judge for Track 1, through the OpenAI-compatible backend.

Our own short prompt naming the official dimensions (ASLP-lab/Hum-Dial README.md,
"Evaluation Metrics"); the organisers' judge prompts are not copied. The organisers' judge
is Qwen3-Omni-30B-A3B-Instruct; point ``--judge-url`` at a strong model for useful numbers.
"""

from __future__ import annotations

import json
import re

DIMENSIONS = {
    1: ("Accuracy_Completeness", "Depth_Granularity", "Added_Value"),
    2: ("Information_Integration", "Insight_RootCause", "Clarity_Logic"),
    3: ("textual_empathy_insight",),
}
ASK = {
    1: "Does the final response summarise the user's emotional trajectory: every labelled "
       "emotion in order (Accuracy_Completeness), intensity and dynamics of the shifts "
       "(Depth_Granularity), tied to concrete events (Added_Value)?",
    2: "Does the final response explain why the user feels this way using several turns "
       "(Information_Integration), unspoken deeper reasons (Insight_RootCause), in a clear "
       "reasoned chain (Clarity_Logic)?",
    3: "Does the final response act as a confidante that validates and deepens "
       "understanding rather than mirroring (textual_empathy_insight)?",
}


class Judge:
    def __init__(self, url: str, model: str | None = None) -> None:
        from duplex_agent.llm import Sampling, load_backend

        self.backend = load_backend("http", url, model)
        self.sampling = Sampling(max_tokens=200, temperature=0.0)

    def score(self, task: int, ref: dict, pred: dict) -> dict | None:
        """Scores 1/3/5 (task 3: 1-5) per dimension, or None if the reply was unusable."""
        history = "\n".join(
            f"User (emotion: {r.get('emotion', '?')}): {r.get('text', '')}\n"
            f"AI: {p.get('response_text', '')}" for r, p in zip(ref["turns"], pred["turns"]))
        scale = "1-5" if task == 3 else "1, 3 or 5"
        names = DIMENSIONS[task]
        shape = ", ".join(f'"{n}": <score>' for n in names)
        prompt = (f"Conversation:\n{history}\n\n{ASK[task]}\nScore each dimension {scale}. "
                  f"Answer only JSON: {{{shape}}}")
        text = "".join(self.backend.chat([{"role": "user", "content": prompt}], self.sampling))
        return parse_scores(text, names)


def parse_scores(text: str, names: tuple[str, ...]) -> dict | None:
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    data = data.get("scores", data)
    scores = {n: data.get(n) for n in names}
    if not all(isinstance(v, int | float) for v in scores.values()):
        return None
    return {n: max(1, min(5, int(v))) for n, v in scores.items()}
