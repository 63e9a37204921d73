"""Chunks in one Chroma collection. Each chunk's metadata records its file's hash and chunk count,
so the store itself says which files are complete: an interrupted ingest is found and redone."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vectorstore.client import describe, make_client

MANIFEST_PREFIX = "rag:"


class StoreUnavailable(Exception):
    pass


class ManifestMismatch(Exception):
    def __init__(self, differences: dict[str, tuple[Any, Any]]):
        self.differences = differences
        parts = ", ".join(f"{k}: index has {a!r}, settings say {b!r}" for k, (a, b) in differences.items())
        super().__init__(parts)


@dataclass(frozen=True)
class FileState:
    sha256: str
    chunks_present: int
    chunks_expected: int
    path: str | None = None  # where the file was read from (absent in indexes made before it)
    rules: str | None = None  # version of the cleaning/metadata/chunking code that made the chunks
    row: str | None = None  # the row's id, for an article that is one row of a data set file

    @property
    def complete(self) -> bool:
        return self.chunks_present == self.chunks_expected


class ChunkStore:
    def __init__(self, path: Path, collection: str, host: str | None = None, port: int = 8000):
        self.where = describe(path, host, port)
        self.name = collection
        try:
            self.client = make_client(path, host, port)
            self.client.heartbeat()
        except Exception as exc:  # chromadb raises several types for a dead server
            raise StoreUnavailable(f"cannot reach {self.where}: {exc}") from exc
        self._collection = None
        self._search_api: bool | None = None

    # --- collection and manifest -------------------------------------------------------------
    def exists(self) -> bool:
        return self.name in {c if isinstance(c, str) else c.name for c in self.client.list_collections()}

    def manifest(self) -> dict[str, Any]:
        meta = self.collection().metadata or {}
        return {k[len(MANIFEST_PREFIX) :]: v for k, v in meta.items() if k.startswith(MANIFEST_PREFIX)}

    def open(self, manifest: dict[str, Any], create: bool) -> None:
        """Open (or create) the collection; a different manifest raises ManifestMismatch."""
        wanted = {MANIFEST_PREFIX + k: v for k, v in manifest.items()}
        if not self.exists():
            if not create:
                raise LookupError(self.name)
            self._collection = self.client.create_collection(
                self.name,
                metadata=wanted,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            return
        self._collection = self.client.get_collection(self.name, embedding_function=None)
        found = self.manifest()
        diff = {k: (found.get(k), v) for k, v in manifest.items() if found.get(k) != v}
        if diff:
            raise ManifestMismatch(diff)

    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_collection(self.name, embedding_function=None)
        return self._collection

    def drop(self) -> None:
        if self.exists():
            self.client.delete_collection(self.name)
        self._collection = None

    # --- writes -------------------------------------------------------------------------------
    def replace_source(self, source: str, ids, embeddings, documents, metadatas) -> None:
        self.replace_sources([(source, ids, embeddings, documents, metadatas)])

    def replace_sources(self, articles: list[tuple[str, list, Any, list, list]]) -> None:
        """Each (source, ids, embeddings, documents, metadatas): the source's chunks become these.
        New versions are written over the old ids first and the old versions' extra chunks removed
        after, so a reader never finds an article missing; a kill in between leaves an article with
        more (or fewer) chunks than its count, which the next ingest redoes. One round trip for a
        batch of articles."""
        if not articles:
            return
        col = self.collection()
        sources = [a[0] for a in articles]
        where = {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": sources}}
        old = set(col.get(where=where, include=[])["ids"])
        new_ids = [i for a in articles for i in a[1]]
        if new_ids:
            col.upsert(
                ids=new_ids,
                embeddings=[v for a in articles for v in a[2]],
                documents=[d for a in articles for d in a[3]],
                metadatas=[m for a in articles for m in a[4]],
            )
        stale = sorted(old - set(new_ids))
        if stale:
            col.delete(ids=stale)

    def delete_source(self, source: str) -> None:
        self.collection().delete(where={"source": source})

    # --- reads --------------------------------------------------------------------------------
    def count(self) -> int:
        return self.collection().count()

    def metadatas(self) -> list[dict]:
        """Every chunk's metadata, without the texts."""
        return self.collection().get(include=["metadatas"])["metadatas"] or []

    def file_states(self) -> dict[str, FileState]:
        """Per source: its hash, chunks present and expected. An article whose chunks carry more
        than one hash (a write cut off between versions) is never complete."""
        present: dict[str, int] = defaultdict(int)
        hashes: dict[str, set[str]] = defaultdict(set)
        first: dict[str, dict] = {}
        for meta in self.metadatas():
            present[meta["source"]] += 1
            hashes[meta["source"]].add(meta["file_sha256"])
            first.setdefault(meta["source"], meta)
        return {
            s: FileState(
                m["file_sha256"] if len(hashes[s]) == 1 else "(versions mixed)",
                present[s] if len(hashes[s]) == 1 else -1,
                int(m["n_chunks"]),
                m.get("path"),
                m.get("rules"),
                m.get("row"),
            )
            for s, m in first.items()
        }

    def all_chunks(self, source: str | None = None) -> tuple[list[str], list[str], list[dict]]:
        """(ids, texts, metadatas) of every chunk, or of one source file's chunks."""
        where = {"source": source} if source is not None else None
        got = self.collection().get(where=where, include=["documents", "metadatas"])
        return got["ids"], got["documents"], got["metadatas"]

    def any_where(self, where: dict) -> bool:
        """Whether any chunk matches the filter (one row read)."""
        return bool(self.collection().get(where=where, limit=1, include=[])["ids"])

    def get(self, ids: list[str]) -> list[tuple[str, str, dict]]:
        """(id, text, metadata) of these chunks, in the order asked; ids no longer stored are left out."""
        if not ids:
            return []
        got = self.collection().get(ids=list(ids), include=["documents", "metadatas"])
        found = {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
        return [(i, *found[i]) for i in ids if i in found]

    def search_api(self) -> bool:
        """Whether this Chroma runs the Search API (hybrid dense + sparse BM25 with Rrf: distributed
        Chroma and Chroma Cloud). Asked of the server once: the embedded store and `chroma run`
        answer that Search is not implemented, and keyword search then stays with the local index."""
        if self._search_api is None:
            from chromadb.execution.expression import Search

            try:
                self.collection().search(Search().limit(1))
                self._search_api = True
            except NotImplementedError:  # the embedded store
                self._search_api = False
            except Exception as exc:  # chroma run: "Search operation is not implemented for local executor"
                if "not implemented" not in str(exc).lower():
                    raise StoreUnavailable(f"{self.where}: the Search API probe failed: {exc}") from exc
                self._search_api = False
        return self._search_api

    def query(self, embedding, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        n = min(n, self.count())
        if n == 0:
            return []
        got = self.collection().query(
            query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
        )
        return list(zip(got["ids"][0], got["distances"][0], strict=True))
