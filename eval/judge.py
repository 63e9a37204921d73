"""Optional LLM judge (`rag eval --judge MODEL`, through Ollama): correctness and faithfulness.

Off by default: the deterministic metrics do not need it. A reply that is not the JSON asked for
is counted as a parse failure and reported; it never stops the run.
"""

from __future__ import annotations

import json
import re

import numpy as np

import prompts

_OBJECT = re.compile(r"\{.*?\}", re.S)
_TRUE = {"true", "yes", "1", "correct", "faithful"}
_FALSE = {"false", "no", "0", "incorrect", "unfaithful"}


def parse_verdict(reply: str) -> dict | None:
    """{'correct': bool, 'faithful': bool} from the judge's reply, or None if it cannot be read."""
    for candidate in _OBJECT.findall(reply or ""):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        verdict = {key: _as_bool(data.get(key)) for key in ("correct", "faithful")}
        if None not in verdict.values():
            return verdict
    return None


def _as_bool(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str | int):
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


class Judge:
    """Wraps any LLM of rag.llm (chat style) to grade one answer at a time."""

    def __init__(self, llm):
        self.llm = llm
        self.model = llm.model

    def grade(self, gold: dict, answer: dict) -> dict:
        if answer.get("refused"):
            return {"correct": False, "faithful": True, "skipped": "refused"}
        prompt = prompts.render(
            "judge",
            question=gold["question"],
            reference=gold["answer"],
            answer=answer["answer"],
            quotes=answer.get("citations", []),
        )
        reply = "".join(self.llm.stream([{"role": "user", "content": prompt}], stop=[], max_tokens=200))
        verdict = parse_verdict(reply)
        if verdict is None:
            return {"parse_failure": True, "reply": reply[:300]}
        return verdict


class EmbeddedJudge:
    """The embedded instruct model as a yes/no judge: it reads the log-probabilities of "yes" and
    "no" as its next token (no sampling, nothing to parse), one question for correctness and one
    for faithfulness. Independent of the pipeline's own verifier."""

    def __init__(self, llm):
        self.llm = llm
        self.model = f"{llm.model} (yes/no)"

    def _yes(self, prompt: str) -> bool:
        logp = self.llm.logprobs_of([{"role": "user", "content": prompt}], ["yes", "no", "Yes", "No"])
        return bool(np.logaddexp(logp["yes"], logp["Yes"]) > np.logaddexp(logp["no"], logp["No"]))

    def grade(self, gold: dict, answer: dict) -> dict:
        if answer.get("refused"):
            return {"correct": False, "faithful": True, "skipped": "refused"}
        args = dict(
            question=gold["question"],
            reference=gold["answer"],
            answer=answer["answer"],
            quotes=answer.get("citations", []),
        )
        return {
            "correct": self._yes(prompts.render("judge_correct", **args)),
            "faithful": self._yes(prompts.render("judge_faithful", **args)),
        }


def make_judge(settings, model: str):
    """`embedded`: the instruct model through llama.cpp; any other name: that model through Ollama."""
    if model == "embedded":
        from rag.llm import LlamaCppLLM

        return EmbeddedJudge(LlamaCppLLM(settings))
    from rag.llm import OllamaLLM

    return Judge(OllamaLLM(settings.model_copy(update={"model": model})))


def judge_summary(grades: list[dict | None]) -> dict:
    graded = [g for g in grades if g and "parse_failure" not in g and "skipped" not in g]
    n = len(graded)
    return {
        "judge_correct": sum(g["correct"] for g in graded) / n if n else None,
        "judge_faithful": sum(g["faithful"] for g in graded) / n if n else None,
        "judge_parse_failures": sum(bool(g and g.get("parse_failure")) for g in grades),
    }
