"""Remove the site chrome that scraped news pages carry, line by line.

Each rule names one kind of chrome seen in the bundled corpus (and common on news sites);
tests/test_cleaning.py checks each rule on the real files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LineRule:
    name: str
    pattern: re.Pattern[str]


def _rule(name: str, regex: str) -> LineRule:
    return LineRule(name, re.compile(regex, re.IGNORECASE))


# Whole lines that are page furniture, not article text.
DROP_LINE_RULES: tuple[LineRule, ...] = (
    _rule("comments closed", r"^comments (are|have been) closed\.?$"),
    _rule("cookie notice", r"\b(uses|use) cookies\b.*\b(accept|agree|opt-out|consent)\b"),
    _rule("scroll to top", r"^(scroll|back) to top$"),
    _rule("text size control", r"^text size:?.*$"),
    _rule("short link", r"^short link:?\s*\S*$"),
    _rule("image file name", r"^[\w\-.]+\.(jpe?g|png|gif|webp|svg|avif)$"),
    _rule("photo credit line", r"^.{0,300}\s/\s*photo:\s.+$"),
    _rule("desk code", r"^[A-Za-z]{2,}DESK//\S*$"),
    _rule("editor initials", r"^[a-z]{2,6}(-[a-z]{1,4})?/[a-z]{2,6}$"),
    _rule("lone number", r"^\d{1,5}$"),
    _rule("share buttons", r"^(share|tweet|email|print)(\s*(this|article|on \w+))?:?$"),
    _rule("read more", r"^(read more|related articles?|advertisement)\.?:?$"),
)

# A credit at the end of a caption ("... on Wednesday. PHOTO: YONHAP/THE KOREA HERALD").
PHOTO_CREDIT_SUFFIX = re.compile(r"\s*\b(?i:photo|image|file photo)\s*:\s*[A-Z0-9 /&.\-]+$")
# Section labels in capitals ("IN THE NEWS"): short, no sentence punctuation.
SECTION_LABEL = re.compile(r"^[A-Z][A-Z &'\-]{2,30}$")
# A dangling place label ("Pennsylvania -") left where a dateline widget was.
DANGLING_PLACE = re.compile(r"^[A-Z][\w.]*(?: [A-Z][\w.]*){0,2} [-–—]$")
# Sub-headings written as "- 'Ease internal backlash' -": keep the words, drop the dashes.
DASHED_SUBHEAD = re.compile(r"^[-–—]\s*(.+?)\s*[-–—]$")


def drop_reason(line: str) -> str | None:
    """Name of the rule that removes this (stripped) line, or None to keep it."""
    for rule in DROP_LINE_RULES:
        if rule.pattern.search(line):
            return rule.name
    if SECTION_LABEL.match(line) and 2 <= len(line.split()) <= 4:
        return "section label"
    if DANGLING_PLACE.match(line):
        return "dangling place label"
    return None


def tidy_line(line: str) -> str:
    """Small repairs inside a kept line."""
    line = PHOTO_CREDIT_SUFFIX.sub("", line)
    m = DASHED_SUBHEAD.match(line)
    if m:
        line = m.group(1).strip("'\"‘’“”")
    return re.sub(r"[ \t\u00a0]+", " ", line).strip()


def clean_lines(lines: list[str], title: str | None = None) -> list[str]:
    """Drop chrome lines, tidy the rest, and drop short lines repeated from earlier on
    (or repeating the title)."""
    kept: list[str] = []
    seen_short: set[str] = {title.casefold()} if title else set()
    for raw in lines:
        line = raw.strip()
        if not line or drop_reason(line):
            continue
        line = tidy_line(line)
        if not line:
            continue
        key = line.casefold()
        if len(line) <= 200:
            # A repeated headline or name block is page layout, not new text.
            if key in seen_short:
                continue
            seen_short.add(key)
        kept.append(line)
    return kept
