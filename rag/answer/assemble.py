"""Claims with their evidence -> a structured Answer: citations numbered 1..m in order of first use,
and the display text rendered from the claims (nobody parses it back)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rag.answer.evidence import Source
from rag.answer.refusal import REFUSAL
from rag.types import OTHER_REPORTS, Answer, Citation, Claim, ClaimKind, Hit
from rag.when import TimeScope, iso_text

QUOTE_HEADER = "No generated answer could be verified; quoting the articles:"
CONFLICT_HEADER = "The sources disagree:"
UPDATE_HEADER = "Reported on other dates, oldest first:"


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


def assemble(question: str, drafts: list[Draft], hits: list[Hit], time: TimeScope | None = None) -> Answer:
    """`time`: the question's time expression; each dated claim then says as of when (claims
    also say so when the articles they cite are from different dates), and the answer first says
    how the expression was read."""
    # reports of other dates in date order, before numbering: citations number in reading order
    updates = sorted((d for d in drafts if d.kind == "update"), key=lambda d: max(_dates(d), default=""))
    drafts = (
        [d for d in drafts if d.kind not in OTHER_REPORTS]
        + updates
        + [d for d in drafts if d.kind == "conflict"]
    )
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
        dates = _dates(draft)
        claims.append(
            Claim(
                " ".join(draft.text.split()),
                draft.kind,
                tuple(dict.fromkeys(numbers)),
                # an event is dated by its first report; a claim by its newest source
                date=(min if draft.kind == "event" else max)(dates) if dates else None,
            )
        )
    lead = [c for c in claims if c.kind not in OTHER_REPORTS]
    if time is not None or len({c.date for c in lead if c.date}) > 1:
        claims = [replace(c, as_of=c.kind in ("generated", "quote") and c.date is not None) for c in claims]
    extractive = any(c.kind == "quote" for c in claims)
    note = time.describe() if time else None
    return Answer(
        question=question,
        text=render(claims, note),
        citations=citations,
        contexts=hits,
        claims=claims,
        extractive=extractive,
        time_note=note or None,
    )


def render(claims: list[Claim], time_note: str | None = None) -> str:
    """The answer as text: how a time expression was read, then the generated sentences with
    their markers ("As of <date>, ..." where dated), quotes in quotation marks, then the other
    articles' reports: of other dates in date order, or under "The sources disagree"."""
    if claims and all(c.kind == "event" for c in claims):  # a timeline: one dated line per event
        return "\n".join(f"{iso_text(c.date)}: {_quoted(c)}" for c in claims)
    parts: list[str] = [note_sentence(time_note)] if time_note else []
    lead = [c for c in claims if c.kind not in OTHER_REPORTS]
    conflicts = [c for c in claims if c.kind == "conflict"]
    updates = [c for c in claims if c.kind == "update"]  # in date order (assemble)
    if any(c.kind == "quote" for c in lead):
        parts.append(QUOTE_HEADER)
    for c in lead:
        said = _quoted(c) if c.kind == "quote" else _with_marks(c.text, _marks(c))
        parts.append(as_of(c.date, said) if c.as_of else said)
    if updates:
        parts.append(UPDATE_HEADER)
        parts += [f"{iso_text(c.date)}: {_quoted(c)}" for c in updates]
    if conflicts:
        parts.append(CONFLICT_HEADER)
        parts += [_quoted(c) for c in conflicts]
    return " ".join(parts)


def _dates(draft: Draft) -> list[str]:
    return [src.hit.chunk.meta.date for src, _ in draft.support if src.hit.chunk.meta.date]


def note_sentence(note: str) -> str:
    return f"{note[0].upper()}{note[1:]}."


_LOWER_FIRST = {
    "the",
    "a",
    "an",
    "there",
    "it",
    "its",
    "this",
    "these",
    "they",
    "he",
    "she",
    "about",
    "around",
    "nearly",
    "some",
    "more",
    "most",
    "many",
    "few",
}


def as_of(date: str, said: str) -> str:
    """'As of 28 October 2024, the alliance said ...' (a leading function word lower-cased; a
    quote after a colon)."""
    if said.startswith("“"):
        return f"As of {iso_text(date)}: {said}"
    first = said.split(" ", 1)[0]
    if first.lower() in _LOWER_FIRST:
        said = first.lower() + said[len(first) :]
    return f"As of {iso_text(date)}, {said}"


def _marks(claim: Claim) -> str:
    return "".join(f"[{n}]" for n in claim.citations)


def _quoted(claim: Claim) -> str:
    return f"“{claim.text}” {_marks(claim)}"


def _with_marks(sentence: str, marks: str) -> str:
    if sentence[-1:] in ".!?":
        return f"{sentence[:-1]} {marks}{sentence[-1]}"
    return f"{sentence} {marks}."


def refusal(
    question: str,
    hits: list[Hit],
    closest: list[tuple[Source, tuple[int, int]]],
    dropped=None,
    time_note: str | None = None,
) -> Answer:
    """'The articles don't cover this.', with the passages that came closest, for the reader to
    judge; with a time expression, how it was read ("No article is dated ...")."""
    return Answer(
        question=question,
        text=f"{REFUSAL} ({time_note}.)" if time_note else REFUSAL,
        citations=[],
        contexts=hits,
        refused=True,
        closest=[citation(i, s, span) for i, (s, span) in enumerate(closest, start=1)],
        dropped=list(dropped or []),
        time_note=time_note,
    )
