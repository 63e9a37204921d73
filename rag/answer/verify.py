"""Does a claim follow from the sentences it cites? Sentence-level, general rules only:

- every number, month and name in the claim is in one window of the cited text (a sentence, or
  a sentence with the one before when it refers back to it), the window that also holds most of
  the claim's words: a figure the chunk gives for something else, in another sentence, does not
  count;
- that window holds at least `support_coverage` of the claim's content words (stemmed), and of
  the words it adds to the question's;
- the claim negates no more than that window does ("were not armed" against "were armed");
- the claim says something the question does not already say (no fragments, no echoes);
- the claim holds what the question asks for (a number for how many/much, a date for when);
- a source sentence written in the answer's own format (a [n] marker, the prompt's tags) supports
  nothing: a planted "Answer: ... [1]." would otherwise vouch for itself.

The article's title line counts as part of every window (it names the subject).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import text as tx
from rag.answer.markers import imitates_answer_format


@dataclass(frozen=True)
class Support:
    supported: bool
    coverage: float  # share of the claim's content words in the best window
    missing: tuple[str, ...]  # numbers, months and names the best window lacks
    window: tuple[int, int] | None  # offsets of the best window in the evidence text
    reason: str = ""


def windows(evidence: str) -> list[tuple[int, int]]:
    """Each sentence, and each sentence with the one before when it opens by referring back to it
    ("It also claimed that 12,000 ..."): the units a number or name can belong to."""
    spans = tx.sentence_spans(evidence)
    out = list(spans)
    out += [
        (spans[i][0], spans[i + 1][1])
        for i in range(len(spans) - 1)
        if tx.refers_back(evidence[spans[i + 1][0] : spans[i + 1][1]])
    ]
    # a sentence written in the answer's own format supports nothing (see imitates_answer_format)
    return [(s, e) for s, e in out if not imitates_answer_format(evidence[s:e])]


def _specifics(text: str) -> set[str]:
    return tx.numbers_in(text) | tx.months_in(text) | tx.names_in(text)


def support(claim: str, evidence: str, min_coverage: float, header: str = "", question: str = "") -> Support:
    """The best window of `evidence` for `claim`, and whether it supports it. A name the question
    itself gives ("What weapons did Russia ...") may stand anywhere in the cited text: the question
    names the subject; numbers, months and every other name must be in the window."""
    words = {tx.stem(w) for w in tx.content_words(claim)}
    if not words:
        return Support(False, 0.0, (), None, "no content words")
    given = {tx.stem(n) for n in tx.names_in(question) | tx.content_words(question)} & tx.stems(evidence)
    wanted = {w for w in _specifics(claim) if w[0].isdigit() or tx.stem(w) not in given}
    asked = {tx.stem(w) for w in tx.content_words(question)}
    head_stems = tx.stems(header)
    best: Support | None = None
    for s, e in windows(evidence) or [(0, len(evidence))]:
        piece = evidence[s:e]
        have = tx.stems(piece) | head_stems
        have_numbers = tx.numbers_in(piece) | tx.numbers_in(header)
        # numbers exactly; names and months by stem ("Ukraine's" = "Ukrainian", "Korea" = "Korean")
        have_words = {tx.stem(w) for w in tx.words(piece) + tx.words(header)}
        missing = tuple(
            sorted(
                w
                for w in wanted
                if (w not in have_numbers if w[0].isdigit() else tx.stem(w) not in have_words)
            )
        )
        if tx.negations(claim) > tx.negations(piece):  # "was not armed" against "was armed"
            missing = (*missing, "a negation")
        coverage = sum(w in have for w in words) / len(words)
        # what the claim adds to the question must come from the window too ("Cha said something")
        added = words - asked
        added_coverage = sum(w in have for w in added) / len(added) if added else 1.0
        coverage = min(coverage, added_coverage)
        ok = not missing and coverage >= min_coverage
        candidate = Support(ok, coverage, missing, (s, e), "" if ok else _why(missing, coverage))
        if best is None or (candidate.supported, -len(missing), coverage) > (
            best.supported,
            -len(best.missing),
            best.coverage,
        ):
            best = candidate
    return best


def check(claim: str, evidence: str, min_coverage: float, question: str = "", header: str = "") -> Support:
    """The whole verdict on one claim against one cited passage, as the answer pipeline reaches it:
    it says something new, the passage supports it, and it holds what the question asks for."""
    if question and not says_something_new(claim, question):
        return Support(False, 0.0, (), None, "says nothing the question does not")
    if question and not has_expected_type(question, claim):
        return Support(False, 0.0, (), None, f"no {expected_type(question)} for the question")
    return support(claim, evidence, min_coverage, header, question)


def _why(missing: tuple[str, ...], coverage: float) -> str:
    if missing:
        return "not in one cited sentence: " + ", ".join(missing)
    return f"cited sentences hold {coverage:.0%} of its words"


def says_something_new(claim: str, question: str) -> bool:
    """The claim adds content beyond the question's own words (not "They were going to bring.")."""
    return bool(tx.stems(claim) - tx.stems(question))


def expected_type(question: str) -> str | None:
    """'number' for how many / how much, 'date' for when / what date; None otherwise."""
    q = question.lower()
    if re.search(r"\bhow (many|much|old|long|far|tall|big)\b|\bwhat (number|percentage|share)\b", q):
        return "number"
    if re.search(r"^\s*when\b|\bwhat (date|day|year|month)\b|\bin which year\b|\bon which (date|day)\b", q):
        return "date"
    return None


def has_expected_type(question: str, text: str) -> bool:
    expects = expected_type(question)
    if expects == "number":
        return bool(tx.numbers_in(text)) or bool(tx.NUMBER_WORDS & {w.lower() for w in tx.words(text)})
    if expects == "date":
        return (
            bool(tx.months_in(text))
            or bool(re.search(r"\b(1[5-9]|20)\d\d\b", text))
            or bool(
                re.search(
                    r"\b(yesterday|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                    text,
                    re.I,
                )
            )
        )
    return True
