"""A follow-up question rewritten to stand alone, for retrieval and checking.

A question that already stands alone (it names its subject and refers back to nothing) is kept
as it is, with no model call. Otherwise the model rewrites it; a rewrite is used only if it brings
something in from the conversation, else the follow-up is joined to the last question.
"""

from __future__ import annotations

import re

import prompts
from rag import text as tx

_ANAPHORA = re.compile(
    r"\b(he|she|it|its|they|them|their|theirs|him|his|her|hers|this|that|these|those|there|then|"
    r"the same|such|other|another|else|also|too|again|instead)\b",
    re.I,
)
_ELLIPTIC = re.compile(r"^\s*(and|but|or|what about|how about|so|why|what else)\b", re.I)


def needs_history(question: str) -> bool:
    """True for questions that lean on the conversation: "How much will it be paid?", "And in 2023?"."""
    if _ELLIPTIC.match(question) or _ANAPHORA.search(question):
        return True
    return len(tx.content_words(question)) < 2


def condense(question: str, turns: list[dict], llm) -> str:
    if not needs_history(question):
        return question
    prompt = prompts.render("condense", history=turns[-6:], question=question)
    text = "".join(llm.stream([{"role": "user", "content": prompt}], stop=["\n"], max_tokens=64))
    text = text.strip().strip('"')
    earlier = {tx.stem(w) for t in turns for w in tx.content_words(t["content"])}
    asked = {tx.stem(w) for w in tx.content_words(question)}
    brought_in = ({tx.stem(w) for w in tx.content_words(text)} & earlier) - asked
    if text and len(text) <= 3 * len(question) + 200 and brought_in:
        return text
    last_user = next((t["content"] for t in reversed(turns) if t["role"] == "user"), "")
    return f"{last_user} {question}".strip()
