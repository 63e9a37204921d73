"""Time expressions in questions (issue 13, part 3): read against a fixed today, as ranges of
publication dates, an order, or an event whose date the articles give."""

from __future__ import annotations

from datetime import date

import pytest

from rag.when import parse

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    "question, start, end, said",
    [
        (
            "What happened last week?",
            "2026-11-16",
            "2026-11-22",
            "“last week” read as 16–22 November 2026 (today is 24 November 2026)",
        ),
        ("What did the mayor say in the past 3 days?", "2026-11-21", "2026-11-24", None),
        ("Any news on the strike in the last few days?", "2026-11-17", "2026-11-24", None),
        ("What was reported in the past month?", "2026-10-25", "2026-11-24", None),
        (
            "What happened last month?",
            "2026-10-01",
            "2026-10-31",
            "“last month” read as October 2026 (today is 24 November 2026)",
        ),
        ("What has happened this year?", "2026-01-01", "2026-11-24", None),
        ("What happened yesterday?", "2026-11-23", "2026-11-23", None),
        ("What happened in March 2025?", "2025-03-01", "2025-03-31", "“in March 2025” read as March 2025"),
        ("What was the yield in the market report of 7 May 2015?", "2015-05-07", "2015-05-07", None),
        ("According to the May 13, 2015 market report, how low did it go?", "2015-05-13", "2015-05-13", None),
        ("What changed between May and July 2015?", "2015-05-01", "2015-07-31", None),
        (
            "What has happened since 20 August 2015?",
            "2015-08-20",
            None,
            "“since 20 August 2015” read as from 20 August 2015",
        ),
        ("What happened after 20 August 2015?", "2015-08-21", None, None),
        ("What did they say before June 2015?", None, "2015-05-31", None),
        ("What was said in July?", "2026-07-01", "2026-07-31", None),  # the last July up to today
        ("What was said in December?", "2025-12-01", "2025-12-31", None),
        ("What did it cost in 2024?", "2024-01-01", "2024-12-31", None),
        (
            "In the market report from November 2015, where did the euro fall?",
            "2015-11-01",
            "2015-11-30",
            None,
        ),
        (
            "What did he say on 28 October, according to the report of November 2024?",
            "2024-11-01",
            "2024-11-30",
            None,
        ),
    ],
)
def test_a_time_expression_is_a_range_of_publication_dates(question, start, end, said):
    scope = parse(question, TODAY)
    assert scope is not None
    assert (scope.start and scope.start.isoformat(), scope.end and scope.end.isoformat()) == (start, end)
    if said:
        assert scope.describe() == said


def test_relative_expressions_say_they_were_read_against_today_and_absolute_ones_do_not():
    assert parse("What happened last week?", TODAY).relative_to == TODAY
    assert parse("What happened in March 2025?", TODAY).relative_to is None


@pytest.mark.parametrize(
    "question, order",
    [
        ("What is the latest estimate of the troops?", "latest"),
        ("How many troops are there now?", "latest"),
        ("What is the most recent figure?", "latest"),
        ("What was first reported about the fire?", "earliest"),
        ("When did officials first confirm the deployment?", "earliest"),
        ("What did the police initially say?", "earliest"),
    ],
)
def test_latest_and_first_are_an_order_not_a_range(question, order):
    scope = parse(question, TODAY)
    assert scope.order == order and not scope.has_range


def test_an_order_and_a_range_go_together():
    scope = parse("What was the latest figure in March 2025?", TODAY)
    assert (scope.order, scope.start, scope.end) == ("latest", date(2025, 3, 1), date(2025, 3, 31))


def test_since_an_event_is_left_for_the_articles_to_date():
    scope = parse("What has Russia said since the summit in Geneva?", TODAY)
    assert (scope.event, scope.event_side, scope.start) == ("the summit", "after", None)
    # "after the X" is as often the subject ("the meeting after the General Assembly")
    assert parse("What meeting takes place after the annual General Assembly?", TODAY) is None


@pytest.mark.parametrize(
    "question",
    [
        "Which team won the first pick in the draft?",  # "first" of a thing, not of reporting
        "What may happen to the euro?",  # "may", the verb
        "Who hosts the 2022 World Cup?",  # a year naming a thing
        "Who was the first woman to lead the agency?",
        "How many people live in the city?",
        "What do today's consumers need?",  # "today's": of our time, not a date
    ],
)
def test_words_that_only_look_like_time_are_not_read_as_time(question):
    assert parse(question, TODAY) is None
