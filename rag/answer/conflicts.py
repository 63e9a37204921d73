"""Conflicts: another *article* gives a different value for the same thing the answer states.

"The same thing": the other sentence is itself strong evidence for the question (its score is
within `conflict_margin` of the best sentence's), and its value has the same kind and unit: a
number followed by the same word ("12,000 troops" vs "10,000 troops"), or a day and month.
Sentences of the answer's own article never count: one article giving several figures is not a
disagreement.
"""

from __future__ import annotations

import re

from rag import text as tx
from rag.answer.evidence import Sentence

_QUANTITY = re.compile(r"([$€£]?)(\d[\d,.]*\d|\d)\s*(million|billion|thousand|percent|%)?\s+([^\W\d_]+)")
_CURRENCY = {"$": "dollar", "€": "euro", "£": "pound"}
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(tx.MONTHS) + r")\b|\b(" + "|".join(tx.MONTHS) + r")\s+(\d{1,2})\b", re.I
)


def quantities(text: str) -> dict[str, set[str]]:
    """unit stem -> numbers given with that unit: {'troop': {'12000'}}."""
    out: dict[str, set[str]] = {}
    for m in _QUANTITY.finditer(text):
        number = m.group(2).replace(",", "").rstrip(".") + (m.group(3) or "").lower()
        unit = tx.stem(_CURRENCY.get(m.group(1), m.group(4)))  # "$200 million" and "200 million dollars"
        if m.group(4).lower() in tx.MONTHS or (not m.group(1) and m.group(4).lower() in tx.STOPWORDS):
            continue
        out.setdefault(unit, set()).add(number)
    return out


def dates(text: str) -> set[tuple[str, str]]:
    found = set()
    for m in _DAY_MONTH.finditer(text):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        found.add((str(int(day)), month.lower()))
    return found


def differs_in_quantity(claim: str, other: str) -> bool:
    """Both give a number of the same unit, and not the same number: a figure that may change over
    time (troops, prices), unlike the date of an event."""
    mine, theirs = quantities(claim), quantities(other)
    return any(unit in theirs and not numbers & theirs[unit] for unit, numbers in mine.items())


def differs(claim: str, other: str) -> bool:
    if differs_in_quantity(claim, other):
        return True
    d1, d2 = dates(claim), dates(other)
    if d1 and d2:
        return not d1 & d2
    m1, m2 = tx.months_in(claim), tx.months_in(other)  # "on 26 July" vs "in June"
    return bool(m1 and m2 and not m1 & m2)


def find(claim_text: str, claim_articles: set[str], ranked: list[Sentence], margin: float) -> list[Sentence]:
    """At most one sentence per other article that reports a different value for the same thing."""
    if not ranked:
        return []
    floor = ranked[0].score - margin
    found: list[Sentence] = []
    seen = set(claim_articles)
    for sentence in ranked:
        if sentence.score < floor:
            break
        if sentence.source.article in seen:
            continue
        if differs(claim_text, sentence.text):
            found.append(sentence)
            seen.add(sentence.source.article)
    return found
