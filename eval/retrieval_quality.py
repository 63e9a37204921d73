"""Retrieval quality on the gold sets, with no model: for each answerable question, is a gold
article among the top k hits (source recall@k), how high is the first (MRR), and does a retrieved
chunk hold one of the gold answer strings (answer in context@k)?

    python -m eval.retrieval_quality [-k 5]

Each corpus is ingested into its own temporary home. Used to compare retrieval before and after a
change to indexing or search; prints one line per set.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from eval.gold import SETS, load_gold
from eval.metrics import fact_holds
from rag.assistant import Assistant
from rag.settings import Settings

NYT_DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "external" / "nyt-dev"
CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


def sets() -> list[tuple[str, str, Path, list[Path]]]:
    """(name, split, corpus, gold files) for every gold set present."""
    out = [("bundled", "dev+test", CORPUS, [SETS / "bundled-dev.jsonl", SETS / "bundled-test.jsonl"])]
    out.append(("nyt-test", "test", SETS / "nyt-test" / "corpus", [SETS / "nyt-test" / "gold.jsonl"]))
    if NYT_DEV.is_dir():
        out.append(("nyt-dev", "dev", NYT_DEV / "corpus", [NYT_DEV / "gold.jsonl"]))
    return out


def measure(corpus: Path, gold_files: list[Path], k: int, embedder=None) -> dict:
    with tempfile.TemporaryDirectory() as home:
        models = Settings().models_dir.resolve()  # the ones `rag setup` made, not a new copy
        assistant = Assistant(Settings(home=Path(home), models=models), embedder=embedder)
        assistant.ingest([corpus])
        items = [g for f in gold_files for g in load_gold(f) if g["answerable"]]
        recall = mrr = in_context = 0.0
        for item in items:
            hits = assistant.search(item["question"], k=k)
            ranks = [h.rank for h in hits if h.chunk.source in item["sources"]]
            recall += bool(ranks)
            mrr += 1 / ranks[0] if ranks else 0.0
            texts = " ".join(h.chunk.text for h in hits)
            in_context += all(fact_holds(alts, texts) for alts in item["facts"])
        n = len(items) or 1
        return {
            "questions": len(items),
            "source_recall": recall / n,
            "mrr": mrr / n,
            "answer_in_context": in_context / n,
            "embedder": assistant.embedder,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=5)
    args = parser.parse_args()
    embedder = None
    for name, split, corpus, gold in sets():
        figures = measure(corpus, gold, args.k, embedder)
        embedder = figures.pop("embedder")
        print(
            f"{name} ({split}): {figures['questions']} questions, source recall@{args.k} "
            f"{figures['source_recall']:.3f}, MRR {figures['mrr']:.3f}, "
            f"answer in context@{args.k} {figures['answer_in_context']:.3f}"
        )


if __name__ == "__main__":
    main()
