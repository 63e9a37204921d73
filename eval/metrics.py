"""Scores for one answer against one gold item, and their aggregate. Pure functions over the
dicts that `Answer.to_dict()` and `load_gold` produce, so a saved report can be re-scored.

Definitions (also in the README):
- retrieval: the gold `sources` against the files of the retrieved chunks, in rank order;
  duplicates on either side count once, and no contexts means nothing was found.
- facts: a fact holds when one of its acceptable strings occurs in the answer after
  normalisation (case, quotes, dashes and hyphens, digit grouping, citation markers);
  the answer is *correct* when all facts hold.
- CRAG score: answerable item: +1 correct, 0 refused, -1 otherwise; unanswerable item: +1 refused,
  -1 answered. Refusing beats inventing.
- citations (ALCE-style, deterministic): a sentence is supported when the chunks it cites support
  it; recall is the share of answer sentences supported, precision the share of citations needed
  for that support (it supports the sentence alone, or the others do not without it). Each is
  computed twice: with the pipeline's own support test and with a stricter lexical one
  (exact words, 80% coverage, every number and name) so the harness does not only grade itself.
"""

from __future__ import annotations

import re
import statistics
import string
import unicodedata
from collections.abc import Callable, Iterable

from rag import text as tx
from rag.answer import verify
from rag.answer.assemble import CONFLICT_HEADER, QUOTE_HEADER
from rag.answer.markers import answer_sentences as split_sentences
from rag.answer.markers import split_markers
from rag.types import OTHER_REPORTS

_QUOTES_DASHES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
    }
)
_MARKER = re.compile(r"\[\d+\]")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES_DASHES).lower()
    text = _MARKER.sub(" ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 10,000 -> 10000
    text = re.sub(r"[-/]", " ", text)
    text = re.sub(r"[\"'`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def fact_holds(alternatives: Iterable[str], answer: str) -> bool:
    """One acceptable string occurs in the answer, starting at a word boundary and not running on
    into more digits ("80" does not match "1980" or "800"; "technolog" matches "technology")."""
    text = normalise(answer)
    for alt in alternatives:
        alt = normalise(alt)
        if alt and re.search(rf"(?<![a-z0-9]){re.escape(alt)}(?!\d)", text):
            return True
    return False


def fact_scores(facts: list[list[str]], answer: str) -> tuple[float, bool]:
    """(share of facts present, all present)."""
    if not facts:
        return 0.0, False
    held = [fact_holds(alts, answer) for alts in facts]
    return sum(held) / len(held), all(held)


_ARTICLES = {"a", "an", "the"}
_PUNCT = str.maketrans({c: " " for c in string.punctuation})


def _tokens(text: str) -> list[str]:
    return [t for t in normalise(text).translate(_PUNCT).split() if t not in _ARTICLES]


def token_f1(answer: str, reference: str) -> float:
    got, want = _tokens(answer), _tokens(reference)
    if not got or not want:
        return float(got == want)
    common = sum(min(got.count(t), want.count(t)) for t in set(got) & set(want))
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def crag_score(answerable: bool, refused: bool, correct: bool) -> int:
    if not answerable:
        return 1 if refused else -1
    if refused:
        return 0
    return 1 if correct else -1


# --- retrieval ---------------------------------------------------------------------------------
def retrieval_scores(gold_sources: list[str], contexts: list[dict]) -> dict:
    """hit@k (k = number of contexts), reciprocal rank of the first supporting chunk, recall."""
    gold = set(gold_sources)
    ranked = [c["source"] for c in contexts]
    first = next((i for i, s in enumerate(ranked, start=1) if s in gold), None)
    found = gold & set(ranked)
    return {
        "hit": float(first is not None),
        "rr": 1.0 / first if first else 0.0,
        "source_recall": len(found) / len(gold) if gold else 0.0,
    }


# --- citations ---------------------------------------------------------------------------------
SupportTest = Callable[[str, str], bool]


def pipeline_support(min_coverage: float) -> SupportTest:
    return lambda sentence, evidence: verify.support(sentence, evidence, min_coverage).supported


def strict_support(sentence: str, evidence: str, min_coverage: float = 0.8) -> bool:
    """Exact (unstemmed) content words, 80% of them, and every number and name."""
    words = tx.content_words(sentence)
    if not words:
        return False
    ev_words = tx.content_words(evidence)
    if tx.numbers_in(sentence) - tx.numbers_in(evidence):
        return False
    ev_lower = {w.lower() for w in tx.words(evidence)}
    if any(n not in ev_lower for n in tx.names_in(sentence)):
        return False
    return sum(w in ev_words for w in words) / len(words) >= min_coverage


def answer_claims(answer: dict, lead_only: bool = False) -> list[tuple[str, list[int]]]:
    """(claim text, cited numbers) for each claim: from the structured `claims` when the answer
    has them, else (older reports) from the text, headers and quote marks removed."""
    if "claims" in answer:
        return [
            (c["text"], list(c["citations"]))
            for c in answer["claims"]
            if not (lead_only and c["kind"] in OTHER_REPORTS)
        ]
    text = answer.get("answer", "")
    if lead_only:
        text = text.split(CONFLICT_HEADER)[0]
    for header in (QUOTE_HEADER, CONFLICT_HEADER):
        text = text.replace(header, " ")
    out = []
    for raw in split_sentences(text):
        sentence, numbers = split_markers(raw)
        sentence = sentence.strip().strip('“”"').strip()
        if sentence.strip(' .“”"') and re.search(r"\w", sentence):
            out.append((sentence, numbers))
    return out


def lead_text(answer: dict) -> str:
    """What the answer states as its answer: the lead claims, never the conflict block."""
    return " ".join(text for text, _ in answer_claims(answer, lead_only=True))


def citation_scores(answer: dict, test: SupportTest) -> dict:
    """Citation recall and precision of one answer, and its out-of-range markers."""
    evidence_of = _evidence_by_number(answer)
    sentences = answer_claims(answer)
    supported = n_citations = needed = out_of_range = 0
    for sentence, numbers in sentences:
        out_of_range += sum(n not in evidence_of for n in numbers)
        cited = [n for n in numbers if n in evidence_of]
        n_citations += len(numbers)
        if not cited or not test(sentence, "\n".join(evidence_of[n] for n in cited)):
            continue
        supported += 1
        for n in cited:
            rest = [m for m in cited if m != n]
            alone = test(sentence, evidence_of[n])
            others = bool(rest) and test(sentence, "\n".join(evidence_of[m] for m in rest))
            needed += alone or not others
    return {
        "sentences": len(sentences),
        "citation_recall": supported / len(sentences) if sentences else None,
        "citation_precision": needed / n_citations if n_citations else None,
        "out_of_range": out_of_range,
    }


def _evidence_by_number(answer: dict) -> dict[int, str]:
    """Citation number -> the full text of the chunk it points at (its quote if the chunk is not
    among the contexts)."""
    chunks = {c["chunk_id"]: c["text"] for c in answer.get("contexts", [])}
    return {c["n"]: chunks.get(c["chunk_id"], c["quote"]) for c in answer.get("citations", [])}


def cited_sources(answer: dict) -> set[str]:
    return {c["source"] for c in answer.get("citations", [])}


# --- one item ----------------------------------------------------------------------------------
def score_item(gold: dict, answer: dict, support_coverage: float) -> dict:
    refused = bool(answer.get("refused"))
    text = "" if refused else lead_text(answer)
    recall, correct = fact_scores(gold["facts"], text)
    scores: dict = {
        "answerable": gold["answerable"],
        "refused": refused,
        "extractive": bool(answer.get("extractive")),
        "crag": crag_score(gold["answerable"], refused, correct),
    }
    if gold["answerable"]:
        scores.update(retrieval_scores(gold["sources"], answer.get("contexts", [])))
        scores.update(fact_recall=recall, correct=correct, token_f1=token_f1(text, gold["answer"]))
    if not refused:
        mine = citation_scores(answer, pipeline_support(support_coverage))
        strict = citation_scores(answer, strict_support)
        scores.update(mine)
        scores["citation_recall_strict"] = strict["citation_recall"]
        scores["citation_precision_strict"] = strict["citation_precision"]
        sources = cited_sources(answer)
        if gold["answerable"] and sources:
            scores["cited_source_precision"] = len(sources & set(gold["sources"])) / len(sources)
        if gold["answerable"]:
            scores["cited_right"] = correct and bool(sources & set(gold["sources"]))
    if gold.get("conflict"):
        scores["both_sides_cited"] = len(cited_sources(answer) & set(gold["sources"])) >= 2
    return scores


# --- aggregate ---------------------------------------------------------------------------------
def _mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def refusal_scores(items: list[dict]) -> dict:
    """Refusing as the positive class, unanswerable items as the true positives."""
    tp = sum(s["refused"] and not s["answerable"] for s in items)
    fp = sum(s["refused"] and s["answerable"] for s in items)
    fn = sum(not s["refused"] and not s["answerable"] for s in items)
    answerable = sum(s["answerable"] for s in items)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        (2 * precision * recall / (precision + recall))
        if precision and recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return {
        "refusal_precision": precision,
        "refusal_recall": recall,
        "refusal_f1": f1,
        "false_refusal_rate": fp / answerable if answerable else None,
    }


def outcome_rates(items: list[dict]) -> dict:
    """The product's headline figures: over answerable items, the share whose answer holds the
    facts (found), also citing a gold article (cited right), refused, or answered without them
    (wrong); over unanswerable items, the share refused."""
    answerable = [s for s in items if s["answerable"]]
    unanswerable = [s for s in items if not s["answerable"]]

    def share(pool, test):
        return sum(1 for s in pool if test(s)) / len(pool) if pool else None

    return {
        "answer_found": share(answerable, lambda s: s.get("correct")),
        "cited_right": share(answerable, lambda s: s.get("cited_right")),
        "false_refusals": share(answerable, lambda s: s["refused"]),
        "wrong_answers": share(answerable, lambda s: not s["refused"] and not s.get("correct")),
        "unanswerable_refused": share(unanswerable, lambda s: s["refused"]),
    }


def aggregate(scored: list[dict], answers: list[dict]) -> dict:
    """Means over the items each metric applies to, refusal P/R/F1, latency and throughput."""
    ok = [s for s in scored if s is not None]
    answerable = [s for s in ok if s["answerable"]]

    def mean(key: str, pool: list[dict]) -> float | None:
        return _mean([s.get(key) for s in pool])

    out: dict = {
        "questions": len(scored),
        "errors": sum(s is None for s in scored),
        "hit_at_k": mean("hit", answerable),
        "mrr": mean("rr", answerable),
        "source_recall": mean("source_recall", answerable),
        "fact_recall": mean("fact_recall", answerable),
        "accuracy": mean("correct", answerable),
        "token_f1": mean("token_f1", answerable),
        "crag_score": mean("crag", ok),
        **outcome_rates(ok),
        "citation_recall": mean("citation_recall", ok),
        "citation_precision": mean("citation_precision", ok),
        "citation_recall_strict": mean("citation_recall_strict", ok),
        "citation_precision_strict": mean("citation_precision_strict", ok),
        "cited_source_precision": mean("cited_source_precision", ok),
        "out_of_range_citations": sum(s.get("out_of_range", 0) for s in ok),
        "extractive_rate": mean("extractive", [s for s in ok if not s["refused"]]),
        "conflicts_both_cited": mean("both_sides_cited", [s for s in ok if "both_sides_cited" in s]),
        **refusal_scores(ok),
    }
    timings = [a.get("timings", {}) for a in answers if a]
    for key in ("retrieve_ms", "generate_ms", "total_ms"):
        values = [t[key] for t in timings if key in t]
        out[f"{key}_p50"] = _pct(values, 50)
        out[f"{key}_p95"] = _pct(values, 95)
    generated = [a for a in answers if a and a.get("tokens_generated")]
    seconds = sum(a["timings"]["generate_ms"] for a in generated) / 1000
    out["tokens_per_s"] = sum(a["tokens_generated"] for a in generated) / seconds if seconds else None
    return out


# Higher is better for every aggregate except these.
LOWER_IS_BETTER = frozenset(
    {"errors", "out_of_range_citations", "false_refusal_rate", "extractive_rate", "false_refusals"}
    | {"wrong_answers"}
    | {f"{k}_{p}" for k in ("retrieve_ms", "generate_ms", "total_ms") for p in ("p50", "p95")}
)
