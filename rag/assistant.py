"""The public facade: create once, then ingest, search and ask many times. Models load on first use."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from rag.errors import BadQuestion
from rag.settings import Settings
from rag.types import Hit, IngestReport


class Assistant:
    def __init__(self, settings: Settings | None = None, *, embedder=None, llm=None):
        """`embedder` and `llm` may be given to share loaded models between assistants."""
        self.settings = settings or Settings()
        self._lock = threading.RLock()
        if embedder is not None:
            self.embedder = embedder
        if llm is not None:
            self.llm = llm

    # --- components (built lazily, once) -------------------------------------------------------
    @cached_property
    def embedder(self):
        from rag.embeddings import make_embedder

        return make_embedder(self.settings)

    @cached_property
    def store(self):
        from rag.index import open_store

        return open_store(self.settings)

    @cached_property
    def retriever(self):
        from rag.index import open_for_query
        from rag.retrieve import HybridRetriever

        open_for_query(self.store, self.settings, self.embedder.name)
        return HybridRetriever(self.settings, self.store, self.embedder)

    # --- operations ----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
    ) -> IngestReport:
        from rag.index import Indexer

        with self._lock:
            indexer = Indexer(self.settings, self.store, self.embedder)
            report = indexer.ingest(paths or [self.settings.corpus], prune, rebuild, progress)
            self.__dict__.pop("retriever", None)  # the next search sees the new chunks
            return report

    def search(self, query: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        query = self.check_question(query)
        return self.retriever.search(query, k, where)

    def check_question(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise BadQuestion("the question is empty")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise BadQuestion(f"the question is {len(question)} characters; the limit is {limit}")
        return question

    def status(self) -> dict:
        from rag.index import manifest

        info: dict = {"store": self.store.where, "collection": self.settings.collection}
        if not self.store.exists():
            info.update(indexed=False, articles=0, chunks=0)
        else:
            states = self.store.file_states()
            info.update(
                indexed=True,
                articles=len(states),
                chunks=self.store.count(),
                incomplete=sorted(s for s, st in states.items() if not st.complete),
                index_manifest=self.store.manifest(),
            )
        info["expected_manifest"] = manifest(self.settings, _embed_model_name(self.settings))
        info["settings"] = {k: str(v) for k, v in self.settings.model_dump().items()}
        return info


def _embed_model_name(settings: Settings) -> str:
    from rag.model_files import EMBED_MODEL_ID

    return EMBED_MODEL_ID if settings.embed_backend == "onnx" else f"ollama:{settings.ollama_embed_model}"
