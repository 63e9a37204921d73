"""Each cleaning rule, checked on the real corpus file where that chrome occurs."""

from __future__ import annotations

import pytest

from rag.cleaning import drop_reason, tidy_line
from rag.corpus import load_article
from tests.conftest import CORPUS


def raw(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def cleaned(name: str) -> str:
    return load_article(CORPUS / name).text


@pytest.mark.parametrize(
    ("source", "chrome", "rule"),
    [
        ("000_58a7cbc6ed29d5f2.txt", "Comments are closed.", "comments closed"),
        ("000_58a7cbc6ed29d5f2.txt", "This website uses cookies", "cookie notice"),
        ("000_58a7cbc6ed29d5f2.txt", "LondonGBDESK//", "desk code"),
        ("001_afe1bc3c037852f7.txt", "burs-hs/dhc", "editor initials"),
        ("001_afe1bc3c037852f7.txt", "Text size:", "text size control"),
        ("001_afe1bc3c037852f7.txt", "Photo: ANTHONY WALLACE - AFP", "photo credit line"),
        ("002_1ae320be542dd78b.txt", "restmb_idxmake2-10.jpg", "image file name"),
        ("002_1ae320be542dd78b.txt", "scroll to top", "scroll to top"),
        ("004_d8202d8143fa868b.txt", "Short link:", "short link"),
    ],
)
def test_chrome_in_the_real_file_is_removed_by_its_rule(source, chrome, rule):
    line = next(ln.strip() for ln in raw(source).split("\n") if chrome in ln)
    assert drop_reason(line) == rule
    assert chrome not in cleaned(source)


def test_photo_credit_after_a_caption_is_cut_but_the_caption_stays():
    text = cleaned("002_1ae320be542dd78b.txt")
    assert "PHOTO: YONHAP" not in text
    assert "inspects a strategic missile base with a Hwasong-18" in text


def test_section_label_place_label_and_stray_number_are_removed():
    assert "IN THE NEWS" not in cleaned("001_afe1bc3c037852f7.txt")
    assert "Pennsylvania -" not in cleaned("001_afe1bc3c037852f7.txt")
    assert drop_reason("10") == "lone number"
    assert not cleaned("000_58a7cbc6ed29d5f2.txt").startswith("10")


def test_headline_repeated_in_the_body_appears_once_as_title_only():
    article = load_article(CORPUS / "001_afe1bc3c037852f7.txt")
    assert article.meta.title == "North Korea confirms troop deployment to Russia's Kursk"
    assert "North Korea confirms troop deployment to Russia's Kursk" not in article.text


def test_signature_and_byline_lines_leave_the_body():
    assert "K.Morris--PI" not in cleaned("001_afe1bc3c037852f7.txt")
    assert "Ji Da-gyum" not in cleaned("002_1ae320be542dd78b.txt")
    voa = cleaned("003_1fc0ec52a08fea6b.txt")
    assert "Christy Lee" not in voa
    assert voa.startswith("Washington — Pyongyang may have bet all its chips")


def test_dashed_subheading_keeps_its_words():
    assert tidy_line("- 'Ease internal backlash' -") == "Ease internal backlash"
    assert "Ease internal backlash" in cleaned("001_afe1bc3c037852f7.txt")


@pytest.mark.parametrize(
    "line",
    [
        "North Korea will receive about $200 million from Moscow for its troop deployment.",
        "Long-term commitment",
        "10,000 soldiers",
        "NATO",
        "Transactional relationship",
        "Kim Jong Un said the photo was taken in 2024.",
    ],
)
def test_article_text_is_not_mistaken_for_chrome(line):
    assert drop_reason(line) is None


def test_every_sentence_with_a_number_survives_cleaning():
    for path in sorted(CORPUS.glob("*.txt")):
        text = load_article(path).text
        for figure in ("$200 million", "10,000", "12,000", "7,000", "8,000", "3,000"):
            if figure in path.read_text(encoding="utf-8"):
                assert figure in text, (path.name, figure)
