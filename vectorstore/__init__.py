"""Chroma behind a small interface (one collection of chunks plus a manifest of how they were made)
and the keyword index beside it (SQLite FTS5, one file on the host)."""

from vectorstore.keywords import KeywordIndex
from vectorstore.store import ChunkStore, FileState, ManifestMismatch, StoreUnavailable

__all__ = ["ChunkStore", "FileState", "KeywordIndex", "ManifestMismatch", "StoreUnavailable"]
