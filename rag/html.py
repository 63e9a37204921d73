"""HTML pages to article text and metadata with trafilatura (main-text extraction, and title,
author, site name, date from the page's JSON-LD, OpenGraph and <meta> tags; htmldate when the
page states no date), not hand-written rules."""

from __future__ import annotations

from rag import cleaning
from rag.metadata import parse_date
from rag.types import ArticleMeta


def html_article(html: str, url: str | None = None) -> tuple[ArticleMeta, str]:
    """(metadata, cleaned article text) of a page, from a file or fetched by URL; ValueError when
    it holds no article text."""
    meta, lines = html_to_lines(html, url)
    text = cleaning.article_text(lines, title=meta.title)
    if len(text) < cleaning.MIN_ARTICLE_CHARS:
        raise ValueError("no article text in the page")
    return meta, text


def html_to_lines(html: str, url: str | None = None) -> tuple[ArticleMeta, list[str]]:
    """(metadata, the article's text lines); ValueError when the page holds no article text."""
    from trafilatura import bare_extraction

    found = bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if found is None:
        raise ValueError("no article text in the page")
    data = found if isinstance(found, dict) else found.as_dict()
    text = data.get("text") or ""
    if not text.strip():
        raise ValueError("no article text in the page")
    date = data.get("date")
    meta = ArticleMeta(
        title=data.get("title") or None,
        outlet=data.get("sitename") or None,
        author=data.get("author") or None,
        date=parse_date(date[:10]) if date else None,
        url=url or data.get("url") or None,
    )
    return meta, text.split("\n")
