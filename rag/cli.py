"""`rag` command line: argument parsing and printing only; the work happens in Assistant."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from rag.errors import RagError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Citation-first QA over news articles.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="clean, chunk, embed and store articles")
    p.add_argument("paths", nargs="*", help="files, folders or http(s) URLs (default: bundled corpus)")
    p.add_argument("--prune", action="store_true", help="remove chunks of files that are gone")
    p.add_argument("--rebuild", action="store_true", help="drop the index and start over")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    for column in ("text", "title", "date", "url", "outlet", "author", "id"):
        p.add_argument(
            f"--{column}",
            metavar="COLUMN",
            help=f"data set files (.csv, .jsonl, .parquet): the column with each row's {column}",
        )

    p = sub.add_parser("feed", help="follow RSS/Atom feeds: add, list, remove, update")
    feed = p.add_subparsers(dest="feed_command", required=True)
    f = feed.add_parser("add", help="follow a feed and take its entries now")
    f.add_argument("url")
    f.add_argument("--json", action="store_true")
    f = feed.add_parser("list", help="the feeds followed")
    f.add_argument("--json", action="store_true")
    f = feed.add_parser("remove", help="stop following a feed")
    f.add_argument("url")
    f.add_argument("--delete-articles", action="store_true", help="also remove its articles from the index")
    f = feed.add_parser("update", help="take new and changed entries (default: every feed)")
    f.add_argument("urls", nargs="*")
    f.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="print the hybrid retrieval hits for a query")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=None, help="number of hits (default: RAG_TOP_K)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("status", help="where the index is, what it holds, the settings in force")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("ask", help="answer with inline citations (no question: one per stdin line)")
    p.add_argument("question", nargs="?", help="the question; omit to read questions from stdin")
    p.add_argument("-k", type=int, default=None, help="chunks given to the model (default: RAG_TOP_K)")
    p.add_argument("--backend", choices=["auto", "ollama", "llamacpp"], default=None)
    p.add_argument("--json", action="store_true", help="one JSON object per question")

    p = sub.add_parser("timeline", help="dated, cited events about a topic in date order")
    p.add_argument("topic", help='e.g. "North Korean troops in Russia"')
    p.add_argument("-k", type=int, default=None, help="chunks searched (default: 30)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("eval", help="answer a gold question set and score answers, citations, refusals")
    p.add_argument(
        "--gold", type=Path, default=None, help="gold .jsonl (default: eval/sets/bundled-dev.jsonl)"
    )
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        default=None,
        help="ingest these folders into their own index for the run",
    )
    p.add_argument("--out", type=Path, default=Path("eval/reports/latest"), help="report folder")
    p.add_argument("--backend", choices=["auto", "ollama", "llamacpp"], default=None)
    p.add_argument("-k", type=int, default=None, help="chunks given to the model (default: RAG_TOP_K)")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument(
        "--compare",
        type=Path,
        default=None,
        metavar="OLD_REPORT.json",
        help="print current / previous / delta per metric",
    )
    p.add_argument(
        "--fail-under",
        nargs="+",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 when a metric is below its floor, e.g. fact_recall=0.5",
    )
    p.add_argument(
        "--judge",
        default=None,
        metavar="MODEL",
        help="also grade with a judge: an Ollama model name, or `embedded` (the instruct model, yes/no)",
    )

    p = sub.add_parser("ui", help="open the chat page in the browser (ingests the corpus on first run)")
    p.add_argument("--port", type=int, default=None, help="default: RAG_UI_PORT")
    p.add_argument("--host", default=None, help="default: RAG_UI_HOST (127.0.0.1)")

    p = sub.add_parser("serve", help="the chat page plus the OpenAI-compatible and REST APIs, one port")
    p.add_argument("--port", type=int, default=None, help="default: RAG_UI_PORT")
    p.add_argument(
        "--host", default=None, help="default: RAG_UI_HOST (127.0.0.1); elsewhere needs RAG_API_KEYS"
    )

    sub.add_parser("setup", help="prepare the local model files (run once; quickstart does it)")
    return parser


COMMANDS = {"eval": "evaluate"}  # subcommand -> function in rag.commands, where the names differ


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `rag status | head`: end quietly when the reader goes away
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        from rag import commands

        return getattr(commands, COMMANDS.get(args.command, args.command))(args)
    except RagError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
