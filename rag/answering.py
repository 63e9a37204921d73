"""From retrieved hits and generated text to a verified, cited Answer. No I/O: the model is passed in.

Steps: refuse early when retrieval found nothing relevant; prompt; verify each generated sentence
against the chunks it cites; fall back to quoting the articles; show disagreeing sources; refuse.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import prompts
from rag import citations as cite
from rag.chunking import sentence_spans
from rag.settings import Settings
from rag.types import Answer, Citation, Hit

REFUSAL = "The articles don't cover this."
QUOTE_HEADER = "No generated answer could be verified; quoting the articles:"
CONFLICT_HEADER = "The sources disagree:"
STOP_COMPLETION = ["\nQuestion:", "\n\n", "\nSources:"]


@dataclass(frozen=True)
class Source:
    n: int
    hit: Hit

    @property
    def label(self) -> str:
        m = self.hit.chunk.meta
        parts = [m.title or self.hit.chunk.source, m.outlet, m.date]
        return " — ".join(p for p in parts if p)

    @property
    def text(self) -> str:
        return self.hit.chunk.text

    @property
    def evidence(self) -> str:
        """What a citation of this source vouches for: the chunk and its article's header."""
        return f"{self.label}\n{self.text}"


def number_sources(hits: list[Hit]) -> list[Source]:
    return [Source(n, hit) for n, hit in enumerate(hits, start=1)]


def build_prompt(style: str, question: str, sources: list[Source]) -> str | list[dict]:
    if style == "chat":
        return [
            {"role": "system", "content": prompts.render("answer_system")},
            {"role": "user", "content": prompts.render("answer_user", sources=sources, question=question)},
        ]
    return prompts.render("answer_completion", sources=sources, question=question)


class Coverage:
    """How much of a question a text covers: the question's content words (stemmed), each weighted
    by how rare it is among the retrieved chunks, so words every chunk shares ("North Korea")
    count for little and a word no chunk holds ("GDP") counts most."""

    def __init__(self, question: str, texts: list[str]):
        self.wanted = {cite.stem(w) for w in cite.content_words(question)}
        docs = [_stems(t) for t in texts]
        n = len(docs)
        self.weight = {
            w: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for w in self.wanted
            for df in [sum(w in d for d in docs)]
        }
        self.total = sum(self.weight.values())
        self.expects = expected_type(question)

    def __call__(self, text: str) -> float:
        if not self.total:
            return 0.0
        have = _stems(text)
        return sum(weight for w, weight in self.weight.items() if w in have) / self.total

    def answers(self, text: str) -> bool:
        """The text has the kind of thing the question asks for (a number, a date), if it asks."""
        if self.expects == "number":
            return bool(cite.numbers_in(text)) or bool(
                NUMBER_WORDS & {w.lower() for w in cite._WORD.findall(text)}
            )
        if self.expects == "date":
            return bool(_figures(text)[1]) or bool(re.search(r"\b(1[89]|20)\d\d\b", text))
        return True


def _stems(text: str) -> set[str]:
    stems = {cite.stem(w) for w in cite.content_words(text)} | cite.numbers_in(text)
    if _MONEY.search(text):  # "$200 million" answers "how much money"
        stems |= MONEY_STEMS
    return stems


_MONEY = re.compile(
    r"[$€£¥₩]\s?\d|\b\d[\d,.]*\s*(?:dollars?|euros?|pounds|yuan|won|roubles?|rubles?)\b", re.I
)
MONEY_STEMS = frozenset(
    cite.stem(w) for w in "money amount sum price cost paid pay payment fund funds".split()
)


NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten dozen hundred hundreds thousand thousands "
    "million millions billion".split()
)


def expected_type(question: str) -> str | None:
    """'number' for how many / how much, 'date' for when / what date; None otherwise."""
    q = question.lower()
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share)\b", q):
        return "number"
    if re.search(r"^\s*when\b|\bwhat (date|day|year|month)\b|\bon which (date|day)\b", q):
        return "date"
    return None


def nothing_relevant(question: str, hits: list[Hit], settings: Settings) -> bool:
    """True when retrieval is too weak to be worth a model call."""
    if not hits:
        return True
    coverage = Coverage(question, [h.chunk.text for h in hits])
    best_similarity = max((h.dense_score or 0.0) for h in hits)
    best_coverage = max(coverage(h.chunk.text) for h in hits)
    return best_similarity < settings.refusal_similarity and best_coverage < settings.extractive_coverage


@dataclass
class Claim:
    text: str  # without markers
    sources: list[Source]
    quote_of: dict[int, tuple[int, int]]  # source n -> quote offsets within the chunk


def verify(generated: str, sources: list[Source], settings: Settings) -> tuple[list[Claim], list[str]]:
    """Keep the generated sentences their cited chunks support; cite unmarked ones if one does."""
    by_n = {s.n: s for s in sources}
    kept: list[Claim] = []
    dropped: list[str] = []
    text = cite.normalise_markers(generated, len(sources))
    for raw in cite.sentences(text):
        sentence, numbers = cite.split_markers(raw)
        if not sentence or sentence.strip(" .") == REFUSAL.strip("."):
            continue
        cited = [by_n[n] for n in numbers if n in by_n]  # out-of-range numbers are dropped
        if cited:
            evidence = "\n".join(s.evidence for s in cited)
            ok = cite.support(sentence, evidence, settings.support_coverage).supported
        else:
            cited = _supporting_sources(sentence, sources, settings)
            ok = bool(cited)
        if ok:
            quotes = {s.n: cite.best_quote(sentence, s.text) for s in cited}
            kept.append(Claim(sentence, cited, quotes))
        else:
            dropped.append(sentence)
    return kept, dropped


def _supporting_sources(sentence: str, sources: list[Source], settings: Settings) -> list[Source]:
    scored = [(cite.support(sentence, s.evidence, settings.support_coverage), s) for s in sources]
    best = max((sup.coverage for sup, _ in scored if sup.supported), default=None)
    return [s for sup, s in scored if sup.supported and sup.coverage == best][:1]


def extractive(coverage: Coverage, sources: list[Source], settings: Settings, limit: int = 2) -> list[Claim]:
    """The retrieved sentences that best answer the question, if they are good enough to quote.

    A sentence may be quoted with the one before it when that one names what it is about
    ("It also claimed that 12,000 soldiers..." after "...the Ukrainian military intelligence agency
    alleged..."): the pair must cover clearly more of the question than either sentence alone."""
    scored = []
    for source in sources:
        spans = [(s, e) for s, e in sentence_spans(source.text) if e - s >= 25]
        single = {span: coverage(source.text[span[0] : span[1]]) for span in spans}
        for i, (s, e) in enumerate(spans):
            if coverage.answers(source.text[s:e]):
                scored.append((single[(s, e)], -source.n, -(e - s), s, e, source))
            if i and coverage.answers(source.text[spans[i - 1][0] : e]):
                pair = coverage(source.text[spans[i - 1][0] : e])
                if pair >= max(single[(s, e)], single[spans[i - 1]]) + PAIR_GAIN:
                    scored.append((pair, -source.n, -(e - spans[i - 1][0]), spans[i - 1][0], e, source))
    scored.sort(key=lambda x: x[:3], reverse=True)
    claims: list[Claim] = []
    best = scored[0][0] if scored else 0.0
    for value, _, _, s, e, source in scored:
        # a second quote only when it covers the question about as well as the first
        if value < settings.extractive_coverage or len(claims) >= limit or value < best - 0.15:
            break
        if any(c.sources[0].n == source.n for c in claims):
            continue
        claims.append(Claim(source.text[s:e], [source], {source.n: (s, e)}))
    return claims


PAIR_GAIN = 0.2  # what the sentence before must add to the question's coverage to be quoted too


MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)


def _figures(text: str) -> tuple[set[str], set[str]]:
    """(numbers, month names) in a sentence: what two reports of one event can disagree on."""
    months = {w.lower() for w in cite._WORD.findall(text) if w.lower() in MONTHS}
    return cite.numbers_in(text), months


def disagreements(
    coverage: Coverage, claims: list[Claim], sources: list[Source], settings: Settings
) -> list[Claim]:
    """Sentences of other sources on the same question that give a different figure or date."""
    extra: list[Claim] = []
    cited = {s.n for c in claims for s in c.sources}
    for claim in claims:
        numbers, months = _figures(claim.text)
        if not numbers and not months:
            continue
        floor = settings.conflict_overlap * coverage(_in_context([claim]))
        for source in sources:
            if source.n in cited:
                continue
            for s, e in sentence_spans(source.text):
                other = source.text[s:e]
                other_numbers, other_months = _figures(other)
                differs = (months and other_months and not months & other_months) or (
                    not months and numbers and other_numbers and not numbers & other_numbers
                )
                if differs and coverage(other) >= floor:
                    extra.append(Claim(other, [source], {source.n: (s, e)}))
                    cited.add(source.n)
                    break
    return extra


def assemble(
    question: str, claims: list[Claim], conflicts: list[Claim], hits: list[Hit], extractive_answer: bool
) -> Answer:
    """Number citations 1..m in order of first use and write the answer text."""
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []

    def mark(claim: Claim) -> str:
        marks = []
        for source in claim.sources:
            if source.n not in numbering:
                numbering[source.n] = len(numbering) + 1
                qs, qe = claim.quote_of[source.n]
                chunk = source.hit.chunk
                citations.append(
                    Citation(
                        n=numbering[source.n],
                        source=chunk.source,
                        title=chunk.meta.title,
                        outlet=chunk.meta.outlet,
                        date=chunk.meta.date,
                        chunk_id=chunk.id,
                        quote=chunk.text[qs:qe],
                        start=chunk.start + qs,
                        end=chunk.start + qe,
                    )
                )
            marks.append(f"[{numbering[source.n]}]")
        return "".join(marks)

    if extractive_answer:
        parts.append(QUOTE_HEADER)
        parts += [f"“{' '.join(c.text.split())}” {mark(c)}" for c in claims]
    else:
        parts += [_with_marks(c.text, mark(c)) for c in claims]
    if conflicts:
        parts.append(CONFLICT_HEADER)
        parts += [f"“{' '.join(c.text.split())}” {mark(c)}" for c in conflicts]
    return Answer(
        question=question,
        text=" ".join(parts),
        citations=citations,
        contexts=hits,
        extractive=extractive_answer,
    )


def _with_marks(sentence: str, marks: str) -> str:
    if sentence[-1:] in ".!?":
        return f"{sentence[:-1]} {marks}{sentence[-1]}"
    return f"{sentence} {marks}."


def refusal(question: str, hits: list[Hit], dropped: list[str] | None = None) -> Answer:
    return Answer(
        question=question, text=REFUSAL, citations=[], contexts=hits, refused=True, dropped=dropped or []
    )


def finish(
    question: str, generated: str, hits: list[Hit], settings: Settings, standalone: str | None = None
) -> Answer:
    """Verify the generated text; fall back to quotes; add disagreements; or refuse.
    `standalone` is the condensed form of a follow-up: what the answer is checked against."""
    sources = number_sources(hits)
    coverage = Coverage(standalone or question, [s.text for s in sources])
    claims, dropped = verify(generated, sources, settings)
    quotes = extractive(coverage, sources, settings)
    use_quotes = not answers_question(coverage, claims, quotes, settings.relevance_margin)
    if use_quotes:
        claims = quotes
        if not claims:
            return refusal(question, hits, dropped)
    conflicts = disagreements(coverage, claims, sources, settings)
    answer = assemble(question, claims, conflicts, hits, use_quotes)
    answer.dropped = dropped
    return answer


def answers_question(coverage: Coverage, claims: list[Claim], quotes: list[Claim], margin: float) -> bool:
    """The verified sentences answer the question: they hold what it asks for (a number, a date)
    and cover it about as well as the best quote from the articles would."""
    if not claims:
        return False
    text = " ".join(c.text for c in claims)
    if not coverage.answers(text):
        return False
    return not quotes or coverage(_in_context(claims)) >= coverage(quotes[0].text) - margin


def _in_context(claims: list[Claim]) -> str:
    """The claims with the article sentences that support them: what they answer, paraphrase and all."""
    parts = []
    for claim in claims:
        parts.append(claim.text)
        parts += [s.text[a:b] for s in claim.sources for a, b in [claim.quote_of[s.n]]]
    return " ".join(parts)


def condense(question: str, turns: list[dict], llm, settings: Settings) -> str:
    """Rewrite a follow-up into a standalone question with the model; if the rewrite is unusable
    (empty, rambling, or bringing in nothing from the conversation), join it to the last question."""
    prompt = prompts.render("condense", history=turns[-6:], question=question)
    message = prompt if llm.style == "completion" else [{"role": "user", "content": prompt}]
    text = "".join(llm.stream(message, stop=["\n"], max_tokens=64)).strip().strip('"')
    earlier = {cite.stem(w) for t in turns for w in cite.content_words(t["content"])}
    asked = {cite.stem(w) for w in cite.content_words(question)}
    brought_in = ({cite.stem(w) for w in cite.content_words(text)} & earlier) - asked
    if text and len(text) <= 3 * len(question) + 200 and brought_in:  # it used the history
        return text
    last_user = next((t["content"] for t in reversed(turns) if t["role"] == "user"), "")
    return f"{last_user} {question}".strip()
