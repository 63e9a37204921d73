"""Articles by URL (issue 13, part 1), against a loopback server the test starts, serving pages
shaped like real news sites' (an <article>, JSON-LD NewsArticle, OpenGraph, site chrome): the
text and metadata come out through trafilatura, the URL is kept and cited, and every way a fetch
fails is skipped with its reason while the rest goes in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.assistant import Assistant
from tests.conftest import REPO

pytestmark = pytest.mark.slow

ARTICLE = """<!doctype html><html lang="en"><head>
<meta charset="utf-8"><title>Port Azure ferry terminal to open in 2031 | Harbour Times</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Port Azure ferry terminal to open in 2031">
<meta property="og:site_name" content="Harbour Times">
<meta property="article:published_time" content="2024-05-06T08:00:00+00:00">
<script type="application/ld+json">{json_ld}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></nav></header>
<main><article>
<h1>Port Azure ferry terminal to open in 2031</h1>
<p class="byline">By Jane Doe</p>
<p>The Port Azure ferry terminal will open on 14 March 2031, the harbour authority said on Monday,
two years later than planned because of a dispute over the dredging contract.</p>
<p>The terminal will serve 40 ferries a day between Port Azure and the outer islands, and the
authority expects about 1.2 million passengers in its first full year.</p>
<p>“We would rather open late than open a terminal that floods,” said Marta Kowalczyk, the
authority's director, who added that the sea wall would be raised by 80 centimetres.</p>
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Storm closes the bridge</a></li></ul></aside></main>
<footer><p>© 2024 Harbour Times. All rights reserved.</p><p>This website uses cookies.</p></footer>
</body></html>"""
JSON_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Port Azure ferry terminal to open in 2031",
    "datePublished": "2024-05-06T08:00:00+00:00",
    "author": {"@type": "Person", "name": "Jane Doe"},
    "publisher": {"@type": "Organization", "name": "Harbour Times"},
}
CHROME_ONLY = "<html><body><nav><a href='/'>Home</a></nav><footer>Index</footer></body></html>"


@pytest.fixture(scope="module")
def site():
    page = ARTICLE.replace("{json_ld}", json.dumps(JSON_LD)).encode()

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/news/port-azure":
                self._send(200, "text/html; charset=utf-8", page)
            elif self.path == "/old-link":
                self._redirect("/news/port-azure")
            elif self.path == "/loop":
                self._redirect("/loop")
            elif self.path == "/report.pdf":
                self._send(200, "application/pdf", b"%PDF-1.4 ...")
            elif self.path == "/slow":
                time.sleep(3)
                self._send(200, "text/html", page)
            elif self.path == "/big":
                self._send(200, "text/html", b"<p>" + b"word " * 300_000 + b"</p>")
            elif self.path == "/index":
                self._send(200, "text/html", CHROME_ONLY.encode())
            else:
                self._send(404, "text/html", b"<h1>Not found</h1>")

        def _send(self, status, kind, body):
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the timeout and size cases)

        def _redirect(self, where):
            self.send_response(301)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_news_page_by_url_goes_in_with_its_metadata_and_its_url_is_cited(site, settings, embedder):
    assistant = Assistant(settings.model_copy(update={"backend": "llamacpp"}), embedder=embedder)
    url = f"{site}/news/port-azure"
    report = assistant.ingest([url])
    key = url.split("://", 1)[1]
    assert report.added == [key] and not report.skipped
    row = assistant.articles()[0]
    assert (row["title"], row["outlet"], row["author"], row["date"]) == (
        "Port Azure ferry terminal to open in 2031",
        "Harbour Times",
        "Jane Doe",
        "2024-05-06",
    )
    text = assistant.article_text(key)
    assert text.startswith("The Port Azure ferry terminal will open on 14 March 2031")
    assert "Most read" not in text and "All rights reserved" not in text and "cookies" not in text
    answer = assistant.ask("When will the Port Azure ferry terminal open?")
    assert answer.citations and answer.citations[0].url == url
    assert assistant.ingest([url]).unchanged == [key]  # the same article again: nothing to do


def test_each_way_a_fetch_fails_is_a_reason_and_the_rest_goes_in(site, settings, embedder):
    assistant = Assistant(
        settings.model_copy(update={"fetch_timeout": 1.0, "max_page_mb": 1.0}), embedder=embedder
    )
    host = site.split("://", 1)[1]
    names = ["old-link", "loop", "report.pdf", "slow", "big", "index", "gone"]
    report = assistant.ingest([f"{site}/{n}" for n in names])
    assert report.added == [f"{host}/old-link"]  # followed to the article
    assert assistant.articles()[0]["date"] == "2024-05-06"
    reasons = {k.rsplit("/", 1)[1]: v for k, v in report.skipped.items()}
    assert reasons == {
        "loop": "more than 5 redirects",
        "report.pdf": "not an HTML page (application/pdf)",
        "slow": "timed out after 1 s",
        "big": "page too large (1464 KiB > 1024 KiB)",
        "index": "no article text in the page",
        "gone": f"HTTP 404 from {site}/gone",
    }


def test_rag_ingest_takes_a_url_on_the_command_line(site, settings):
    env = {**os.environ, "RAG_HOME": str(settings.home), "RAG_MODELS": str(settings.models)}
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest", f"{site}/news/port-azure", "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == [f"{site.split('://', 1)[1]}/news/port-azure"]
