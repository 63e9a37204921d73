"""HTML pages to text lines plus the metadata their <head> declares."""

from __future__ import annotations

from bs4 import BeautifulSoup

from rag.metadata import parse_date
from rag.types import ArticleMeta

CHROME_TAGS = ("script", "style", "noscript", "nav", "footer", "header", "aside", "form", "figure")
BLOCK_TAGS = ("h1", "h2", "h3", "h4", "p", "li", "blockquote", "pre")


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content", "").strip():
            return tag["content"].strip()
    return None


def html_to_lines(html: str) -> tuple[ArticleMeta, list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    published = _meta(soup, "article:published_time", "date", "pubdate")
    page_title = soup.title.string.strip() if soup.title and soup.title.string else None
    title = _meta(soup, "og:title") or page_title
    meta = ArticleMeta(
        title=title,
        outlet=_meta(soup, "og:site_name", "publisher"),
        author=_meta(soup, "author", "article:author"),
        date=parse_date(published[:10]) if published else None,
    )
    for tag in soup(CHROME_TAGS):
        tag.decompose()
    root = soup.find("article") or soup.body or soup
    blocks = root.find_all(BLOCK_TAGS)
    if blocks:
        lines = [b.get_text(" ", strip=True) for b in blocks if not b.find(BLOCK_TAGS)]
    else:
        lines = root.get_text("\n", strip=True).split("\n")
    return meta, lines
