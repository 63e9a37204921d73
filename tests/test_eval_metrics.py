"""Eval metrics on hand-made cases, including the known traps."""

import json
from pathlib import Path

import pytest

from eval import metrics
from eval.gold import GoldError, load_gold
from eval.judge import judge_summary, parse_verdict
from eval.report import below_floor, compare, parse_floors, reasons
from rag.errors import RagError

CHUNK_A = "North Korea will receive about $200 million from Moscow, according to an estimate."
CHUNK_B = "NATO Secretary General Mark Rutte spoke on 28 October about North Korean troops in Kursk."


def answer(text, cited=(), contexts=None, refused=False, **extra):
    contexts = (
        contexts
        if contexts is not None
        else [
            {"rank": 1, "source": "a.txt", "chunk_id": "a.txt#0", "score": 1.0, "text": CHUNK_A},
            {"rank": 2, "source": "b.txt", "chunk_id": "b.txt#0", "score": 0.5, "text": CHUNK_B},
        ]
    )
    by_id = {c["chunk_id"]: c for c in contexts}
    citations = [
        {"n": n, "source": by_id[cid]["source"], "chunk_id": cid, "quote": by_id[cid]["text"]}
        for n, cid in cited
    ]
    return {
        "answer": text,
        "citations": citations,
        "contexts": contexts,
        "refused": refused,
        "timings": {"retrieve_ms": 5.0, "generate_ms": 1000.0, "total_ms": 1005.0},
        "tokens_generated": 20,
        **extra,
    }


def gold(facts=(("200 million",),), sources=("a.txt",), answerable=True, **extra):
    return {
        "id": "x",
        "question": "q",
        "answer": "About $200 million.",
        "facts": [list(f) for f in facts],
        "sources": list(sources),
        "answerable": answerable,
        "history": [],
        "conflict": None,
        **extra,
    }


# --- normalisation and facts ---
@pytest.mark.parametrize(
    "fact, text",
    [
        ("10,000", "more than 10000 soldiers"),
        ("10000", "more than 10,000 soldiers"),
        ("hwasong-19", "a Hwasong–19 missile"),
        ("kim yo-jong", "Kim Yo Jong said"),
        ("28 october", "on 28 October [1]."),
        ("all in", "he is “all-in”"),
    ],
)
def test_fact_matching_normalises_case_quotes_dashes_and_digit_grouping(fact, text):
    assert metrics.fact_holds([fact], text)


@pytest.mark.parametrize(
    "fact, text", [("80", "in 1980"), ("80", "800 troops"), ("200 million", "20 million")]
)
def test_fact_matching_does_not_match_inside_other_numbers(fact, text):
    assert not metrics.fact_holds([fact], text)


def test_fact_recall_counts_each_fact_once_and_any_alternative_will_do():
    facts = [["rutte"], ["28 october", "october 28"]]
    assert metrics.fact_scores(facts, "Mark Rutte spoke on October 28.") == (1.0, True)
    assert metrics.fact_scores(facts, "Mark Rutte spoke.") == (0.5, False)
    assert metrics.fact_scores([], "anything") == (0.0, False)


def test_token_f1():
    assert metrics.token_f1("About $200 million [1].", "about $200 million") == 1.0
    assert metrics.token_f1("", "about $200 million") == 0.0
    assert 0 < metrics.token_f1("200 million dollars", "about 200 million") < 1


def test_crag_score_makes_refusing_better_than_inventing():
    assert metrics.crag_score(True, False, True) == 1
    assert metrics.crag_score(True, True, False) == 0
    assert metrics.crag_score(True, False, False) == -1
    assert metrics.crag_score(False, True, False) == 1
    assert metrics.crag_score(False, False, False) == -1


# --- retrieval ---
def test_duplicate_sources_do_not_push_hit_rates_above_one():
    contexts = [{"source": "a.txt"}, {"source": "a.txt"}, {"source": "a.txt"}]
    scores = metrics.retrieval_scores(["a.txt", "a.txt"], contexts)
    assert scores == {"hit": 1.0, "rr": 1.0, "source_recall": 1.0}


def test_empty_contexts_do_not_score_perfect_recall():
    assert metrics.retrieval_scores(["a.txt"], []) == {"hit": 0.0, "rr": 0.0, "source_recall": 0.0}


def test_reciprocal_rank_and_partial_recall():
    contexts = [{"source": "c.txt"}, {"source": "b.txt"}, {"source": "c.txt"}]
    assert metrics.retrieval_scores(["b.txt", "a.txt"], contexts) == {
        "hit": 1.0,
        "rr": 0.5,
        "source_recall": 0.5,
    }


# --- citations ---
def test_supported_sentence_with_its_citation_scores_full_recall_and_precision():
    a = answer("North Korea will receive about $200 million from Moscow [1].", cited=[(1, "a.txt#0")])
    s = metrics.citation_scores(a, metrics.pipeline_support(0.6))
    assert s == {"sentences": 1, "citation_recall": 1.0, "citation_precision": 1.0, "out_of_range": 0}
    assert metrics.citation_scores(a, metrics.strict_support)["citation_recall"] == 1.0


def test_unneeded_extra_citation_lowers_precision_not_recall():
    a = answer(
        "North Korea will receive about $200 million from Moscow [1][2].",
        cited=[(1, "a.txt#0"), (2, "b.txt#0")],
    )
    s = metrics.citation_scores(a, metrics.pipeline_support(0.6))
    assert s["citation_recall"] == 1.0 and s["citation_precision"] == 0.5


def test_wrong_number_is_unsupported_and_uncited_sentence_counts_against_recall():
    a = answer(
        "North Korea will receive about $300 million from Moscow [1]. Rutte spoke in Kursk.",
        cited=[(1, "a.txt#0")],
    )
    s = metrics.citation_scores(a, metrics.pipeline_support(0.6))
    assert s["sentences"] == 2 and s["citation_recall"] == 0.0 and s["citation_precision"] == 0.0


def test_out_of_range_markers_are_counted():
    a = answer("North Korea will receive about $200 million from Moscow [1][7].", cited=[(1, "a.txt#0")])
    assert metrics.citation_scores(a, metrics.pipeline_support(0.6))["out_of_range"] == 1


def test_strict_check_rejects_a_paraphrase_the_stemmed_test_accepts():
    sentence = "North Korea receives about $200 million from Moscow, estimates say."
    assert metrics.pipeline_support(0.6)(sentence, CHUNK_A)
    assert not metrics.strict_support(sentence, CHUNK_A)


def test_quote_and_conflict_headers_are_not_claims():
    text = (
        "No generated answer could be verified; quoting the articles: “North Korea will receive about "
        "$200 million from Moscow, according to an estimate.” [1] The sources disagree: “NATO Secretary "
        "General Mark Rutte spoke on 28 October about North Korean troops in Kursk.” [2]"
    )
    a = answer(text, cited=[(1, "a.txt#0"), (2, "b.txt#0")])
    assert metrics.citation_scores(a, metrics.strict_support)["citation_recall"] == 1.0
    assert len(metrics.answer_claims({"answer": text})) == 2


def test_a_fact_found_only_in_the_conflict_block_is_not_the_answer():
    claims = [
        {"text": "North Korea will receive about $100 million.", "kind": "generated", "citations": [1]},
        {"text": "North Korea will receive about $200 million.", "kind": "conflict", "citations": [2]},
    ]
    a = {**answer("…", cited=[(1, "a.txt#0"), (2, "b.txt#0")]), "claims": claims}
    scored = metrics.score_item(gold(), a, 0.6)
    assert scored["fact_recall"] == 0.0 and not scored["correct"]
    # older reports without claims: the text before the conflict header
    old = answer("About $100 million [1]. The sources disagree: “About $200 million.” [2]")
    assert metrics.score_item(gold(), old, 0.6)["fact_recall"] == 0.0


def test_outcome_rates_count_found_refused_and_wrong_over_answerable_items():
    items = [
        {"answerable": True, "refused": False, "correct": True, "cited_right": True},
        {"answerable": True, "refused": True, "correct": False},
        {"answerable": True, "refused": False, "correct": False},
        {"answerable": True, "refused": False, "correct": True, "cited_right": False},
        {"answerable": False, "refused": True},
        {"answerable": False, "refused": False},
    ]
    rates = metrics.outcome_rates(items)
    assert rates == {
        "answer_found": 0.5,
        "cited_right": 0.25,
        "false_refusals": 0.25,
        "wrong_answers": 0.25,
        "unanswerable_refused": 0.5,
    }


# --- items and aggregate ---
def test_refusal_of_an_unanswerable_item_and_false_refusal_of_an_answerable_one():
    good = metrics.score_item(
        gold(facts=(), sources=(), answerable=False),
        answer("The articles don't cover this.", refused=True),
        0.6,
    )
    bad = metrics.score_item(gold(), answer("The articles don't cover this.", refused=True), 0.6)
    invented = metrics.score_item(
        gold(facts=(), sources=(), answerable=False),
        answer("Pyongyang has 3 million people [1].", cited=[(1, "a.txt#0")]),
        0.6,
    )
    agg = metrics.aggregate([good, bad, invented], [])
    assert agg["refusal_precision"] == 0.5 and agg["refusal_recall"] == 0.5 and agg["refusal_f1"] == 0.5
    assert agg["false_refusal_rate"] == 1.0
    assert agg["crag_score"] == pytest.approx((1 + 0 - 1) / 3)


def test_refused_answer_gets_no_fact_credit_and_no_citation_scores():
    s = metrics.score_item(gold(), answer("200 million", refused=True), 0.6)
    assert s["fact_recall"] == 0.0 and "citation_recall" not in s


def test_conflict_item_needs_both_sides_cited():
    g = gold(facts=(("june", "july"),), sources=("a.txt", "b.txt"), conflict="dates differ")
    one = answer("North Korea will receive about $200 million from Moscow [1].", cited=[(1, "a.txt#0")])
    both = answer("x [1] y [2].", cited=[(1, "a.txt#0"), (2, "b.txt#0")])
    assert metrics.score_item(g, one, 0.6)["both_sides_cited"] is False
    assert metrics.score_item(g, both, 0.6)["both_sides_cited"] is True


def test_aggregate_latency_throughput_and_errors():
    a = answer("North Korea will receive about $200 million from Moscow [1].", cited=[(1, "a.txt#0")])
    s = metrics.score_item(gold(), a, 0.6)
    agg = metrics.aggregate([s, None], [a, None])
    assert agg["errors"] == 1 and agg["questions"] == 2
    assert agg["accuracy"] == 1.0 and agg["total_ms_p50"] == 1005.0
    assert agg["tokens_per_s"] == pytest.approx(20.0)


# --- gold file ---
def test_gold_loader_names_the_bad_line(tmp_path):
    path = tmp_path / "g.jsonl"
    good = json.dumps(gold())
    path.write_text(good + "\n" + json.dumps({**gold(), "id": "y", "facts": "200"}) + "\n")
    with pytest.raises(GoldError, match=r"g.jsonl:2: field 'facts' must be a list"):
        load_gold(path)
    path.write_text(good + "\n" + good + "\n")
    with pytest.raises(GoldError, match="duplicate id 'x'"):
        load_gold(path)
    path.write_text("{not json\n")
    with pytest.raises(GoldError, match="g.jsonl:1: not JSON"):
        load_gold(path)


def test_bundled_gold_sets_split_into_dev_and_test_without_overlap_each_with_the_required_mix():
    from eval.gold import SETS

    dev, test = load_gold(SETS / "bundled-dev.jsonl"), load_gold(SETS / "bundled-test.jsonl")
    assert len(dev) + len(test) >= 49
    assert not {i["id"] for i in dev} & {i["id"] for i in test}
    assert not {i["question"] for i in dev} & {i["question"] for i in test}
    for items in (dev, test):
        assert sum(not i["answerable"] for i in items) >= 4
        assert any(i["history"] for i in items) and any(i["conflict"] for i in items)


def test_the_held_out_nyt_set_shares_no_article_with_the_nyt_dev_slice():
    from eval.gold import SETS

    nyt_test = SETS / "nyt-test"
    items = load_gold(nyt_test / "gold.jsonl")
    corpus = {p.name for p in (nyt_test / "corpus").glob("*.txt")}
    assert len(corpus) == 150 and sum(i["answerable"] for i in items) == 60
    assert all(set(i["sources"]) <= corpus for i in items)
    dev_corpus = Path(__file__).resolve().parents[2] / "shared" / "external" / "nyt-dev" / "corpus"
    if dev_corpus.is_dir():  # shared/ sits beside the checkout in CI and on developers' machines
        assert not corpus & {p.name for p in dev_corpus.glob("*.txt")}


# --- judge, floors, compare ---
@pytest.mark.parametrize(
    "reply, verdict",
    [
        ('{"correct": true, "faithful": false, "reason": "x"}', {"correct": True, "faithful": False}),
        ('Sure! ```json\n{"correct": "yes", "faithful": "yes"}\n```', {"correct": True, "faithful": True}),
        ("I think it is correct.", None),
        ('{"correct": maybe}', None),
        ('{"correct": true}', None),
        ("", None),
    ],
)
def test_judge_reply_parsing_never_raises(reply, verdict):
    assert parse_verdict(reply) == verdict


def test_judge_parse_failures_are_counted():
    s = judge_summary([{"correct": True, "faithful": True}, {"parse_failure": True}, None])
    assert s == {"judge_correct": 1.0, "judge_faithful": 1.0, "judge_parse_failures": 1}


def test_floors_and_compare():
    known = {"fact_recall": 0.5, "citation_recall": 0.9}
    floors = parse_floors(["fact_recall=0.6", "citation_recall=0.8"], known)
    assert below_floor(known, floors) == ["fact_recall 0.500 < 0.6"]
    with pytest.raises(RagError, match="unknown metric"):
        parse_floors(["recall=1"], known)
    with pytest.raises(RagError, match="metric=value"):
        parse_floors(["fact_recall"], known)
    table = compare({"aggregate": {"fact_recall": 0.6}}, {"aggregate": {"fact_recall": 0.5}})
    assert "0.100" in table and "better" in table


def test_failure_reasons_say_what_went_wrong():
    g = gold(facts=(("200 million",), ("moscow",)))
    a = answer("Moscow pays [1].", cited=[(1, "a.txt#0")])
    item = {"id": "x", "gold": g, "result": a, "scores": metrics.score_item(g, a, 0.6), "error": None}
    assert any("missing facts: 200 million" in r for r in reasons(item))
