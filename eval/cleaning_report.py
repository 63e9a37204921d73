"""What cleaning and metadata extraction keep and lose, measured on folders of real articles.

Each source sentence must still be in the cleaned article (as often as the source has it), in
its title, or in its byline; anything else is text lost. Run it on corpora the rules were not
written for:

    python -m eval.cleaning_report DIR [DIR ...]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from rag.corpus import load_article, read_text
from rag.text import sentence_spans
from rag.types import Article

BYLINE_PREFIX = re.compile(r"^[Bb]y [^,·|]+[,·|]\s*")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def source_sentences(raw: str) -> list[str]:
    """Sentences of a source file, paragraph by paragraph, with letters in them."""
    out = []
    for para in raw.split("\n"):
        para = _flat(para)
        out += [para[s:e] for s, e in sentence_spans(para) if re.search(r"[^\W\d_]", para[s:e])]
    return out


def sentences_lost(raw: str, article: Article) -> list[str]:
    """Source sentences that the article no longer holds (in its text, title or byline)."""
    kept = " ".join(_flat(x) for x in (article.text, article.meta.title or "", article.meta.author or ""))
    source = " ".join(_flat(p) for p in raw.split("\n") if p.strip())
    lost = []
    for sentence in dict.fromkeys(source_sentences(raw)):
        wanted = source.count(sentence)
        without_byline = BYLINE_PREFIX.sub("", sentence)
        if kept.count(sentence) < wanted and kept.count(without_byline) < wanted:
            lost.append(sentence)
    return lost


def report(folder: Path) -> dict[str, int]:
    figures: Counter[str] = Counter()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".md")):
        figures["files"] += 1
        try:
            raw, _ = read_text(path)
            article = load_article(path)
        except ValueError as exc:
            figures[f"skipped: {exc}"] += 1
            continue
        figures["ingested"] += 1
        figures["source chars"] += sum(len(s) for s in source_sentences(raw))
        lost = sentences_lost(raw, article)
        figures["articles losing text"] += bool(lost)
        figures["chars lost"] += sum(len(s) for s in lost)
        for field in ("title", "author", "outlet", "date"):
            figures[f"with {field}"] += getattr(article.meta, field) is not None
    return dict(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    for folder in args.folders:
        figures = report(folder)
        print(f"{folder}:")
        for key, value in figures.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
