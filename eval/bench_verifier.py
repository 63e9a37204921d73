"""The verifier benchmark: precision and recall of the answer verifier on labelled
(claim, evidence, supported?) pairs.

    python eval/bench_verifier.py                    # the rule verifier (rag/answer/verify.py)
    python eval/bench_verifier.py --judge embedded   # and the embedded instruct model as a yes/no judge

Pairs: `eval/sets/verifier/generated.jsonl` (edits of real sentences, labels by construction; see
`eval/make_verifier_set.py`) and `handwritten.jsonl` (paraphrases, changed meanings, fragments).
"Supported" is the positive class: precision is the share of claims the verifier lets through
that the evidence does support (what a reader relies on); recall is the share of supported claims
it keeps (what refusing costs). Writes `eval/reports/verifier/report.{json,md}`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.answer import verify  # noqa: E402
from rag.settings import Settings  # noqa: E402

SETS = [ROOT / "eval" / "sets" / "verifier" / name for name in ("generated.jsonl", "handwritten.jsonl")]
OUT = ROOT / "eval" / "reports" / "verifier"


def load() -> list[dict]:
    return [json.loads(line) for path in SETS for line in path.open(encoding="utf-8") if line.strip()]


def scores(pairs: list[tuple[bool, bool]]) -> dict:
    """(gold, predicted) -> precision, recall, accuracy and counts; supported is positive."""
    tp = sum(g and p for g, p in pairs)
    fp = sum(p and not g for g, p in pairs)
    fn = sum(g and not p for g, p in pairs)
    n = len(pairs)
    return {
        "n": n,
        "supported": sum(g for g, _ in pairs),
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "accuracy": round(sum(g == p for g, p in pairs) / n, 3) if n else None,
        "passed": tp + fp,
    }


def rule_verdicts(rows: list[dict], settings: Settings) -> list[bool]:
    return [
        verify.check(r["claim"], r["evidence"], settings.support_coverage, r["question"]).supported
        for r in rows
    ]


def judge_verdicts(rows: list[dict], settings: Settings) -> list[bool]:
    import prompts
    from eval.judge import EmbeddedJudge
    from rag.llm import LlamaCppLLM

    judge = EmbeddedJudge(LlamaCppLLM(settings))
    out = []
    for r in rows:
        prompt = prompts.render(
            "judge_faithful", answer=r["claim"], quotes=[{"n": 1, "quote": r["evidence"]}]
        )
        out.append(judge._yes(prompt))
    return out


def breakdown(rows: list[dict], verdicts: list[bool]) -> dict:
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for r, v in zip(rows, verdicts, strict=True):
        pair = (r["supported"], v)
        groups["all"].append(pair)
        groups[f"origin:{r['origin']}"].append(pair)
        groups[f"kind:{r['kind']}"].append(pair)
    return {k: scores(v) for k, v in sorted(groups.items())}


def markdown(results: dict) -> str:
    lines = [
        "# Verifier benchmark",
        "",
        f"{results['pairs']} labelled pairs; supported is the positive class.",
        "",
    ]
    for name, table in results["verifiers"].items():
        lines += [
            f"## {name}",
            "",
            "| group | n | supported | passed | precision | recall | accuracy |",
            "|---|---|---|---|---|---|---|",
        ]
        for group, s in table.items():
            lines.append(
                f"| {group} | {s['n']} | {s['supported']} | {s['passed']} | {s['precision']} "
                f"| {s['recall']} | {s['accuracy']} |"
            )
        lines.append("")
    lines += ["Wrongly passed (rule verifier):", ""]
    lines += [f"- `{x['id']}` {x['kind']}: {x['claim']}" for x in results["rule_false_passes"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--judge", choices=["embedded"], help="also score the embedded model as a yes/no judge"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    settings = Settings()
    rows = load()
    results: dict = {"pairs": len(rows), "support_coverage": settings.support_coverage, "verifiers": {}}
    rule = rule_verdicts(rows, settings)
    results["verifiers"]["rule verifier (rag/answer/verify.py)"] = breakdown(rows, rule)
    results["rule_false_passes"] = [r for r, v in zip(rows, rule, strict=True) if v and not r["supported"]]
    if args.judge:
        started = time.perf_counter()
        judged = judge_verdicts(rows, settings)
        results["verifiers"][f"embedded judge ({settings.embedded_model}, yes/no)"] = breakdown(rows, judged)
        results["judge_seconds"] = round(time.perf_counter() - started, 1)
        both = [a and b for a, b in zip(rule, judged, strict=True)]
        results["verifiers"]["rule verifier and embedded judge both"] = breakdown(rows, both)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (args.out / "report.md").write_text(markdown(results))
    for name, table in results["verifiers"].items():
        s = table["all"]
        print(
            f"{name}: precision {s['precision']}  recall {s['recall']}  "
            f"accuracy {s['accuracy']}  (n={s['n']})"
        )
        for group in ("origin:bundled", "origin:nyt-test"):
            g = table[group]
            print(f"  {group}: precision {g['precision']}  recall {g['recall']}  (n={g['n']})")
    print(f"report: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}/report.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
