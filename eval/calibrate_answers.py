"""Calibrate the answer thresholds on dev gold sets with the model's real output, generated once.

For each question (follow-ups skipped) the script retrieves, builds the prompt and lets the embedded
model write its answer once (cached in --cache, so later sweeps and code changes to the verifier
cost no generation). Then, for each combination of the thresholds that act after generation
(refuse_below, quote_above, relevance_margin, max_quotes), it replays the answer steps and scores
the outcomes as `rag eval` does. Cost: a wrong answer (or an answered unanswerable question) costs
2, a refused answerable question 1; a correct answer or refusal costs nothing. Run it on dev sets
only; report the chosen settings on the test sets with `rag eval`.

    python eval/calibrate_answers.py --gold ../shared/external/nyt-dev/gold.jsonl \
        --corpus ../shared/external/nyt-dev/corpus --gold eval/sets/bundled-dev.jsonl --corpus -
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval import metrics  # noqa: E402
from eval.gold import load_gold  # noqa: E402
from rag.answer.pipeline import Answerer  # noqa: E402
from rag.assistant import Assistant, _counter  # noqa: E402
from rag.commands import _eval_corpus_settings  # noqa: E402
from rag.settings import Settings  # noqa: E402

GRID = {
    "refuse_below": (0.5, 0.55, 0.6, 0.65, 0.7),
    "quote_above": (0.6, 0.7, 0.8, 0.9, 1.0, 9.0),
    "relevance_margin": (0.1, 0.2, 0.3, 0.4),
    "max_quotes": (1, 2),
}
WRONG, REFUSED = 2, 1


def collect(settings: Settings, gold: list[dict]) -> list[dict]:
    """Hits and the model's raw answer for each question (the model runs on every question, even
    those refused under the current threshold, so a lower one can be tried)."""
    assistant = Assistant(settings)
    assistant.ingest()
    llm = assistant.llm
    rows = []
    for i, g in enumerate(gold, 1):
        if g["history"]:
            continue
        hits = assistant.search(g["question"])
        ev = assistant.answerer.evidence(g["question"], hits)
        generated = ""
        if ev.ranked:
            _, messages = assistant.answerer.messages(ev, _counter(llm), settings.num_ctx)
            generated = "".join(llm.stream(messages, stop=[], max_tokens=settings.max_answer_tokens))
        rows.append({"gold": g, "hits": hits, "generated": generated})
        print(f"\r{i}/{len(gold)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def replay(rows: list[dict], settings: Settings, embed) -> list[dict]:
    answerer = Answerer(settings, embed)
    scored = []
    for r in rows:
        g = r["gold"]
        ev = answerer.evidence(g["question"], r["hits"])
        if answerer.too_weak(ev):
            answer = answerer.refuse(g["question"], ev)
        else:
            ev, _ = answerer.messages(ev, lambda t: len(t) // 4, settings.num_ctx)
            answer = answerer.finish(g["question"], ev, r["generated"])
        scored.append(metrics.score_item(g, answer.to_dict(), settings.support_coverage))
    return scored


def cost(scored: list[dict]) -> int:
    total = 0
    for s in scored:
        if s["answerable"]:
            total += REFUSED if s["refused"] else (0 if s["correct"] else WRONG)
        else:
            total += 0 if s["refused"] else WRONG
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, action="append", required=True)
    ap.add_argument("--corpus", action="append", help="corpus per --gold; '-' for the configured corpus")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/rag-calibrate-answers"))
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--current", action="store_true", help="replay the current settings only")
    args = ap.parse_args()
    corpora = args.corpus or ["-"] * len(args.gold)
    base = Settings(backend="llamacpp")
    sets = []
    for gold_path, corpus in zip(args.gold, corpora, strict=True):
        settings = base if corpus == "-" else _eval_corpus_settings(base, Path(corpus))
        name = f"{gold_path.resolve()}|{corpus}|{base.embedded_model}"
        key = hashlib.sha256(name.encode()).hexdigest()[:12]
        cache = args.cache / f"{gold_path.stem}-{key}.pkl"
        if cache.exists():
            rows = pickle.loads(cache.read_bytes())
        else:
            rows = collect(settings, load_gold(gold_path))
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_bytes(pickle.dumps(rows))
        sets.append((gold_path.stem, settings, rows))
    embedder = Assistant(base).embedder
    memo: dict[tuple[str, ...], object] = {}

    def embed(texts):  # the same sentences are ranked in every replay: embed them once
        key = tuple(texts)
        if key not in memo:
            memo[key] = embedder.embed(list(texts))
        return memo[key]

    results = []
    current = {k: getattr(base, k) for k in GRID}
    grid = (
        [current]
        if args.current
        else [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    )
    for update in grid:
        if update["quote_above"] < update["refuse_below"]:
            continue
        per_set = {name: replay(rows, s.model_copy(update=update), embed) for name, s, rows in sets}
        everything = [x for scored in per_set.values() for x in scored]
        results.append((cost(everything), update, {n: metrics.outcome_rates(v) for n, v in per_set.items()}))
    results.sort(key=lambda r: r[0])
    for c, update, rates in results[: args.top] + [r for r in results if r[1] == current]:
        mark = "  <- current" if update == current else ""
        print(f"cost {c}: {update}{mark}")
        for name, rate in rates.items():
            print("   ", name, {k: round(v, 3) for k, v in rate.items() if v is not None})


if __name__ == "__main__":
    main()
