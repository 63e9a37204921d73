"""The keyword index on disk (SQLite FTS5) beside real Chroma: shared by processes, never stale,
written in the same step as Chroma, one writer at a time (issue 11, part 1)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from rag.assistant import Assistant
from tests.conftest import REPO, VOA, rag_cli

pytestmark = pytest.mark.slow

DOLLARS = "How much money will North Korea receive from Moscow for its troops?"


def test_an_update_by_another_process_is_seen_at_once_even_with_the_same_chunk_count(assistant, corpus_copy):
    """Before: each process kept its own BM25 copy of the chunk texts, rebuilt only when the chunk
    count changed, so it went on quoting the old text."""
    assistant.ingest([corpus_copy])
    before = assistant.search(DOLLARS, k=3)
    assert any("$200 million" in h.chunk.text for h in before)
    path = corpus_copy / VOA
    path.write_text(
        path.read_text(encoding="utf-8").replace("$200 million", "$350 million"), encoding="utf-8"
    )
    done = rag_cli(assistant.settings, "ingest", str(corpus_copy), "--json")
    assert done.returncode == 0, done.stderr
    after = assistant.search(DOLLARS, k=3)
    texts = " ".join(h.chunk.text for h in after)
    assert "$350 million" in texts and "$200 million" not in texts


def test_an_article_pruned_and_another_of_the_same_size_added_is_found(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    assistant.search(DOLLARS)  # this process has searched before the change
    voa = corpus_copy / VOA
    text = voa.read_text(encoding="utf-8")
    voa.unlink()
    (corpus_copy / "renamed.txt").write_text(text.replace("Pyongyang", "Pjongjang"), encoding="utf-8")
    done = rag_cli(assistant.settings, "ingest", str(corpus_copy), "--prune", "--json")
    assert done.returncode == 0, done.stderr
    hits = assistant.search("Pjongjang bet all its chips on Moscow", k=3)
    assert hits[0].chunk.source == "renamed.txt"
    assert VOA not in {h.chunk.source for h in assistant.search(DOLLARS, k=10)}


def test_keyword_rows_match_chroma_and_the_where_filter_reaches_both(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    assert assistant.keywords.count() == assistant.store.count()
    hits = assistant.search("troops Kursk", k=5, where=assistant.where_for(["Voice of America"]))
    assert hits and {h.chunk.meta.outlet for h in hits} == {"Voice of America"}
    dated = assistant.search("troops Kursk", k=10, where=assistant.where_for(date_from="2024-10-25"))
    assert dated and all(h.chunk.meta.date >= "2024-10-25" for h in dated)


def test_an_index_without_its_keyword_file_gets_one_from_chroma(assistant, corpus_copy, embedder):
    assistant.ingest([corpus_copy])
    assistant.keywords.path.unlink()
    fresh = Assistant(assistant.settings, embedder=embedder)
    assert fresh.search(DOLLARS)[0].chunk.source == VOA
    assert fresh.keywords.count() == fresh.store.count()


def test_a_change_of_cleaning_rules_re_ingests_every_article_from_the_embedding_cache(
    assistant, corpus_copy, monkeypatch
):
    first = assistant.ingest([corpus_copy])
    assert first.chunks_embedded == first.chunks_written > 0
    monkeypatch.setattr("rag.index.RULES_VERSION", "changed-rules")
    again = assistant.ingest([corpus_copy])
    assert len(again.updated) == 5 and again.chunks_written == first.chunks_written
    assert again.chunks_embedded == 0  # same texts: every vector came from the cache
    assert assistant.ingest([corpus_copy]).unchanged  # and now they are current


def test_duplicate_and_unchanged_chunks_are_not_embedded_again(assistant, corpus_copy):
    (corpus_copy / "wire-copy.txt").write_bytes((corpus_copy / VOA).read_bytes())
    report = assistant.ingest([corpus_copy])
    voa_chunks = len(assistant.store.all_chunks(VOA)[0])
    assert report.chunks_written - report.chunks_embedded == voa_chunks  # the copy cost nothing
    path = corpus_copy / "004_d8202d8143fa868b.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nOne more sentence added at the end.\n", encoding="utf-8"
    )
    update = assistant.ingest([corpus_copy])
    assert update.updated == ["004_d8202d8143fa868b.txt"]
    assert 1 <= update.chunks_embedded < update.chunks_written


def test_a_reader_never_finds_an_article_missing_while_it_is_rewritten(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    path = corpus_copy / VOA
    original = path.read_text(encoding="utf-8")
    misses, stop = [], threading.Event()

    def read():
        while not stop.is_set():
            hits = assistant.search(DOLLARS, k=3)
            if VOA not in {h.chunk.source for h in hits}:
                misses.append(hits)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(6):
            path.write_text(original.replace("$200 million", f"${200 + i} million"), encoding="utf-8")
            done = rag_cli(assistant.settings, "ingest", str(corpus_copy), "--json")
            assert done.returncode == 0, done.stderr
    finally:
        stop.set()
        reader.join()
    assert misses == []


def test_two_ingests_at_once_do_not_interleave_versions_of_one_article(assistant, corpus_copy, tmp_path):
    assistant.ingest([corpus_copy])
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    text = (corpus_copy / VOA).read_text(encoding="utf-8")
    (one / "story.txt").write_text(text.replace("$200 million", "$111 million"), encoding="utf-8")
    (two / "story.txt").write_text(
        text.replace("$200 million", "$222 million") + "\nA tail.\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "RAG_HOME": str(assistant.settings.home),
        "RAG_MODELS": str(assistant.settings.models),
    }
    procs = [
        subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(d / "story.txt")], env=env, cwd=REPO)
        for d in (one, two, one, two)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    stories = [s for s in assistant.store.file_states() if s.endswith("story.txt")]
    assert len(stories) == 2
    for source in stories:
        ids, _, metas = assistant.store.all_chunks(source)
        assert len({m["file_sha256"] for m in metas}) == 1  # one version, complete
        assert len(ids) == metas[0]["n_chunks"]
        assert assistant.keywords.ids_of(source) == set(ids)
    assert assistant.keywords.count() == assistant.store.count()


def test_chunks_longer_than_the_embedding_model_reads_are_counted_and_reported(
    settings, embedder, corpus_copy
):
    from rag.commands import format_report

    long_chunks = Assistant(settings.model_copy(update={"chunk_tokens": 600}), embedder=embedder)
    report = long_chunks.ingest([corpus_copy])
    assert report.chunks_truncated > 0
    assert "longer than the embedding model's 256 word pieces" in format_report(report, 0)
    default = Assistant(settings.model_copy(update={"home": settings.home / "default"}), embedder=embedder)
    assert default.ingest([corpus_copy]).chunks_truncated == 0  # the default chunks fit
