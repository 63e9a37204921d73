"""Hybrid retrieval: dense (Chroma) and BM25 (SQLite FTS5) rankings, fused."""

from __future__ import annotations

from rag.embeddings import Embedder
from rag.index import chunk_from_store
from rag.settings import Settings
from rag.text import keyword_tokens
from rag.types import Hit
from vectorstore import ChunkStore, KeywordIndex


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


class HybridRetriever:
    """Dense hits from Chroma and BM25 hits from the keyword index on disk, fused; the hits' text
    and metadata are read from Chroma, the store of record, for each search: a process never
    serves an article's old text after another process updated it."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder, keywords: KeywordIndex):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.keywords = keywords
        self._last: tuple[str, object] | None = None  # the last query and its vector

    def _vector(self, query: str):
        """The query's vector; the same query asked again at once (an answer, then its outlet
        view) is not embedded twice."""
        last = self._last
        if last is not None and last[0] == query:
            return last[1]
        vector = self.embedder.embed([query])[0]
        self._last = (query, vector)
        return vector

    def search(self, query: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        vector = self._vector(query)
        dense = self.store.query(vector.tolist(), n, where=where)
        dense_ids = [i for i, _ in dense]
        similarity = {i: 1.0 - d for i, d in dense}
        bm25 = self.keywords.search(keyword_tokens(query), n, where)
        bm25_ids = list(bm25)
        weights = self.settings.dense_weight, self.settings.bm25_weight
        if self.settings.fusion == "rrf":
            scores = fuse(list(zip([dense_ids, bm25_ids], weights, strict=True)), self.settings.rrf_k)
        else:
            scores = fuse_scores(similarity, bm25, *weights)
        ranked = sorted(scores, key=lambda i: (-scores[i], i))
        # a keyword hit whose chunk was removed a moment ago is skipped, and the next one taken
        stored = self.store.get(ranked[: k + 8]) if ranked else []
        hits = []
        for chunk_id, text, meta in stored[:k]:
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    score=scores[chunk_id],
                    chunk=chunk_from_store(chunk_id, text, meta),
                    dense_rank=dense_ids.index(chunk_id) + 1 if chunk_id in similarity else None,
                    bm25_rank=bm25_ids.index(chunk_id) + 1 if chunk_id in bm25 else None,
                    dense_score=similarity.get(chunk_id),
                )
            )
        return hits
