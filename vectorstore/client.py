"""The Chroma client: embedded (persistent folder) or a `chroma run` server. One place decides."""

from __future__ import annotations

from pathlib import Path


def make_client(path: Path, host: str | None = None, port: int = 8000):
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def describe(path: Path, host: str | None, port: int) -> str:
    return f"chroma server http://{host}:{port}" if host else f"embedded chroma at {path.resolve()}"
