"""The answer steps in order, over one question's retrieved hits. No I/O: the embedder's `embed`
is passed in, and the caller runs the model on `messages(...)` and hands back what it wrote.

    evidence -> too weak? refuse (no model call)
             -> quick answer: the best sentences, quoted (shown at once)
             -> model writes from the best sentences -> verify each claim -> generated answer,
                or the quote when nothing generated holds up, or a refusal when the model says
                the excerpts don't answer and the evidence is not strong enough to quote
             -> other articles that give a different value for the same thing
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rag.answer import conflicts, prompting, refusal, verify
from rag.answer.assemble import Draft, assemble
from rag.answer.assemble import refusal as refusal_answer
from rag.answer.evidence import Sentence, Source, number_sources, quote_span, rank
from rag.answer.markers import answer_sentences, normalise_markers, split_markers
from rag.settings import Settings
from rag.types import Answer, Hit
from rag.when import TimeScope

CLOSEST_SHOWN = 3


@dataclass(frozen=True)
class Evidence:
    question: str  # the standalone question everything is checked against
    hits: list[Hit]
    sources: list[Source]
    ranked: list[Sentence]
    excerpts: list[prompting.Excerpt] | None = None
    time: TimeScope | None = None  # the question's time expression, as resolved


class Answerer:
    def __init__(self, settings: Settings, embed: Callable[[list[str]], np.ndarray]):
        self.settings = settings
        self.embed = embed

    def evidence(self, question: str, hits: list[Hit], time: TimeScope | None = None) -> Evidence:
        # Dates go into the prompt's source labels for questions about time only. Chosen on the dev
        # sets (README, "Time-aware questions"): with dates always in, NYT dev found 0.758 and wrong
        # 0.125; with dates for time questions only 0.767 and 0.117; bundled dev the same either way.
        sources = number_sources(hits, dated=time is not None)
        ranked = rank(question, sources, self.embed, self.settings.evidence_keyword_weight)
        if time is not None and time.order:
            ranked = by_recency(ranked, time.order, self.settings.recency_weight)
        return Evidence(question, hits, sources, ranked, time=time)

    def too_weak(self, ev: Evidence) -> bool:
        return refusal.too_weak(ev.ranked, self.settings)

    def refuse(
        self, asked: str, ev: Evidence, dropped: list[str] | None = None, time_note: str | None = None
    ) -> Answer:
        closest = [(s.source, quote_span(s)) for s in ev.ranked[:CLOSEST_SHOWN]]
        return refusal_answer(asked, ev.hits, closest, dropped, time_note)

    def quotable(self, ev: Evidence) -> bool:
        return refusal.strong_enough_to_quote(ev.ranked, self.settings)

    def quick(self, asked: str, ev: Evidence) -> Answer:
        """The extractive answer: the best sentence (and the next best when it scores nearly as
        well), quoted verbatim and cited. Shown while the model writes, and the fallback."""
        if self.too_weak(ev):
            return self.refuse(asked, ev)
        drafts = self._quotes(ev)
        return self._with_conflicts(asked, ev, drafts)

    def _quotes(self, ev: Evidence) -> list[Draft]:
        best = ev.ranked[0]
        chosen = [best]
        for s in ev.ranked[1 : self.settings.max_quotes]:
            if s.score >= best.score - self.settings.second_quote_margin:
                chosen.append(s)
        drafts = []
        for s in chosen:
            span = quote_span(s)
            drafts.append(Draft(s.source.text[span[0] : span[1]], "quote", ((s.source, span),)))
        return drafts

    def messages(self, ev: Evidence, count: Callable[[str], int], n_ctx: int) -> tuple[Evidence, list[dict]]:
        budget = prompting.evidence_budget(
            ev.question, count, n_ctx, self.settings.max_answer_tokens, self.settings.evidence_tokens
        )
        excerpts = prompting.select(ev.ranked, budget, count, self.settings.evidence_sentences)
        ev = replace(ev, excerpts=excerpts)
        return ev, prompting.messages(ev.question, excerpts)

    def finish(self, asked: str, ev: Evidence, generated: str) -> Answer:
        drafts, dropped = self.verify(ev, generated)
        text = " ".join(d.text for d in drafts)
        if drafts and not verify.has_expected_type(ev.question, text):
            dropped += [d.text for d in drafts]
            drafts = []
        if not drafts:
            # nothing generated holds up (or the model said the excerpts don't answer): quote the
            # best sentence only when it is strong evidence on its own, else refuse
            if not self.quotable(ev):
                answer = self.refuse(asked, ev, dropped)
                answer.model_refused = refusal.is_model_refusal(generated)
                return answer
            answer = self.quick(asked, ev)
        else:
            answer = self._with_conflicts(asked, ev, drafts)
        answer.dropped = dropped
        answer.model_refused = refusal.is_model_refusal(generated)
        return answer

    def verify(self, ev: Evidence, generated: str) -> tuple[list[Draft], list[str]]:
        """Keep the generated sentences that the sentences they cite support; an uncited one is
        cited to the excerpt that supports it, if one does."""
        by_n = {s.n: s for s in ev.sources}
        shown = [by_n[e.n] for e in ev.excerpts or []] or ev.sources
        kept: list[Draft] = []
        dropped: list[str] = []
        for raw in answer_sentences(normalise_markers(generated, len(ev.sources))):
            sentence, numbers = split_markers(raw)
            if not sentence or refusal.is_model_refusal(sentence):
                continue
            if prompting.echoes_markup(sentence):  # the model copied the prompt's framing
                dropped.append(sentence)
                continue
            if not verify.says_something_new(sentence, ev.question):
                dropped.append(sentence)
                continue
            in_range = [by_n[n] for n in numbers if n in by_n]  # out-of-range numbers are dropped
            support = []
            for source in in_range or shown:
                result = verify.support(
                    sentence, source.text, self.settings.support_coverage, source.label, ev.question
                )
                if result.supported:
                    support.append((result.coverage, source, result.window))
            if not in_range:
                support = sorted(support, key=lambda x: -x[0])[:1]  # cite the excerpt that supports it best
            support = [x for x in support if self._relevant(ev, x[1], x[2])]
            if support:
                kept.append(Draft(sentence, "generated", tuple((src, win) for _, src, win in support)))
            else:
                dropped.append(sentence)
        return kept, dropped

    def _relevant(self, ev: Evidence, source: Source, window: tuple[int, int]) -> bool:
        """The supporting sentences are themselves good evidence for the question: a true sentence
        about something else does not answer it."""
        floor = ev.ranked[0].score - self.settings.relevance_margin if ev.ranked else 0.0
        return (
            any(
                s.source.n == source.n and window[0] <= s.start < window[1] and s.score >= floor
                for s in ev.ranked
            )
            or any(  # the same sentence ranked under an overlapping chunk's number
                s.source.article == source.article
                and s.text in source.text[window[0] : window[1]]
                and s.score >= floor
                for s in ev.ranked
            )
        )

    def _with_conflicts(self, asked: str, ev: Evidence, drafts: list[Draft]) -> Answer:
        """Other articles' differing values follow the answer: as updates in date order when
        they are dated otherwise than the answer's articles (a figure that changed over time),
        else as a conflict."""
        articles = {src.article for d in drafts for src, _ in d.support}
        answer_dates = {src.hit.chunk.meta.date for d in drafts for src, _ in d.support}
        text = " ".join(d.text for d in drafts)
        others = conflicts.find(text, articles, ev.ranked, self.settings.conflict_margin)
        drafts = drafts + [
            Draft(
                s.source.text[a:b],
                _other_kind(s, text, answer_dates),
                ((s.source, (a, b)),),
            )
            for s in others
            for a, b in [quote_span(s)]
        ]
        return assemble(asked, drafts, ev.hits, ev.time)


def _other_kind(other: Sentence, claim: str, answer_dates: set[str | None]) -> str:
    """An update when the other article is dated otherwise than the answer's and the difference
    is a figure (troop numbers grow); a conflict when the dates are unknown or the same, or when
    they differ on when something happened (a treaty is signed once)."""
    date = other.source.hit.chunk.meta.date
    dated_apart = date and None not in answer_dates and date not in answer_dates
    return "update" if dated_apart and conflicts.differs_in_quantity(claim, other.text) else "conflict"


def by_recency(ranked: list[Sentence], order: str, weight: float) -> list[Sentence]:
    """ "Latest" / "first": each sentence gains up to `weight` by its article's date, the newest
    (or oldest) of the retrieved dates gaining most and undated articles nothing; the evidence
    is then ranked again. Relevance still leads: a newer sentence wins only when it scores within
    `weight` of the best."""
    dates = sorted({s.source.hit.chunk.meta.date for s in ranked if s.source.hit.chunk.meta.date})
    if len(dates) < 2 or weight <= 0:
        return ranked
    place = {d: i / (len(dates) - 1) for i, d in enumerate(dates)}
    if order == "earliest":
        place = {d: 1 - v for d, v in place.items()}
    bonus = [weight * place.get(s.source.hit.chunk.meta.date, 0.0) for s in ranked]
    boosted = [replace(s, score=s.score + b) for s, b in zip(ranked, bonus, strict=True)]
    return sorted(boosted, key=lambda s: -s.score)
