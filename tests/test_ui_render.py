"""The page's HTML from an Answer dict: escaping, marker links, the highlighted quote."""

import html
import re

import pytest

from ui import render

CHUNK = "Intro sentence here. North Korea will receive about $200 million from Moscow. <b>Tail</b> text."
QUOTE = "North Korea will receive about $200 million from Moscow."


def answer(text="It gets $200 million [1]. Also [2].", refused=False, extractive=False, claims=None):
    start = CHUNK.index(QUOTE)
    if claims is None:
        claims = [
            {"text": "It gets $200 million.", "kind": "generated", "citations": [1]},
            {"text": "Also.", "kind": "generated", "citations": [2]},
        ]
    return {
        "answer": text,
        "claims": claims,
        "refused": refused,
        "extractive": extractive,
        "backend": "llamacpp",
        "model": "m",
        "timings": {"total_ms": 1500},
        "citations": [
            {
                "n": 1,
                "source": "a.txt",
                "title": "T <i>",
                "outlet": "VOA",
                "date": "2024-11-01",
                "chunk_id": "a.txt#0",
                "quote": QUOTE,
                "start": 100 + start,
                "end": 100 + start + len(QUOTE),
            }
        ],
        "contexts": [
            {"rank": 1, "source": "a.txt", "chunk_id": "a.txt#0", "score": 1.0, "text": CHUNK, "start": 100}
        ],
    }


def test_known_markers_become_links_to_their_cards_and_unknown_ones_stay_text():
    html = render.answer_html(answer(), "s1")
    assert '<a class="cite" href="#src-s1-1"' in html
    assert "[2]" in html and "#src-s1-2" not in html
    assert "verified" in html


def test_quote_and_refusal_are_marked():
    assert "quoted" in render.answer_html(answer(extractive=True), "s")
    assert "refused" in render.answer_html(answer(refused=True), "s")


def test_source_card_highlights_the_quote_by_offsets_and_escapes_article_text():
    html = render.sources_html(answer(), "s1", {"a.txt": "x" * 100 + CHUNK})
    assert 'id="src-s1-1"' in html
    assert f"<mark>{QUOTE}</mark>" in html
    assert "&lt;b&gt;Tail&lt;/b&gt;" in html and "<b>Tail" not in html
    assert "T &lt;i&gt;" in html
    assert "whole article" in html and "full chunk a.txt#0" in html


def test_answer_text_from_the_model_is_escaped():
    claims = [{"text": "<script>alert(1)</script> ok.", "kind": "generated", "citations": [1]}]
    html = render.answer_html(answer(claims=claims), "s")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_answer_is_rendered_from_its_claims_with_quotes_and_the_conflict_block():
    claims = [
        {"text": "It gets $200 million.", "kind": "quote", "citations": [1]},
        {"text": "Others say $100 million.", "kind": "conflict", "citations": [1]},
    ]
    html = render.answer_html(answer(text="ignored", extractive=True, claims=claims), "s")
    assert "“It gets $200 million.”" in html and "ignored" not in html
    assert html.index("$200 million") < html.index("The sources disagree") < html.index("$100 million")


def test_a_refusal_lists_the_closest_passages_for_the_reader_to_judge():
    a = answer(text="The articles don't cover this.", refused=True, claims=[])
    a["closest"] = [dict(a["citations"][0])]
    a["citations"] = []
    html = render.sources_html(a, "s")
    assert "closest passages" in html and QUOTE in html


def test_the_quick_answer_is_marked_as_such():
    a = {**answer(extractive=True), "preliminary": True}
    assert "quick answer" in render.answer_html(a, "s")


@pytest.mark.parametrize(
    "planted",
    [
        "![x](http://198.51.100.7/x.png)",
        "[click](http://198.51.100.7/)",
        "[ref]\n\n[ref]: http://198.51.100.7/",
        "<http://198.51.100.7/>",
        "http://198.51.100.7/x.png",
        "www.example.org/x.png",
        '<img src="http://198.51.100.7/x.png">',
    ],
)
def test_text_from_articles_or_the_model_cannot_become_an_image_link_or_html(planted):
    inert = render.text(planted)
    assert not re.search(r"[\[\]<>]|://|www\.", inert)
    assert html.unescape(inert) == planted  # shown as it was written


def test_a_source_card_links_to_the_articles_web_address_only_for_http_urls():
    a = answer()
    a["citations"][0]["url"] = "https://news.example.org/port?a=1&b=2"
    html_out = render.sources_html(a, "s")
    link = '<a href="https://news.example.org/port?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">'
    assert link + "open</a>" in html_out
    a["citations"][0]["url"] = "javascript:alert(1)"
    assert "javascript:" not in render.sources_html(a, "s")


def test_a_timeline_renders_as_a_dated_list_with_its_source_links_and_the_outlets():
    claims = [
        {"text": "Troops arrived.", "kind": "event", "citations": [1], "date": "2024-10-24", "as_of": False},
        {
            "text": "More <b>troops</b> arrived.",
            "kind": "event",
            "citations": [1],
            "date": "2024-11-07",
            "as_of": False,
        },
    ]
    a = {**answer(claims=claims), "timeline": True, "undated": 2}
    a["outlets"] = {
        "reporting": [{"outlet": "VOA", "articles": ["a.txt"], "stories": 1}],
        "not_reporting": [{"outlet": "Al-Ahram <i>", "articles": ["b.txt"], "stories": 1}],
        "copies": [["a.txt", "c.txt"]],
    }
    shown = render.answer_html(a, "s")
    items = re.findall(r"<li><b>([^<]+)</b>", shown)
    assert items == ["24 October 2024", "7 November 2024"]
    assert '<ol class="timeline">' in shown and 'href="#src-s-1"' in shown
    assert "&lt;b&gt;troops&lt;/b&gt;" in shown and "<b>troops</b>" not in shown
    assert "2 relevant articles state no date" in shown and "timeline" in shown
    assert "Reported by: VOA (1) · covered without saying it: Al-Ahram &lt;i&gt; (1)" in shown
    assert "1 near-duplicate copies counted once" in shown


def test_a_dated_answer_says_as_of_when_and_updates_follow_in_date_order():
    claims = [
        {
            "text": "The estimate is 12,000 troops.",
            "kind": "generated",
            "citations": [1],
            "date": "2024-11-07",
            "as_of": True,
        },
        {"text": "10,000 troops.", "kind": "update", "citations": [1], "date": "2024-10-30", "as_of": False},
        {"text": "3,000 troops.", "kind": "update", "citations": [1], "date": "2024-07-25", "as_of": False},
    ]
    a = {**answer(claims=claims), "time_note": "“now” read as of today"}
    shown = render.answer_html(a, "s")
    assert "As of 7 November 2024, the estimate is 12,000 troops" in shown
    assert shown.index("25 July 2024") < shown.index("30 October 2024")
    assert "Reported on other dates, oldest first:" in shown and "disagree" not in shown
