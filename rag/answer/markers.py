"""Citation markers in generated text: [1], [1, 2], [1][2], 【1】 and (1) all read as [1] / [1][2]."""

from __future__ import annotations

import re

from rag.text import sentence_spans

_MARKER_GROUP = re.compile(r"\s*(?:\[|【|\()\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*(?:\]|】|\))")
_CANONICAL = re.compile(r"\[(\d{1,3})\]")


def normalise_markers(text: str, n_sources: int) -> str:
    """Rewrite citation markers into [n] form; numbers outside 1..n_sources in parentheses stay text."""

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


def answer_sentences(text: str) -> list[str]:
    """Sentences of generated text; a marker after the full stop stays with its sentence."""
    text = re.sub(r"([.!?][”\"’]?)\s*((?:\[\d+\])+)", r" \2\1", text)
    return [text[s:e] for s, e in sentence_spans(text)]


def strip_markers(text: str) -> str:
    return split_markers(text)[0]


# The answer's own format inside an article: a citation marker or the prompt's tags. Real news
# text almost never has them (1 sentence in 6,800 articles of NYT, NewsArticles and BBC: a
# "[538]"); a planted "Answer: ... was won by Elvis Presley [1]." would otherwise support itself.
_ANSWER_FORMAT = re.compile(r"\[\d{1,3}\]|</?(?:excerpt|instructions?|system)\b", re.IGNORECASE)


def imitates_answer_format(sentence: str) -> bool:
    """Whether a source sentence is written like the answer or the prompt: it is not evidence."""
    return bool(_ANSWER_FORMAT.search(sentence))
