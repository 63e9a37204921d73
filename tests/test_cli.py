"""The `rag` command as a user runs it: a real process, real output, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, DOLLARS_QUESTION, VOA, cli_env

pytestmark = pytest.mark.slow


def rag(settings, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(settings, **env),
        timeout=300,
    )


def test_ingest_search_status_round_trip(settings, tmp_path):
    bad = tmp_path / "extra"
    bad.mkdir()
    (bad / "junk.txt").write_bytes(b"\x00\xff")
    out = rag(settings, "ingest", str(CORPUS), str(bad))
    assert out.returncode == 0, out.stderr
    assert "added 5, updated 0, unchanged 0, skipped 1" in out.stdout
    assert "skipped junk.txt: binary file (contains NUL bytes)" in out.stdout

    again = rag(settings, "ingest", str(CORPUS))
    assert "nothing changed: the index is up to date" in again.stdout

    found = rag(settings, "search", DOLLARS_QUESTION, "--json", "-k", "3")
    hits = json.loads(found.stdout)["hits"]
    assert len(hits) == 3 and hits[0]["source"] == VOA and "$200 million" in hits[0]["text"]

    status = json.loads(rag(settings, "status", "--json").stdout)
    assert status["articles"] == 5 and status["chunks"] > 20
    assert status["index_manifest"]["embed_model"].startswith("all-MiniLM-L6-v2")
    text_status = rag(settings, "status").stdout
    assert "articles:   5" in text_status and "chunk_tokens" in text_status


def test_output_into_a_closed_pipe_ends_quietly(settings):
    """`rag status | head -0`: the reader is gone before rag writes; no traceback (issue 10, item 8)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "status"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(settings),
    )
    proc.stdout.close()  # the reader goes away at once, as `head` does after its lines
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


@pytest.mark.parametrize("command", ["ask", "search", "eval"])
@pytest.mark.parametrize("k", ["0", "100"])
def test_an_out_of_range_k_is_refused_like_a_bad_setting(settings, command, k):
    """Issue 10, item 6: `-k` is checked against the same bounds as RAG_TOP_K, before any work."""
    out = rag(settings, command, *(["q"] if command != "eval" else []), "-k", k)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]  # one line
    assert out.stderr.startswith(f"error: -k {k}:"), out.stderr


def test_errors_are_one_line_without_traceback(settings):
    out = rag(settings, "search", "Kursk")
    assert out.returncode == 1
    assert (
        out.stderr.strip()
        == f"error: no index at embedded chroma at {(settings.home / 'chroma').resolve()}: "
        "run `rag ingest` first"
    )

    empty = rag(settings, "search", "   ")
    assert empty.returncode == 1 and empty.stderr.strip() == "error: the question is empty"

    bad_setting = rag(settings, "status", RAG_TOP_K="many")
    assert bad_setting.returncode == 1 and bad_setting.stderr.startswith("error: invalid setting RAG_TOP_K")
    assert "Traceback" not in bad_setting.stderr
