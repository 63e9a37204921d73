"""Split a cleaned article into token-bounded chunks on sentence boundaries, keeping offsets."""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.text import sentence_spans
from rag.types import Article, Chunk

__all__ = ["chunk_article", "sentence_spans"]


def _split_long(text: str, span: tuple[int, int], limit: int, count) -> list[tuple[int, int]]:
    """Cut a sentence longer than the chunk size at word boundaries."""
    words = [(m.start() + span[0], m.end() + span[0]) for m in re.finditer(r"\S+", text[span[0] : span[1]])]
    pieces, cur = [], None
    for ws, we in words:
        if cur and count(text[cur[0] : we]) > limit:
            pieces.append(cur)
            cur = None
        cur = (cur[0] if cur else ws, we)
    if cur:
        pieces.append(cur)
    return pieces


def chunk_article(
    article: Article, chunk_tokens: int, overlap: int, count: Callable[[str], int]
) -> list[Chunk]:
    text = article.text
    spans: list[tuple[int, int]] = []
    for span in sentence_spans(text):
        if count(text[span[0] : span[1]]) > chunk_tokens:
            spans.extend(_split_long(text, span, chunk_tokens, count))
        else:
            spans.append(span)
    sizes = [count(text[s:e]) for s, e in spans]

    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        j, total = i, 0
        while j < len(spans) and (j == i or total + sizes[j] <= chunk_tokens):
            total += sizes[j]
            j += 1
        start, end = spans[i][0], spans[j - 1][1]
        chunks.append(
            Chunk(
                id=f"{article.source}#{len(chunks)}",
                source=article.source,
                index=len(chunks),
                text=text[start:end],
                start=start,
                end=end,
                meta=article.meta,
                tokens=count(text[start:end]),
            )
        )
        if j >= len(spans):
            break
        # Step back over trailing sentences that fit in the overlap, always moving forward.
        k, back = j, 0
        while k - 1 > i and back + sizes[k - 1] <= overlap:
            k -= 1
            back += sizes[k]
        i = k
    return chunks


def article_from_chunks(chunks: list[Chunk]) -> str:
    """The article text back from its chunks, each at its offsets. Chunks cover every sentence, so
    what lies between two of them is the whitespace between sentences, which cleaning makes one
    space, or a blank line between paragraphs (tests/test_chunking.py checks the round trip)."""
    text = ""
    for chunk in sorted(chunks, key=lambda c: c.start):
        gap = chunk.start - len(text)
        if gap > 0:
            text += "\n\n" if gap == 2 else " " * gap
        if chunk.end > len(text):
            text = text[: chunk.start] + chunk.text
    return text
