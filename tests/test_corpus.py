"""Reading files: supported formats load; bad files are refused with a one-line reason."""

from __future__ import annotations

import pytest

from rag.corpus import Skipped, discover, load_article, read_text


def test_empty_file_is_refused(tmp_path):
    (tmp_path / "e.txt").write_text("  \n\n")
    with pytest.raises(ValueError, match="empty file"):
        read_text(tmp_path / "e.txt")


def test_binary_file_is_refused(tmp_path):
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ValueError, match="binary"):
        read_text(tmp_path / "b.txt")


def test_a_windows_1252_file_is_read_and_undecodable_bytes_are_refused_with_the_offset(tmp_path):
    (tmp_path / "l.txt").write_bytes("Caf\xe9 au lait in Seoul, \xa35".encode("cp1252"))
    assert read_text(tmp_path / "l.txt")[0] == "Caf\xe9 au lait in Seoul, \xa35"
    (tmp_path / "g.txt").write_bytes(b"Caf\x81 au lait")  # 0x81: unassigned in Windows-1252
    with pytest.raises(ValueError, match=r"neither UTF-8 nor Windows-1252 \(bad byte at offset 3\)"):
        read_text(tmp_path / "g.txt")


def test_unreadable_path_is_refused(tmp_path):
    (tmp_path / "d.txt").mkdir()
    with pytest.raises(ValueError, match="unreadable"):
        read_text(tmp_path / "d.txt")


def test_discover_walks_folders_skips_hidden_and_flags_unsupported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("x")
    (tmp_path / "b.html").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "c.pdf").write_text("x")
    found = list(discover([tmp_path, tmp_path / "missing.txt"]))
    names = sorted(f.name for f in found if not isinstance(f, Skipped))
    assert names == ["a.md", "b.html"]
    reasons = {s.source: s.reason for s in found if isinstance(s, Skipped)}
    assert reasons["c.pdf"] == "unsupported file type '.pdf'"
    assert reasons["missing.txt"].startswith("not found")


def test_html_article_uses_head_metadata_and_drops_page_chrome(tmp_path):
    (tmp_path / "p.html").write_text(
        """<html><head><title>Site | Page</title>
        <meta property="og:title" content="Kim visits Moscow">
        <meta property="og:site_name" content="Example Times">
        <meta name="author" content="Jane Roe">
        <meta property="article:published_time" content="2024-11-02T10:00:00Z"></head>
        <body><nav>Home | World</nav><article><h1>Kim visits Moscow</h1>
        <p>Kim Jong Un arrived in Moscow on Saturday.</p><p>He met Putin for three hours.</p>
        </article><footer>Comments are closed.</footer><script>var x=1;</script></body></html>"""
    )
    art = load_article(tmp_path / "p.html")
    assert (art.meta.title, art.meta.outlet, art.meta.author, art.meta.date) == (
        "Kim visits Moscow",
        "Example Times",
        "Jane Roe",
        "2024-11-02",
    )
    assert art.text == "Kim Jong Un arrived in Moscow on Saturday.\n\nHe met Putin for three hours."


def test_markdown_article_loses_markup_but_keeps_words(tmp_path):
    (tmp_path / "m.md").write_text(
        "# Troops arrive in Kursk\n\n![map](map.png)\n\nThe **first** units reached "
        "[Kursk](https://example.org) on 23 October.\n"
    )
    art = load_article(tmp_path / "m.md")
    assert art.meta.title == "Troops arrive in Kursk"
    assert art.text == "The first units reached Kursk on 23 October."
