"""The model's messages: a fixed system prompt (so llama.cpp reuses its KV cache across questions)
and a user message holding the best evidence sentences with their neighbours, grouped by source,
within a counted token budget that always fits the context window."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import prompts
from rag.answer.evidence import Sentence, Source, with_neighbours
from rag.errors import BadQuestion

CHAT_OVERHEAD_TOKENS = 48  # chat-template tokens around the messages, with room to spare


@dataclass(frozen=True)
class Excerpt:
    n: int
    label: str
    text: str
    spans: tuple[tuple[int, int], ...]  # offsets within the chunk, in order


def select(
    ranked: list[Sentence], budget: int, count: Callable[[str], int], max_sentences: int
) -> list[Excerpt]:
    """The best sentences, each with one neighbour on either side (or alone, when that is what
    still fits), until the token budget is spent."""
    chosen: dict[int, list[tuple[int, int]]] = {}
    sources: dict[int, Source] = {}

    def cost(spans_by_n: dict[int, list[tuple[int, int]]]) -> int:
        return sum(
            count(sources[n].label) + EXCERPT_OVERHEAD + count(_excerpt_text(sources[n], spans))
            for n, spans in spans_by_n.items()
        )

    for sentence in ranked[:max_sentences]:
        n = sentence.source.n
        sources.setdefault(n, sentence.source)
        for span in (with_neighbours(sentence), (sentence.start, sentence.end)):
            trial = {**chosen, n: _merge(chosen.get(n, []) + [span])}
            if cost(trial) <= budget:
                chosen = trial
                break
    return [
        Excerpt(n, sources[n].label, _excerpt_text(sources[n], spans), tuple(spans))
        for n, spans in sorted(chosen.items())
    ]


EXCERPT_OVERHEAD = 4  # "[n] ", the excerpt tags' share


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _excerpt_text(source: Source, spans: list[tuple[int, int]]) -> str:
    return " … ".join(" ".join(source.text[s:e].split()) for s, e in spans)


def evidence_budget(
    question: str, count: Callable[[str], int], n_ctx: int, max_answer_tokens: int, wanted: int
) -> int:
    """Tokens left for evidence: the wanted budget, or less when the context window is smaller."""
    fixed = count(prompts.render("answer_system")) + count(question) + CHAT_OVERHEAD_TOKENS + 16
    room = n_ctx - max_answer_tokens - fixed
    if room < 64:
        raise BadQuestion(
            f"the context window ({n_ctx} tokens) leaves no room for evidence: raise RAG_NUM_CTX "
            "or lower RAG_MAX_ANSWER_TOKENS"
        )
    return min(wanted, room)


def messages(question: str, excerpts: list[Excerpt]) -> list[dict]:
    return [
        {"role": "system", "content": prompts.render("answer_system")},
        {"role": "user", "content": prompts.render("answer_user", excerpts=excerpts, question=question)},
    ]


_MARKUP = re.compile(r"</?excerpt\b|\b[\w.-]+\.(?:txt|md|markdown|html?)\b", re.I)


def echoes_markup(sentence: str) -> bool:
    """The sentence copies the prompt's framing (an <excerpt> tag, a source file name) instead of
    answering: "2015-prison-escape.txt <excerpt> Indeed, ..."."""
    return bool(_MARKUP.search(sentence))
