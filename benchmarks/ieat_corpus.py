"""How varied is the IEAT corpus? Distinct n-grams, reply openers, and the nearest-neighbour
similarity of every record to every other: all-MiniLM-L6-v2 (the bundled sentence model) for
English; for Chinese, which MiniLM's English vocabulary cannot read (it scores unrelated
Chinese sentences 0.99), TF-IDF over character 1-3-grams (scikit-learn), also shown for
English as a cross-check.

    python benchmarks/ieat_corpus.py [--plot out/ieat_corpus.png]

A corpus mass-produced from slot templates shows few distinct n-grams, a handful of openers
covering most replies, and a nearest-neighbour distribution piled up near 1.0. The report
prints, per language and field, distinct-1/2/3 (distinct n-grams / all n-grams), the top
openers, the nearest-neighbour percentiles and the closest pairs.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

import numpy as np

from duplex_agent.training.corpus import load

CORPUS = Path(__file__).resolve().parents[1] / "prompts" / "ieat"


def tokens(text: str, zh: bool) -> list[str]:
    if zh:
        return re.findall(r"[\u4e00-\u9fff]", text)
    return re.findall(r"[a-z']+", text.lower())


def distinct(texts: list[str], zh: bool, n: int) -> float:
    grams: Counter = Counter()
    for text in texts:
        t = tokens(text, zh)
        grams.update(tuple(t[i:i + n]) for i in range(len(t) - n + 1))
    return len(grams) / max(1, sum(grams.values()))


def opener(text: str, zh: bool) -> str:
    t = tokens(text, zh)
    return ("".join(t[:2]) if zh else " ".join(t[:2])) or "-"


def nearest_neighbours(texts: list[str], method: str) -> tuple[np.ndarray, np.ndarray]:
    """Cosine similarity of each text to its most similar other text, and that index;
    ``method`` "minilm" or "chars" (TF-IDF of character 1-3-grams)."""
    if method == "minilm":
        from duplex_agent.perception.text import TextEmotionModel

        vectors = TextEmotionModel().encode(texts)
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit_transform(
            texts).toarray()
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    return sims.max(axis=1), sims.argmax(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path, help="write the nearest-neighbour histograms here")
    args = parser.parse_args()
    records = load([CORPUS / "train.jsonl", CORPUS / "dev.jsonl"])
    print(f"{len(records)} records")
    curves = {}
    for lang in ("en", "zh"):
        subset = [r for r in records if r["lang"] == lang]
        zh = lang == "zh"
        print(f"\n== {lang}: {len(subset)} records")
        for field in ("user", "reply", "cause"):
            texts = [r[field] for r in subset]
            scores = " ".join(f"d{n}={distinct(texts, zh, n):.3f}" for n in (1, 2, 3))
            print(f"{field:6s} {scores}")
        openers = Counter(opener(r["reply"], zh) for r in subset)
        top = ", ".join(f"{k!r} {v}" for k, v in openers.most_common(8))
        print(f"reply openers: {len(openers)} distinct; most common: {top}")
        for field, method in [(f, m) for f in ("user", "reply")
                              for m in (("minilm", "chars") if lang == "en" else ("chars",))]:
            texts = [r[field] for r in subset]
            nn, index = nearest_neighbours(texts, method)
            curves[f"{lang} {field} ({method})"] = nn
            pct = np.percentile(nn, [50, 90, 99, 100])
            print(f"{field} nearest-neighbour cosine ({method}): p50 {pct[0]:.3f}  "
                  f"p90 {pct[1]:.3f}  p99 {pct[2]:.3f}  max {pct[3]:.3f}; records with a "
                  f"neighbour >= 0.9: {int((nn >= 0.9).sum())}")
            for i in np.argsort(-nn)[:3:1]:
                print(f"   {nn[i]:.3f}  {subset[i]['id']}: {texts[i][:60]!r}\n"
                      f"          {subset[index[i]]['id']}: {texts[index[i]][:60]!r}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        for name, values in curves.items():
            ax.hist(values, bins=50, range=(0, 1), histtype="step", label=name)
        ax.set_xlabel("cosine similarity to the nearest other record (MiniLM)")
        ax.set_ylabel("records")
        ax.set_title("IEAT corpus: nearest-neighbour similarity")
        ax.legend()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"\nwrote {args.plot}")


if __name__ == "__main__":
    main()
