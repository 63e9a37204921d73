"""A loopback news site for the network tests: pages shaped like real news sites' (an <article>
with site chrome around it, JSON-LD NewsArticle, OpenGraph) and RSS/Atom feeds, served from a
table the test changes while it runs. Feeds carry an ETag and a Last-Modified and answer a
matching conditional GET with 304; every request is logged with its headers."""

from __future__ import annotations

import hashlib
import json
import threading
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def news_page(
    headline: str,
    paragraphs: list[str],
    *,
    site: str | None = "Harbour Times",
    author: str | None = "Jane Doe",
    published: str | None = "2024-05-06T08:00:00+00:00",
) -> bytes:
    """A news article page as outlets publish them: <head> metadata (OpenGraph, JSON-LD
    NewsArticle), navigation, the <article>, a "most read" aside and a footer. A field given as
    None is left out of the page everywhere."""
    json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}
    head = [
        f'<meta property="og:type" content="article"><meta property="og:title" content="{escape(headline)}">'
    ]
    if site:
        json_ld["publisher"] = {"@type": "Organization", "name": site}
        head.append(f'<meta property="og:site_name" content="{escape(site)}">')
    if author:
        json_ld["author"] = {"@type": "Person", "name": author}
    if published:
        json_ld["datePublished"] = published
        head.append(f'<meta property="article:published_time" content="{published}">')
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    byline = f'<p class="byline">By {escape(author)}</p>' if author else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)}{" | " + escape(site) if site else ""}</title>
{"".join(head)}
<script type="application/ld+json">{json.dumps(json_ld)}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav></header>
<main><article><h1>{escape(headline)}</h1>{byline}
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Storm closes the bridge</a></li></ul></aside></main>
<footer><p>© 2024 {escape(site or "")}. All rights reserved.</p><p>This website uses cookies.</p></footer>
</body></html>""".encode()


def rss(title: str, items: list[dict]) -> bytes:
    """RSS 2.0: each item a dict with link, title, pubDate (RFC 822) and optionally author."""
    parts = [
        f"<item><title>{escape(i['title'])}</title><link>{escape(i['link'])}</link>"
        f"<guid>{escape(i['link'])}</guid><pubDate>{i['pubDate']}</pubDate>"
        + (f"<dc:creator>{escape(i['author'])}</dc:creator>" if i.get("author") else "")
        + "</item>"
        for i in items
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
        f"<description>{escape(title)}</description>{''.join(parts)}</channel></rss>"
    ).encode()


def atom(title: str, entries: list[dict]) -> bytes:
    """Atom 1.0: each entry a dict with link, title, published, updated (ISO) and optionally author."""
    parts = [
        f'<entry><title>{escape(e["title"])}</title><link href="{escape(e["link"])}"/>'
        f"<id>{escape(e['link'])}</id><published>{e['published']}</published>"
        f"<updated>{e.get('updated', e['published'])}</updated>"
        + (f"<author><name>{escape(e['author'])}</name></author>" if e.get("author") else "")
        + "</entry>"
        for e in entries
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id>"
        f"<updated>2024-05-07T00:00:00Z</updated>{''.join(parts)}</feed>"
    ).encode()


class NewsSite:
    """`routes[path] = (content type, body)`; a path not there is a 404. Feeds (an XML content
    type) get an ETag from their body and a Last-Modified of when the body last changed."""

    def __init__(self):
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._modified: dict[str, tuple[bytes, str]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.path, dict(self.headers)))
                route = site.routes.get(self.path.split("?")[0])  # tracking parameters ignored
                if route is None:
                    return self._send(404, "text/html", b"<h1>Not found</h1>")
                kind, body = route
                headers = {}
                if "xml" in kind:
                    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    headers = {"ETag": etag, "Last-Modified": site._last_modified(self.path, body)}
                    if self.headers.get("If-None-Match") == etag:
                        return self._send(304, kind, b"", headers)
                self._send(200, kind, body, headers)

            def _send(self, status, kind, body, headers=None):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _last_modified(self, path: str, body: bytes) -> str:
        seen = self._modified.get(path)
        if seen is None or seen[0] != body:
            seen = (body, formatdate(usegmt=True))
            self._modified[path] = seen
        return seen[1]

    def page(self, path: str, body: bytes) -> str:
        self.routes[path] = ("text/html; charset=utf-8", body)
        return self.url + path

    def feed(self, path: str, body: bytes, kind: str = "application/rss+xml") -> str:
        self.routes[path] = (kind, body)
        return self.url + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def close(self) -> None:
        self.server.shutdown()
