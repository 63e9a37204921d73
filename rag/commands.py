"""One function per `rag` subcommand: build the Assistant, call it, print the result."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

from rag.assistant import Assistant
from rag.cli import print_json
from rag.errors import BadInput, RagError
from rag.model_files import MAX_SEQ_TOKENS
from rag.settings import Settings
from rag.types import IngestReport

# command-line options that override a setting, as the user typed them
OPTIONS = {"top_k": "-k", "backend": "--backend"}


def load_settings(**overrides) -> Settings:
    """Settings from the environment, then the command line's overrides, both validated: an
    out-of-range `-k` is refused the way an out-of-range RAG_TOP_K is."""
    from pydantic import ValidationError

    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "RAG_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise RagError(f"invalid setting {name}: {first['msg']}") from exc
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings.model_validate({**settings.model_dump(), **given})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        option = OPTIONS.get(field, "RAG_" + field.upper())
        raise RagError(f"{option} {given.get(field, '')}: {first['msg']}") from exc


def ingest(args: argparse.Namespace) -> int:
    assistant = Assistant(load_settings())
    from rag.datasets import Columns

    columns = Columns(**{name: getattr(args, name) for name in Columns.__dataclass_fields__})
    from rag.web import is_url

    paths = [p if is_url(p) else Path(p) for p in args.paths]
    report = assistant.ingest(
        paths or None, args.prune, args.rebuild, progress=not args.json, columns=columns
    )
    if args.json:
        print_json(report.__dict__)
    else:
        print(format_report(report, assistant.store.count()))
    return 0


def feed(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from rag.feeds import format_update

    assistant = Assistant(load_settings())
    command = args.feed_command
    if command == "list":
        rows = assistant.feeds()
        if args.json:
            print_json(rows)
        for row in [] if args.json else rows:
            checked = (
                time.strftime("%Y-%m-%d %H:%M", time.localtime(row["checked"])) if row["checked"] else "never"
            )
            print(
                f"{row['url']}  {row['title'] or ''}  articles {row['articles']}  "
                f"checked {checked}  {row['status'] or ''}"
            )
        if not rows and not args.json:
            print("no feeds followed; add one with `rag feed add URL`")
        return 0
    if command == "remove":
        gone = assistant.remove_feed(args.url, args.delete_articles)
        print(
            f"stopped following {args.url}"
            + (f"; removed {len(gone)} articles" if args.delete_articles else "")
        )
        return 0
    updates = (
        [assistant.add_feed(args.url)] if command == "add" else assistant.update_feeds(args.urls or None)
    )
    if args.json:
        print_json([asdict(u) for u in updates])
    else:
        for update in updates:
            print(format_update(update))
    return 0


def format_report(report: IngestReport, total_chunks: int) -> str:
    lines = [
        f"added {len(report.added)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
        + (f", pruned {len(report.pruned)}" if report.pruned else "")
        + f" — {report.chunks_written} chunks written in {report.seconds:.1f}s; "
        f"{total_chunks} chunks indexed"
    ]
    if report.chunks_truncated:
        lines.append(
            f"note: {report.chunks_truncated} chunks are longer than the embedding model's "
            f"{MAX_SEQ_TOKENS} word pieces; their ends are found by keyword search only "
            "(lower RAG_CHUNK_TOKENS to embed them whole)"
        )
    if not report.changed and not report.skipped:
        lines.append("nothing changed: the index is up to date")
    for name, reason in report.skipped.items():
        lines.append(f"  skipped {name}: {reason}")
    return "\n".join(lines)


def search(args: argparse.Namespace) -> int:
    settings = load_settings(top_k=args.k)
    assistant = Assistant(settings)
    hits = assistant.search(args.query, k=settings.top_k)
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


def ask(args: argparse.Namespace) -> int:
    assistant = Assistant(load_settings(backend=args.backend, top_k=args.k))
    if args.question is not None:
        return _ask_one(assistant, args.question, args.json, stream=not args.json)
    status = 0
    for line in sys.stdin:  # models load once, on the first question
        if line.strip():
            try:
                _ask_one(assistant, line.strip(), args.json, stream=False)
            except RagError as exc:
                if not args.json:
                    raise
                print_json({"question": line.strip(), "error": str(exc)})
                status = 1
    return status


def _ask_one(assistant: Assistant, question: str, as_json: bool, stream: bool) -> int:
    from rag.types import Answer

    answer = None
    live = stream and sys.stderr.isatty()
    for event in assistant.stream(question):
        if isinstance(event, Answer) and event.preliminary:
            if live:  # the quick extractive answer, shown while the model writes
                sys.stderr.write(f"(quick answer, checking the model's) {event.text}\n")
                sys.stderr.flush()
        elif isinstance(event, Answer):
            answer = event
        elif live:
            sys.stderr.write(event)  # raw draft; the verified answer follows on stdout
            sys.stderr.flush()
    if live:
        sys.stderr.write("\n")
    if as_json:
        print_json(answer.to_dict())
        return 0
    print(format_answer(answer))
    return 0


def _citation_label(c) -> str:
    return " · ".join(x for x in (c.title, c.outlet, c.date) if x)


def timeline(args: argparse.Namespace) -> int:
    assistant = Assistant(load_settings())
    answer = assistant.timeline(args.topic, k=args.k)
    if args.json:
        print_json(answer.to_dict())
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer) -> str:
    lines = [answer.text]
    if answer.refused:
        lines.append("(refused: the retrieved articles do not support an answer)")
        if answer.closest:
            lines.append("")
            lines.append("Closest passages (judge for yourself):")
            for c in answer.closest:
                lines.append(f"- {c.source} — {_citation_label(c)}")
                lines.append(f"    “{' '.join(c.quote.split())}”")
    elif answer.timeline:
        if answer.undated:
            lines.append(f"({answer.undated} relevant articles state no date and are left out)")
    elif answer.extractive:
        lines.append("(quoted: the generated answer could not be verified)")
    if answer.outlets and answer.outlets["reporting"]:
        lines.append("")
        from rag.outlets import summary

        lines.append(summary(answer.outlets))
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            lines.append(f"[{c.n}] {c.source} — {_citation_label(c)}")
            lines.append(f"    “{c.quote}” (chars {c.start}–{c.end})")
    t = answer.timings
    lines.append(
        f"\n{f'{answer.backend} {answer.model}' if answer.model else 'no model call'} · "
        f"retrieve {t['retrieve_ms']:.0f} ms · "
        f"generate {t['generate_ms']:.0f} ms · total {t['total_ms']:.0f} ms"
    )
    return "\n".join(lines)


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
        where = "Chroma's Search API is offered but not used yet; " if info["chroma_search_api"] else ""
        print(
            f"keywords:   {info['keyword_chunks']} chunks in {info['keyword_index']} "
            f"({where}SQLite FTS5 on this host)"
        )
        if info["index_manifest"] != info["expected_manifest"]:
            print("warning:    the index was built with other settings: run `rag ingest --rebuild`")
    print("settings:")
    for key, value in info["settings"].items():
        print(f"  {key:<20} {value}")
    return 0


def _eval_corpus_settings(settings, corpora: Path | list[Path]):
    """A gold set over other corpora gets its own index under $RAG_HOME/eval/, kept between runs
    (unchanged files are skipped on the next run); the model files stay shared."""
    import hashlib

    corpora = [corpora] if isinstance(corpora, Path) else list(corpora)
    for corpus in corpora:
        if not corpus.is_dir():
            raise BadInput(f"--corpus {corpus}: not a folder")
    # one folder keeps the key it had before several were allowed
    key = hashlib.sha256("\n".join(str(c.resolve()) for c in corpora).encode()).hexdigest()[:10]
    name = "+".join(c.resolve().name for c in corpora)
    home = settings.home / "eval" / f"{name}-{key}"
    return settings.model_copy(update={"home": home, "corpus": corpora[0], "models": settings.models_dir})


def evaluate(args: argparse.Namespace) -> int:
    """`rag eval`: answer the gold set, score it, write the reports, compare and gate."""
    from eval.gold import DEFAULT_GOLD, load_gold
    from eval.judge import make_judge
    from eval.report import below_floor, compare, load_report, parse_floors, write_reports
    from eval.run import run_eval

    gold_path = args.gold or DEFAULT_GOLD
    gold = load_gold(gold_path)[: args.limit]
    previous = load_report(args.compare) if args.compare else None
    floors = parse_floors(args.fail_under, dict.fromkeys(_metric_names()))  # a typo fails before any work
    settings = load_settings(backend=args.backend, top_k=args.k)
    if args.corpus:
        settings = _eval_corpus_settings(settings, args.corpus)
    assistant = Assistant(settings)
    judge = make_judge(settings, args.judge) if args.judge else None
    # the gold set is about the configured corpus (or the --corpus folders); unchanged files are skipped
    report = assistant.ingest(args.corpus)
    if report.skipped:
        print(format_report(report, assistant.store.count()), file=sys.stderr)
    result = run_eval(assistant, gold, progress=True, judge=judge, gold_path=gold_path)
    paths = write_reports(result, args.out)
    agg = result["aggregate"]
    print(f"{len(gold)} questions · {result['meta']['backend']} {result['meta']['model']}")
    for key in (
        "hit_at_k",
        "answer_found",
        "cited_right",
        "false_refusals",
        "wrong_answers",
        "unanswerable_refused",
        "fact_recall",
        "crag_score",
        "citation_recall",
        "citation_precision",
        "refusal_f1",
        "total_ms_p50",
    ):
        value = agg.get(key)
        print(f"  {key:<20} {'–' if value is None else round(value, 3)}")
    print("reports: " + ", ".join(str(p) for p in paths))
    if previous is not None:
        print(compare(result, previous))
    failed = below_floor(agg, floors)
    for line in failed:
        print(f"below floor: {line}", file=sys.stderr)
    return 1 if failed else 0


def _metric_names() -> list[str]:
    from eval.metrics import aggregate

    return list(aggregate([], []))


def ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    launch(load_settings(ui_port=args.port, ui_host=args.host))
    return 0


def serve(args: argparse.Namespace) -> int:
    from rag.api import serve as run

    settings = load_settings(ui_port=args.port, ui_host=args.host)
    run(settings, settings.ui_host, settings.ui_port)
    return 0


def setup(args: argparse.Namespace) -> int:
    from rag import model_files

    settings = load_settings()
    print(f"embedding model: {model_files.onnx_embedding_path(settings.models_dir)}", file=sys.stderr)
    path = model_files.gguf_path(settings.models_dir, settings.gguf_path, settings.embedded_model)
    if not settings.gguf_path:
        model_files.check_gguf(path, model_files.EMBEDDED_MODELS[settings.embedded_model])
    print(f"embedded LLM:    {path} (sha256 checked)", file=sys.stderr)
    return 0
