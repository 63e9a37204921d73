"""Articles by URL: fetch a page over HTTP(S) with limits, for rag/html.py to extract. Every way a
fetch can fail is a one-line reason for the ingest report, and nothing else is lost."""

from __future__ import annotations

import hashlib

from rag.types import Article

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_url(value) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def url_key(url: str) -> str:
    """The article's key: the URL without its scheme or a trailing slash."""
    return url.split("://", 1)[1].rstrip("/")


def fetch(url: str, timeout: float, max_bytes: int) -> tuple[str, str]:
    """(page text, final URL after redirects); ValueError with the reason it was skipped."""
    import httpx

    try:
        with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=timeout) as client:
            with client.stream("GET", url, headers={"User-Agent": "news-qa/1 (+local)"}) as response:
                if response.status_code != 200:
                    raise ValueError(f"HTTP {response.status_code} from {response.url}")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind not in HTML_TYPES:
                    raise ValueError(f"not an HTML page ({kind or 'no content type'})")
                size = int(response.headers.get("content-length") or 0)
                if size > max_bytes:
                    raise ValueError(f"page too large ({size // 1024} KiB > {max_bytes // 1024} KiB)")
                body = bytearray()
                for part in response.iter_bytes():
                    body += part
                    if len(body) > max_bytes:
                        raise ValueError(f"page too large (over {max_bytes // 1024} KiB)")
                encoding = response.encoding or "utf-8"
                return bytes(body).decode(encoding, errors="replace"), str(response.url)
    except httpx.TooManyRedirects as exc:
        raise ValueError(f"more than {MAX_REDIRECTS} redirects") from exc
    except httpx.TimeoutException as exc:
        raise ValueError(f"timed out after {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise ValueError(f"could not fetch: {type(exc).__name__}: {exc}") from exc


def load_url(url: str, timeout: float, max_bytes: int) -> Article:
    """The page at the URL as a cleaned article keyed by its URL; ValueError with the reason."""
    from rag.html import html_article

    page, final = fetch(url, timeout, max_bytes)
    meta, text = html_article(page, final)
    digest = hashlib.sha256(f"{meta}\n{text}".encode()).hexdigest()  # the article, not the page's ads
    return Article(source=url_key(url), text=text, meta=meta, sha256=digest)
