"""Is there evidence enough to answer? One score, two thresholds, both chosen on the dev sets.

- below `refuse_below`, the best evidence sentence is too far from the question: refuse at once,
  without a model call;
- between the two, only a verified generated answer is shown: when the model says the excerpts do
  not answer, or nothing it wrote holds up, the best sentence is quoted only if it scores at least
  `quote_above` (a refused answerable question costs more than a quote, a wrong quote more than
  a refusal); else the answer is a refusal.
"""

from __future__ import annotations

from rag.answer.evidence import Sentence
from rag.settings import Settings

REFUSAL = "The articles don't cover this."


def too_weak(ranked: list[Sentence], settings: Settings) -> bool:
    return not ranked or ranked[0].score < settings.refuse_below


def strong_enough_to_quote(ranked: list[Sentence], settings: Settings) -> bool:
    return bool(ranked) and ranked[0].score >= settings.quote_above


def is_model_refusal(generated: str) -> bool:
    """The model said the excerpts don't answer ("The articles don't cover this.", or close)."""
    text = generated.lower()
    return any(
        phrase in text
        for phrase in (
            "don't cover",
            "do not cover",
            "doesn't cover",
            "does not cover",
            "not mentioned",
            "no information",
            "not provided",
            "cannot be determined",
            "not specified",
        )
    )
