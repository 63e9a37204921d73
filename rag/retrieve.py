"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by weighted reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.embeddings import Embedder
from rag.index import chunk_from_store, embedding_text
from rag.settings import Settings
from rag.text import keyword_tokens
from rag.types import Chunk, Hit
from vectorstore import ChunkStore


def fuse(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the rankings."""
    scores: dict[str, float] = {}
    for ranking, weight in rankings:
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def fuse_scores(
    dense: dict[str, float], keyword: dict[str, float], dense_weight: float, keyword_weight: float
) -> dict[str, float]:
    """Convex combination of min-max normalised scores over the union of candidates.

    Unlike rank fusion it keeps how far ahead a hit is: a chunk that alone holds a rare name or
    number gets a BM25 score well above the rest, and keeps that lead after fusion.
    """
    items = set(dense) | set(keyword)
    if not items:
        return {}

    d: dict[str, float] = dict.fromkeys(items, 0.0)
    if dense:
        low, high = min(dense.values()), max(dense.values())
        d = {i: (dense.get(i, low) - low) / ((high - low) or 1.0) for i in items}
    top = max(keyword.values(), default=0.0) or 1.0
    k = {i: keyword.get(i, 0.0) / top for i in items}
    return {i: dense_weight * d[i] + keyword_weight * k[i] for i in items}


@dataclass
class _KeywordIndex:
    ids: list[str]
    chunks: dict[str, Chunk]
    bm25: object

    @classmethod
    def build(cls, store: ChunkStore) -> _KeywordIndex:
        from rank_bm25 import BM25Okapi

        ids, docs, metas = store.all_chunks()
        chunks = {i: chunk_from_store(i, d, m) for i, d, m in zip(ids, docs, metas, strict=True)}
        corpus = [keyword_tokens(embedding_text(chunks[i])) or ["∅"] for i in ids]
        return cls(ids, chunks, BM25Okapi(corpus) if corpus else None)

    def top(self, query: str, n: int, allowed: set[str] | None) -> dict[str, float]:
        """The n best BM25 scores (> 0), best first."""
        terms = keyword_tokens(query)
        if not terms or self.bm25 is None:
            return {}
        scores = self.bm25.get_scores(terms)
        ranked = [
            (self.ids[i], float(scores[i]))
            for i in np.argsort(-scores)
            if scores[i] > 0 and (allowed is None or self.ids[i] in allowed)
        ]
        return dict(ranked[:n])


class HybridRetriever:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._keyword: _KeywordIndex | None = None
        self._seen_count = -1

    def refresh(self) -> None:
        """Rebuild the keyword index from the store (after an ingest in the same process)."""
        self._keyword = _KeywordIndex.build(self.store)
        self._seen_count = len(self._keyword.ids)

    def _keywords(self) -> _KeywordIndex:
        if self._keyword is None or self.store.count() != self._seen_count:
            self.refresh()
        return self._keyword

    def chunk(self, chunk_id: str) -> Chunk:
        return self._keywords().chunks[chunk_id]

    def search(self, query: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        keyword = self._keywords()
        vector = self.embedder.embed([query])[0]
        dense = self.store.query(vector.tolist(), n, where=where)
        allowed = None
        if where:
            allowed = {i for i, c in keyword.chunks.items() if _matches(c, where)}
        dense_ids = [i for i, _ in dense]
        similarity = {i: 1.0 - d for i, d in dense}
        bm25 = keyword.top(query, n, allowed)
        bm25_ids = list(bm25)
        weights = self.settings.dense_weight, self.settings.bm25_weight
        if self.settings.fusion == "rrf":
            scores = fuse(list(zip([dense_ids, bm25_ids], weights, strict=True)), self.settings.rrf_k)
        else:
            scores = fuse_scores(similarity, bm25, *weights)
        ranked = sorted(scores, key=lambda i: (-scores[i], i))[:k]
        return [
            Hit(
                rank=r,
                score=scores[i],
                chunk=keyword.chunks[i],
                dense_rank=dense_ids.index(i) + 1 if i in similarity else None,
                bm25_rank=bm25_ids.index(i) + 1 if i in bm25_ids else None,
                dense_score=similarity.get(i),
            )
            for r, i in enumerate(ranked, start=1)
            if i in keyword.chunks
        ]


def _matches(chunk: Chunk, where: dict) -> bool:
    """The subset of Chroma's where-syntax the UI filters use: equality, $in, $gte/$lte, $and."""
    if "$and" in where:
        return all(_matches(chunk, w) for w in where["$and"])
    for key, cond in where.items():
        value = getattr(chunk.meta, key, None) if key != "source" else chunk.source
        if isinstance(cond, dict):
            for op, arg in cond.items():
                if value is None:
                    return False
                if op == "$in" and value not in arg:
                    return False
                if op == "$gte" and not value >= arg:
                    return False
                if op == "$lte" and not value <= arg:
                    return False
        elif value != cond:
            return False
    return True
