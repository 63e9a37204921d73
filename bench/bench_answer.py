"""Answer latency on the embedded backend (warm process), and raw llama.cpp speed on the same prompt.

python bench/bench_answer.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from rag.assistant import Assistant
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

    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", QUESTIONS[0]], check=True, capture_output=True, env=None
    )
    print(f"process start to first answer (rag ask, new process): {time.perf_counter() - t:.1f} s")

    assistant = Assistant(Settings(backend="llamacpp"))
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


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


if __name__ == "__main__":
    main()
