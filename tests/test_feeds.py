"""Feeds (issue 13, part 2) against a loopback news site the test starts: `rag feed add / list /
update / remove`, RSS and Atom through feedparser, new entries ingested with their page's
metadata (the entry's where the page lacks it), known entries not fetched again (by URL and by
content hash), updated entries replaced, a conditional GET answered 304, every failed entry
skipped with its reason while the rest go in, and the refresh interval of `rag serve` / `rag ui`."""

from __future__ import annotations

import json
import time

import pytest

from rag.assistant import Assistant
from rag.errors import BadInput
from tests.conftest import rag_cli
from tests.news_site import NewsSite, atom, news_page, rss

pytestmark = pytest.mark.slow

FERRY = [
    "The Port Azure ferry terminal will open on 14 March 2031, the harbour authority said on "
    "Monday, two years later than planned because of a dispute over the dredging contract.",
    "The terminal will serve 40 ferries a day between Port Azure and the outer islands.",
]
BRIDGE = [
    "The Kestrel Bridge closed to lorries on Tuesday after engineers found cracks in two of its "
    "steel hangers, the county council said.",
    "Cars may still cross at 20 miles an hour while the hangers are replaced over the winter.",
]
SCHOOL = [
    "Riverside Academy will add 300 places by September 2026 after the education board approved "
    "a new science block on Wednesday.",
    "The block will cost 14 million pounds and is paid for by the regional growth fund.",
]
BRIDGE_LATER = [
    BRIDGE[0],
    "Engineers now say the hangers will be replaced by the end of March, and the bridge will "
    "reopen to lorries on 1 April.",
]


@pytest.fixture
def site():
    site = NewsSite()
    yield site
    site.close()


@pytest.fixture
def assistant(settings, embedder):
    return Assistant(settings.model_copy(update={"fetch_timeout": 5.0}), embedder=embedder)


def entry(site, path, title, published, updated=None):
    return {"link": site.url + path, "title": title, "published": published, "updated": updated or published}


def test_a_feed_is_followed_and_its_entries_go_in_new_known_updated_and_skipped(site, assistant):
    site.page("/news/ferry", news_page("Port Azure ferry terminal to open in 2031", FERRY))
    # a page that states no date, site name or author: those come from the feed and its entry
    site.page(
        "/news/bridge",
        news_page("Kestrel Bridge shut to lorries", BRIDGE, site=None, published=None, author=None),
    )
    entries = [
        entry(site, "/news/ferry", "Ferry terminal late", "2024-05-06T08:00:00Z"),
        entry(site, "/news/bridge", "Kestrel Bridge shut to lorries", "2024-05-07T09:30:00Z"),
        entry(site, "/news/gone", "A story taken down", "2024-05-07T10:00:00Z"),
        # the ferry story again under a tracking link: the same article, known by its content
        entry(site, "/news/ferry?utm_source=rss", "Ferry terminal late", "2024-05-06T08:00:00Z"),
    ]
    feed_url = site.feed("/atom.xml", atom("County Courier", entries), kind="application/atom+xml")

    first = assistant.add_feed(feed_url)

    host = site.url.split("://", 1)[1]
    assert first.status == "updated"
    assert first.added == [site.url + "/news/ferry", site.url + "/news/bridge"]
    assert first.known == [site.url + "/news/ferry?utm_source=rss"]
    assert first.skipped == {site.url + "/news/gone": f"HTTP 404 from {site.url}/news/gone"}
    rows = {r["source"]: r for r in assistant.articles()}
    assert set(rows) == {f"{host}/news/ferry", f"{host}/news/bridge"}
    ferry, bridge = rows[f"{host}/news/ferry"], rows[f"{host}/news/bridge"]
    assert (ferry["outlet"], ferry["author"], ferry["date"]) == ("Harbour Times", "Jane Doe", "2024-05-06")
    assert (bridge["title"], bridge["outlet"], bridge["date"]) == (
        "Kestrel Bridge shut to lorries",
        "County Courier",
        "2024-05-07",
    )
    assert assistant.feeds()[0]["title"] == "County Courier"
    assert assistant.feeds()[0]["articles"] == 2

    # the feed as it was: the entry that failed is tried again, nothing else is fetched
    pages_before = {path for path, _ in site.requests}
    ferry_fetches = len(site.hits("/news/ferry"))
    again = assistant.update_feeds()[0]
    assert again.status == "updated" and not again.added and not again.updated
    assert list(again.skipped) == [site.url + "/news/gone"] and len(again.known) == 3
    assert len(site.hits("/news/ferry")) == ferry_fetches  # known by URL and stamp: not fetched
    assert len(site.hits("/news/gone")) == 2 and {p for p, _ in site.requests} == pages_before

    # the bridge story is updated, a school story is new, the gone one left the feed
    site.page(
        "/news/bridge",
        news_page("Kestrel Bridge shut to lorries", BRIDGE_LATER, site=None, published=None, author=None),
    )
    site.page("/news/school", news_page("Riverside Academy to grow", SCHOOL, site="Valley Post"))
    entries[1] = entry(
        site, "/news/bridge", "Kestrel Bridge shut to lorries", "2024-05-07T09:30:00Z", "2024-05-09T12:00:00Z"
    )
    entries[2] = entry(site, "/news/school", "Riverside Academy to grow", "2024-05-08T07:00:00Z")
    site.feed("/atom.xml", atom("County Courier", entries), kind="application/atom+xml")

    later = assistant.update_feeds([feed_url])[0]

    assert later.added == [site.url + "/news/school"]
    assert later.updated == [site.url + "/news/bridge"]
    assert set(later.known) == {site.url + "/news/ferry", site.url + "/news/ferry?utm_source=rss"}
    assert later.skipped == {}
    assert len(site.hits("/news/ferry")) == ferry_fetches
    assert "reopen to lorries on 1 April" in assistant.article_text(f"{host}/news/bridge")
    assert len(assistant.articles()) == 3

    # nothing changed since: a conditional GET answered 304, and no page fetched
    requests_before = len(site.requests)
    unchanged = assistant.update_feeds()[0]
    assert unchanged.status == "not modified" and not unchanged.known
    feed_request = site.hits("/atom.xml")[-1]
    assert feed_request.get("If-None-Match") and feed_request.get("If-Modified-Since")
    assert len(site.requests) == requests_before + 1

    hits = assistant.search("When will the Kestrel Bridge reopen to lorries?", k=3)
    assert hits[0].chunk.source == f"{host}/news/bridge"
    assert hits[0].chunk.meta.url == site.url + "/news/bridge"


def test_an_rss_feed_by_the_command_line_add_list_update_remove(site, settings):
    site.page("/ferry", news_page("Port Azure ferry terminal to open in 2031", FERRY))
    site.page("/school", news_page("Riverside Academy to grow", SCHOOL, site="Valley Post"))
    items = [
        {"link": site.url + "/ferry", "title": "Ferry", "pubDate": "Mon, 06 May 2024 08:00:00 GMT"},
        {
            "link": site.url + "/school",
            "title": "School",
            "pubDate": "Wed, 08 May 2024 07:00:00 GMT",
            "author": "Ann Lee",
        },
    ]
    feed_url = site.feed("/rss", rss("Valley Post", items))

    def rag(*args):
        return rag_cli(settings, *args)

    added = rag("feed", "add", feed_url, "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)[0]["added"] == [site.url + "/ferry", site.url + "/school"]
    listed = json.loads(rag("feed", "list", "--json").stdout)
    assert [(f["url"], f["title"], f["articles"], f["status"]) for f in listed] == [
        (feed_url, "Valley Post", 2, "updated")
    ]
    updated = rag("feed", "update")
    assert updated.returncode == 0 and f"{feed_url}: not modified" in updated.stdout
    twice = rag("feed", "add", feed_url)
    assert twice.returncode == 0  # following it again is no error and takes nothing new

    removed = rag("feed", "remove", feed_url, "--delete-articles")
    assert removed.returncode == 0 and "removed 2 articles" in removed.stdout
    assert "no feeds followed" in rag("feed", "list").stdout
    status = json.loads(rag("status", "--json").stdout)
    assert status["articles"] == 0

    missing = rag("feed", "remove", feed_url)
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"error: {feed_url}: not a feed that is followed (see `rag feed list`)"


def test_a_url_that_is_not_a_feed_is_refused_in_one_line_and_not_kept(site, assistant):
    page = site.page("/news/ferry", news_page("Port Azure ferry terminal to open in 2031", FERRY))
    with pytest.raises(BadInput) as info:
        assistant.add_feed(page)
    assert str(info.value).startswith(f"{page}: not an RSS or Atom feed")
    assert "\n" not in str(info.value)
    with pytest.raises(BadInput, match="HTTP 404"):
        assistant.add_feed(site.url + "/nothing.xml")
    assert assistant.feeds() == []


def test_a_feed_that_fails_later_keeps_its_articles_and_says_why(site, assistant):
    site.page("/ferry", news_page("Port Azure ferry terminal to open in 2031", FERRY))
    items = [{"link": site.url + "/ferry", "title": "Ferry", "pubDate": "Mon, 06 May 2024 08:00:00 GMT"}]
    feed_url = site.feed("/rss", rss("Valley Post", items))
    assistant.add_feed(feed_url)
    del site.routes["/rss"]
    update = assistant.update_feeds()[0]
    assert update.status == f"HTTP 404 from {feed_url}"
    assert assistant.feeds()[0]["status"] == update.status
    assert len(assistant.articles()) == 1


def test_serve_and_ui_refresh_feeds_on_the_interval_in_settings(site, settings, embedder):
    assert settings.feed_refresh_minutes == 0  # off unless set
    assert Assistant(settings, embedder=embedder).refresh_feeds_in_background() is None
    assistant = Assistant(settings.model_copy(update={"feed_refresh_minutes": 0.01}), embedder=embedder)
    items = [{"link": site.url + "/ferry", "title": "Ferry", "pubDate": "Mon, 06 May 2024 08:00:00 GMT"}]
    feed_url = site.feed("/rss", rss("Valley Post", items))
    assistant.feed_store.add(feed_url)  # followed, not yet read
    refresher = assistant.refresh_feeds_in_background()
    try:
        deadline = time.time() + 60
        while not site.hits("/ferry") and time.time() < deadline:
            time.sleep(0.2)
        site.page("/ferry", news_page("Port Azure ferry terminal to open in 2031", FERRY))  # was a 404
        while not assistant.articles() and time.time() < deadline:
            time.sleep(0.2)
        assert [r["title"] for r in assistant.articles()] == ["Port Azure ferry terminal to open in 2031"]
        assert len(site.hits("/rss")) >= 2
    finally:
        refresher.stop()
