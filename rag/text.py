"""The one tokeniser every stage shares: sentences, words, stems, numbers, names, months.

Pure functions over text; no model, no I/O. Retrieval (BM25 tokens), chunking (sentence spans),
evidence ranking, verification and the eval all read text through this module.
"""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "maj", "st", "jr", "sr",
    "no", "vol", "vs", "etc", "e.g", "i.e", "u.s", "u.n", "u.k", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "co", "corp", "ltd", "rep",
    "sen", "gov", "pres", "adm",
    # news style's state abbreviations that are not also common words ("Ark.", "Calif.")
    "ala", "ariz", "ark", "calif", "colo", "conn", "fla", "kan", "kans", "ky", "md", "mich",
    "minn", "mont", "neb", "nev", "okla", "tenn", "tex", "vt", "wis", "wyo",
}  # fmt: skip
_BOUNDARY = re.compile(r"(?<=[.!?])[”\"’')\]]*(\s+)(?=[“\"‘'(\[A-Z0-9])|\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][”\"’')\]]*$")

STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have he her his
    how i if in into is it its may might more most much not of on or our she should so than that
    the their them then there these they this those to was we were what when where which while who
    whom why will with would you your about after also any both each few other over such under up
    said says""".split()
)
# Capitalised words that are not names when they start a clause.
NOT_NAMES = frozenset(
    """i a an the this that these those it its he she they we you his her their our but and or
    so yet if when while as at in on of for by to from with after before during since although
    however meanwhile also according both either neither there here what who which where why how
    sources source answer quote between among about against within without into onto upon over under
    than then""".split()
)
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve dozen hundred hundreds thousand "
    "thousands million millions billion billions".split()
)

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SUFFIXES = ("ing", "ed", "es", "s")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; paragraph breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.start(1) if m.group(1) is not None else m.start()
        if m.group(1) is not None:
            before = _WORD_BEFORE.search(text[max(start, end - 20) : end])
            if before and before.group(1).lower().rstrip(".") in ABBREVIATIONS:
                continue
            if before and re.fullmatch(r"[A-Z]", before.group(1)):  # an initial: "Michael J. Garcia"
                continue
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def words(text: str) -> list[str]:
    return WORD.findall(text)


def keyword_tokens(text: str) -> list[str]:
    """Lower-cased words and numbers for BM25; '10,000' and '10000' are the same token."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok[0].isdigit():
            tok = tok.replace(",", "").rstrip(".")
        else:
            tok = tok.replace("’", "'")
            if tok.endswith("'s"):
                tok = tok[:-2]
        if tok and tok not in STOPWORDS:
            out.append(tok)
    return out


def numbers_in(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in NUMBER.findall(text)}


def months_in(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text) if w.lower() in MONTHS}


def names_in(text: str) -> set[str]:
    """Capitalised words that are not the first word of the sentence or a function word."""
    names = set()
    found = list(WORD.finditer(text))
    for i, m in enumerate(found):
        word = m.group(0)
        if not word[0].isupper() or word.lower() in NOT_NAMES:
            continue
        preceding = text[: m.start()].rstrip()
        if i == 0 or preceding.endswith((".", "!", "?", ":", "“", '"')):
            continue
        names.add(word.lower().replace("’", "'"))
    return names


_REFERS_BACK = re.compile(
    r"^\W*(?:he|she|it|they|this|that|these|those|his|her|its|their|but|and|also"
    r"|the (?:agency|company|group|man|woman))\b",
    re.I,
)


def refers_back(sentence: str) -> bool:
    """The sentence opens by pointing at the one before ("It also claimed ...", "But he said ..."),
    so it is read, quoted and checked together with it."""
    return bool(_REFERS_BACK.match(sentence))


_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|none|nobody|nothing|nowhere|without|cannot)\b|n['’]t\b", re.I
)


def negations(text: str) -> int:
    """How many negating words the text has ("not", "never", "didn't", "without", ...)."""
    return len(_NEGATION.findall(text))


def content_words(text: str) -> set[str]:
    return {
        w.lower().replace("’", "'")
        for w in WORD.findall(text)
        if len(w) > 2 and w.lower() not in STOPWORDS and w.lower() not in NOT_NAMES
    }


def stem(word: str) -> str:
    """Crude and symmetric: drop one inflection, keep five letters ("armed" = "arms" = "arm")."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def stems(text: str) -> set[str]:
    """Stemmed content words and numbers: what two texts are compared on."""
    return {stem(w) for w in content_words(text)} | numbers_in(text)


def ends_as_sentence(line: str, marks: tuple[str, ...] = (".", "!", "?")) -> bool:
    """Whether a line ends with one of `marks`, closing quotes and brackets aside."""
    return line.rstrip("\"'’”)] ").endswith(marks)
