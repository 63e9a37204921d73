"""The public facade: create once, then ingest, search and ask many times. Models load on first use."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path

from rag.errors import BadQuestion
from rag.settings import Settings
from rag.types import Answer, Hit, IngestReport


class _loaded_once:
    """Like functools.cached_property, but the first computation holds the assistant's lock: two
    threads asking at once load one model, not two."""

    def __init__(self, load):
        self.load = load
        self.name = load.__name__
        self.__doc__ = load.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        with obj._lock:
            if self.name not in obj.__dict__:
                obj.__dict__[self.name] = self.load(obj)
            return obj.__dict__[self.name]


class Assistant:
    def __init__(self, settings: Settings | None = None, *, embedder=None, llm=None):
        """`embedder` and `llm` may be given to share loaded models between assistants."""
        self.settings = settings or Settings()
        self._lock = threading.RLock()
        self._llms: dict[tuple[str, str], object] = {}
        if embedder is not None:
            self.embedder = embedder
        if llm is not None:
            self.llm = llm

    # --- components (built lazily, once) -------------------------------------------------------
    @_loaded_once
    def embedder(self):
        from rag.embeddings import make_embedder

        return make_embedder(self.settings)

    @_loaded_once
    def store(self):
        from rag.index import open_store

        return open_store(self.settings)

    @_loaded_once
    def conversations(self):
        from rag.conversations import ConversationStore

        return ConversationStore(self.settings.home / "conversations.sqlite")

    @_loaded_once
    def keywords(self):
        from rag.index import open_keywords

        return open_keywords(self.settings)

    @cached_property
    def retriever(self):
        from rag.index import backfill_keywords, open_for_query, writer_lock
        from rag.retrieve import HybridRetriever

        open_for_query(self.store, self.settings, self.embedder.name)
        if self.keywords.count() == 0 and self.store.count() > 0:  # an index from before the keyword file
            with writer_lock(self.settings):
                backfill_keywords(self.store, self.keywords, self.store.file_states())
        return HybridRetriever(self.settings, self.store, self.embedder, self.keywords)

    @_loaded_once
    def llm(self):
        from rag.llm import make_llm

        return make_llm(self.settings)

    # --- operations ----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        columns=None,
    ) -> IngestReport:
        """Files and folders (.txt, .md, .html; .csv, .jsonl, .parquet data sets with `columns`, a
        rag.datasets.Columns, naming the fields' columns)."""
        with self._lock:
            report = self._indexer(columns).ingest(paths or [self.settings.corpus], prune, rebuild, progress)
            self.__dict__.pop("retriever", None)  # the next search sees the new chunks
            return report

    # --- feeds ---------------------------------------------------------------------------------
    @_loaded_once
    def feed_store(self):
        from rag.feeds import FeedStore, feeds_path

        return FeedStore(feeds_path(self.settings))

    def _indexer(self, columns=None):
        from rag.index import Indexer

        return Indexer(self.settings, self.store, self.embedder, self.keywords, columns)

    def _feed_reader(self):
        from rag.feeds import FeedReader

        return FeedReader(self.settings, self.feed_store, self._indexer())

    def add_feed(self, url: str):
        """Follow an RSS or Atom feed and take its entries now (a FeedUpdate). BadInput, and the
        feed not kept, when the URL is not a readable feed."""
        from rag.errors import BadInput
        from rag.web import is_url

        if not is_url(url):
            raise BadInput(f"{url}: a feed is an http(s) URL")
        new = self.feed_store.add(url)
        update = self.update_feeds([url])[0]
        if new and update.status not in ("updated", "not modified"):
            self.feed_store.remove(url)
            raise BadInput(f"{url}: {update.status}")
        return update

    def feeds(self) -> list[dict]:
        """The feeds followed: url, title, added, checked (Unix times), status, articles."""
        return self.feed_store.feeds()

    def remove_feed(self, url: str, delete_articles: bool = False) -> list[str]:
        """Stop following a feed; with `delete_articles`, also take its articles out of the index
        (the sources removed). BadInput when it is not followed."""
        from rag.errors import BadInput

        try:
            sources = self.feed_store.remove(url)
        except KeyError:
            raise BadInput(f"{url}: not a feed that is followed (see `rag feed list`)") from None
        if not delete_articles:
            return []
        with self._lock:
            gone = self._indexer().delete(sources)
            self.__dict__.pop("retriever", None)
        return gone

    def update_feeds(self, urls: list[str] | None = None) -> list:
        """Update these feeds (default: all followed), one FeedUpdate each."""
        from rag.errors import BadInput

        followed = [f["url"] for f in self.feeds()]
        for url in urls or []:
            if url not in followed:
                raise BadInput(f"{url}: not a feed that is followed (see `rag feed list`)")
        with self._lock:
            reader = self._feed_reader()
            updates = [reader.update(url) for url in (urls or followed)]
            self.__dict__.pop("retriever", None)
        return updates

    def refresh_feeds_in_background(self):
        """With RAG_FEED_REFRESH_MINUTES > 0, a started FeedRefresher updating every followed feed
        that often (`rag serve`, `rag ui`); else None."""
        from rag.feeds import FeedRefresher

        minutes = self.settings.feed_refresh_minutes
        return FeedRefresher(self.update_feeds, minutes).start() if minutes > 0 else None

    def search(self, query: str, k: int | None = None, where: dict | None = None) -> list[Hit]:
        query = self.check_question(query)
        return self.retriever.search(query, k, where)

    def ask(
        self, question: str, k: int | None = None, where: dict | None = None, today: date | None = None
    ) -> Answer:
        """Answer one question; every sentence of the answer cites the chunk that supports it."""
        return final_answer(self.stream(question, k=k, where=where, today=today))

    def outlets(self, question: str, answer: Answer, where: dict | None = None) -> dict:
        """Which outlets report the answer's claims and which cover the question without saying
        them, over the OUTLET_CHUNKS best chunks for the question; near-duplicate (wire) copies
        are one story (rag/outlets.py)."""
        from rag.outlets import OUTLET_CHUNKS, outlet_view

        hits = self.search(question, k=OUTLET_CHUNKS, where=where)
        return outlet_view(answer, hits, self.settings.support_coverage)

    def timeline(
        self, topic: str, k: int | None = None, where: dict | None = None, today: date | None = None
    ) -> Answer:
        """`rag timeline "X"`, "How did X develop?": dated events about X in date order, each an
        article's own sentence with its citation, a wire copy reported by several outlets one
        event citing them all (see rag/timeline.py). Searches TIMELINE_CHUNKS chunks (or k)."""
        from rag.timeline import TIMELINE_CHUNKS, timeline_answer

        topic = self.check_question(topic)
        started = time.perf_counter()
        scope, none_dated, scoped, content = self._timed(topic, where, today)
        hits = [] if none_dated else self.search(content, k=k or TIMELINE_CHUNKS, where=scoped)
        evidence = self.answerer.evidence(content, hits)
        if self.answerer.too_weak(evidence):
            answer = self.answerer.refuse(topic, evidence, time_note=scope.describe() if scope else None)
            answer.timeline = True
        else:
            answer = timeline_answer(topic, evidence.ranked, hits, self.settings.refuse_below)
        answer.backend, answer.model = self._backend_label()
        took = (time.perf_counter() - started) * 1000
        answer.timings = {"retrieve_ms": took, "generate_ms": 0.0, "total_ms": took}  # no model call
        return answer

    def _timed(self, question: str, where: dict | None, today: date | None):
        """(TimeScope or None, whether no article is dated in its range, the retrieval filter with
        its dates, the search words without the time expression): the dates filter, the words
        search."""
        scope, none_dated = self.read_time(question, today)
        scoped = _and(where, scope.where() if scope else None)
        return scope, none_dated, scoped, scope.without(question) if scope else question

    def read_time(self, question: str, today: date | None = None):
        """(the question's TimeScope or None, whether no article is dated in its range). A range
        in which no article is dated is dropped when it is absolute ("in July" names when the
        thing happened, not when it was reported) and is answered "none" when it is relative to
        today ("last week"); "since the summit" takes the date of the best-matching dated
        article about the summit."""
        from dataclasses import replace

        from rag import when

        scope = when.parse(question, today or self.settings.today or date.today())
        if scope is None or not self.store.exists():
            return scope, False
        if scope.event:
            dated = [h.chunk.meta.date for h in self.search(scope.event, k=5) if h.chunk.meta.date]
            if not dated:
                return (replace(scope, event=None) if scope.order else None), False
            day = date.fromisoformat(dated[0])
            scope = replace(scope, **({"start": day} if scope.event_side == "after" else {"end": day}))
        if scope.has_range and not self.store.any_where(scope.where()):
            if scope.relative_to:
                return scope, True
            return (replace(scope, start=None, end=None) if scope.order else None), False
        return scope, False

    def stream(
        self,
        question: str,
        k: int | None = None,
        where: dict | None = None,
        history: list[dict] | None = None,
        model: tuple[str, str] | None = None,
        today: date | None = None,
    ) -> Iterator[str | Answer]:
        """Yield, in order: the quick extractive Answer (`preliminary=True`, at once, when the best
        evidence is strong enough to quote), the model's raw text pieces as they come, then
        the verified Answer (always last, the only one that is checked and complete). A time
        expression in the question ("last week", "in March 2025", "latest") limits retrieval to
        those publication dates and orders evidence by date (`today`: what relative expressions
        are read against; default RAG_TODAY, else the date today)."""
        question = self.check_question(question)
        llm = self.llm_for(*model) if model else None
        started = time.perf_counter()
        standalone = self.condense(question, history, llm) if history else None
        asked = standalone or question
        from rag.timeline import topic_of

        if topic := topic_of(asked):  # "How did X develop?": the events in date order
            answer = self.timeline(topic, where=where, today=today)
            answer.question, answer.standalone_question = question, standalone
            yield answer
            return
        scope, none_dated, scoped, content = self._timed(asked, where, today)
        hits = [] if none_dated else self.search(content, k=k, where=scoped)
        retrieved = time.perf_counter()
        evidence = self.answerer.evidence(content, hits, scope)
        generated_pieces: list[str] = []
        timings = {"retrieve_ms": (retrieved - started) * 1000}
        if none_dated:
            answer = self.answerer.refuse(question, evidence, time_note=scope.none_dated())
        elif self.answerer.too_weak(evidence):
            answer = self.answerer.refuse(question, evidence, time_note=scope.describe() if scope else None)
        else:
            if self.answerer.quotable(evidence):  # shown at once; the verified answer replaces it
                quick = self.answerer.quick(question, evidence)
                quick.preliminary = True
                quick.standalone_question = standalone
                timings["first_answer_ms"] = (time.perf_counter() - started) * 1000
                quick.timings = dict(timings)
                yield quick
            llm = llm or self.llm
            evidence, messages = self.answerer.messages(evidence, _counter(llm), self.settings.num_ctx)
            for piece in llm.stream(messages, stop=[], max_tokens=self.settings.max_answer_tokens):
                generated_pieces.append(piece)
                yield piece
            answer = self.answerer.finish(question, evidence, "".join(generated_pieces))
        if not answer.refused:
            answer.outlets = self.outlets(content, answer, where=scoped)
        done = time.perf_counter()
        answer.standalone_question = standalone
        answer.evidence_score = evidence.ranked[0].score if evidence.ranked else None
        answer.backend, answer.model = (llm.backend, llm.model) if llm else self._backend_label()
        answer.tokens_generated = len(generated_pieces)
        answer.timings = {
            **timings,
            "generate_ms": (done - retrieved) * 1000,
            "total_ms": (done - started) * 1000,
        }
        yield answer

    @cached_property
    def answerer(self):
        from rag.answer.pipeline import Answerer

        return Answerer(self.settings, lambda texts: self.embedder.embed(texts))

    def chat(self, messages: list[dict]) -> Answer:
        """Multi-turn: `messages` are {role, content} dicts, the last one the user's new question."""
        if not messages or messages[-1].get("role") != "user":
            raise BadQuestion("the last message must be the user's question")
        return self.ask_with_history(messages[-1]["content"], messages[:-1])

    def ask_with_history(self, question: str, history: list[dict]) -> Answer:
        return final_answer(self.stream(question, history=history))

    def condense(self, question: str, history: list[dict], llm=None) -> str:
        """A standalone version of a follow-up question, for retrieval."""
        from rag.answer.condense import condense, needs_history

        turns = [t for t in history if t.get("role") in ("user", "assistant") and t.get("content")]
        if not turns or not needs_history(question):
            return question
        return condense(question, turns, llm or self.llm)

    def llm_for(self, backend: str, model: str):
        """The model for one (backend, model name) pair, loaded once and kept. For llamacpp the name
        is the GGUF's, informational only: the configured GGUF is used."""
        from rag.llm import make_llm

        key = (backend, model if backend == "ollama" else "")
        with self._lock:
            loaded = self.__dict__.get("llm")
            if loaded is not None and (loaded.backend, loaded.model if backend == "ollama" else "") == key:
                return loaded
            if key not in self._llms:
                self._llms[key] = make_llm(
                    self.settings.model_copy(update={"backend": backend, "model": model})
                )
            return self._llms[key]

    def models(self) -> list[tuple[str, str]]:
        """(backend, model) pairs to choose from: the embedded model, then what Ollama has pulled
        (none when the server does not answer within 2 s)."""
        from rag.llm import ollama_models
        from rag.model_files import gguf_name

        return [("llamacpp", gguf_name(self.settings.gguf_path, self.settings.embedded_model))] + [
            ("ollama", name) for name in ollama_models(self.settings)
        ]

    def articles(self) -> list[dict]:
        """One row per indexed article: source, title, outlet, author, date, chunks."""
        if not self.store.exists():
            return []
        rows: dict[str, dict] = {}
        for meta in self.store.metadatas():
            rows.setdefault(meta["source"], _article_row(meta, 0))["chunks"] += 1
        return sorted(rows.values(), key=lambda r: r["source"])

    def article(self, source: str) -> dict | None:
        """One article's row and its cleaned text (one read of its chunks), or None."""
        ids, docs, metas = self.store.all_chunks(source)
        if not ids:
            return None
        return {**_article_row(metas[0], len(ids)), "text": _text_of(ids, docs, metas)}

    def article_text(self, source: str) -> str:
        """The cleaned article as indexed, exactly: its chunks placed at their offsets."""
        return _text_of(*self.store.all_chunks(source))

    def where_for(
        self, outlets: list[str] | None = None, date_from: str | None = None, date_to: str | None = None
    ) -> dict | None:
        """A retrieval filter for articles from these outlets, dated within [date_from, date_to]
        (ISO dates; an article without a date is left out once a date bound is set). It filters on
        each chunk's metadata, in Chroma and in the keyword index alike."""
        from rag.index import date_number

        parts = []
        if outlets:
            parts.append({"outlet": {"$in": list(outlets)}})
        if date_from:
            parts.append({"date_num": {"$gte": date_number(date_from)}})
        if date_to:
            parts.append({"date_num": {"$lte": date_number(date_to)}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def _backend_label(self) -> tuple[str, str]:
        """The loaded model, or 'none' when no model has been needed yet (an early refusal)."""
        if "llm" in self.__dict__:
            return self.llm.backend, self.llm.model
        return "none", ""

    def as_query_engine(self):
        """A LlamaIndex query engine over this assistant: `.query(q)` returns a Response with
        source nodes."""
        from rag.query_engine import CitedQueryEngine

        return CitedQueryEngine(assistant=self)

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
                keyword_index=str(self.keywords.path),
                keyword_chunks=self.keywords.count(),
                chroma_search_api=self.store.search_api(),
            )
        info["expected_manifest"] = manifest(self.settings, _embed_model_name(self.settings))
        info["settings"] = {k: str(v) for k, v in self.settings.model_dump().items()}
        return info


def _and(a: dict | None, b: dict | None) -> dict | None:
    return {"$and": [a, b]} if a and b else a or b


def _article_row(meta: dict, chunks: int) -> dict:
    return {
        "source": meta["source"],
        **{k: meta.get(k) for k in ("title", "outlet", "author", "date")},
        "chunks": chunks,
    }


def _text_of(ids: list[str], docs: list[str], metas: list[dict]) -> str:
    from rag.chunking import article_from_chunks
    from rag.index import chunk_from_store

    return article_from_chunks([chunk_from_store(i, d, m) for i, d, m in zip(ids, docs, metas, strict=True)])


def _counter(llm):
    """Token counting for the prompt budget: the model's own tokenizer when it has one (llama.cpp),
    else tiktoken with a margin, since other models' tokenizers may split text finer."""
    if hasattr(llm, "count_tokens"):
        return llm.count_tokens
    from rag.tokens import count_tokens

    return lambda text: int(count_tokens(text) * 1.25) + 1


def final_answer(events: Iterator[str | Answer]) -> Answer:
    """Run a stream to its end and return the verified Answer it closes with."""
    answer = None
    for event in events:
        if isinstance(event, Answer):
            answer = event
    if answer is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return answer


def _embed_model_name(settings: Settings) -> str:
    from rag.model_files import EMBED_MODEL_ID

    return EMBED_MODEL_ID if settings.embed_backend == "onnx" else f"ollama:{settings.ollama_embed_model}"
