"""Shared fixtures: the real corpus, the real embedding model (loaded once), a fresh store per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
DOLLARS_QUESTION = "how much will North Korea receive from Moscow"
VOA = "003_1fc0ec52a08fea6b.txt"

# The tests define their own settings; a developer's RAG_* variables must not leak in.
for _name in list(os.environ):
    if _name.startswith("RAG_") or _name in ("CHROMA_HOST", "CHROMA_PORT", "OLLAMA_HOST"):
        del os.environ[_name]


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """Model files are made once (by ./quickstart.sh or the first test that needs them)."""
    path = REPO / ".rag" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def settings(tmp_path, models_dir) -> Settings:
    return Settings(home=tmp_path / "home", models=models_dir)


@pytest.fixture(scope="session")
def embedder(models_dir):
    from rag.embeddings import OnnxMiniLM

    return OnnxMiniLM(Settings(models=models_dir))


@pytest.fixture
def assistant(settings, embedder):
    from rag.assistant import Assistant

    return Assistant(settings, embedder=embedder)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def indexed(tmp_path_factory, models_dir, embedder):
    """An assistant over the whole bundled corpus, shared by read-only tests."""
    from rag.assistant import Assistant

    settings = Settings(home=tmp_path_factory.mktemp("indexed"), models=models_dir)
    assistant = Assistant(settings, embedder=embedder)
    assistant.ingest([CORPUS])
    return assistant


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()}
    env.update(RAG_HOME=str(settings.home), RAG_MODELS=str(settings.models_dir), **extra)
    return env


def rag_cli(settings, *args: str) -> subprocess.CompletedProcess:
    """`rag ARGS` in another process, on the same RAG_HOME."""
    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_MODELS": str(settings.models)}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
