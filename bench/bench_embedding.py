"""Embedding throughput against the compute limit of this machine (medians, one machine).

    python bench/bench_embedding.py [--runs 3]

- chunk lengths in MiniLM word pieces (bundled + tests/data/outside, default chunking): mean, p95,
  and how many exceed the 256 the model was trained with (their tail is not embedded);
- multiply-accumulates per chunk for MiniLM-L6 (6 layers, d=384, FFN 1536) at the mean length;
- the int8 GEMM rate onnxruntime reaches here (MatMulInteger, the kernel of the quantised model's
  projections and FFN, at the model's shapes): the compute limit in chunks/s;
- chunks/s embedding the real chunks: batch sizes, threads, sorted by length or not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from rag.chunking import chunk_article
from rag.corpus import load_article
from rag.embeddings import OnnxMiniLM
from rag.index import embedding_text
from rag.model_files import MAX_SEQ_TOKENS, minilm_dir
from rag.settings import Settings
from rag.tokens import count_tokens

REPO = Path(__file__).resolve().parent.parent
LAYERS, D, FFN = 6, 384, 1536


def real_chunks(settings: Settings) -> list[str]:
    paths = sorted((REPO / "data" / "corpus").glob("*.txt")) + sorted(
        (REPO / "tests/data/outside").rglob("*.txt")
    )
    texts = []
    for path in paths:
        article = load_article(path)
        chunks = chunk_article(article, settings.chunk_tokens, settings.chunk_overlap, count_tokens)
        texts += [embedding_text(c) for c in chunks]
    return texts


def macs_per_chunk(length: float) -> float:
    projections = 4 * length * D * D  # Q, K, V, output
    ffn = 2 * length * D * FFN
    attention = 2 * length * length * D  # QK^T and attention x V
    return LAYERS * (projections + ffn + attention)


def int8_gemm_rate(threads: int, runs: int) -> float:
    """Multiply-accumulates per second of onnxruntime's int8 MatMulInteger at [4096 x 384] x [384 x 1536]."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m, k, n = 4096, D, FFN
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"])],
        "gemm",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])],
        [
            helper.make_tensor(
                "b",
                TensorProto.INT8,
                [k, n],
                np.random.randint(-100, 100, (k, n)).astype(np.int8).tobytes(),
                raw=True,
            )
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    a = np.random.randint(0, 255, (m, k), dtype=np.uint8)
    session.run(None, {"a": a})
    times = []
    for _ in range(max(runs, 3)):
        t = time.perf_counter()
        for _ in range(5):
            session.run(None, {"a": a})
        times.append((time.perf_counter() - t) / 5)
    del onnx
    return m * k * n / statistics.median(times)


def rate(embedder: OnnxMiniLM, texts: list[str], runs: int) -> float:
    embedder.embed(texts[:16])
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        embedder.embed(texts)
        samples.append(len(texts) / (time.perf_counter() - t))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = Settings()
    texts = real_chunks(base)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    over = sum(n > MAX_SEQ_TOKENS for n in lengths)
    mean = statistics.mean(min(n, MAX_SEQ_TOKENS) for n in lengths)
    print(
        f"{len(texts)} real chunks (chunk_tokens={base.chunk_tokens}): word pieces mean "
        f"{statistics.mean(lengths):.0f}, p95 {sorted(lengths)[int(len(lengths) * 0.95)]}, "
        f"max {max(lengths)}; over {MAX_SEQ_TOKENS}: {over} ({over / len(texts):.1%})"
    )
    macs = macs_per_chunk(mean)
    print(f"multiply-accumulates per chunk at {mean:.0f} word pieces: {macs / 1e9:.2f} G")
    cores = os.cpu_count() or 1
    for threads in sorted({1, cores}):
        gemm = int8_gemm_rate(threads, args.runs)
        print(
            f"int8 GEMM (onnxruntime MatMulInteger), {threads} thread(s): {gemm / 1e9:.0f} GMAC/s "
            f"-> limit {gemm / macs:.0f} chunks/s"
        )
    for threads in sorted({1, cores}):
        for batch in (1, 4, 16, 64):
            settings = base.model_copy(update={"threads": threads, "embed_batch": batch})
            embedder = OnnxMiniLM(settings)
            per_second = rate(embedder, texts, args.runs)
            print(f"embedding, {threads} thread(s), batch {batch}: {per_second:.1f} chunks/s")
    embedder = OnnxMiniLM(base.model_copy(update={"threads": cores, "embed_batch": 16}))
    unsorted = embedder.embed  # sorted by length inside; compare with one length-mixed batch order

    def mixed(batch: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(batch), 16):
            enc = embedder.tokenizer.encode_batch(batch[i : i + 16])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            out.append(embedder.session.run(None, {"input_ids": ids, "attention_mask": mask})[0])
        return np.concatenate(out)

    shuffled = list(texts)
    np.random.default_rng(0).shuffle(shuffled)
    for label, embed in (
        ("batches in arrival order (padded to the longest)", mixed),
        ("sorted by length first", unsorted),
    ):
        t = time.perf_counter()
        embed(shuffled)
        print(f"embedding, {label}: {len(texts) / (time.perf_counter() - t):.1f} chunks/s")


if __name__ == "__main__":
    main()
