"""Citation markers and the support test: pure functions over text, no model and no I/O.

A sentence is supported by a piece of evidence when every number and proper name in it appears
there and most of its content words do. The verifier, the extractive fallback and the eval
harness all use this one test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.chunking import sentence_spans
from rag.retrieve import STOPWORDS

# [1], [1, 2], [1][2], 【1】, (1) and (1, 2) all become [1] / [1][2].
_MARKER_GROUP = re.compile(r"\s*(?:\[|【|\()\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*(?:\]|】|\))")
_CANONICAL = re.compile(r"\[(\d{1,3})\]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Capitalised words that are not names when they start a clause.
NOT_NAMES = frozenset(
    """i a an the this that these those it its he she they we you his her their our but and or
    so yet if when while as at in on of for by to from with after before during since although
    however meanwhile also according both either neither there here what who which where why how
    sources source answer quote between among about against within without into onto upon over under
    than then""".split()
)


def normalise_markers(text: str, n_sources: int) -> str:
    """Rewrite citation markers into [n] form; numbers outside 1..n_sources stay as text."""

    def repl(m: re.Match[str]) -> str:
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        if m.group(0).strip().startswith("(") and not all(1 <= x <= n_sources for x in numbers):
            return m.group(0)  # "(2022)" or "(60)" is text, not a citation
        return " " + "".join(f"[{x}]" for x in numbers)

    return _MARKER_GROUP.sub(repl, text)


def split_markers(sentence: str) -> tuple[str, list[int]]:
    """('North Korea will receive $200 million.', [1]) from 'North Korea ... million [1].'"""
    numbers = [int(x) for x in _CANONICAL.findall(sentence)]
    text = _CANONICAL.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return text, list(dict.fromkeys(numbers))


def sentences(text: str) -> list[str]:
    """Sentences of an answer; a marker after the full stop stays with its sentence."""
    text = re.sub(r"([.!?][”\"’]?)\s*((?:\[\d+\])+)", r" \2\1", text)
    return [text[s:e] for s, e in sentence_spans(text)]


def numbers_in(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def names_in(text: str) -> set[str]:
    """Capitalised words that are not the first word of the sentence or a function word."""
    names = set()
    words = list(_WORD.finditer(text))
    for i, m in enumerate(words):
        word = m.group(0)
        if not word[0].isupper() or word.lower() in NOT_NAMES:
            continue
        preceding = text[: m.start()].rstrip()
        if i == 0 or preceding.endswith((".", "!", "?", ":", "“", '"')):
            continue
        names.add(word.lower().replace("’", "'"))
    return names


def content_words(text: str) -> set[str]:
    return {
        w.lower().replace("’", "'")
        for w in _WORD.findall(text)
        if len(w) > 2 and w.lower() not in STOPWORDS and w.lower() not in NOT_NAMES
    }


_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """Crude and symmetric: drop one inflection, keep five letters ("armed" = "arms" = "arm")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


@dataclass(frozen=True)
class Support:
    supported: bool
    coverage: float  # share of the sentence's content words found in the evidence
    missing: tuple[str, ...]  # numbers and names absent from the evidence


def support(sentence: str, evidence: str, min_coverage: float = 0.6) -> Support:
    words = content_words(sentence)
    ev_words = content_words(evidence)
    ev_stems = {stem(w) for w in ev_words}
    ev_lower = {w.lower() for w in _WORD.findall(evidence)}
    missing = sorted(numbers_in(sentence) - numbers_in(evidence))
    missing += sorted(n for n in names_in(sentence) if n not in ev_lower)
    coverage = (sum(stem(w) in ev_stems for w in words) / len(words)) if words else 0.0
    return Support(not missing and coverage >= min_coverage and bool(words), coverage, tuple(missing))


def best_quote(sentence: str, chunk_text: str) -> tuple[int, int]:
    """Offsets (within the chunk) of the chunk sentence that best matches the answer sentence."""
    target = {stem(w) for w in content_words(sentence)} | numbers_in(sentence)
    best, best_score = (0, len(chunk_text)), -1.0
    for s, e in sentence_spans(chunk_text):
        piece = chunk_text[s:e]
        have = {stem(w) for w in content_words(piece)} | numbers_in(piece)
        score = len(target & have) / (len(target) or 1)
        if score > best_score:
            best, best_score = (s, e), score
    return best
