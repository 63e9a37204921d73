"""The keyword index on disk: SQLite FTS5 in one file beside the store, shared by every process on
the host, written in the same step as Chroma and read per query (no per-process copy to go stale).
The same file keeps an embedding cache: a chunk whose text was embedded before (a duplicate wire
copy, an unchanged chunk of an updated article, a re-ingest after a rules change) is not embedded
again.

Terms are the project's keyword tokens (rag.text.keyword_tokens), stored space-separated; the
FTS5 tokenizer is told to split on spaces only, so its tokens are exactly ours. Ranking is FTS5's
BM25. An article's rows are replaced in one transaction: a reader sees it before or after an
update, never missing (SQLite WAL lets readers go on while one writer writes).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from vectorstore.sqlite import ThreadConnections

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    terms,
    chunk_id UNINDEXED, source UNINDEXED, outlet UNINDEXED, date_num UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '''-.'"
);
"""
CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedding_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
"""
FILTERABLE = ("source", "outlet", "date_num")


class KeywordIndex:
    """upsert an article's chunks, delete an article, search with the retrieval filters."""

    def __init__(self, path: Path):
        self.path = path
        self._connections = ThreadConnections(path, SCHEMA + CACHE_SCHEMA, pragmas=("synchronous=NORMAL",))

    def _connect(self) -> sqlite3.Connection:
        return self._connections.get()

    # --- writes -------------------------------------------------------------------------------
    def replace_source(self, source: str, rows: list[tuple[str, list[str], dict[str, Any]]]) -> None:
        """The article's chunks as (chunk_id, terms, metadata), replacing what it had, atomically."""
        self.replace_sources({source: rows})

    def replace_sources(self, articles: dict[str, list[tuple[str, list[str], dict[str, Any]]]]) -> None:
        """Several articles' rows in one transaction, each replacing what it had."""
        db = self._connect()
        with _transaction(db):
            for source, rows in articles.items():
                db.execute("DELETE FROM chunk_terms WHERE source = ?", (source,))
                db.executemany(
                    "INSERT INTO chunk_terms (terms, chunk_id, source, outlet, date_num) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (" ".join(terms), chunk_id, source, meta.get("outlet"), meta.get("date_num"))
                        for chunk_id, terms, meta in rows
                    ],
                )

    def delete_source(self, source: str) -> None:
        db = self._connect()
        with _transaction(db):
            db.execute("DELETE FROM chunk_terms WHERE source = ?", (source,))

    def drop(self) -> None:
        db = self._connect()
        with _transaction(db):
            db.execute("DELETE FROM chunk_terms")

    # --- reads --------------------------------------------------------------------------------
    def count(self) -> int:
        return self._connect().execute("SELECT count(*) FROM chunk_terms").fetchone()[0]

    def ids_of(self, source: str) -> set[str]:
        sql = "SELECT chunk_id FROM chunk_terms WHERE source = ?"
        return {row[0] for row in self._connect().execute(sql, (source,))}

    def sources(self) -> set[str]:
        return {row[0] for row in self._connect().execute("SELECT DISTINCT source FROM chunk_terms")}

    def search(self, terms: list[str], n: int, where: dict | None = None) -> dict[str, float]:
        """The n best chunks by BM25 for any of the terms, best first, as {chunk_id: score > 0}."""
        terms = list(dict.fromkeys(t for t in terms if t))
        if not terms or n <= 0:
            return {}
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        clause, params = _where_sql(where)
        sql = (
            "SELECT chunk_id, -bm25(chunk_terms) AS score FROM chunk_terms WHERE chunk_terms MATCH ?"
            + (f" AND {clause}" if clause else "")
            + " ORDER BY bm25(chunk_terms) LIMIT ?"
        )
        rows = self._connect().execute(sql, [match, *params, n]).fetchall()
        return {chunk_id: score for chunk_id, score in rows if score > 0}

    # --- embedding cache ----------------------------------------------------------------------------
    def cached_vectors(self, keys: list[str]) -> dict[str, bytes]:
        db, out = self._connect(), {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            sql = f"SELECT key, vector FROM embedding_cache WHERE key IN ({', '.join('?' * len(part))})"
            out.update(db.execute(sql, part).fetchall())
        return out

    def cache_vectors(self, items: list[tuple[str, bytes]]) -> None:
        db = self._connect()
        with _transaction(db):
            db.executemany("INSERT OR REPLACE INTO embedding_cache (key, vector) VALUES (?, ?)", items)


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK): one writer at a time, all or nothing."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, exc, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _where_sql(where: dict | None) -> tuple[str, list]:
    """The subset of Chroma's where-syntax the retrieval filters use, as SQL: equality, $in,
    $gte/$lte/$gt/$lt, $and, on source, outlet and date_num."""
    if not where:
        return "", []
    if "$and" in where:
        parts = [_where_sql(w) for w in where["$and"]]
        return " AND ".join(f"({c})" for c, _ in parts if c), [p for _, ps in parts for p in ps]
    clauses, params = [], []
    for key, cond in where.items():
        if key not in FILTERABLE:
            raise ValueError(f"the keyword index cannot filter on {key!r}")
        ops = cond if isinstance(cond, dict) else {"$eq": cond}
        for op, arg in ops.items():
            if op == "$in":
                clauses.append(f"{key} IN ({', '.join('?' * len(arg))})" if arg else "0")
                params += list(arg)
            elif op in _COMPARISONS:
                clauses.append(f"{key} {_COMPARISONS[op]} ?")
                params.append(arg)
            else:
                raise ValueError(f"the keyword index has no filter {op}")
    return " AND ".join(clauses), params


_COMPARISONS = {"$eq": "=", "$ne": "!=", "$gte": ">=", "$lte": "<=", "$gt": ">", "$lt": "<"}
