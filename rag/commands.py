"""One function per `rag` subcommand: build the Assistant, call it, print the result."""

from __future__ import annotations

import argparse
import sys
import textwrap

from rag.assistant import Assistant
from rag.cli import print_json
from rag.errors import RagError
from rag.settings import Settings
from rag.types import IngestReport


def load_settings(**overrides) -> Settings:
    from pydantic import ValidationError

    try:
        settings = Settings()
        return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "RAG_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise RagError(f"invalid setting {name}: {first['msg']}") from exc


def ingest(args: argparse.Namespace) -> int:
    assistant = Assistant(load_settings())
    report = assistant.ingest(args.paths or None, args.prune, args.rebuild, progress=not args.json)
    if args.json:
        print_json(report.__dict__)
    else:
        print(format_report(report, assistant.store.count()))
    return 0


def format_report(report: IngestReport, total_chunks: int) -> str:
    lines = [
        f"added {len(report.added)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
        + (f", pruned {len(report.pruned)}" if report.pruned else "")
        + f" — {report.chunks_written} chunks written in {report.seconds:.1f}s; "
        f"{total_chunks} chunks indexed"
    ]
    if not report.changed and not report.skipped:
        lines.append("nothing changed: the index is up to date")
    for name, reason in report.skipped.items():
        lines.append(f"  skipped {name}: {reason}")
    return "\n".join(lines)


def search(args: argparse.Namespace) -> int:
    assistant = Assistant(load_settings())
    hits = assistant.search(args.query, k=args.k)
    if args.json:
        print_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
        return 0
    if not hits:
        print("no hits")
    for hit in hits:
        meta = hit.chunk.meta
        label = " · ".join(x for x in (meta.title, meta.outlet, meta.date) if x)
        print(f"[{hit.rank}] {hit.chunk.id}  score {hit.score:.4f}  {label}")
        print(textwrap.indent(textwrap.shorten(hit.chunk.text, 300), "    "))
    return 0


def status(args: argparse.Namespace) -> int:
    info = Assistant(load_settings()).status()
    if args.json:
        print_json(info)
        return 0
    print(f"index:      {info['store']} (collection {info['collection']!r})")
    if not info["indexed"]:
        print("            empty: run `rag ingest`")
    else:
        print(f"articles:   {info['articles']}   chunks: {info['chunks']}")
        if info["incomplete"]:
            print(f"incomplete: {', '.join(info['incomplete'])} (run `rag ingest` to finish)")
        print(f"embedding:  {info['index_manifest'].get('embed_model')}")
        if info["index_manifest"] != info["expected_manifest"]:
            print("warning:    the index was built with other settings: run `rag ingest --rebuild`")
    print("settings:")
    for key, value in info["settings"].items():
        print(f"  {key:<20} {value}")
    return 0


def setup(args: argparse.Namespace) -> int:
    from rag import model_files

    settings = load_settings()
    print(f"embedding model: {model_files.onnx_embedding_path(settings.models_dir)}", file=sys.stderr)
    print(f"embedded LLM:    {model_files.gguf_path(settings.models_dir, settings.gguf_path)}", file=sys.stderr)
    return 0
