"""Benchmarks run on a fresh checkout: they set up what they need in their own RAG_HOME."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_the_answer_benchmark_runs_without_an_index_of_the_users(tmp_path, models_dir):
    """Issue 10, item 9: it failed with "no index" unless the user had ingested first."""
    env = {**os.environ, "RAG_HOME": str(tmp_path / "empty-home"), "RAG_MODELS": str(models_dir)}
    out = subprocess.run(
        [sys.executable, "bench/bench_answer.py", "--runs", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for line in ("model files:", "cold start:", "quick (extractive) answer", "verified answer, warm"):
        assert line in out.stdout
    assert not (tmp_path / "empty-home").exists()  # the user's RAG_HOME is left alone
