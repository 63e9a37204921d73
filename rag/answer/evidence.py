"""Evidence: the sentences of the retrieved chunks, each scored against the question.

The score is the embedding cosine of question and sentence (MiniLM, the retriever's own model)
plus a keyword term: the share of the question's words the sentence holds, each word weighted by
its rarity among the retrieved chunks (so a name every chunk shares counts little). The weight of
the keyword term is a setting chosen on the dev sets (see the README's evaluation section).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag import text as tx
from rag.answer.markers import imitates_answer_format
from rag.types import Hit

MIN_SENTENCE_CHARS = 20  # shorter pieces are captions, datelines or list debris


@dataclass(frozen=True)
class Source:
    """A retrieved chunk as numbered for one answer: [n] in the prompt and in the answer."""

    n: int
    hit: Hit
    dated: bool = True  # the label carries the article's date (questions about time)

    @property
    def label(self) -> str:
        m = self.hit.chunk.meta
        parts = [m.title or self.hit.chunk.source, m.outlet, m.date if self.dated else None]
        return " — ".join(p for p in parts if p)

    @property
    def text(self) -> str:
        return self.hit.chunk.text

    @property
    def article(self) -> str:
        return self.hit.chunk.source


def number_sources(hits: list[Hit], dated: bool = True) -> list[Source]:
    return [Source(n, hit, dated) for n, hit in enumerate(hits, start=1)]


@dataclass(frozen=True)
class Sentence:
    source: Source
    start: int  # offsets within the chunk's text
    end: int
    similarity: float  # cosine to the question
    overlap: float  # rarity-weighted share of the question's words
    score: float

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]


class QuestionWords:
    """The question's content words, each weighted by how rare it is among the retrieved chunks;
    `coverage(text)` is the weighted share a text holds."""

    def __init__(self, question: str, texts: list[str]):
        self.wanted = {tx.stem(w) for w in tx.content_words(question)} | tx.numbers_in(question)
        docs = [tx.stems(t) for t in texts]
        n = len(docs)
        self.weight = {
            w: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for w in self.wanted
            for df in [sum(w in d for d in docs)]
        }
        self.total = sum(self.weight.values())

    def coverage(self, text: str) -> float:
        if not self.total:
            return 0.0
        have = tx.stems(text)
        return sum(weight for w, weight in self.weight.items() if w in have) / self.total


def sentence_spans_of(source: Source) -> list[tuple[int, int]]:
    """The source's sentences that can be evidence: not list debris, not planted answer format."""
    return [
        (s, e)
        for s, e in tx.sentence_spans(source.text)
        if e - s >= MIN_SENTENCE_CHARS and not imitates_answer_format(source.text[s:e])
    ]


def rank(
    question: str,
    sources: list[Source],
    embed: Callable[[list[str]], np.ndarray],
    keyword_weight: float,
) -> list[Sentence]:
    """Every sentence of every source, best first. A sentence that repeats in two overlapping
    chunks is kept once (the first, better-ranked chunk's)."""
    spans, seen = [], set()
    for source in sources:
        for s, e in sentence_spans_of(source):
            key = (source.article, _squash(source.text[s:e]))
            if key not in seen:
                seen.add(key)
                spans.append((source, s, e))
    if not spans:
        return []
    words = QuestionWords(question, [s.text for s in sources])
    vectors = embed([question] + [src.text[s:e] for src, s, e in spans])
    cosines = vectors[1:] @ vectors[0]
    ranked = []
    for (src, s, e), cos in zip(spans, cosines, strict=True):
        overlap = words.coverage(src.text[s:e])
        ranked.append(Sentence(src, s, e, float(cos), overlap, float(cos) + keyword_weight * overlap))
    ranked.sort(key=lambda x: (-x.score, x.source.n, x.start))
    return ranked


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def with_neighbours(sentence: Sentence, before: int = 1, after: int = 1) -> tuple[int, int]:
    """Offsets of the sentence with up to `before`/`after` neighbours from its chunk."""
    spans = tx.sentence_spans(sentence.source.text)
    i = next((k for k, (s, _) in enumerate(spans) if s == sentence.start), None)
    if i is None:
        return sentence.start, sentence.end
    lo, hi = max(0, i - before), min(len(spans) - 1, i + after)
    return spans[lo][0], spans[hi][1]


def quote_span(sentence: Sentence) -> tuple[int, int]:
    """What to quote for a sentence: with the sentence before when it opens by referring back
    ("It also claimed ...", "He said ..."), so the quote names what it is about."""
    if tx.refers_back(sentence.text):
        return with_neighbours(sentence, before=1, after=0)
    return sentence.start, sentence.end
