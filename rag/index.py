"""Ingestion: articles -> chunks -> embeddings -> the store, skipping what is already there."""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from rag import chunking, corpus, datasets, web
from rag.embeddings import Embedder
from rag.errors import IndexMismatch, IndexMissing, RagError
from rag.settings import Settings
from rag.text import keyword_tokens
from rag.tokens import ENCODING, count_tokens
from rag.types import Article, ArticleMeta, Chunk, IngestReport
from vectorstore import ChunkStore, FileState, KeywordIndex, ManifestMismatch, StoreUnavailable

SCHEMA_VERSION = 1
WRITE_BATCH_CHUNKS = 256  # chunks embedded together, across articles
# The code that turns a file into chunks: a change to it re-ingests every article on the next run.
RULES_FILES = ("corpus.py", "html.py", "metadata.py", "cleaning.py", "chunking.py", "text.py", "tokens.py")
RULES_VERSION = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in RULES_FILES)
).hexdigest()[:12]


def open_keywords(settings: Settings) -> KeywordIndex:
    return KeywordIndex(settings.home / f"{settings.collection}.index.sqlite")


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


def chunk_metadata(
    chunk: Chunk, sha256: str, n_chunks: int, path: str | None = None, row: str | None = None
) -> dict:
    meta = {k: v for k, v in asdict(chunk.meta).items() if v is not None}
    return {
        **meta,
        **({"row": row} if row else {}),
        **({"path": path} if path else {}),
        **({"date_num": date_number(chunk.meta.date)} if chunk.meta.date else {}),
        "rules": RULES_VERSION,
        "source": chunk.source,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "tokens": chunk.tokens,
        "file_sha256": sha256,
        "n_chunks": n_chunks,
    }


def date_number(iso: str) -> int:
    """2024-10-24 -> 20241024: a number Chroma (and the keyword index) can range-filter."""
    return int(iso[:10].replace("-", ""))


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
            url=meta.get("url"),
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


def _file_key(source: str, state: FileState) -> str:
    return source[: -len(state.row) - 1] if state.row else source


class SourceKeys:
    """An article's key (its `source`, shown in citations) from the file's path: the file name
    when no other file has it, else the shortest ending of the path that is unique
    ("uploads/a.txt"). A file keeps its key across runs, and one moved keeps it when the file
    that held the key is no longer where it was."""

    def __init__(self, states: dict[str, FileState]):
        # a data set's rows are "file key:row id"; the file key is what the path holds
        files = {_file_key(source, state): state.path for source, state in states.items()}
        self.taken: dict[str, str | None] = files
        self.by_path = {path: key for key, path in files.items() if path}

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
    """Writes articles into Chroma and the keyword index, one writer at a time on this host."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        embedder: Embedder,
        keywords: KeywordIndex,
        columns: datasets.Columns | None = None,
    ):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.keywords = keywords
        self.columns = columns or datasets.Columns()

    def ingest(
        self, paths: Iterable[Path], prune: bool = False, rebuild: bool = False, progress: bool = False
    ) -> IngestReport:
        paths = list(paths)
        with writer_lock(self.settings):
            return self._ingest(paths, prune, rebuild, progress)

    def ingest_articles(self, items: Iterable[tuple[str, str, Article | None]]) -> IngestReport:
        """Articles already loaded (a feed's entries): (source, where it came from, Article or None
        when it was skipped, its reason already reported by the caller)."""
        with writer_lock(self.settings):
            report = IngestReport()
            states = self._open(rebuild=False)
            started = time.perf_counter()
            self._write(items, states, report, progress=False)
            report.seconds = time.perf_counter() - started
            return report

    def _open(self, rebuild: bool) -> dict[str, FileState]:
        if rebuild:
            self.store.drop()
            self.keywords.drop()
        try:
            self.store.open(manifest(self.settings, self.embedder.name), create=True)
        except ManifestMismatch as exc:
            raise IndexMismatch(
                f"the index was built with other settings ({exc}); run `rag ingest --rebuild`"
            ) from exc
        states = self.store.file_states()
        backfill_keywords(self.store, self.keywords, states)
        return states

    def _ingest(self, paths: list[Path], prune: bool, rebuild: bool, progress: bool) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        states = self._open(rebuild)
        seen = self._write(self._articles(paths, SourceKeys(states), report), states, report, progress)
        if prune:
            roots = [Path(p).resolve() for p in paths if not web.is_url(p)]
            for source, state in sorted(states.items()):
                if source not in seen and _under(state.path, roots):
                    self._remove(source)
                    report.pruned.append(source)
        report.seconds = time.perf_counter() - started
        return report

    def delete(self, sources: Iterable[str]) -> list[str]:
        """Remove these articles from both indexes; the ones that were there."""
        with writer_lock(self.settings):
            states = self._open(rebuild=False)
            gone = [s for s in sources if s in states]
            for source in gone:
                self._remove(source)
            return gone

    def _remove(self, source: str) -> None:
        self.keywords.delete_source(source)
        self.store.delete_source(source)

    def _write(self, items, states: dict[str, FileState], report: IngestReport, progress: bool) -> set[str]:
        """Chunk, embed and write every changed article of `items`; the sources seen."""
        batch: list[tuple[Article, list[Chunk], str]] = []
        seen: set[str] = set()
        bar = _progress(progress)
        try:
            for source, path, article in items:
                seen.add(source)
                if article is None:
                    continue
                state = states.get(source)
                if (
                    state
                    and state.sha256 == article.sha256
                    and state.complete
                    and state.path == str(path)
                    and state.rules == RULES_VERSION
                ):
                    report.unchanged.append(source)
                    continue
                chunks = chunking.chunk_article(
                    article, self.settings.chunk_tokens, self.settings.chunk_overlap, count_tokens
                )
                (report.updated if state else report.added).append(source)
                batch.append((article, chunks, str(path)))
                if sum(len(c) for _, c, _ in batch) >= WRITE_BATCH_CHUNKS:
                    self._embed_and_write(batch, report, bar)
                    batch = []
            self._embed_and_write(batch, report, bar)
        finally:
            if bar is not None:
                bar.close()
        return seen

    def _articles(self, paths: list[Path], keys: SourceKeys, report: IngestReport):
        """(source, path, Article or None when skipped) for every file, and every row of every
        data set file, under the paths."""
        for url in (p for p in paths if web.is_url(p)):
            key = web.url_key(url)
            try:
                article = web.load_url(url, self.settings.fetch_timeout, self.settings.max_page_bytes)
            except ValueError as exc:
                report.skipped[key] = str(exc)
                yield key, url, None
                continue
            yield key, url, article
        for item in corpus.discover([Path(p) for p in paths if not web.is_url(p)]):
            if isinstance(item, corpus.Skipped):
                report.skipped[item.source] = item.reason
                continue
            path = item.resolve()
            key = keys.key_for(path)
            if path.suffix.lower() in corpus.DATASET_SUFFIXES:
                try:
                    for row in datasets.rows(path, self.columns):
                        source = f"{key}:{row.key}"
                        if row.article is None:
                            report.skipped[source] = row.skipped
                        article = replace(row.article, source=source, row=row.key) if row.article else None
                        yield source, path, article
                except (ValueError, OSError, UnicodeDecodeError) as exc:
                    report.skipped[key] = str(exc).splitlines()[0]
                    yield key, path, None
                continue
            try:
                yield key, path, replace(corpus.load_article(item), source=key)
            except ValueError as exc:
                report.skipped[key] = str(exc)
                yield key, path, None

    def _embed_and_write(self, batch, report: IngestReport, bar) -> None:
        """Embed the batch's chunks together (across articles; a text seen before comes from the
        cache), then write the batch: the keyword rows first (one transaction), then Chroma (one
        upsert), whose chunk count per article says it is complete. A kill leaves every article
        either complete in both or seen as incomplete and redone on the next run."""
        if not batch:
            return
        chunks = [c for _, article_chunks, _ in batch for c in article_chunks]
        vectors = self._vectors([embedding_text(c) for c in chunks], report)
        keyword_batch, chroma_batch, i = {}, [], 0
        for article, article_chunks, path in batch:
            n = len(article_chunks)
            metas = [chunk_metadata(c, article.sha256, n, path, article.row) for c in article_chunks]
            keyword_batch[article.source] = keyword_rows(article_chunks, metas)
            chroma_batch.append(
                (
                    article.source,
                    [c.id for c in article_chunks],
                    vectors[i : i + n],
                    [c.text for c in article_chunks],
                    metas,
                )
            )
            i += n
        self.keywords.replace_sources(keyword_batch)
        self.store.replace_sources(chroma_batch)
        report.chunks_written += len(chunks)
        if bar is not None:
            bar.update(len(chunks))

    def _vectors(self, texts: list[str], report: IngestReport) -> np.ndarray:
        """Vectors for the texts: from the cache when the same text was embedded before with this
        model, else embedded now (each distinct text once) and cached."""
        keys = [hashlib.sha256(f"{self.embedder.name}\n{t}".encode()).hexdigest() for t in texts]
        cached = self.keywords.cached_vectors(list(dict.fromkeys(keys)))
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            todo = [text_of[k] for k in missing]
            if hasattr(self.embedder, "too_long"):
                report.chunks_truncated += self.embedder.too_long(todo)
            fresh = self.embedder.embed(todo).astype(np.float32)
            new = {k: v.tobytes() for k, v in zip(missing, fresh, strict=True)}
            self.keywords.cache_vectors(list(new.items()))
            cached.update(new)
        report.chunks_embedded += len(missing)
        return np.stack([np.frombuffer(cached[k], dtype=np.float32) for k in keys])


def backfill_keywords(store: ChunkStore, keywords: KeywordIndex, states: dict[str, FileState]) -> None:
    """Give the keyword index the articles that Chroma has and it lacks (an index made before the
    keyword index existed, or one whose file was deleted): from the stored chunks, no embedding."""
    missing = sorted(set(states) - keywords.sources())
    for source in missing:
        ids, docs, metas = store.all_chunks(source)
        chunks = [chunk_from_store(i, d, m) for i, d, m in zip(ids, docs, metas, strict=True)]
        keywords.replace_source(source, keyword_rows(chunks, metas))


def keyword_rows(chunks: list[Chunk], metas: list[dict]) -> list[tuple[str, list[str], dict]]:
    """What the keyword index keeps of each chunk: its id, the terms of its title and text, and
    the metadata it filters on."""
    return [(c.id, keyword_tokens(embedding_text(c)), m) for c, m in zip(chunks, metas, strict=True)]


@contextmanager
def writer_lock(settings: Settings):
    """One ingest at a time on this host (an exclusive lock on a file under RAG_HOME): two
    concurrent ingests cannot interleave versions of one article; the second waits."""
    settings.home.mkdir(parents=True, exist_ok=True)
    with open(settings.home / f"{settings.collection}.ingest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(desc="embedding", unit="chunk", leave=False)
