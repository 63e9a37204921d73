"""Timelines: "How did X develop?" / `rag timeline "X"` as dated events in date order. Each event is
a sentence of an article that is itself strong evidence about X (ranked like any answer's
evidence), quoted verbatim with its citation, dated by its article. One event per article at
most; the same sentence from several outlets (wire copy) is one event that lists them all.
Undated articles are left out and counted. No model call: every event is the article's own words.
"""

from __future__ import annotations

import re

from rag import text as tx
from rag.answer import conflicts
from rag.answer.assemble import Draft, assemble, refusal
from rag.answer.evidence import Sentence, quote_span
from rag.types import Answer

TIMELINE_QUESTION = re.compile(
    r"^\s*(?:how\s+(?:did|has|have)\s+(?P<a>.+?)\s+(?:develop|developed|evolve|evolved|unfold|unfolded|"
    r"progress|progressed|change|changed)(?:\s+over\s+time)?|(?:give\s+me\s+|show\s+me\s+)?(?:a\s+|the\s+)?"
    r"timeline\s+(?:of|for)\s+(?P<b>.+?))\s*\??\s*$",
    re.IGNORECASE,
)
TIMELINE_CHUNKS = 30  # chunks searched for a timeline: more articles than one answer reads
SAME_EVENT = 0.6  # Jaccard of two sentences' word stems for them to be one report (a copy)


def topic_of(question: str) -> str | None:
    """'How did the troop deployment develop?' -> 'the troop deployment'; None for other questions."""
    m = TIMELINE_QUESTION.match(question)
    return (m.group("a") or m.group("b")).strip() if m else None


def events(ranked: list[Sentence], floor: float) -> tuple[list[list[Sentence]], int]:
    """Events (each: the sentences reporting it, the first one kept as the event) in date order,
    and the number of relevant articles left out for want of a date. An article's best sentence
    is an event when it scores at least `floor`: evidence strong enough to answer about the topic
    on its own (the refusal threshold, RAG_REFUSE_BELOW)."""
    if not ranked:
        return [], 0
    best: dict[str, Sentence] = {}  # one sentence per article: its best about the topic
    for s in ranked:
        if s.score >= floor and s.source.article not in best:
            best[s.source.article] = s
    dated = [s for s in best.values() if s.source.hit.chunk.meta.date]
    undated = len(best) - len(dated)
    groups: list[list[Sentence]] = []
    for s in sorted(dated, key=lambda s: (s.source.hit.chunk.meta.date, -s.score)):
        words = set(tx.stems(s.text))
        for group in groups:
            other = set(tx.stems(group[0].text))
            shared = len(words & other) / len(words | other) if words and other else 0.0
            # a copy repeats the words and the figures: "80 workers" then "120 workers" is news
            if shared >= SAME_EVENT and not conflicts.differs(s.text, group[0].text):
                group.append(s)
                break
        else:
            groups.append([s])
    return groups, undated


def timeline_answer(question: str, ranked: list[Sentence], hits, floor: float) -> Answer:
    """The events as an Answer: one dated quote claim (kind "event") per event, citing every
    article that reports it, in date order."""
    groups, undated = events(ranked, floor)
    drafts = [
        Draft(group[0].text, "event", tuple((s.source, quote_span(s)) for s in group)) for group in groups
    ]
    if not groups:
        closest = [(s.source, quote_span(s)) for s in ranked[:3]]
        answer = refusal(question, hits, closest)
    else:
        answer = assemble(question, drafts, hits)
    answer.timeline = True
    answer.undated = undated
    return answer
