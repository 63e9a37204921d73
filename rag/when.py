"""Time expressions in questions: "last week", "in the past 3 days", "in March 2025", "on 7 May
2015", "since 20 August 2015", "before June", "between May and July 2015", "since the summit",
"latest", "first". A question's expression becomes a TimeScope: a range of publication dates to
retrieve from, an order (newest or oldest first) to prefer, or an event ("the summit") whose
date the corpus gives. Relative expressions are resolved against `today` and say so. No I/O:
the Assistant checks the range against the corpus's dates and finds an event's date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "few": 7, "several": 7, "couple of": 2,
}  # fmt: skip
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}

_MONTH = r"(?P<{g}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"


def _date_pattern(n: int) -> str:
    """A date as people write it: "2015-05-07", "7 May 2015", "May 7, 2015", "May 7", "May 2015",
    "2015", "May"; group names carry the alternative's letter and n."""
    m = {k: _MONTH.format(g=f"m{k}{n}") for k in "ACDEF"}
    d = {k: _DAY.format(g=f"d{k}{n}") for k in "ACD"}
    y = {k: _YEAR.format(g=f"y{k}{n}") for k in "ACE"}
    return (
        rf"(?:(?P<iso{n}>(?:19|20)\d\d-[01]\d-[0-3]\d)"
        rf"|{d['A']}\s+{m['A']}(?:,?\s+{y['A']})?"
        rf"|{m['C']}\s+{d['C']}(?:,\s*|\s+){y['C']}"
        rf"|{m['D']}\s+{d['D']}\b(?!\s*(?:,\s*)?\d)"
        rf"|(?:{m['E']}\s+)?{y['E']}"
        rf"|{m['F']})"
    )


def _group(g: dict, kind: str, n: int, letters: str) -> str | None:
    return next((g[f"{kind}{k}{n}"] for k in letters if g.get(f"{kind}{k}{n}")), None)


_D1, _D2 = _date_pattern(1), _date_pattern(2)
_FLAGS = re.IGNORECASE
RELATIVE_SPAN = re.compile(
    r"\b(?:in|over|during|within|for)?\s*(?:the\s+)?(?:last|past|previous)\s+"
    r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of)?\s*"
    r"(?P<unit>day|week|fortnight|month|year)s?\b",
    _FLAGS,
)
CALENDAR = re.compile(r"\b(?P<which>last|this|previous)\s+(?P<unit>week|month|year)\b", _FLAGS)
DAY_WORDS = re.compile(r"\b(?P<word>yesterday|today|tonight)\b(?!['’]s)", _FLAGS)  # not "today's"
BETWEEN = re.compile(rf"\bbetween\s+{_D1}\s+and\s+{_D2}", _FLAGS)
SINCE = re.compile(rf"\b(?P<word>since|after|before|until|till|prior to)\s+{_D1}(?![\w-])", _FLAGS)
SINCE_EVENT = re.compile(
    r"\b(?P<word>since)\s+"  # "after/before the X" is as often what is asked about as a time
    r"(?P<event>the\s+[a-z][\w'’-]*(?:\s+(?!and\b|or\b|in\b|on\b)[a-z][\w'’-]*){0,3})",
    _FLAGS,
)
IN_DATE = re.compile(
    r"\b(?:in|on|during|of|from|dated)\s+(?:the\s+)?(?:(?:early|mid|late|end of|start of)\s+)?"
    rf"{_D1}(?![\w-])",
    _FLAGS,
)
# a date with its year needs no preposition: "the May 13, 2015 market report"
FULL_DATE = re.compile(rf"\b{_D1}(?![\w-])", _FLAGS)
LATEST = re.compile(
    r"\b(?:latest|most recent(?:ly)?|newest|current(?:ly)?|now|to date|so far|as of now|"
    r"recent(?:ly)?|still)\b",
    _FLAGS,
)
EARLIEST = re.compile(
    r"\b(?:earliest|at first|initially|originally|first (?:reported|said|announced|mentioned|"
    r"appeared|emerged|known|confirmed|revealed)|when did .{1,60}? first)\b",
    _FLAGS,
)


@dataclass(frozen=True)
class TimeScope:
    phrase: str  # the question's words it was read from
    start: date | None = None  # publication dates, inclusive
    end: date | None = None
    order: Literal["latest", "earliest"] | None = None
    relative_to: date | None = None  # today, for "last week": the answer states it
    event: str | None = None  # "the summit": its date comes from the corpus
    event_side: Literal["after", "before"] | None = None

    @property
    def has_range(self) -> bool:
        return self.start is not None or self.end is not None

    def describe(self) -> str:
        """How the expression was read, for the answer: '“last week” read as 16–22 November 2026
        (today is 24 November 2026)'."""
        if not self.has_range:
            return ""
        span = date_range_text(self.start, self.end)
        said = f"“{self.phrase}” read as {span}"
        if self.relative_to:
            said += f" (today is {day_text(self.relative_to)})"
        elif self.event:
            said += f" ({self.event} is dated {day_text(self.start or self.end)} in the articles)"
        return said

    def none_dated(self) -> str:
        """For a refusal: 'no article in the index is dated 16–22 November 2026 (“last week”,
        today being 24 November 2026)'."""
        said = f"no article in the index is dated {date_range_text(self.start, self.end)} (“{self.phrase}”"
        return said + (f", today being {day_text(self.relative_to)})" if self.relative_to else ")")

    def without(self, question: str) -> str:
        """The question without its time expression, for retrieval and evidence: "in March 2024"
        is a filter on publication dates, not words an article has to contain. Order words
        ("latest", "now") stay: they are often the question's own words ("the latest figure")."""
        if not self.phrase or (not self.has_range and not self.event):
            return question
        rest = " ".join(question.replace(self.phrase, " ").split())
        rest = re.sub(r"\s+([?.!,])", r"\1", rest).strip(" ,")
        return rest if len(tx_words(rest)) >= 2 else question

    def where(self) -> dict | None:
        """The retrieval filter on publication dates (chunk metadata `date_num`, YYYYMMDD)."""
        parts = []
        if self.start:
            parts.append({"date_num": {"$gte": int(self.start.strftime("%Y%m%d"))}})
        if self.end:
            parts.append({"date_num": {"$lte": int(self.end.strftime("%Y%m%d"))}})
        return None if not parts else parts[0] if len(parts) == 1 else {"$and": parts}


def day_text(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def iso_text(iso: str) -> str:
    """'2024-10-28' -> '28 October 2024'."""
    return day_text(date.fromisoformat(iso))


def date_range_text(start: date | None, end: date | None) -> str:
    if start and end:
        if start == end:
            return day_text(start)
        if (start.year, start.month) == (end.year, end.month):
            if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
                return f"{calendar.month_name[start.month]} {start.year}"
            return f"{start.day}–{day_text(end)}"
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            return str(start.year)
        return f"{day_text(start)} – {day_text(end)}"
    if start:
        return f"from {day_text(start)}"
    return f"up to {day_text(end)}"


def parse(question: str, today: date) -> TimeScope | None:
    """The question's time expression, or None. Ranges win over an order ("latest ... in March
    2025" is both); an expression naming a month without a year takes the last such month up to
    today."""
    scope = _range(question, today)
    order = _order(question)
    if scope is None:
        return TimeScope(phrase=order[1], order=order[0]) if order else None
    return replace(scope, order=order[0]) if order else scope


def _order(question: str) -> tuple[str, str] | None:
    if m := EARLIEST.search(question):
        return "earliest", m.group(0)
    if m := LATEST.search(question):
        return "latest", m.group(0)
    return None


def _range(q: str, today: date) -> TimeScope | None:
    if m := RELATIVE_SPAN.search(q):
        n = m.group("n")
        count = int(n) if n and n.isdigit() else NUMBER_WORDS.get((n or "one").lower(), 1)
        unit = m.group("unit").lower()
        bare = not n and re.match(r"\s*(?:in|over|during|within|for)?\s*last\b", m.group(0), _FLAGS)
        if not (bare and unit in ("week", "month", "year")):  # "last week" is the calendar week
            start = today - timedelta(days=count * UNIT_DAYS[unit])
            return TimeScope(phrase=m.group(0).strip(), start=start, end=today, relative_to=today)
    if m := CALENDAR.search(q):
        return _calendar(m, today)
    if m := DAY_WORDS.search(q):
        day = today - timedelta(days=1) if m.group("word").lower() == "yesterday" else today
        return TimeScope(phrase=m.group(0), start=day, end=day, relative_to=today)
    if m := BETWEEN.search(q):
        b = _span(m, 2, today)
        a = _span(m, 1, today, year=b[1].year if b and not _group(m.groupdict(), "y", 1, "ACE") else None)
        if a and b:
            return TimeScope(phrase=m.group(0), start=a[0], end=b[1])
    if m := SINCE.search(q):
        span = _span(m, 1, today)
        if span:
            word = m.group("word").lower()
            if word in ("since", "after"):
                start = span[1] + timedelta(days=1) if word == "after" else span[0]
                return TimeScope(phrase=m.group(0), start=start)
            end = span[0] - timedelta(days=1) if word in ("before", "prior to") else span[1]
            return TimeScope(phrase=m.group(0), end=end)
    if m := SINCE_EVENT.search(q):
        word = m.group("word").lower()
        side = "after" if word == "since" else "before"
        return TimeScope(phrase=m.group(0), event=m.group("event"), event_side=side)
    # "on 28 October, according to the report of November 2024": the date with a year wins
    found = sorted(IN_DATE.finditer(q), key=lambda m: not (m["iso1"] or _group(m.groupdict(), "y", 1, "ACE")))
    for m in found:
        span = _span(m, 1, today)
        if span:
            return TimeScope(phrase=m.group(0), start=span[0], end=span[1])
    for m in FULL_DATE.finditer(q):
        g = m.groupdict()
        if g["iso1"] or (_group(g, "y", 1, "ACE") and _group(g, "m", 1, "ACDEF")):
            span = _span(m, 1, today)
            if span:
                return TimeScope(phrase=m.group(0), start=span[0], end=span[1])
    return None


def _calendar(m: re.Match, today: date) -> TimeScope:
    unit, this = m.group("unit").lower(), m.group("which").lower() == "this"
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        start = monday if this else monday - timedelta(days=7)
        end = today if this else start + timedelta(days=6)
    elif unit == "month":
        first = today.replace(day=1)
        start = first if this else (first - timedelta(days=1)).replace(day=1)
        end = today if this else first - timedelta(days=1)
    else:
        start = date(today.year if this else today.year - 1, 1, 1)
        end = today if this else date(today.year - 1, 12, 31)
    return TimeScope(phrase=m.group(0), start=start, end=end, relative_to=today)


def _span(m: re.Match, n: int, today: date, year: int | None = None) -> tuple[date, date] | None:
    """The first and last day a matched date stands for: a day, a month or a year."""
    g = m.groupdict()
    if g.get(f"iso{n}"):
        d = date.fromisoformat(g[f"iso{n}"])
        return d, d
    month_name = _group(g, "m", n, "ACDEF")
    day = _group(g, "d", n, "ACD")
    year = _group(g, "y", n, "ACE") or year
    month = MONTHS.get(month_name.lower().rstrip(".")) if month_name else None
    if month_name and not month:
        return None
    if year is None and month is None:
        return None
    if year is None:  # "in March": the last March up to today
        y = today.year if (month, int(day or 1)) <= (today.month, today.day) else today.year - 1
    else:
        y = int(year)
    try:
        if month and day:
            d = date(y, month, int(day))
            return d, d
        if month:
            return date(y, month, 1), date(y, month, calendar.monthrange(y, month)[1])
    except ValueError:
        return None
    return date(y, 1, 1), date(y, 12, 31)


def tx_words(text: str) -> list[str]:
    return re.findall(r"\w+", text)
