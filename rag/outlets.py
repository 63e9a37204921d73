"""Outlet view: which outlets report what an answer says, and which cover the question without
saying it. Counted over distinct articles: articles whose retrieved text is a near-duplicate of
another's (one wire story printed by several outlets) count once, with every outlet that ran it
named. An article reports the answer when one of its retrieved chunks supports a lead claim by
the same check that verifies answers (rag/answer/verify.py)."""

from __future__ import annotations

from rag import text as tx
from rag.answer import verify
from rag.types import Answer, Hit

UNKNOWN = "(outlet not stated)"
OUTLET_CHUNKS = 20  # chunks searched for the view: more articles than one answer reads
COVERS = 0.5  # share of the question's content words an article must hold to cover it
NEAR_DUPLICATE = 0.8  # share of word 5-grams two articles' texts hold in common


def summary(view: dict, name=str) -> str:
    """'Reported by: Harbour Times (1), Coast Gazette (1) · covered without saying it: Island Post
    (1) · 1 near-duplicate copies counted once'; `name` prepares an outlet's name (the page
    escapes it)."""

    def named(rows) -> str:
        return ", ".join(f"{name(r['outlet'])} ({r['stories']})" for r in rows) or "none"

    line = (
        f"Reported by: {named(view['reporting'])} · covered without saying it: {named(view['not_reporting'])}"
    )
    copies = sum(len(g) - 1 for g in view["copies"])
    return line + (f" · {copies} near-duplicate copies counted once" if copies else "")


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = tx.words(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def copies(texts: dict[str, str]) -> list[list[str]]:
    """Articles grouped as near-duplicates (first seen leads its group)."""
    groups: list[tuple[set, list[str]]] = []
    for source, text in texts.items():
        mine = shingles(text)
        for theirs, members in groups:
            if mine and theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= NEAR_DUPLICATE:
                members.append(source)
                break
        else:
            groups.append((mine, [source]))
    return [members for _, members in groups]


def outlet_view(answer: Answer, hits: list[Hit], min_coverage: float) -> dict:
    """{"reporting": [...], "not_reporting": [...], "articles": n, "copies": [[sources]]}; each
    entry {"outlet", "articles": [sources], "stories": distinct stories}. Empty lists for a refusal."""
    claims = [c.text for c in answer.lead]
    by_source: dict[str, list[Hit]] = {}
    for hit in hits:
        by_source.setdefault(hit.chunk.source, []).append(hit)
    texts = {s: " ".join(h.chunk.text for h in hs) for s, hs in by_source.items()}
    groups = copies(texts)
    reports = {
        source: any(
            verify.support(
                claim, h.chunk.text, min_coverage, h.chunk.meta.title or "", answer.question
            ).supported
            for claim in claims
            for h in by_source[source]
        )
        for source in by_source
    }
    lead_of = {s: group[0] for group in groups for s in group}
    view: dict[bool, dict[str, dict]] = {True: {}, False: {}}
    for source, hs in by_source.items():
        outlet = hs[0].chunk.meta.outlet or UNKNOWN
        row = view[reports[source]].setdefault(outlet, {"outlet": outlet, "articles": [], "stories": set()})
        row["articles"].append(source)
        row["stories"].add(lead_of[source])
    # "covers the question": its retrieved text holds at least half of the question's content
    # words (a nearest neighbour about something else is not coverage)
    asked = {tx.stem(w) for w in tx.content_words(answer.question)}

    def covers(source: str) -> bool:
        return bool(asked) and len(asked & tx.stems(texts[source])) / len(asked) >= COVERS

    not_reporting = {
        o: r for o, r in view[False].items() if o not in view[True] and any(covers(a) for a in r["articles"])
    }

    def rows(table: dict) -> list[dict]:
        out = [{**r, "stories": len(r["stories"])} for r in table.values()]
        return sorted(out, key=lambda r: (-r["stories"], r["outlet"]))

    return {
        "reporting": rows(view[True]) if claims else [],
        "not_reporting": rows(not_reporting) if claims else [],
        "articles": len(groups),
        "reporting_articles": len({lead_of[s] for s, yes in reports.items() if yes}) if claims else 0,
        "copies": [g for g in groups if len(g) > 1],
    }
