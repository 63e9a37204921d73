"""Build the verifier benchmark's generated pairs: (claim, evidence, supported?) made from real
article sentences by edits whose label is known by construction.

    python eval/make_verifier_set.py            # writes eval/sets/verifier/generated.jsonl

Each sampled sentence S (8-45 words, with a number or a name) gets an evidence passage: S with the
sentence before and after it, as a retrieved chunk would hold it. From S come:

- verbatim (supported): S as it stands;
- wrong_number (not): one number of S replaced by one the passage does not hold;
- misattributed_number (not): S's number replaced by a number another sentence of the passage
  gives for something else (the "12,000 troops" failure);
- swapped_names (not): two different names of S exchanged (who did what to whom);
- foreign_name (not): a name of S replaced by a name from another article;
- negation (not): "not" added after S's first auxiliary verb (or taken away where S has one).

Half the sentences come from the five bundled articles, half from the held-out NYT test articles
(`eval/sets/nyt-test/corpus`), which no rule was tuned on. Hand-written paraphrases, fragments and
reversed meanings are in `handwritten.jsonl` beside it.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import text as tx  # noqa: E402
from rag.corpus import load_article  # noqa: E402

SEED = 20261124
OUT = ROOT / "eval" / "sets" / "verifier" / "generated.jsonl"
ORIGINS = {"bundled": ROOT / "data" / "corpus", "nyt-test": ROOT / "eval" / "sets" / "nyt-test" / "corpus"}
PER_ORIGIN = 22  # sampled sentences per origin; each gives a verbatim pair and up to three edits

_AUX = re.compile(
    r"\b(is|are|was|were|has|have|had|will|would|could|can|should|did|does|do|must|may)\b( not\b|n['’]t\b)?"
)  # lower case only: "May 9" is a date, "Do" may open a name
_NUMBER = re.compile(r"(?<![\w.,])\d[\d,.]*\d(?![\w])|(?<![\w.,])\d(?![\w.,])")
_WHEN = tx.MONTHS | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*")


def passages(text: str) -> list[tuple[str, str]]:
    """(sentence, the sentence with its neighbours) for every sentence of an article."""
    spans = tx.sentence_spans(text)
    out = []
    for i, (s, e) in enumerate(spans):
        a = spans[max(0, i - 1)][0]
        b = spans[min(len(spans) - 1, i + 1)][1]
        out.append((text[s:e], text[a:b]))
    return out


def names(sentence: str) -> list[str]:
    """Capitalised runs that rag.text also counts as names (not the sentence's first word)."""
    found = []
    for m in _NAME.finditer(sentence):
        run = m.group(0)
        if m.start() == 0 or sentence[: m.start()].rstrip().endswith(("“", '"', ":")):
            continue
        if run.lower() in _WHEN:  # a day or month is a date, not a who
            continue
        if {w.lower() for w in run.split()} & tx.names_in(sentence) and run not in found:
            found.append(run)
    return found


def wrong_number(sentence: str, passage: str, rng: random.Random) -> str | None:
    numbers = [m for m in _NUMBER.finditer(sentence) if not re.fullmatch(r"(1[89]|20)\d\d", m.group(0))]
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = int(m.group(0).replace(",", "").split(".")[0])
    have = tx.numbers_in(passage)
    for new in (value * 2 + 3, value + 7, value * 3 + 1):
        shown = f"{new:,}" if "," in m.group(0) else str(new)
        if shown.replace(",", "") not in have:
            return sentence[: m.start()] + shown + sentence[m.end() :]
    return None


def misattributed_number(sentence: str, passage: str) -> str | None:
    own = [m for m in _NUMBER.finditer(sentence)]
    others = [n for n in _NUMBER.findall(passage.replace(sentence, " ")) if n not in sentence]
    others = [n for n in others if n.replace(",", "") not in tx.numbers_in(sentence)]
    if not own or not others:
        return None
    m = own[0]
    return sentence[: m.start()] + others[0] + sentence[m.end() :]


def swapped_names(sentence: str) -> str | None:
    found = names(sentence)
    pairs = [
        (a, b)
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if a not in b and b not in a and sentence.count(a) == 1 and sentence.count(b) == 1
    ]
    if not pairs:
        return None
    a, b = pairs[0]
    return sentence.replace(a, "\0").replace(b, a).replace("\0", b)


def foreign_name(sentence: str, passage: str, pool: list[str], rng: random.Random) -> str | None:
    found = [n for n in names(sentence) if sentence.count(n) == 1]
    if not found:
        return None
    have = {tx.stem(w) for w in tx.words(passage)}
    candidates = [p for p in pool if not {tx.stem(w) for w in p.split()} & have]
    if not candidates:
        return None
    return sentence.replace(found[0], rng.choice(candidates))


def negation(sentence: str) -> str | None:
    m = _AUX.search(sentence)
    if not m:
        return None
    if m.group(2):  # "did not" / "didn't" -> "did"
        return sentence[: m.start()] + m.group(1) + sentence[m.end() :]
    return sentence[: m.end()] + " not" + sentence[m.end() :]


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for origin, folder in ORIGINS.items():
        files = sorted(folder.glob("*.txt"))
        articles = [load_article(p) for p in files]
        pool = sorted({n for a in articles for s, _ in passages(a.text) for n in names(s) if len(n) > 3})
        candidates = [
            (a.source, s, p)
            for a in articles
            for s, p in passages(a.text)
            if 8 <= len(tx.words(s)) <= 45 and (tx.numbers_in(s) or tx.names_in(s)) and s != p
        ]
        rng.shuffle(candidates)
        for source, sentence, passage in candidates[:PER_ORIGIN]:
            edits = {
                "verbatim": sentence,
                "wrong_number": wrong_number(sentence, passage, rng),
                "misattributed_number": misattributed_number(sentence, passage),
                "swapped_names": swapped_names(sentence),
                "foreign_name": foreign_name(sentence, passage, pool, rng),
                "negation": negation(sentence),
            }
            made = [(k, v) for k, v in edits.items() if v and (k == "verbatim" or v != sentence)]
            # at most three edits per sentence, so no single sentence dominates the set
            made = made[:1] + rng.sample(made[1:], min(3, len(made) - 1))
            for kind, claim in made:
                rows.append(
                    {
                        "id": f"{origin}-{len(rows):03d}",
                        "origin": origin,
                        "source": source,
                        "kind": kind,
                        "claim": claim,
                        "evidence": passage,
                        "question": "",
                        "supported": kind == "verbatim",
                    }
                )
    return rows


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"{len(rows)} pairs -> {OUT.relative_to(ROOT)}: {kinds}")


if __name__ == "__main__":
    main()
