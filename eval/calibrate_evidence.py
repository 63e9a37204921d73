"""Calibrate the evidence ranking and the refusal threshold on a dev gold set, without a model.

For each question (follow-ups skipped): retrieve, rank the evidence sentences, and record the best
sentence's score and whether the best one / two sentences hold every gold fact. Then, per
threshold, what refusing below it would do: answerable questions kept / found by the quote /
falsely refused, unanswerable ones refused. Run it on dev sets only (nyt-dev, bundled-dev).

    python eval/calibrate_evidence.py --gold ../shared/external/nyt-dev/gold.jsonl \
        --corpus ../shared/external/nyt-dev/corpus --weights 0 0.3 0.6 0.8 1.2
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eval.gold import load_gold
from eval.metrics import fact_holds
from rag.assistant import Assistant
from rag.commands import _eval_corpus_settings
from rag.settings import Settings

THRESHOLDS = (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)


def rows_for(assistant: Assistant, gold: list[dict]) -> list[dict]:
    rows = []
    for g in gold:
        if g["history"]:
            continue
        ev = assistant.answerer.evidence(g["question"], assistant.search(g["question"]))
        top = ev.ranked[:2]
        holds = [g["answerable"] and all(fact_holds(f, " ".join(t.text for t in top[:n])) for f in g["facts"])
                 for n in (1, 2)]  # fmt: skip
        rows.append({"answerable": g["answerable"], "score": top[0].score if top else 0.0, "top1": holds[0],
                     "top2": holds[1]})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, default=None, help="index this folder for the run (as rag eval)")
    ap.add_argument("--weights", type=float, nargs="+", default=[0.8])
    args = ap.parse_args()
    gold = load_gold(args.gold)
    base = Settings()
    if args.corpus:
        base = _eval_corpus_settings(base, args.corpus)
    embedder = None
    for weight in args.weights:
        assistant = Assistant(base.model_copy(update={"evidence_keyword_weight": weight}), embedder=embedder)
        if embedder is None:
            assistant.ingest()
            embedder = assistant.embedder
        rows = rows_for(assistant, gold)
        a = [r for r in rows if r["answerable"]]
        u = [r for r in rows if not r["answerable"]]
        top1, top2 = sum(r["top1"] for r in a), sum(r["top2"] for r in a)
        print(
            f"keyword weight {weight}: {len(a)} answerable, best sentence holds the answer {top1}, "
            f"best two {top2}; {len(u)} unanswerable"
        )
        for t in THRESHOLDS:
            kept = [r for r in a if r["score"] >= t]
            print(f"  refuse below {t:.2f}: answerable kept {len(kept)}, found by the two-sentence quote "
                  f"{sum(r['top2'] for r in kept)}, falsely refused {len(a) - len(kept)}; "
                  f"unanswerable refused {sum(r['score'] < t for r in u)}/{len(u)}")  # fmt: skip


if __name__ == "__main__":
    main()
