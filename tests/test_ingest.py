"""Ingestion into a real embedded Chroma with the real embedding model."""

from __future__ import annotations

import pytest

from rag.assistant import Assistant
from rag.errors import IndexMismatch, IndexMissing
from tests.conftest import CORPUS, VOA

pytestmark = pytest.mark.slow


def test_first_ingest_adds_every_article_and_a_second_changes_nothing(assistant):
    first = assistant.ingest([CORPUS])
    assert sorted(first.added) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert first.chunks_written == assistant.store.count() > 0
    before = assistant.store.all_chunks()

    second = assistant.ingest([CORPUS])
    assert second.added == second.updated == [] and second.chunks_written == 0
    assert len(second.unchanged) == 5 and not second.changed
    assert assistant.store.all_chunks() == before


def test_a_changed_file_replaces_its_chunks(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    path = corpus_copy / VOA
    path.write_text(
        path.read_text(encoding="utf-8").replace("$200 million", "$350 million"), encoding="utf-8"
    )
    report = assistant.ingest([corpus_copy])
    assert report.updated == [VOA] and len(report.unchanged) == 4
    texts = " ".join(assistant.store.all_chunks()[1])
    assert "$350 million" in texts and "$200 million" not in texts
    top = assistant.search("how much money will North Korea receive from Moscow", k=1)[0]
    assert top.chunk.source == VOA and "$350 million" in top.chunk.text


def test_bad_files_are_skipped_with_reasons_and_the_rest_go_in(assistant, corpus_copy):
    (corpus_copy / "photo.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus_copy / "garbled.txt").write_bytes(b"Caf\x81")
    (corpus_copy / "empty.md").write_text("")
    report = assistant.ingest([corpus_copy])
    assert report.skipped == {
        "empty.md": "empty file",
        "garbled.txt": "neither UTF-8 nor Windows-1252 (bad byte at offset 3)",
        "photo.txt": "binary file (contains NUL bytes)",
    }
    assert len(report.added) == 5


def test_prune_removes_chunks_of_deleted_files(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    (corpus_copy / VOA).unlink()
    assert assistant.ingest([corpus_copy]).pruned == []  # without --prune nothing is removed
    assert VOA in assistant.store.file_states()
    report = assistant.ingest([corpus_copy], prune=True)
    assert report.pruned == [VOA]
    assert VOA not in assistant.store.file_states()


def test_rebuild_starts_over(assistant):
    assistant.ingest([CORPUS])
    report = assistant.ingest([CORPUS], rebuild=True)
    assert len(report.added) == 5 and report.unchanged == []


def test_querying_with_other_chunk_settings_says_to_rebuild(assistant, settings, embedder):
    assistant.ingest([CORPUS])
    other = Assistant(settings.model_copy(update={"chunk_tokens": 90}), embedder=embedder)
    with pytest.raises(IndexMismatch, match="rag ingest --rebuild"):
        other.search("Kursk")
    with pytest.raises(IndexMismatch, match="chunk_tokens"):
        other.ingest([CORPUS])


def test_searching_before_any_ingest_says_to_ingest(assistant):
    with pytest.raises(IndexMissing, match="rag ingest"):
        assistant.search("Kursk")


class _CrashMidWrite:
    """A store whose process 'dies' while writing a batch: the other articles are written, the
    crashing one's first new chunk is written over its old version, and then it stops."""

    def __init__(self, store, crash_on: str):
        self._store, self._crash_on = store, crash_on

    def __getattr__(self, name):
        return getattr(self._store, name)

    def replace_sources(self, articles):
        self._store.replace_sources([a for a in articles if a[0] != self._crash_on])
        source, ids, vectors, docs, metas = next(a for a in articles if a[0] == self._crash_on)
        self._store.collection().upsert(
            ids=ids[:1], embeddings=vectors[:1], documents=docs[:1], metadatas=metas[:1]
        )
        raise KeyboardInterrupt


def test_an_interrupted_ingest_leaves_a_usable_index_and_a_rerun_completes_it(assistant, corpus_copy):
    assistant.ingest([corpus_copy])
    for name in ("002_1ae320be542dd78b.txt", VOA):
        path = corpus_copy / name
        path.write_text(path.read_text(encoding="utf-8") + "\nA closing line.", encoding="utf-8")
    real_store = assistant.store
    assistant.store = _CrashMidWrite(real_store, VOA)
    with pytest.raises(KeyboardInterrupt):
        assistant.ingest([corpus_copy])
    assistant.store = real_store

    assert not real_store.file_states()[VOA].complete  # old and new chunks mixed: seen as such
    assert assistant.search("Kursk", k=3)  # still usable
    report = assistant.ingest([corpus_copy])
    assert report.updated == [VOA] and len(report.unchanged) == 4
    assert all(s.complete for s in real_store.file_states().values())
    ids, _, metas = real_store.all_chunks(VOA)
    assert len({m["file_sha256"] for m in metas}) == 1 and len(ids) == metas[0]["n_chunks"]


def test_prune_removes_only_what_is_gone_under_the_roots_given(assistant, corpus_copy, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "note.txt").write_text("An upload about the summit in Hanoi, which ended early.\n" * 3)
    assistant.ingest([corpus_copy])
    assistant.ingest([uploads])
    one = corpus_copy / VOA
    report = assistant.ingest([one], prune=True)  # one file named: nothing else is "gone"
    assert report.pruned == [] and len(assistant.store.file_states()) == 6
    (corpus_copy / "000_58a7cbc6ed29d5f2.txt").unlink()
    report = assistant.ingest([corpus_copy], prune=True)  # the upload is not under the corpus
    assert report.pruned == ["000_58a7cbc6ed29d5f2.txt"]
    assert "note.txt" in assistant.store.file_states()


def test_two_files_with_one_name_from_different_places_are_two_articles(assistant, corpus_copy, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / VOA).write_text("A different article that happens to share the file name, about rice.\n")
    assistant.ingest([corpus_copy])
    report = assistant.ingest([uploads])
    assert report.added == [f"uploads/{VOA}"]
    states = assistant.store.file_states()
    assert VOA in states and f"uploads/{VOA}" in states  # the corpus article was not replaced
    assert "Pyongyang" in assistant.article_text(VOA)
    again = assistant.ingest([corpus_copy, uploads])  # each file keeps its key, nothing changes
    assert sorted(again.unchanged) == sorted([*(p.name for p in corpus_copy.iterdir()), f"uploads/{VOA}"])
    moved = tmp_path / "moved"
    corpus_copy.rename(moved)  # a folder moved keeps its articles' keys: no duplicates
    assert assistant.ingest([moved]).added == []
    assert len(assistant.store.file_states()) == 6


def test_the_whole_article_view_is_the_cleaned_article_and_offsets_land(settings, embedder):
    from rag.corpus import load_article

    assistant = Assistant(
        settings.model_copy(update={"chunk_tokens": 60, "chunk_overlap": 0}), embedder=embedder
    )
    assistant.ingest([CORPUS])
    for path in CORPUS.glob("*.txt"):
        article = load_article(path)
        text = assistant.article_text(article.source)
        assert text == article.text
        _, docs, metas = assistant.store.all_chunks(article.source)
        for doc, meta in zip(docs, metas, strict=True):
            assert text[meta["start"] : meta["end"]] == doc
