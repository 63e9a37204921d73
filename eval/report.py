"""Write a run's report.json, report.md and report.png; compare runs; check metric floors."""

from __future__ import annotations

import json
from pathlib import Path

from eval.metrics import LOWER_IS_BETTER
from rag.errors import RagError

# Shown in the table and the chart, in this order.
HEADLINE = [
    "hit_at_k",
    "mrr",
    "source_recall",
    "fact_recall",
    "accuracy",
    "token_f1",
    "crag_score",
    "citation_recall",
    "citation_precision",
    "citation_recall_strict",
    "citation_precision_strict",
    "cited_source_precision",
    "refusal_precision",
    "refusal_recall",
    "refusal_f1",
    "false_refusal_rate",
    "conflicts_both_cited",
    "extractive_rate",
]


def write_reports(report: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "report.png"]
    paths[0].write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    chart(report, paths[2])
    return paths


def load_report(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RagError(f"no report at {path}") from exc
    except json.JSONDecodeError as exc:
        raise RagError(f"{path} is not a report.json ({exc.msg})") from exc


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def markdown(report: dict) -> str:
    meta, agg = report["meta"], report["aggregate"]
    lines = [
        f"# Eval report: {meta['questions']} questions",
        "",
        f"{meta['date']} · commit `{(meta['commit'] or 'unknown')[:10]}` · backend `{meta['backend']}` · "
        f"model `{meta['model']}` · gold `{meta['gold']}`",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in agg.items()]
    failures = [(i, reasons(i)) for i in report["items"]]
    failures = [(i, r) for i, r in failures if r]
    lines += ["", f"## Failures ({len(failures)})", ""]
    for item, why in failures:
        result = item["result"] or {}
        lines += [
            f"### {item['id']}: {item['gold']['question']}",
            f"- what went wrong: {'; '.join(why)}",
            f"- expected: {item['gold']['answer']}",
            f"- got: {(result.get('answer') or item['error'] or '').strip()}",
        ]
        if result.get("dropped"):
            lines.append(f"- dropped by the verifier: {' | '.join(result['dropped'])}")
        lines.append("")
    return "\n".join(lines) + "\n"


def reasons(item: dict) -> list[str]:
    """What went wrong with one item, in words (empty when nothing did)."""
    if item["error"]:
        return [f"error: {item['error']}"]
    s, gold = item["scores"], item["gold"]
    why = []
    if gold["answerable"]:
        if not s["hit"]:
            why.append("no supporting article retrieved")
        if s["refused"]:
            why.append("refused an answerable question")
        elif not s["correct"]:
            missing = [f[0] for f in gold["facts"] if not _has(f, item)]
            why.append(f"missing facts: {', '.join(missing)}")
    elif not s["refused"]:
        why.append("answered a question the articles cannot answer")
    if s.get("citation_recall") is not None and s["citation_recall"] < 1:
        why.append(f"citation recall {s['citation_recall']:.2f}")
    if s.get("out_of_range"):
        why.append(f"{s['out_of_range']} out-of-range citations")
    if s.get("both_sides_cited") is False:
        why.append("conflicting sources not both cited")
    return why


def _has(fact: list[str], item: dict) -> bool:
    from eval.metrics import fact_holds

    return fact_holds(fact, (item["result"] or {}).get("answer", ""))


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    agg = report["aggregate"]
    names = [k for k in HEADLINE if agg.get(k) is not None]
    values = [agg[k] for k in names]
    latencies = [
        i["result"]["timings"]["total_ms"] / 1000
        for i in report["items"]
        if i["result"] and i["result"].get("timings")
    ]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [2.2, 1]})
    colors = ["#c0392b" if v < 0 else "#2e86c1" for v in values]
    left.barh(names[::-1], values[::-1], color=colors[::-1])
    left.set_xlim(min(0, min(values, default=0)) - 0.05, 1.05)
    for y, v in enumerate(values[::-1]):
        left.text(max(v, 0) + 0.01, y, f"{v:.2f}", va="center", fontsize=8)
    left.set_title(f"metrics ({report['meta']['questions']} questions, {report['meta']['model']})")
    right.hist(latencies or [0], bins=15, color="#7f8c8d")
    right.set_title("answer latency (s)")
    right.set_xlabel("seconds, end to end")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def compare(current: dict, previous: dict) -> str:
    cur, old = current["aggregate"], previous["aggregate"]
    rows = [f"{'metric':28} {'current':>10} {'previous':>10} {'delta':>10}"]
    for key in cur:
        a, b = cur.get(key), old.get(key)
        delta = (a - b) if isinstance(a, int | float) and isinstance(b, int | float) else None
        flag = ""
        if delta:
            better = delta < 0 if key in LOWER_IS_BETTER else delta > 0
            flag = "  better" if better else "  worse"
        rows.append(
            f"{key:28} {_fmt(a):>10} {_fmt(b):>10} {_fmt(delta) if delta is not None else '–':>10}{flag}"
        )
    return "\n".join(rows)


def parse_floors(specs: list[str], known: dict) -> dict[str, float]:
    floors = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep:
            raise RagError(f"--fail-under takes metric=value, got {spec!r}")
        if name not in known:
            raise RagError(f"unknown metric {name!r}; one of: {', '.join(sorted(known))}")
        if name in LOWER_IS_BETTER:
            raise RagError(f"{name} is better when lower; --fail-under takes metrics where higher is better")
        try:
            floors[name] = float(value)
        except ValueError as exc:
            raise RagError(f"--fail-under {name}: {value!r} is not a number") from exc
    return floors


def below_floor(aggregate: dict, floors: dict[str, float]) -> list[str]:
    """Metrics under their floor (or missing), as 'name value < floor' lines."""
    failed = []
    for name, floor in floors.items():
        value = aggregate.get(name)
        if value is None or value < floor:
            failed.append(f"{name} {_fmt(value)} < {floor}")
    return failed
