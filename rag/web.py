"""Articles by URL: fetch a page over HTTP(S) with limits, for rag/html.py to extract. Every way a
fetch can fail is a one-line reason for the ingest report, and nothing else is lost."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rag.types import Article

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_url(value) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def url_key(url: str) -> str:
    """The article's key: the URL without its scheme or a trailing slash."""
    return url.split("://", 1)[1].rstrip("/")


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when a conditional GET found nothing new
    body: bytes
    url: str  # after redirects
    kind: str  # content type, no parameters
    encoding: str | None
    etag: str | None
    last_modified: str | None

    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


def get(
    url: str,
    timeout: float,
    max_bytes: int,
    kinds: tuple[str, ...] | None = HTML_TYPES,
    etag: str | None = None,
    modified: str | None = None,
) -> Fetched:
    """GET with the limits (redirects, timeout, size, content types; `kinds=None` takes any) and,
    given a previous response's ETag / Last-Modified, as a conditional GET. ValueError with the
    reason it failed."""
    import httpx

    headers = {"User-Agent": "news-qa/1 (+local)"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout) as client:
            with client.stream("GET", url, headers=headers) as response:
                found = dict(
                    url=str(response.url),
                    encoding=response.encoding,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code == 304 and (etag or modified):
                    return Fetched(304, b"", kind=kind, **found)
                if response.status_code != 200:
                    raise ValueError(f"HTTP {response.status_code} from {response.url}")
                if kinds is not None and kind not in kinds:
                    raise ValueError(f"not an HTML page ({kind or 'no content type'})")
                size = int(response.headers.get("content-length") or 0)
                if size > max_bytes:
                    raise ValueError(f"page too large ({size // 1024} KiB > {max_bytes // 1024} KiB)")
                body = bytearray()
                for part in response.iter_bytes():
                    body += part
                    if len(body) > max_bytes:
                        raise ValueError(f"page too large (over {max_bytes // 1024} KiB)")
                return Fetched(200, bytes(body), kind=kind, **found)
    except httpx.TooManyRedirects as exc:
        raise ValueError(f"more than {MAX_REDIRECTS} redirects") from exc
    except httpx.TimeoutException as exc:
        raise ValueError(f"timed out after {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise ValueError(f"could not fetch: {type(exc).__name__}: {exc}") from exc


def fetch(url: str, timeout: float, max_bytes: int) -> tuple[str, str]:
    """(page text, final URL after redirects); ValueError with the reason it was skipped."""
    page = get(url, timeout, max_bytes)
    return page.text(), page.url


def load_url(url: str, timeout: float, max_bytes: int) -> Article:
    """The page at the URL as a cleaned article keyed by its URL; ValueError with the reason."""
    from rag.html import html_article

    page, final = fetch(url, timeout, max_bytes)
    meta, text = html_article(page, final)
    return Article(source=url_key(url), text=text, meta=meta, sha256=article_digest(meta, text))


def article_digest(meta, text: str) -> str:
    """An article from the web changes when its text or metadata does, not when the page's ads do."""
    return hashlib.sha256(f"{meta}\n{text}".encode()).hexdigest()
