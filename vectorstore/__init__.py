"""Chroma behind a small interface: one collection of chunks plus a manifest of how they were made."""

from vectorstore.store import ChunkStore, ManifestMismatch, StoreUnavailable

__all__ = ["ChunkStore", "ManifestMismatch", "StoreUnavailable"]
