"""The gold question set: one JSON object per line, checked field by field on load.

Schema (README, "Evaluation"):
  id          unique string
  question    the question asked
  answer      a reference answer (for token F1 and the judge)
  facts       required facts, each a list of acceptable strings: [["rutte"], ["28 october", "october 28"]]
  sources     file names of the articles that support the answer ([] when unanswerable)
  answerable  bool: false when the articles do not hold the answer (refusing is then right)
  conflict    optional note: the sources disagree (the answer should cite both sides)
  today       optional ISO date the question is asked on (for "last week" and the like)
  history     optional earlier turns [{"role": "user"|"assistant", "content": "..."}] for follow-ups
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from rag.errors import RagError

SETS = Path(__file__).parent / "sets"
DEFAULT_GOLD = SETS / "bundled-dev.jsonl"  # tuning happens on dev; bundled-test is for reporting


class GoldError(RagError):
    pass


def load_gold(path: Path) -> list[dict]:
    if not path.is_file():
        raise GoldError(f"no gold file at {path}")
    items, seen = [], set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path.name}:{lineno}: not JSON ({exc.msg})") from exc
        problem = _problem(item)
        if problem:
            raise GoldError(f"{path.name}:{lineno}: {problem}")
        if item["id"] in seen:
            raise GoldError(f"{path.name}:{lineno}: duplicate id {item['id']!r}")
        seen.add(item["id"])
        item.setdefault("history", [])
        item.setdefault("conflict", None)
        items.append(item)
    if not items:
        raise GoldError(f"{path} holds no questions")
    return items


def _problem(item) -> str | None:
    if not isinstance(item, dict):
        return "each line must be a JSON object"
    for key, kind in (
        ("id", str),
        ("question", str),
        ("answer", str),
        ("facts", list),
        ("sources", list),
        ("answerable", bool),
    ):
        if key not in item:
            return f"missing field {key!r}"
        if not isinstance(item[key], kind):
            return f"field {key!r} must be a {kind.__name__}"
    if not item["question"].strip():
        return "empty question"
    if not all(isinstance(f, list) and f and all(isinstance(a, str) and a for a in f) for f in item["facts"]):
        return "each fact must be a non-empty list of acceptable strings"
    if item["answerable"] and not item["facts"]:
        return "an answerable item needs at least one fact"
    if not all(isinstance(s, str) for s in item["sources"]):
        return "sources must be file names"
    history = item.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
        for t in history
    ):
        return "history must be a list of {role: user|assistant, content} turns"
    if item.get("today") is not None:
        try:
            date.fromisoformat(item["today"])
        except (TypeError, ValueError):
            return "today must be an ISO date (YYYY-MM-DD)"
    if item.get("conflict") is not None and not isinstance(item["conflict"], str):
        return "conflict must be a string note"
    return None
