"""Run `rag eval` once per settings variant and print the headline metrics side by side.

    python eval/sweep.py "RAG_TOP_K=3" "RAG_TOP_K=8" "RAG_CHUNK_TOKENS=120 RAG_CHUNK_OVERLAP=20"

Each variant gets its own index (a fresh RAG_HOME, so chunking settings can differ) and shares the
model files; reports go to OUT/<n>/. The empty variant "" is the current defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rag.settings import Settings

COLUMNS = [
    "fact_recall",
    "crag_score",
    "citation_recall",
    "citation_precision",
    "citation_recall_strict",
    "refusal_f1",
    "false_refusal_rate",
    "conflicts_both_cited",
    "mrr",
    "total_ms_p50",
]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("variants", nargs="+", help='space-separated NAME=VALUE settings; "" for defaults')
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "rag-sweep")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    models = str(Settings().models_dir.resolve())
    rows = []
    for n, variant in enumerate(args.variants):
        env = {**os.environ, "RAG_MODELS": models}
        env.update(dict(pair.split("=", 1) for pair in variant.split()))
        out = args.out / str(n)
        with tempfile.TemporaryDirectory() as home:
            env["RAG_HOME"] = home
            cmd = [sys.executable, "-m", "rag.cli", "eval", "--out", str(out)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL)
        report = json.loads((out / "report.json").read_text())
        rows.append((variant or "(defaults)", report["aggregate"]))
        print(_row(*rows[-1]), flush=True) if n else print(_header() + "\n" + _row(*rows[-1]), flush=True)
    return 0


def _header() -> str:
    return f"{'variant':44}" + "".join(f"{c[:12]:>13}" for c in COLUMNS)


def _row(name: str, agg: dict) -> str:
    cells = "".join(
        f"{'–' if agg.get(c) is None else format(agg[c], '.3f' if agg[c] < 10 else '.0f'):>13}"
        for c in COLUMNS
    )
    return f"{name[:44]:44}{cells}"


if __name__ == "__main__":
    sys.exit(main())
