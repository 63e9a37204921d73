"""Claims with their evidence -> a structured Answer: citations numbered 1..m in order of first use,
and the display text rendered from the claims (nobody parses it back)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.answer.evidence import Source
from rag.answer.refusal import REFUSAL
from rag.types import Answer, Citation, Claim, ClaimKind, Hit

QUOTE_HEADER = "No generated answer could be verified; quoting the articles:"
CONFLICT_HEADER = "The sources disagree:"


@dataclass(frozen=True)
class Draft:
    """A claim before numbering: its text and, per cited source, the supporting span in the chunk."""

    text: str
    kind: ClaimKind
    support: tuple[tuple[Source, tuple[int, int]], ...]


def citation(n: int, source: Source, span: tuple[int, int]) -> Citation:
    chunk = source.hit.chunk
    s, e = span
    return Citation(
        n=n,
        source=chunk.source,
        title=chunk.meta.title,
        outlet=chunk.meta.outlet,
        date=chunk.meta.date,
        chunk_id=chunk.id,
        quote=chunk.text[s:e],
        start=chunk.start + s,
        end=chunk.start + e,
        url=chunk.meta.url,
    )


def assemble(question: str, drafts: list[Draft], hits: list[Hit]) -> Answer:
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    claims: list[Claim] = []
    for draft in drafts:
        numbers = []
        for source, span in draft.support:
            if source.n not in numbering:
                numbering[source.n] = len(numbering) + 1
                citations.append(citation(numbering[source.n], source, span))
            numbers.append(numbering[source.n])
        claims.append(Claim(" ".join(draft.text.split()), draft.kind, tuple(dict.fromkeys(numbers))))
    extractive = any(c.kind == "quote" for c in claims)
    return Answer(
        question=question,
        text=render(claims),
        citations=citations,
        contexts=hits,
        claims=claims,
        extractive=extractive,
    )


def render(claims: list[Claim]) -> str:
    """The answer as text: generated sentences with their markers, quotes in quotation marks,
    then the other articles' differing reports."""
    parts: list[str] = []
    lead = [c for c in claims if c.kind != "conflict"]
    conflicts = [c for c in claims if c.kind == "conflict"]
    if any(c.kind == "quote" for c in lead):
        parts.append(QUOTE_HEADER)
    for c in lead:
        parts.append(_quoted(c) if c.kind == "quote" else _with_marks(c.text, _marks(c)))
    if conflicts:
        parts.append(CONFLICT_HEADER)
        parts += [_quoted(c) for c in conflicts]
    return " ".join(parts)


def _marks(claim: Claim) -> str:
    return "".join(f"[{n}]" for n in claim.citations)


def _quoted(claim: Claim) -> str:
    return f"“{claim.text}” {_marks(claim)}"


def _with_marks(sentence: str, marks: str) -> str:
    if sentence[-1:] in ".!?":
        return f"{sentence[:-1]} {marks}{sentence[-1]}"
    return f"{sentence} {marks}."


def refusal(
    question: str, hits: list[Hit], closest: list[tuple[Source, tuple[int, int]]], dropped=None
) -> Answer:
    """'The articles don't cover this.', with the passages that came closest, for the reader to judge."""
    return Answer(
        question=question,
        text=REFUSAL,
        citations=[],
        contexts=hits,
        refused=True,
        closest=[citation(i, s, span) for i, (s, span) in enumerate(closest, start=1)],
        dropped=list(dropped or []),
    )
