"""Ingestion: articles -> chunks -> embeddings -> the store, skipping what is already there."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path

from rag import chunking, corpus
from rag.embeddings import Embedder
from rag.errors import IndexMismatch, IndexMissing, RagError
from rag.settings import Settings
from rag.tokens import ENCODING, count_tokens
from rag.types import Article, ArticleMeta, Chunk, IngestReport
from vectorstore import ChunkStore, ManifestMismatch, StoreUnavailable
from vectorstore.store import FileState

SCHEMA_VERSION = 1


def open_store(settings: Settings) -> ChunkStore:
    try:
        return ChunkStore(settings.store_dir, settings.collection, settings.chroma_host, settings.chroma_port)
    except StoreUnavailable as exc:
        hint = " (is `chroma run` up?)" if settings.chroma_host else ""
        raise RagError(f"{exc}{hint}") from exc


def manifest(settings: Settings, embed_model: str) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "embed_model": embed_model,
        "tokenizer": ENCODING,
        **settings.chunking_signature(),
    }


def open_for_query(store: ChunkStore, settings: Settings, embed_model: str) -> None:
    try:
        store.open(manifest(settings, embed_model), create=False)
    except LookupError as exc:
        raise IndexMissing(f"no index at {store.where}: run `rag ingest` first") from exc
    except ManifestMismatch as exc:
        raise IndexMismatch(
            f"the index was built with other settings ({exc}); run `rag ingest --rebuild`"
        ) from exc


def chunk_metadata(chunk: Chunk, sha256: str, n_chunks: int, path: str | None = None) -> dict:
    meta = {k: v for k, v in asdict(chunk.meta).items() if v is not None}
    return {
        **meta,
        **({"path": path} if path else {}),
        "source": chunk.source,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "tokens": chunk.tokens,
        "file_sha256": sha256,
        "n_chunks": n_chunks,
    }


def chunk_from_store(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        id=chunk_id,
        source=meta["source"],
        index=int(meta["index"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        meta=ArticleMeta(
            title=meta.get("title"),
            outlet=meta.get("outlet"),
            author=meta.get("author"),
            date=meta.get("date"),
        ),
        tokens=int(meta["tokens"]),
    )


def embedding_text(chunk: Chunk) -> str:
    return f"{chunk.header()}\n{chunk.text}" if chunk.header() else chunk.text


def _under(path: str | None, roots: list[Path]) -> bool:
    """Whether a stored file path lies under (or is) one of the roots; an article indexed before
    paths were kept is never pruned, since where it came from is unknown."""
    if path is None:
        return False
    return any(Path(path) == root or Path(path).is_relative_to(root) for root in roots)


class SourceKeys:
    """An article's key (its `source`, shown in citations) from the file's path: the file name
    when no other file has it, else the shortest ending of the path that is unique
    ("uploads/a.txt"). A file keeps its key across runs, and one moved keeps it when the file
    that held the key is no longer where it was."""

    def __init__(self, states: dict[str, FileState]):
        self.taken: dict[str, str | None] = {source: state.path for source, state in states.items()}
        self.by_path = {state.path: source for source, state in states.items() if state.path}

    def key_for(self, path: Path) -> str:
        if str(path) in self.by_path:
            return self.by_path[str(path)]
        parts = path.parts
        for n in range(1, len(parts) + 1):
            key = "/".join(parts[-n:]).lstrip("/")
            if key not in self.taken or self._free(key, path):
                self.taken[key] = str(path)
                self.by_path[str(path)] = key
                return key
        raise AssertionError(f"no key for {path}")  # the whole path is unique

    def _free(self, key: str, path: Path) -> bool:
        """A key whose file is gone (moved, or from an index without paths) passes to a file of the
        same name that is not itself taken elsewhere."""
        held_by = self.taken[key]
        return key == path.name and (held_by is None or not Path(held_by).exists())


class Indexer:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder):
        self.settings = settings
        self.store = store
        self.embedder = embedder

    def ingest(
        self, paths: Iterable[Path], prune: bool = False, rebuild: bool = False, progress: bool = False
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        if rebuild:
            self.store.drop()
        try:
            self.store.open(manifest(self.settings, self.embedder.name), create=True)
        except ManifestMismatch as exc:
            raise IndexMismatch(
                f"the index was built with other settings ({exc}); run `rag ingest --rebuild`"
            ) from exc
        states = self.store.file_states()

        keys = SourceKeys(states)
        todo: list[tuple[Article, list[Chunk], str]] = []
        seen: set[str] = set()
        for item in corpus.discover(paths):
            if isinstance(item, corpus.Skipped):
                report.skipped[item.source] = item.reason
                continue
            path = item.resolve()
            source = keys.key_for(path)
            seen.add(source)
            try:
                article = replace(corpus.load_article(item), source=source)
            except ValueError as exc:
                report.skipped[source] = str(exc)
                continue
            state = states.get(source)
            if state and state.sha256 == article.sha256 and state.complete and state.path == str(path):
                report.unchanged.append(source)
                continue
            chunks = chunking.chunk_article(
                article, self.settings.chunk_tokens, self.settings.chunk_overlap, count_tokens
            )
            (report.updated if state else report.added).append(source)
            todo.append((article, chunks, str(path)))

        self._embed_and_write(todo, report, progress)
        if prune:
            roots = [Path(p).resolve() for p in paths]
            for source, state in sorted(states.items()):
                if source not in seen and _under(state.path, roots):
                    self.store.delete_source(source)
                    report.pruned.append(source)
        report.seconds = time.perf_counter() - started
        return report

    def _embed_and_write(self, todo, report: IngestReport, progress: bool) -> None:
        total = sum(len(chunks) for _, chunks, _ in todo)
        bar = None
        if progress and total:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="embedding", unit="chunk", leave=False)
        try:
            for article, chunks, path in todo:
                vectors = self.embedder.embed([embedding_text(c) for c in chunks])
                # One file at a time: a kill between files leaves every written file complete,
                # and a half-written file is seen as incomplete and redone on the next run.
                self.store.replace_source(
                    article.source,
                    [c.id for c in chunks],
                    vectors,
                    [c.text for c in chunks],
                    [chunk_metadata(c, article.sha256, len(chunks), path) for c in chunks],
                )
                report.chunks_written += len(chunks)
                if bar:
                    bar.update(len(chunks))
        finally:
            if bar:
                bar.close()
