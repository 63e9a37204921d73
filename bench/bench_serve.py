"""`rag serve` under load (medians and percentiles, one machine): requests/s and latency of
/v1/chat/completions with 1 and with 8 concurrent clients on the embedded model, and of
/api/search with 8 concurrent clients. Answers are serialised on the one model, so with 8 clients
a request's latency is mostly its wait in the queue: that is reported as it is.

    python bench/bench_serve.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

QUESTIONS = [
    "How much money will North Korea receive from Moscow for its troops?",
    "Who is the NATO Secretary General?",
    "When was the treaty between Russia and North Korea signed?",
    "What weapons were the North Korean soldiers armed with?",
    "How many North Korean soldiers are in the Kursk region?",
    "What did Kim Jong Un say about the deployment?",
    "What is the population of Pyongyang?",
    "Where were North Korean troops deployed?",
]


def start(home: Path):
    import socket

    import uvicorn

    from rag.api import make_app
    from rag.assistant import Assistant
    from rag.settings import Settings

    settings = Settings(home=home, models=Settings().models_dir.resolve(), backend="llamacpp")
    assistant = Assistant(settings)
    assistant.ingest()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(make_app(assistant), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}", server


def run(clients: int, jobs: list, call) -> tuple[float, list[float]]:
    """Requests per second over the whole run, and each request's latency."""
    latencies: list[float] = []

    def one(job):
        t = time.perf_counter()
        call(job)
        latencies.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, jobs))
    return len(jobs) / (time.perf_counter() - t0), sorted(latencies)


def report(label: str, rate: float, lat: list[float]) -> None:
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    p50 = statistics.median(lat)
    print(f"{label}: {rate:.2f} requests/s, latency p50 {p50:.2f} s, p95 {p95:.2f} s ({len(lat)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        url, server = start(Path(home))
        client = httpx.Client(base_url=url, timeout=600)

        def complete(question):
            r = client.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}
            )
            r.raise_for_status()

        def search(question):
            client.get("/api/search", params={"q": question, "k": 5}).raise_for_status()

        complete(QUESTIONS[0])  # warm: the model is loaded
        jobs = QUESTIONS * args.rounds
        report("/v1/chat/completions, 1 client", *run(1, jobs, complete))
        report("/v1/chat/completions, 8 clients", *run(8, jobs, complete))
        report("/api/search, 8 clients", *run(8, QUESTIONS * 25, search))
        server.should_exit = True


if __name__ == "__main__":
    main()
