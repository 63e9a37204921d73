"""Conversations that persist: SQLite under RAG_HOME, one table of conversations and one of
messages (an assistant message keeps its structured answer, citations and all). Every message is
its own committed transaction, so a process killed in the middle of an answer loses at most that
answer. Each conversation has an owner (a browser's token, or an API key's hash) and is only
listed, read, exported or deleted by that owner.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path

from vectorstore.sqlite import ThreadConnections

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL, content TEXT NOT NULL, answer TEXT, created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, id);
"""
TITLE_CHARS = 80


class ConversationStore:
    def __init__(self, path: Path):
        self.path = path
        self._connections = ThreadConnections(path, SCHEMA, pragmas=("foreign_keys=ON",), rows=True)

    def _db(self) -> sqlite3.Connection:
        return self._connections.get()

    def create(self, owner: str, first_question: str) -> str:
        """A new conversation titled by its first question."""
        title = " ".join(first_question.split())
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"
        conversation_id = uuid.uuid4().hex[:16]
        now = time.time()
        self._db().execute(
            "INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
            (conversation_id, owner, title or "(empty)", now, now),
        )
        return conversation_id

    def add(
        self, conversation_id: str, owner: str, role: str, content: str, answer: dict | None = None
    ) -> None:
        """One message, committed at once; raises KeyError for a conversation the owner lacks."""
        db = self._db()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            if not db.execute(
                "SELECT 1 FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner)
            ).fetchone():
                raise KeyError(conversation_id)
            db.execute(
                "INSERT INTO messages (conversation_id, role, content, answer, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation_id, role, content, json.dumps(answer) if answer is not None else None, now),
            )
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def list(self, owner: str) -> list[dict]:
        """The owner's conversations, most recently active first."""
        rows = (
            self._db()
            .execute(
                "SELECT c.id, c.title, c.created, c.updated, count(m.id) AS messages FROM conversations c "
                "LEFT JOIN messages m ON m.conversation_id = c.id WHERE c.owner = ? "
                "GROUP BY c.id ORDER BY c.updated DESC, c.created DESC",
                (owner,),
            )
            .fetchall()
        )
        return [dict(r) for r in rows]

    def get(self, conversation_id: str, owner: str) -> dict | None:
        db = self._db()
        head = db.execute(
            "SELECT id, title, created, updated FROM conversations WHERE id = ? AND owner = ?",
            (conversation_id, owner),
        ).fetchone()
        if head is None:
            return None
        messages = [
            {
                "role": r["role"],
                "content": r["content"],
                "answer": json.loads(r["answer"]) if r["answer"] else None,
                "created": r["created"],
            }
            for r in db.execute(
                "SELECT role, content, answer, created FROM messages WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            )
        ]
        return {**dict(head), "messages": messages}

    def move(self, conversation_id: str, owner: str, new_owner: str) -> bool:
        """Give a conversation to another owner (a page asked before its browser was known)."""
        cursor = self._db().execute(
            "UPDATE conversations SET owner = ? WHERE id = ? AND owner = ?",
            (new_owner, conversation_id, owner),
        )
        return cursor.rowcount > 0

    def delete(self, conversation_id: str, owner: str) -> bool:
        cursor = self._db().execute(
            "DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation_id, owner)
        )
        return cursor.rowcount > 0


def to_markdown(conversation: dict) -> str:
    """The conversation as Markdown: questions as headings, answers with footnote-style
    citations, each footnote the source and its quote."""
    lines = [f"# {conversation['title']}", ""]
    for message in conversation["messages"]:
        if message["role"] == "user":
            lines += [f"## {message['content']}", ""]
            continue
        answer = message.get("answer") or {}
        text = message["content"]
        for c in answer.get("citations", []):
            text = text.replace(f"[{c['n']}]", f"[^{c['n']}]")
        lines += [text, ""]
        for c in answer.get("citations", []):
            facts = ", ".join(x for x in (c.get("title"), c.get("outlet"), c.get("date")) if x)
            quote = " ".join(c["quote"].split())
            lines.append(f"[^{c['n']}]: {c['source']}" + (f" ({facts})" if facts else "") + f': "{quote}"')
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
