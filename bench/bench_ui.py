"""Chat page: launch time (`rag ui` process start to page served) and first-answer time in a real
browser (click Ask to the verified answer's source card), embedded backend, medians of N runs.

    python bench/bench_ui.py [--runs 3]

Needs Chromium at /usr/bin/chromium (./quickstart.sh test installs it).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rag.settings import Settings
from tests.browser import launch

QUESTION = "How much money will North Korea receive from Moscow for its troops?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_served(url: str, proc: subprocess.Popen, limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag ui exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the page was not served in time")


def one_run(home: Path, browser) -> tuple[float, float]:
    port = free_port()
    env = {
        **os.environ,
        "RAG_HOME": str(home),
        "RAG_MODELS": str(Settings().models_dir.resolve()),
        "RAG_UI_PORT": str(port),
        "RAG_BACKEND": "llamacpp",
    }
    url = f"http://127.0.0.1:{port}/"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_served(url, proc)
        launch = time.perf_counter() - started
        page = browser.new_page()
        page.goto(url)
        page.fill("#question textarea", QUESTION)
        clicked = time.perf_counter()
        page.click("#ask")
        page.wait_for_selector("#sources .source-card", timeout=120_000)
        answer = time.perf_counter() - clicked
        page.close()
        return launch, answer
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch(p)
        home = Path(tmp)
        first_launch, first_answer = one_run(home, browser)  # empty index: ingests the corpus first
        print(
            f"first run (ingests the corpus): launch {first_launch:.1f} s, first answer {first_answer:.1f} s"
        )
        runs = [one_run(home, browser) for _ in range(args.runs)]
        browser.close()
    launches, answers = zip(*runs, strict=True)
    print(f"launch, index present (median of {args.runs}): {statistics.median(launches):.1f} s")
    print(
        f"first answer in the browser, new process (median of {args.runs}): "
        f"{statistics.median(answers):.1f} s"
    )


if __name__ == "__main__":
    main()
