"""Answer latency on the embedded backend, and what set-up of the model files costs.

python bench/bench_answer.py [--runs 5]

- model files: assembling the embedded GGUF from its installed parts and checking its sha256
  (what `rag setup` does once on a fresh machine; pip's install of the parts is not included);
- cold start: a new `rag ask` process to its answer (models loaded from disk), median of --runs;
- warm: the quick (extractive) answer and the verified generated answer, p50/p95 over
  --runs x 4 questions in one process;
- llama.cpp's raw speed on the same prompt, and through rag's stream.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.assistant import Assistant
from rag.model_files import EMBEDDED_MODELS, assemble_gguf
from rag.settings import Settings

QUESTIONS = [
    "how much will North Korea receive from Moscow",
    "Who is the NATO Secretary General?",
    "What weapons were the North Korean soldiers armed with?",
    "What is the population of Pyongyang?",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    # its own RAG_HOME with the bundled corpus ingested: runs on a fresh checkout, leaves yours alone
    home = Path(tempfile.mkdtemp(prefix="bench-answer-"))
    settings = Settings(backend="llamacpp", home=home, models=Settings().models_dir.resolve())
    Assistant(settings).ingest()
    env = {**os.environ, "RAG_HOME": str(home), "RAG_MODELS": str(settings.models), "RAG_BACKEND": "llamacpp"}
    spec = EMBEDDED_MODELS[settings.embedded_model]
    setups = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(min(args.runs, 3)):
            t = time.perf_counter()
            assemble_gguf(spec, Path(tmp) / spec.file_name)
            setups.append(time.perf_counter() - t)
    print(
        f"model files: assemble {spec.file_name} from {spec.parts} parts + sha256: "
        f"median {statistics.median(setups):.1f} s ({len(setups)} runs)"
    )

    colds = []
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rag.cli", "ask", QUESTIONS[0]], check=True, capture_output=True, env=env
        )
        colds.append(time.perf_counter() - t)
    print(
        f"cold start: new `rag ask` process to its answer: median {statistics.median(colds):.1f} s, "
        f"max {max(colds):.1f} s ({len(colds)} runs)"
    )

    assistant = Assistant(settings)
    assistant.ask(QUESTIONS[0])  # warm
    firsts, totals = [], []
    for _ in range(args.runs):
        for q in QUESTIONS:
            answer = assistant.ask(q)
            totals.append(answer.timings["total_ms"])
            if "first_answer_ms" in answer.timings:
                firsts.append(answer.timings["first_answer_ms"])
    print(
        f"quick (extractive) answer, warm: p50 {statistics.median(firsts):.0f} ms, "
        f"p95 {_p95(firsts):.0f} ms ({len(firsts)} answers)"
    )
    print(
        f"verified answer, warm: p50 {statistics.median(totals):.0f} ms, p95 {_p95(totals):.0f} ms "
        f"({len(totals)} answers)"
    )

    llm = assistant.llm
    evidence = assistant.answerer.evidence(QUESTIONS[0], assistant.search(QUESTIONS[0]))
    _, prompt = assistant.answerer.messages(evidence, llm.count_tokens, assistant.settings.num_ctx)
    raw, piped = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        out = llm._llm.create_chat_completion(prompt, max_tokens=64, temperature=0)
        raw.append(out["usage"]["completion_tokens"] / (time.perf_counter() - t))
        t = time.perf_counter()
        n = sum(1 for _ in llm.stream(prompt, stop=[], max_tokens=64))
        piped.append(n / (time.perf_counter() - t))
    r, p = statistics.median(raw), statistics.median(piped)
    print(
        f"llama.cpp raw: {r:.1f} tokens/s (prompt+64 generated); through rag's stream: {p:.1f} tokens/s "
        f"(overhead {100 * (r - p) / r:.1f}%)"
    )
    shutil.rmtree(home, ignore_errors=True)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()
