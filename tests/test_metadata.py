"""Title, outlet, author and date found in the real articles' headers and footers."""

from __future__ import annotations

import pytest

from rag.corpus import load_article
from rag.metadata import extract, parse_date
from tests.conftest import CORPUS

EXPECTED = {
    "000_58a7cbc6ed29d5f2.txt": dict(
        title="North Korea formalises troop deployment, signals deeper alliance with Russia",
        outlet=None,
        author=None,
        date=None,
    ),
    "001_afe1bc3c037852f7.txt": dict(
        title="North Korea confirms troop deployment to Russia's Kursk",
        outlet="Philadelphia Independent",
        author="K.Morris",
        date=None,
    ),
    "002_1ae320be542dd78b.txt": dict(
        title="North Korea’s support puts Russian President Putin in its debt, say experts",
        outlet="The Korea Herald",
        author="Ji Da-gyum",
        date="2024-10-24",
    ),
    "003_1fc0ec52a08fea6b.txt": dict(
        title="Analysts: North Korea's ties with Russia elevate danger to itself",
        outlet="Voice of America",
        author="Christy Lee",
        date=None,
    ),
    "004_d8202d8143fa868b.txt": dict(title=None, outlet="Al-Ahram Weekly", author=None, date="2024-11-07"),
}


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_metadata_of_each_bundled_article(source):
    meta = load_article(CORPUS / source).meta
    assert {k: getattr(meta, k) for k in EXPECTED[source]} == EXPECTED[source]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("October 24, 2024", "2024-10-24"),
        ("7 November, 2024", "2024-11-07"),
        ("24 Oct. 2024", "2024-10-24"),
        ("2024-10-24T09:00:00Z", "2024-10-24"),
        ("Octember 24, 2024", None),
        ("the 24th", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_sentence_starting_with_by_is_not_a_byline():
    meta, body = extract(["A headline about things here", "By promising benefits, the state eased it."])
    assert meta.author is None
    assert body == ["By promising benefits, the state eased it."]


def test_an_outlet_is_matched_as_a_whole_word_and_the_date_after_a_byline_is_kept():
    """Issue 10, item 2: "April" is not the outlet "AP"; "Apple Daily" is not "AP"."""
    meta, body = extract(
        ["A headline about the budget vote", "By Jane Doe, April 3, 2024", "The vote passed."]
    )
    assert (meta.author, meta.outlet, meta.date) == ("Jane Doe", None, "2024-04-03")
    assert body == ["The vote passed."]
    meta, body = extract(["A headline about the budget vote", "By Jane Doe, Apple Daily", "The vote passed."])
    assert meta.outlet != "AP" and meta.author == "Jane Doe"
    meta, _ = extract(
        ["A headline about the budget vote", "By Jane Doe, AP, April 3, 2024", "The vote passed."]
    )
    assert (meta.outlet, meta.date) == ("AP", "2024-04-03")


def test_an_unknown_outlet_line_is_not_taken_as_the_author():
    meta, body = extract(["A headline about the budget vote", "Apple Daily", "The vote passed."])
    assert meta.author is None
    assert meta.outlet == "Apple Daily"
    meta, _ = extract(["A headline about the budget vote", "Jane Doe", "The vote passed."])
    assert meta.author == "Jane Doe"
