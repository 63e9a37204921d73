"""Ask every gold question once (models load once), score it, and build the report dict."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from eval import metrics
from eval.judge import judge_summary
from rag.assistant import Assistant
from rag.errors import RagError


def run_eval(
    assistant: Assistant,
    gold: list[dict],
    *,
    progress: bool = False,
    judge=None,
    gold_path: Path | None = None,
) -> dict:
    items = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(gold), desc="eval", unit="q", leave=False)
    for g in gold:
        items.append(_one(assistant, g, judge))
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    answers = [i["result"] for i in items]
    aggregate = metrics.aggregate([i["scores"] for i in items], answers)
    if judge is not None:
        aggregate.update(judge_summary([i.get("judge") for i in items]))
    backend = next((a["backend"] for a in answers if a and a["backend"] != "none"), "none")
    model = next((a["model"] for a in answers if a and a["model"]), "")
    return {
        "meta": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "gold": _relative(gold_path),
            "questions": len(gold),
            "backend": backend,
            "model": model,
            "judge": judge.model if judge else None,
            "settings": {k: str(v) for k, v in assistant.settings.model_dump().items()},
        },
        "aggregate": aggregate,
        "items": items,
    }


def _one(assistant: Assistant, gold: dict, judge) -> dict:
    item: dict = {"id": gold["id"], "gold": gold, "result": None, "scores": None, "error": None}
    try:
        if gold["history"]:
            answer = assistant.ask_with_history(gold["question"], gold["history"])
        else:
            answer = assistant.ask(gold["question"], today=_today(gold))
    except RagError as exc:
        item["error"] = str(exc)
        return item
    item["result"] = answer.to_dict()
    item["scores"] = metrics.score_item(gold, item["result"], assistant.settings.support_coverage)
    if judge is not None:
        try:
            item["judge"] = judge.grade(gold, item["result"])
        except RagError as exc:
            item["judge"] = {"parse_failure": True, "reply": f"judge error: {exc}"}
    return item


def _relative(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent, timeout=5
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _today(gold: dict):
    """A question about "last week" is asked as of the day its gold item says (field `today`)."""
    from datetime import date

    return date.fromisoformat(gold["today"]) if gold.get("today") else None
