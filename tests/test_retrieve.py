"""Hybrid retrieval on the real corpus, and the fusion and tokenising it is built from."""

from __future__ import annotations

import pytest

from rag.retrieve import fuse, keyword_tokens
from tests.conftest import DOLLARS_QUESTION, VOA


def test_fusion_rewards_agreement_and_honours_weights():
    scores = fuse([(["a", "b", "c"], 1.0), (["b", "c", "a"], 1.0)], k=60)
    assert max(scores, key=scores.get) == "b"
    only_dense = fuse([(["a", "b"], 1.0), (["b", "a"], 0.0)], k=60)
    assert max(only_dense, key=only_dense.get) == "a"


def test_keyword_tokens_unify_digit_grouping_and_drop_stopwords():
    assert keyword_tokens("The 10,000 troops of Russia’s army") == ["10000", "troops", "russia", "army"]
    assert keyword_tokens("$200 million") == ["200", "million"]


@pytest.mark.slow
def test_dollar_question_ranks_the_voa_chunk_with_200_million_first(indexed):
    top = indexed.search(DOLLARS_QUESTION)[0]
    assert top.rank == 1 and top.chunk.source == VOA
    assert "$200 million" in top.chunk.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "source", "needle"),
    [
        (
            "Who is the NATO Secretary General who confirmed the deployment?",
            "004_d8202d8143fa868b.txt",
            "Rutte",
        ),
        ("Yang Moo-jin University of North Korean Studies", "001_afe1bc3c037852f7.txt", "Yang Moo-jin"),
    ],
)
def test_names_and_numbers_find_their_article(indexed, query, source, needle):
    hits = indexed.search(query, k=3)
    assert hits[0].chunk.source == source and needle in hits[0].chunk.text


@pytest.mark.slow
def test_hits_carry_rank_score_source_chunk_id_metadata_and_text(indexed):
    hits = indexed.search("Korea Herald experts debt", k=4)
    assert [h.rank for h in hits] == [1, 2, 3, 4]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))
    row = hits[0].to_dict()
    assert {"rank", "score", "source", "chunk_id", "title", "outlet", "date", "text", "start", "end"} <= set(
        row
    )


@pytest.mark.slow
def test_where_filter_limits_both_rankings(indexed):
    hits = indexed.search("troops in Kursk", k=5, where={"outlet": "Voice of America"})
    assert hits and all(h.chunk.meta.outlet == "Voice of America" for h in hits)
