"""Remove the site chrome that scraped news pages carry, line by line.

Each rule names one kind of chrome seen in the bundled corpus (and common on news sites) and is
only as broad as that chrome: a line-shaped notice, not any sentence that mentions its words, and
layout rules (section labels, repeated lines) only in the page header, before the article's first
sentence. tests/test_cleaning.py checks each rule on the real files, and that no sentence of 40
articles from other outlets (tests/data/outside/) is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text import ends_as_sentence


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]


def _rule(name: str, regex: str) -> LineRule:
    return LineRule(name, re.compile(regex, re.IGNORECASE))


# Whole lines that are page furniture, not article text.
DROP_LINE_RULES: tuple[LineRule, ...] = (
    _rule("comments closed", r"^comments (are|have been) closed\.?$"),
    _rule(
        "cookie notice",
        r"^(this (web)?site|we|our (web)?site) (uses?|may use) cookies\b.{0,300}$"
        r"|^by (continuing|using)\b.{0,120}\byou (agree|accept|consent)\b.{0,80}\bcookies\b.{0,80}$",
    ),
    _rule("scroll to top", r"^(scroll|back) to top$"),
    _rule("text size control", r"^text size:?(\s*[-+a]{1,3}){0,3}$"),
    _rule("short link", r"^short link:?\s*\S*$"),
    _rule("image file name", r"^[\w\-.]+\.(jpe?g|png|gif|webp|svg|avif)$"),
    _rule("photo credit line", r"^.{0,300}\s/\s*photo:\s.+$"),
    _rule("desk code", r"^[A-Za-z]{2,}DESK//\S*$"),
    _rule("lone number", r"^\d{1,5}$"),
    _rule("share buttons", r"^(share|tweet|email|print)(\s*(this|article|on \w+))?:?$"),
    _rule("read more", r"^(read more|related articles?|advertisement)\.?:?$"),
)

# Wire-service editors' initials that close a dispatch ("burs-hs/dhc", "jm/rox"); only in the
# last lines, so that a line such as "and/or" in a list is left alone.
EDITOR_INITIALS = re.compile(r"^[a-z]{2,6}(-[a-z]{1,4})?/[a-z]{2,6}$")
FOOTER_LINES = 2
# A credit at the end of a caption ("... on Wednesday. PHOTO: YONHAP/THE KOREA HERALD").
PHOTO_CREDIT_SUFFIX = re.compile(r"\s*\b(?i:photo|image|file photo)\s*:\s*[A-Z0-9 /&.\-]+$")
# Section labels in capitals ("IN THE NEWS"): short, no sentence punctuation.
SECTION_LABEL = re.compile(r"^[A-Z][A-Z &'\-]{2,30}$")
# A dangling place label ("Pennsylvania -") left where a dateline widget was.
DANGLING_PLACE = re.compile(r"^[A-Z][\w.]*(?: [A-Z][\w.]*){0,2} [-–—]$")
# Sub-headings written as "- 'Ease internal backlash' -": keep the words, drop the dashes.
DASHED_SUBHEAD = re.compile(r"^[-–—]\s*(.+?)\s*[-–—]$")


def drop_reason(line: str, *, in_header: bool = True, in_footer: bool = True) -> str | None:
    """Name of the rule that removes this (stripped) line, or None to keep it. Layout rules apply
    only where that layout lives: section labels in the header, editors' initials in the footer."""
    for rule in DROP_LINE_RULES:
        if rule.pattern.search(line):
            return rule.name
    if in_footer and EDITOR_INITIALS.match(line):
        return "editor initials"
    if in_header and SECTION_LABEL.match(line) and 2 <= len(line.split()) <= 4:
        return "section label"
    if in_header and DANGLING_PLACE.match(line):
        return "dangling place label"
    return None


def is_prose(line: str) -> bool:
    """A sentence of article text: eight words or more, ending as a sentence ends."""
    return len(line.split()) >= 8 and ends_as_sentence(line)


def tidy_line(line: str) -> str:
    """Small repairs inside a kept line."""
    line = PHOTO_CREDIT_SUFFIX.sub("", line)
    m = DASHED_SUBHEAD.match(line)
    if m:
        line = m.group(1).strip("'\"‘’“”")
    return re.sub(r"[ \t\u00a0]+", " ", line).strip()


MIN_ARTICLE_CHARS = 20  # less than this left after cleaning is not an article


def article_text(lines: list[str], title: str | None = None) -> str:
    """The article's text: its cleaned lines as paragraphs, a blank line between them (chunk
    offsets and the whole-article view rely on exactly this)."""
    return "\n\n".join(clean_lines(lines, title=title))


def clean_lines(lines: list[str], title: str | None = None) -> list[str]:
    """Drop chrome lines and tidy the rest. The header (the lines before the first sentence of
    prose) loses short lines it repeats, such as a headline or name block laid out twice; the
    title is not repeated anywhere. A line repeated in the body is the article's own text."""
    stripped = [ln.strip() for ln in lines if ln.strip()]
    first_prose = next((i for i, ln in enumerate(stripped) if is_prose(ln)), len(stripped))
    footer_from = len(stripped) - FOOTER_LINES
    kept: list[str] = []
    title_key = title.casefold() if title else None
    seen_in_header: set[str] = set()
    for i, line in enumerate(stripped):
        in_header = i < first_prose
        if drop_reason(line, in_header=in_header, in_footer=i >= footer_from):
            continue
        line = tidy_line(line)
        if not line:
            continue
        key = line.casefold()
        if key == title_key and len(line) <= 200:
            continue
        if in_header and len(line) <= 200:
            if key in seen_in_header:
                continue
            seen_in_header.add(key)
        kept.append(line)
    return kept
