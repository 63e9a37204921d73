"""Chunks are token-bounded, cut on sentence boundaries, overlap, and point back into the article."""

from __future__ import annotations

import pytest

from rag.chunking import article_from_chunks, chunk_article, sentence_spans
from rag.corpus import load_article
from rag.tokens import count_tokens
from rag.types import Article, ArticleMeta
from tests.conftest import CORPUS, REPO


def article(text: str) -> Article:
    return Article(source="a.txt", text=text, meta=ArticleMeta(), sha256="x")


def test_offsets_point_at_the_chunk_text_in_the_cleaned_article():
    for path in CORPUS.glob("*.txt"):
        art = load_article(path)
        for chunk in chunk_article(art, 120, 20, count_tokens):
            assert art.text[chunk.start : chunk.end] == chunk.text


def test_chunks_respect_the_token_budget_and_cover_the_article():
    art = load_article(CORPUS / "000_58a7cbc6ed29d5f2.txt")
    chunks = chunk_article(art, 150, 30, count_tokens)
    assert all(c.tokens <= 150 for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(art.text)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert not art.text[before.end : after.start].strip()  # nothing but whitespace skipped


def test_chunks_start_on_sentence_starts():
    art = load_article(CORPUS / "003_1fc0ec52a08fea6b.txt")
    starts = {s for s, _ in sentence_spans(art.text)}
    for chunk in chunk_article(art, 100, 20, count_tokens):
        assert chunk.start in starts


def test_consecutive_chunks_overlap_by_whole_sentences():
    text = " ".join(f"Sentence number {i} says something about Kursk." for i in range(40))
    chunks = chunk_article(article(text), 60, 20, count_tokens)
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start < before.end
        assert before.text.endswith(text[after.start : before.end])


def test_zero_overlap_means_no_shared_text():
    text = " ".join(f"Sentence number {i} says something." for i in range(40))
    chunks = chunk_article(article(text), 50, 0, count_tokens)
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start > before.end - 1


def test_abbreviations_do_not_end_sentences():
    spans = sentence_spans("The U.S. estimates that 8,000 soldiers are there. Mr. Kim agreed. Then he left.")
    assert len(spans) == 3


def test_a_sentence_longer_than_a_chunk_is_cut_at_words():
    text = "word " * 500 + "end."
    chunks = chunk_article(article(text.strip()), 64, 0, count_tokens)
    assert len(chunks) > 5
    assert all(c.tokens <= 64 for c in chunks)
    assert all(not c.text.startswith(" ") for c in chunks)


@pytest.mark.parametrize(("size", "overlap"), [(30, 0), (60, 10), (200, 40)])
def test_an_article_put_back_from_its_chunks_is_the_cleaned_article(size, overlap):
    paths = sorted(CORPUS.glob("*.txt")) + sorted((REPO / "tests" / "data" / "outside").rglob("*.txt"))
    for path in paths:
        article = load_article(path)
        chunks = chunk_article(article, size, overlap, count_tokens)
        assert article_from_chunks(list(reversed(chunks))) == article.text, path.name
