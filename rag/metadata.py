"""Find an article's title, outlet, author and date in its header and footer lines.

Lines that only carry metadata are taken out of the body; what they said is kept on every chunk.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.text import ends_as_sentence
from rag.types import ArticleMeta

# Publishers whose names appear glued to bylines and headlines in scraped pages. A gazetteer of
# outlets, not of this corpus's questions: extend it as new sources come in.
KNOWN_OUTLETS: tuple[str, ...] = (
    "Voice of America",
    "VOA",
    "The Korea Herald",
    "Korea Herald",
    "The Korea Times",
    "Yonhap",
    "Al-Ahram Weekly",
    "Ahram Online",
    "Philadelphia Independent",
    "AFP",
    "Agence France-Presse",
    "Reuters",
    "Associated Press",
    "AP",
    "BBC",
    "BBC News",
    "CNN",
    "The Guardian",
    "The New York Times",
    "The Washington Post",
    "NK News",
    "Radio Free Asia",
    "The Diplomat",
    "Al Jazeera",
    "Kyiv Independent",
    "TASS",
    "The Straits Times",
)
_OUTLETS_LONGEST_FIRST = sorted(KNOWN_OUTLETS, key=len, reverse=True)

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
DATE_PATTERNS = (
    re.compile(rf"^{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"^(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
)
BYLINE = re.compile(r"^[Bb]y\s+(?P<author>[^·|,]+?)\s*[·|,]\s*(?P<rest>.*)$")
PERSON = re.compile(r"^[A-Z][a-z]+(?:-[a-z]+)?(?: [A-Z][a-z]+(?:-[a-z]+)?){1,3}$")
SIGNATURE = re.compile(r"^(?P<author>[A-Z]\.\s?[A-Z][a-z]+)--[A-Z]{1,4}$")
PRINT_NOTE = re.compile(
    r"appears in print in the (?P<date>.+?) edition of (?P<outlet>[^.]+)\.?$", re.IGNORECASE
)
HEADER_LINES = 12


_NAME_DATE = re.compile(r"^((?:19|20)\d\d)-?([01]\d)-?([0-3]\d)(?=[-_ .])")


def date_from_name(name: str) -> str | None:
    """ISO date from a file name that starts with one: '20150507-slug.txt', '2015-05-07_x.md'."""
    m = _NAME_DATE.match(name)
    if not m:
        return None
    return parse_date("-".join(m.groups()))


def parse_date(text: str) -> str | None:
    """ISO date from 'October 24, 2024', '7 November, 2024', '2024-10-24'; None otherwise."""
    text = text.strip().strip("*").strip()
    for pattern in DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        month = m.group("month")
        month_no = int(month) if month.isdigit() else MONTHS.get(month.lower())
        day, year = int(m.group("day")), int(m.group("year"))
        if month_no and 1 <= day <= 31 and 1900 < year < 2100:
            return f"{year:04d}-{month_no:02d}-{day:02d}"
    return None


def _outlet_prefix(text: str) -> str | None:
    """A known outlet that opens `text` as whole words ("AP, May 3" yes; "April 3", "Apple" no).
    A several-word name written exactly, with the dateline glued on by scraping, counts too
    ("Voice of Americawashington — ...")."""
    for outlet in _OUTLETS_LONGEST_FIRST:
        if re.match(rf"{re.escape(outlet)}(?!\w)", text, re.IGNORECASE):
            return outlet
        if " " in outlet and re.match(rf"{re.escape(outlet)}(?=[a-z])", text):
            return outlet
    return None


# Words that make a capitalised header line the name of a publication, not of a person: the
# list of known outlets may help, but an outlet it does not know must not become the author.
OUTLET_WORDS = frozenset(
    "daily times post news herald journal tribune press gazette independent review telegraph "
    "guardian observer chronicle standard mail express today weekly magazine radio network "
    "agency wire report reporter monitor globe star sun courier dispatch bulletin insider "
    "media broadcasting television tv online".split()
)


def _looks_like_outlet(line: str) -> bool:
    return any(w.lower() in OUTLET_WORDS for w in line.split())


def _split_outlet_title(line: str) -> tuple[str | None, str]:
    """'Outlet - Title' or 'Title | Outlet' -> (outlet, title)."""
    for sep in (" - ", " | ", " – ", " — "):
        if sep in line:
            left, right = line.split(sep, 1)
            if left.strip() in KNOWN_OUTLETS:
                return left.strip(), right.strip()
            if right.strip() in KNOWN_OUTLETS:
                return right.strip(), left.strip()
    return None, line


def _looks_like_title(line: str, rest: list[str]) -> bool:
    """A first line is a headline when text follows it and it does not end as a sentence does
    (closing quotes aside): an article that is one paragraph keeps it as its text."""
    return (
        len(line) <= 200
        and not ends_as_sentence(line, (".", ":", ",", ";"))
        and len(line.split()) >= 2
        and any(ln.strip() for ln in rest)
    )


def _metadata_like(line: str) -> bool:
    """A line that could be one of a header's metadata lines (a name, an outlet, a date)."""
    return bool(
        BYLINE.match(line)
        or PERSON.match(line)
        or line in KNOWN_OUTLETS
        or parse_date(line)
        or SIGNATURE.match(line)
    )


def _in_name_block(lines: list[str], i: int) -> bool:
    """Whether a bare name at lines[i] sits in a block of metadata (beside another name, an outlet
    or a date), as bylines are laid out; a name alone between paragraphs is a subheading."""
    return any(0 <= j < len(lines) and _metadata_like(lines[j]) for j in (i - 1, i + 1))


def extract(lines: list[str], meta: ArticleMeta | None = None) -> tuple[ArticleMeta, list[str]]:
    """Return the metadata found and the lines left for the body (stripped, non-empty)."""
    meta = meta or ArticleMeta()
    lines = [ln.strip() for ln in lines if ln.strip()]
    body: list[str] = []
    if lines and not meta.title and _looks_like_title(lines[0], lines[1:]):
        outlet, title = _split_outlet_title(lines[0])
        meta = replace(meta, title=title, outlet=meta.outlet or outlet)
        lines = lines[1:]
    elif lines and meta.title and lines[0].strip() == meta.title:
        lines = lines[1:]

    for i, line in enumerate(lines):
        in_header = i < HEADER_LINES
        if in_header and (m := BYLINE.match(line)) and PERSON.match(m.group("author").strip()):
            rest = m.group("rest")
            outlet = _outlet_prefix(rest)
            meta = replace(meta, author=meta.author or m.group("author").strip())
            if outlet:
                meta = replace(meta, outlet=meta.outlet or outlet)
                rest = rest[len(outlet) :].lstrip(" ,·")
            if date := parse_date(rest):  # "By Jane Doe, April 3, 2024"
                meta = replace(meta, date=meta.date or date)
                rest = ""
            if rest:
                body.append(rest[0].upper() + rest[1:])
            continue
        if m := PRINT_NOTE.search(line):
            meta = replace(
                meta,
                outlet=meta.outlet or m.group("outlet").strip(),
                date=meta.date or parse_date(m.group("date")),
            )
            continue
        if m := SIGNATURE.match(line):
            meta = replace(meta, author=meta.author or m.group("author"))
            continue
        if in_header and line in KNOWN_OUTLETS:
            meta = replace(meta, outlet=meta.outlet or line)
            continue
        if in_header and (date := parse_date(line)):
            meta = replace(meta, date=meta.date or date)
            continue
        # A name in a block of metadata, or alone between the headline and the first sentence.
        under_title = i == 0 and meta.title and i + 1 < len(lines) and ends_as_sentence(lines[i + 1])
        bare_name = in_header and PERSON.match(line) and (_in_name_block(lines, i) or under_title)
        if bare_name and _looks_like_outlet(line) and not meta.outlet:
            meta = replace(meta, outlet=line)
            continue
        if bare_name and meta.author in (None, line):
            meta = replace(meta, author=line)
            continue
        body.append(line)
    return meta, body
