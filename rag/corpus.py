"""Find article files, read them safely, and turn each into a cleaned Article with metadata."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rag import cleaning, metadata
from rag.types import Article, ArticleMeta

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
DATASET_SUFFIXES = {".csv", ".jsonl", ".ndjson", ".parquet"}  # rag/datasets.py: a row per article
SUPPORTED_SUFFIXES = ARTICLE_SUFFIXES | DATASET_SUFFIXES
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


def discover(paths: Iterable[Path]) -> Iterator[Path | Skipped]:
    """Files under the given paths (folders recursively, hidden entries ignored), sorted by name."""
    for path in paths:
        if not path.exists():
            yield Skipped(path.name or str(path), f"not found: {path}")
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in rel.parts):
                    yield _check_suffix(child)
        else:
            yield _check_suffix(path)


def _check_suffix(path: Path) -> Path | Skipped:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return Skipped(path.name, f"unsupported file type '{path.suffix or '(none)'}'")
    return path


def read_text(path: Path) -> tuple[str, str]:
    """(text, sha256 of bytes); raises ValueError with a one-line reason for bad files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"too large ({size // 1024 // 1024} MiB > 20 MiB)")
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"unreadable: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Older news archives are often Windows-1252 ("\xa315.8m"); its five unassigned bytes
        # still fail, and then the file is skipped with the offset of the first bad UTF-8 byte.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError(f"neither UTF-8 nor Windows-1252 (bad byte at offset {exc.start})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n"), hashlib.sha256(data).hexdigest()


def load_article(path: Path) -> Article:
    """Read, clean and extract metadata; raises ValueError with a reason if nothing is usable."""
    raw, digest = read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        from rag.html import html_article

        meta, text = html_article(raw)
        return Article(source=path.name, text=text, meta=meta, sha256=digest)
    if suffix in (".md", ".markdown"):
        meta, lines = ArticleMeta(), markdown_to_lines(raw)
    else:
        meta, lines = ArticleMeta(), raw.split("\n")
    meta, body = metadata.extract(lines, meta)
    if meta.date is None:  # "20150507-daily-stock-market-activity.txt", as archives name them
        meta = replace(meta, date=metadata.date_from_name(path.name))
    text = cleaning.article_text(body, title=meta.title)
    if len(text) < cleaning.MIN_ARTICLE_CHARS:
        if meta.title and not text:
            raise ValueError("only a headline, no article text")
        raise ValueError("no article text left after cleaning")
    return Article(source=path.name, text=text, meta=meta, sha256=digest)


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def markdown_to_lines(text: str) -> list[str]:
    lines = []
    for line in text.split("\n"):
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_HEADING.sub("", line)
        line = _MD_EMPHASIS.sub("", line)
        lines.append(line)
    return lines
