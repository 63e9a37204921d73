"""Time-aware answers, timelines and the outlet view (issue 13, parts 3–5), over real embeddings
and Chroma with a scripted model: a question's time expression limits retrieval to those
publication dates (relative ones against a given today, said in the answer), answers say as of
when, figures from different dates are ordered by date instead of called a conflict, a timeline
is dated events in order each quoted from its article, and the outlet view counts a wire story
printed by two outlets once."""

from __future__ import annotations

from datetime import date

import pytest

from rag.assistant import Assistant
from tests.fakes import ScriptedLLM
from tests.news_site import news_page

pytestmark = pytest.mark.slow

BRIDGE = {
    "20240301-harbour-bridge-closed.txt": "The Harbour Bridge in Port Azure closed to all traffic on Friday "
    "after inspectors found corrosion in its main cables, the city council said. About 40 workers began "
    "repairing the main cables of the bridge on Friday, the council said. The bridge carries 30,000 "
    "vehicles a day.",
    "20240415-harbour-bridge-repairs-grow.txt": "Repairs to the Harbour Bridge in Port Azure grew this "
    "week. About 80 workers are now repairing the main cables of the bridge, the city council said on "
    "Monday. The council expects the bridge to reopen in the autumn.",
    "20240520-harbour-bridge-crews.txt": "The city council said on Monday that about 120 workers are now "
    "repairing the main cables of the Harbour Bridge in Port Azure. The council said the bridge would "
    "reopen to traffic in September.",
}


@pytest.fixture(scope="module")
def bridge(tmp_path_factory, models_dir, embedder):
    from rag.settings import Settings

    folder = tmp_path_factory.mktemp("bridge-corpus")
    for name, body in BRIDGE.items():
        (folder / name).write_text(body, encoding="utf-8")
    settings = Settings(home=tmp_path_factory.mktemp("bridge-home"), models=models_dir, conflict_margin=0.5)
    Assistant(settings, embedder=embedder).ingest([folder])
    return settings


def test_latest_takes_the_newest_report_says_as_of_when_and_orders_older_figures_by_date(bridge, embedder):
    llm = ScriptedLLM("About 120 workers are repairing the main cables of the bridge.")
    answer = Assistant(bridge, embedder=embedder, llm=llm).ask(
        "How many workers are repairing the Harbour Bridge cables now?"
    )
    lead = answer.lead
    assert [(c.kind, c.date, c.as_of) for c in lead] == [("generated", "2024-05-20", True)]
    assert answer.text.startswith("As of 20 May 2024, about 120 workers are repairing")
    others = [c for c in answer.claims if c not in lead]
    assert others and all(c.kind == "update" for c in others)  # not "the sources disagree"
    assert [c.date for c in others] == sorted(c.date for c in others)
    assert "Reported on other dates, oldest first: 1 March 2024: “About 40 workers" in answer.text
    assert "disagree" not in answer.text


def test_in_a_month_retrieves_only_that_months_articles_and_says_how_it_was_read(bridge, embedder):
    llm = ScriptedLLM("About 40 workers began repairing the main cables of the bridge.")
    answer = Assistant(bridge, embedder=embedder, llm=llm).ask(
        "How many workers were repairing the Harbour Bridge in March 2024?"
    )
    assert {h.chunk.meta.date for h in answer.contexts} == {"2024-03-01"}
    assert answer.time_note == "“in March 2024” read as March 2024"
    assert answer.text.startswith("“in March 2024” read as March 2024. As of 1 March 2024, about 40 workers")


def test_a_relative_expression_with_no_article_in_its_dates_is_refused_and_says_why(bridge, embedder):
    llm = ScriptedLLM()
    answer = Assistant(bridge, embedder=embedder, llm=llm).ask(
        "What happened to the Harbour Bridge last week?", today=date(2024, 6, 20)
    )
    assert answer.refused and llm.prompts == []
    assert answer.text == (
        "The articles don't cover this. (no article in the index is dated 10–16 June 2024 "
        "(“last week”, today being 20 June 2024).)"
    )
    # the same question asked in the week after the May report finds it
    llm = ScriptedLLM("About 120 workers are repairing the main cables of the bridge.")
    later = Assistant(bridge, embedder=embedder, llm=llm).ask(
        "How many workers were repairing the Harbour Bridge cables last week?", today=date(2024, 5, 27)
    )
    assert {h.chunk.meta.date for h in later.contexts} == {"2024-05-20"}
    assert "(today is 27 May 2024)" in later.text and not later.refused


def test_since_an_event_starts_at_the_date_of_the_article_that_reports_it(bridge, embedder):
    scope, none = Assistant(bridge, embedder=embedder).read_time(
        "What has happened to the Harbour Bridge since the corrosion was found?"
    )
    assert (scope.event, scope.start, none) == ("the corrosion was found", date(2024, 3, 1), False)


def test_a_timeline_is_dated_events_in_order_each_quoted_from_its_article(bridge, embedder):
    assistant = Assistant(bridge, embedder=embedder, llm=ScriptedLLM())
    answer = assistant.ask("How did the Harbour Bridge repairs develop?")  # routed to the timeline
    assert answer.timeline and not answer.refused
    dates = [c.date for c in answer.claims]
    assert dates == ["2024-03-01", "2024-04-15", "2024-05-20"]
    for claim in answer.claims:
        cited = [c for c in answer.citations if c.n in claim.citations]
        assert claim.kind == "event" and cited
        for c in cited:  # each event is its article's own sentence, at its offsets
            assert c.quote == claim.text
            assert assistant.article_text(c.source)[c.start : c.end] == c.quote
            assert c.date == claim.date
    assert answer.text.splitlines()[0].startswith("1 March 2024: “")


def test_a_timeline_over_the_bundled_corpus_is_in_date_order_and_every_event_verified(indexed):
    assistant = indexed
    answer = assistant.timeline("North Korean troops in Russia")
    assert answer.claims and not answer.refused
    dates = [c.date for c in answer.claims]
    assert all(dates) and dates == sorted(dates)
    for claim in answer.claims:
        for c in (c for c in answer.citations if c.n in claim.citations):
            assert assistant.article_text(c.source)[c.start : c.end] == c.quote == claim.text
    assert answer.undated >= 1  # three of the five bundled articles state no date


FERRY = [
    "The Port Azure ferry terminal will open on 14 March 2031, the harbour authority said on Monday, "
    "two years later than planned because of a dispute over the dredging contract.",
    "The terminal will serve 40 ferries a day between Port Azure and the outer islands.",
]


def test_the_outlet_view_counts_a_wire_story_printed_by_two_outlets_once(tmp_path, settings, embedder):
    pages = {
        "harbour.html": news_page("Ferry terminal to open in 2031", FERRY, site="Harbour Times"),
        "gazette.html": news_page(
            "Ferry terminal delayed to 2031", FERRY + ["Reporting by wire staff."], site="Coast Gazette"
        ),
        "island.html": news_page(
            "Islanders split over ferry terminal",
            [
                "Islanders are split over the Port Azure ferry terminal, and some want the old pier "
                "repaired instead while the dredging dispute drags on.",
                "The island council will debate the pier in its spring session.",
            ],
            site="Island Post",
        ),
    }
    pages["valley.html"] = news_page(  # retrieved as a neighbour, about something else
        "School to grow",
        ["Riverside Academy will add 300 places by September after the board approved a science block."],
        site="Valley Post",
    )
    for name, body in pages.items():
        (tmp_path / name).write_bytes(body)
    llm = ScriptedLLM("The Port Azure ferry terminal will open on 14 March 2031.")
    assistant = Assistant(settings, embedder=embedder, llm=llm)
    assistant.ingest([tmp_path])
    answer = assistant.ask("When will the Port Azure ferry terminal open?")
    view = answer.outlets
    assert {r["outlet"] for r in view["reporting"]} == {"Harbour Times", "Coast Gazette"}
    assert [r["outlet"] for r in view["not_reporting"]] == ["Island Post"]
    assert view["copies"] == [sorted(view["copies"][0])] or len(view["copies"]) == 1
    assert sorted(view["copies"][0]) == ["gazette.html", "harbour.html"]
    assert view["reporting_articles"] == 1 and view["articles"] == 3  # the wire copy counted once

    # the same wire sentence from two outlets is one event in a timeline, citing both
    timeline = assistant.timeline("the Port Azure ferry terminal opening")
    cited = [{c.source for c in timeline.citations if c.n in claim.citations} for claim in timeline.claims]
    assert {"gazette.html", "harbour.html"} in cited
