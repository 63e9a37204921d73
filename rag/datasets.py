"""News data sets (CSV, JSON Lines, Parquet) as articles: one row, one article.

Columns are mapped by name (`--text`, `--title`, `--date`, `--url`, `--outlet`, `--author`,
`--id`), each with defaults for the names data sets commonly use. Row text goes through the same
cleaning as files; metadata comes from the columns, dates normalised to ISO. A row with no text is
skipped with a reason and the rest go in.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from rag import cleaning
from rag.types import Article, ArticleMeta

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "story", "full_text", "maintext"),
    "title": ("title", "headline", "heading"),
    "date": ("date", "publish_date", "published", "published_at", "pubdate", "date_publish", "datetime"),
    "url": ("url", "link", "article_source_link", "source_url", "href"),
    "outlet": ("outlet", "publisher", "source_name", "site_name", "source", "publication", "domain"),
    "author": ("author", "authors", "byline", "creator"),
    "id": ("id", "article_id", "guid", "uuid", "doc_id"),
}


@dataclass(frozen=True)
class Columns:
    """Which column holds each field; None: use the defaults."""

    text: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    id: str | None = None

    def resolve(self, header: list[str]) -> dict[str, str | None]:
        """field -> the column used, from the names given or the first default present
        (case-insensitive). A name given that the file lacks is an error."""
        lower = {h.lower(): h for h in header}
        out: dict[str, str | None] = {}
        for name, defaults in DEFAULT_COLUMNS.items():
            given = getattr(self, name)
            if given is not None:
                if given.lower() not in lower:
                    raise ValueError(f"no column {given!r} (columns: {', '.join(header[:12])})")
                out[name] = lower[given.lower()]
            else:
                out[name] = next((lower[d] for d in defaults if d in lower), None)
        if out["text"] is None:
            tried = ", ".join(DEFAULT_COLUMNS["text"])
            raise ValueError(f"no text column (tried {tried}; name it with --text)")
        return out


@dataclass
class Row:
    """One row read: an Article, or the reason it was skipped."""

    key: str  # the row's id within its file
    article: Article | None = None
    skipped: str | None = None
    extra: dict = field(default_factory=dict)


def rows(path: Path, columns: Columns) -> Iterator[Row]:
    """The file's rows as articles (source left to the caller); raises ValueError when the file as
    a whole cannot be read (no rows, no text column, not CSV/JSONL/Parquet). A line of JSON Lines
    that is not a JSON object is one skipped row."""
    mapping = None
    seen: set[str] = set()
    for number, record in enumerate(_records(path), start=1):
        if BAD_LINE in record:
            yield Row(f"line {number}", skipped=record[BAD_LINE])
            continue
        if mapping is None:
            mapping = columns.resolve(list(record.keys()))
        key = _text(record.get(mapping["id"])) if mapping["id"] else ""
        key = key or str(number)
        if key in seen:
            yield Row(f"{key}@{number}", skipped=f"row {number}: id {key!r} repeats an earlier row")
            continue
        seen.add(key)
        yield _row(key, number, record, mapping)
    if mapping is None:
        raise ValueError("no rows")


def _row(key: str, number: int, record: dict, mapping: dict[str, str | None]) -> Row:
    raw = _text(record.get(mapping["text"]))
    text = cleaning.article_text(raw.split("\n"))
    if len(text) < cleaning.MIN_ARTICLE_CHARS:
        return Row(key, skipped=f"row {number}: no text in column {mapping['text']!r}")
    value = {name: _text(record.get(col)) if col else "" for name, col in mapping.items()}
    meta = ArticleMeta(
        title=value["title"] or None,
        outlet=value["outlet"] or None,
        author=value["author"] or None,
        date=normalise_date(record.get(mapping["date"])) if mapping["date"] else None,
        url=value["url"] or None,
    )
    digest = hashlib.sha256(
        json.dumps({**value, "date": meta.date}, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return Row(key, Article(source=key, text=text, meta=meta, sha256=digest))


def normalise_date(value) -> str | None:
    """ISO yyyy-mm-dd from what data sets hold: '2017/2/7', '2017-02-07T10:00:00Z',
    'Tue, 07 Feb 2017 10:00:00 GMT', 'February 7, 2017', a date/datetime, a Unix time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds or seconds
        return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d")
    from dateutil import parser

    try:
        parsed = parser.parse(str(value).strip(), default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    return parsed.strftime("%Y-%m-%d") if 1900 < parsed.year < 2100 else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if v)
    return str(value).strip()


def _records(path: Path) -> Iterator[dict]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv(path)
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl(path)
    if suffix == ".parquet":
        return _parquet(path)
    raise ValueError(f"not a data set file: {path.name}")


def _csv(path: Path) -> Iterator[dict]:
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


BAD_LINE = "\0bad line"


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield {BAD_LINE: f"line {number} is not JSON ({exc.msg})"}
                continue
            yield record if isinstance(record, dict) else {BAD_LINE: f"line {number} is not a JSON object"}


def _parquet(path: Path) -> Iterator[dict]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a bad file
        raise ValueError(f"not a Parquet file ({exc})") from exc
    for batch in table.iter_batches(batch_size=1024):
        yield from batch.to_pylist()
