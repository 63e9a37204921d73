"""Ingest, search and embedding figures for the README and the issue notes (medians, one machine).

    python bench/bench_retrieval.py [--runs 5]

- ingest: the bundled corpus into a fresh embedded store, models already loaded
- search: `Assistant.search` latency in a warm process
- embedding throughput: 1000-character chunks per second, int8 ONNX (and torch fp32 if present)
- retrieval check: self-retrieval (a sentence of each chunk as the query) hit@1 and MRR, with the
  int8 ONNX embeddings and with sentence-transformers fp32, to show quantisation costs no quality
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.assistant import Assistant
from rag.chunking import sentence_spans
from rag.settings import Settings

QUERIES = [
    "how much will North Korea receive from Moscow",
    "Who is the NATO Secretary General?",
    "When was the Comprehensive Strategic Partnership Treaty signed?",
    "Kim Jong Un Victory Day celebrations May 9",
    "What weapons were the North Korean soldiers armed with?",
    "Yang Moo-jin University of North Korean Studies",
]


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def self_retrieval(chunks, vectors: np.ndarray, embed) -> tuple[float, float]:
    queries, targets = [], []
    for i, c in enumerate(chunks):
        spans = [s for s in sentence_spans(c.text) if s[1] - s[0] > 60]
        if spans:
            s, e = spans[len(spans) // 2]
            queries.append(c.text[s:e])
            targets.append(i)
    q = embed(queries)
    ranks = []
    for row, target in zip(q @ vectors.T, targets, strict=True):
        ranks.append(int((row > row[target]).sum()) + 1)
    return float(np.mean([r == 1 for r in ranks])), float(np.mean([1 / r for r in ranks]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = Settings()
    t = time.perf_counter()
    shared = Assistant(base)
    embedder = shared.embedder
    print(f"embedding model load: {time.perf_counter() - t:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        settings = base.model_copy(update={"home": Path(tmp), "models": base.models_dir})
        assistant = Assistant(settings, embedder=embedder)
        times = []
        for _ in range(args.runs):
            report = assistant.ingest(rebuild=True)
            times.append(report.seconds)
        print(
            f"ingest bundled corpus ({report.chunks_written} chunks), median of {args.runs}: "
            f"{statistics.median(times):.2f} s"
        )

        assistant.search(QUERIES[0])  # warm: models loaded
        lat = []
        for _ in range(10):
            for q in QUERIES:
                t = time.perf_counter()
                assistant.search(q)
                lat.append(time.perf_counter() - t)
        print(
            f"search p50 over {len(lat)} queries (warm): {median_ms(lat)}; "
            f"p95 {sorted(lat)[int(len(lat) * 0.95)] * 1000:.1f} ms"
        )

        text = " ".join(p.read_text(encoding="utf-8") for p in sorted(settings.corpus.glob("*.txt")))
        blocks = [text[i : i + 1000] for i in range(0, len(text) - 1000, 1000)][:64]
        rates = []
        for _ in range(args.runs):
            t = time.perf_counter()
            embedder.embed(blocks)
            rates.append(len(blocks) / (time.perf_counter() - t))
        print(
            f"embedding throughput, int8 ONNX: {statistics.median(rates):.1f} chunks/s "
            f"({len(blocks)} chunks of 1000 characters)"
        )

        from rag.index import chunk_from_store, embedding_text

        chunks = [chunk_from_store(*row) for row in zip(*assistant.store.all_chunks(), strict=True)]

        docs = [embedding_text(c) for c in chunks]
        h1, mrr = self_retrieval(chunks, embedder.embed(docs), embedder.embed)
        print(f"self-retrieval, int8 ONNX:  hit@1 {h1:.3f}  MRR {mrr:.3f}  ({len(chunks)} chunks)")
        try:
            from sentence_transformers import SentenceTransformer

            from rag.model_files import minilm_dir
        except ImportError:
            print("torch / sentence-transformers not installed: fp32 comparison skipped")
            return
        model = SentenceTransformer(str(minilm_dir()), device="cpu")

        def st_embed(texts):
            return model.encode(texts, batch_size=16, normalize_embeddings=True)

        h1, mrr = self_retrieval(chunks, st_embed(docs), st_embed)
        print(f"self-retrieval, torch fp32: hit@1 {h1:.3f}  MRR {mrr:.3f}")
        rates = []
        for _ in range(args.runs):
            t = time.perf_counter()
            st_embed(blocks)
            rates.append(len(blocks) / (time.perf_counter() - t))
        print(f"embedding throughput, torch fp32: {statistics.median(rates):.1f} chunks/s")


if __name__ == "__main__":
    main()
