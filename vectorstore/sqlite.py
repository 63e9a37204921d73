"""One SQLite connection per thread to a file under RAG_HOME, in WAL mode (readers go on while one
writer writes) with autocommit: the keyword index and the conversations both live this way."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ThreadConnections:
    def __init__(self, path: Path, schema: str, *, pragmas: tuple[str, ...] = (), rows: bool = False):
        self.path = path
        self.pragmas = pragmas
        self.rows = rows
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.get().executescript(schema)

    def get(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            for pragma in ("journal_mode=WAL", *self.pragmas):
                db.execute(f"PRAGMA {pragma}")
            if self.rows:
                db.row_factory = sqlite3.Row
            self._local.db = db
        return db
