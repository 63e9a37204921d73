"""RSS and Atom feeds: the feeds a user follows and the entries already taken from each, in SQLite
under RAG_HOME. Updating a feed is a conditional GET (ETag / Last-Modified); each entry's page is
fetched and ingested like an article added by URL. An entry is known, and not fetched again, when
its URL was seen with the same updated stamp; a page whose article is one already taken (the same
content hash under another URL, from this feed or another) is known too; an entry whose stamp
changed is fetched again and replaces the article when its content changed. An entry that could
not be taken is tried again on the next update.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag import web
from rag.settings import Settings
from rag.types import Article
from vectorstore.sqlite import ThreadConnections

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, title TEXT, etag TEXT, modified TEXT,
    added REAL NOT NULL, checked REAL, status TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    feed TEXT NOT NULL REFERENCES feeds (url) ON DELETE CASCADE,
    url TEXT NOT NULL, stamp TEXT NOT NULL, sha256 TEXT, source TEXT,
    PRIMARY KEY (feed, url)
);
CREATE INDEX IF NOT EXISTS entries_by_hash ON entries (sha256);
"""
MAX_FEED_BYTES = 10 * 1024 * 1024


@dataclass
class FeedUpdate:
    """What one update of one feed did; `status` is "updated", "not modified" (HTTP 304) or the
    one-line reason the feed itself could not be read."""

    feed: str
    status: str = "updated"
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # entries not fetched or not changed
    skipped: dict[str, str] = field(default_factory=dict)  # entry URL -> reason


@dataclass(frozen=True)
class Entry:
    url: str
    stamp: str  # the entry's updated (or published) time as the feed writes it
    title: str | None
    date: str | None  # ISO date of publication
    author: str | None


def feeds_path(settings: Settings) -> Path:
    return settings.home / "feeds.sqlite"


class FeedStore:
    def __init__(self, path: Path):
        self._connections = ThreadConnections(path, SCHEMA, pragmas=("foreign_keys=ON",), rows=True)

    def _db(self):
        return self._connections.get()

    def add(self, url: str) -> bool:
        """Follow a feed; False when it was followed already."""
        cursor = self._db().execute(
            "INSERT OR IGNORE INTO feeds (url, added) VALUES (?, ?)", (url, time.time())
        )
        return cursor.rowcount == 1

    def remove(self, url: str) -> list[str]:
        """Stop following; the sources of the articles taken from it (KeyError when not followed)."""
        db = self._db()
        if db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is None:
            raise KeyError(url)
        sources = [r["source"] for r in db.execute("SELECT source FROM entries WHERE feed = ?", (url,))]
        db.execute("DELETE FROM feeds WHERE url = ?", (url,))
        return [s for s in sources if s]

    def feeds(self) -> list[dict]:
        rows = self._db().execute(
            "SELECT f.url, f.title, f.added, f.checked, f.status, "
            "(SELECT COUNT(*) FROM entries e WHERE e.feed = f.url AND e.source IS NOT NULL) AS articles "
            "FROM feeds f ORDER BY f.added"
        )
        return [dict(r) for r in rows]

    def feed(self, url: str) -> dict | None:
        row = self._db().execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    def checked(self, url: str, status: str, title=None, etag=None, modified=None) -> None:
        self._db().execute(
            "UPDATE feeds SET checked = ?, status = ?, title = COALESCE(?, title), "
            "etag = COALESCE(?, etag), modified = COALESCE(?, modified) WHERE url = ?",
            (time.time(), status, title, etag, modified, url),
        )

    def entry(self, feed: str, url: str) -> dict | None:
        row = self._db().execute("SELECT * FROM entries WHERE feed = ? AND url = ?", (feed, url)).fetchone()
        return dict(row) if row else None

    def source_with_hash(self, sha256: str) -> str | None:
        row = (
            self._db()
            .execute("SELECT source FROM entries WHERE sha256 = ? AND source IS NOT NULL LIMIT 1", (sha256,))
            .fetchone()
        )
        return row["source"] if row else None

    def remember(self, feed: str, url: str, stamp: str, sha256: str | None, source: str | None) -> None:
        self._db().execute(
            "INSERT INTO entries (feed, url, stamp, sha256, source) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (feed, url) DO UPDATE SET stamp = excluded.stamp, "
            "sha256 = excluded.sha256, source = COALESCE(excluded.source, entries.source)",
            (feed, url, stamp, sha256, source),
        )


def parse_feed(body: bytes, base_url: str) -> tuple[str | None, list[Entry]]:
    """(feed title, entries) of an RSS or Atom document; ValueError when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        reason = getattr(parsed, "bozo_exception", None) or "no entries"
        raise ValueError(f"not an RSS or Atom feed ({str(reason).splitlines()[0]})")
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        if not link:
            continue
        # dict.get: feedparser's own get maps a missing `updated` to `published`, with a warning
        when = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
        entries.append(
            Entry(
                url=link,
                stamp=dict.get(item, "updated") or dict.get(item, "published") or "",
                title=item.get("title") or None,
                date=f"{when.tm_year:04d}-{when.tm_mon:02d}-{when.tm_mday:02d}" if when else None,
                author=item.get("author") or None,
            )
        )
    return parsed.feed.get("title") or None, entries


class FeedReader:
    """Updates feeds into the index through the Indexer's one write path."""

    def __init__(self, settings: Settings, feeds: FeedStore, indexer):
        self.settings = settings
        self.feeds = feeds
        self.indexer = indexer

    def update(self, url: str) -> FeedUpdate:
        result = FeedUpdate(url)
        row = self.feeds.feed(url)
        if row is None:
            raise KeyError(url)
        try:
            got = web.get(
                url,
                self.settings.fetch_timeout,
                MAX_FEED_BYTES,
                kinds=None,
                etag=row["etag"],
                modified=row["modified"],
            )
            if got.status == 304:
                result.status = "not modified"
                self.feeds.checked(url, result.status)
                return result
            title, entries = parse_feed(got.body, got.url)
        except ValueError as exc:
            result.status = str(exc)
            self.feeds.checked(url, result.status)
            return result
        items = list(self._entries(url, title, entries, result))
        if items:
            report = self.indexer.ingest_articles((a.source, e.url, a) for e, a, _ in items)
            for entry, article, content in items:
                if article.source in report.added:
                    result.added.append(entry.url)
                elif article.source in report.updated:
                    result.updated.append(entry.url)
                else:
                    result.known.append(entry.url)
                self.feeds.remember(url, entry.url, entry.stamp, content, article.source)
        # The validators are stored only once every entry is in: an interrupted update is redone,
        # and an entry that failed (a timeout, a page not yet up) is tried again next time.
        done = not result.skipped
        self.feeds.checked(
            url, "updated", title, got.etag if done else None, got.last_modified if done else None
        )
        return result

    def _entries(self, feed: str, feed_title: str | None, entries: list[Entry], result: FeedUpdate):
        """(entry, article, its content hash) for each entry that is new or whose stamp changed;
        the others are known or skipped with a reason."""
        taken: set[str] = set()
        for entry in entries:
            seen = self.feeds.entry(feed, entry.url)
            if seen and seen["stamp"] == entry.stamp and seen["source"]:
                result.known.append(entry.url)
                continue
            try:
                article = web.load_url(entry.url, self.settings.fetch_timeout, self.settings.max_page_bytes)
            except ValueError as exc:
                result.skipped[entry.url] = str(exc)
                continue
            article = with_entry_meta(article, entry, feed_title)
            content = content_hash(article)
            same = self.feeds.source_with_hash(content)
            if content in taken or (same and same != article.source):
                # the same article under another URL (a tracking parameter, another feed's copy)
                result.known.append(entry.url)
                self.feeds.remember(feed, entry.url, entry.stamp, content, same)
                continue
            taken.add(content)
            yield entry, article, content


def content_hash(article: Article) -> str:
    """The article's text: the same story under two URLs (or two feeds) has one."""
    return hashlib.sha256(article.text.encode()).hexdigest()


def with_entry_meta(article: Article, entry: Entry, feed_title: str | None) -> Article:
    """The entry's publication date (a feed states it; a page without one gets a guess from
    htmldate, such as 1 January of its copyright year); the page's title and author, else the
    entry's; the page's site name, else (when trafilatura fell back to the host name) the feed's
    title as the outlet."""
    meta = article.meta
    host = (meta.url or entry.url).split("://", 1)[-1].split("/", 1)[0]
    meta = replace(
        meta,
        title=meta.title or entry.title,
        author=meta.author or entry.author,
        date=entry.date or meta.date,
        outlet=feed_title if (not meta.outlet or meta.outlet == host) and feed_title else meta.outlet,
    )
    if meta == article.meta:
        return article
    return replace(article, meta=meta, sha256=web.article_digest(meta, article.text))


class FeedRefresher:
    """Updates every followed feed every `minutes` in a daemon thread (`rag serve` / `rag ui`
    with RAG_FEED_REFRESH_MINUTES > 0); errors are logged, never raised."""

    def __init__(self, update_all, minutes: float, log=print):
        self.update_all = update_all
        self.seconds = minutes * 60
        self.log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-refresh", daemon=True)

    def start(self) -> FeedRefresher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for update in self.update_all():
                    if update.added or update.updated or update.skipped:
                        self.log(format_update(update))
            except Exception as exc:  # a bad feed or a full disk must not end the server
                self.log(f"feed refresh failed: {type(exc).__name__}: {exc}")
            self._stop.wait(self.seconds)


def format_update(update: FeedUpdate) -> str:
    line = (
        f"{update.feed}: {update.status}"
        if update.status != "updated"
        else f"{update.feed}: added {len(update.added)}, updated {len(update.updated)}, "
        f"known {len(update.known)}, skipped {len(update.skipped)}"
    )
    return "\n".join([line, *(f"  skipped {u}: {r}" for u, r in update.skipped.items())])
