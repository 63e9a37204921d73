"""Answer latency on the embedded backend (warm process), and raw llama.cpp speed on the same prompt.

python bench/bench_answer.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from rag import answering
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
    totals = []
    for _ in range(args.runs):
        for q in QUESTIONS:
            totals.append(assistant.ask(q).timings["total_ms"])
    print(
        f"answer p50 (warm, {len(totals)} answers): {statistics.median(totals):.0f} ms; "
        f"max {max(totals):.0f} ms"
    )

    llm = assistant.llm
    hits = assistant.search(QUESTIONS[0])
    prompt = answering.build_prompt(llm.style, QUESTIONS[0], answering.number_sources(hits))
    raw, piped = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        out = llm._llm(prompt, max_tokens=64, temperature=0, stop=None)
        raw.append(out["usage"]["completion_tokens"] / (time.perf_counter() - t))
        t = time.perf_counter()
        n = sum(1 for _ in llm.stream(prompt, stop=[], max_tokens=64))
        piped.append(n / (time.perf_counter() - t))
    r, p = statistics.median(raw), statistics.median(piped)
    print(
        f"llama.cpp raw: {r:.1f} tokens/s (prompt+64 generated); through rag's stream: {p:.1f} tokens/s "
        f"(overhead {100 * (r - p) / r:.1f}%)"
    )


if __name__ == "__main__":
    main()
