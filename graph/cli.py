"""The command line: ``python -m graph build|ingest|query|export|validate|stats``.

Takes: command-line arguments and the environment (POLICY_KG_STORE, POLICY_KG_BACKEND,
NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD).
Gives: ``main(argv=None) -> int`` (the exit status). This is the only module that turns
exceptions into messages and exit codes (see DESIGN.md):

    0  success
    1  bad input or failed query (message on stderr naming the file, and the line when known);
       also a build/ingest in which some file failed (the others are still loaded)
    2  wrong usage (argparse)

Build and ingest print one status line per file on stderr::

    ok    002_eb27fe6b47101308.txt  23 measures, 69 responsibilities
    FAIL  broken.txt:12: <reason>

``--strict`` makes any failed file fatal (exit 1, store untouched). A build in which every file
failed never replaces the existing graph.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

from graph.store import StoreError, open_store


class CliError(Exception):
    """A user-facing failure: printed as ``error: <message>`` with exit status 1."""


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- helpers ----------------------------------------------------------------------------------
def _open(args: argparse.Namespace):
    return open_store(args.backend, args.store)


def _gazetteer() -> Any:
    from graph.build import default_gazetteer

    try:
        return default_gazetteer()
    except Exception as exc:  # a broken vocabulary file: name it
        raise CliError(f"cannot load the gazetteer: {exc}") from None


class _Tally:
    """What a load reports at its end: files tried, failure messages, seconds."""

    def __init__(self, n_files: int):
        self.n_files = n_files
        self.loaded = 0
        self.failures: list[str] = []
        self.started = time.perf_counter()
        self.seconds = 0.0


def _loaded(paths: Sequence[Path], tally: _Tally) -> Iterator[Any]:
    """Load each file in order, printing a status line; yields the records, one at a time."""
    from loaders.pipeline import iter_load

    for path, rec, exc, bug in iter_load(paths):
        if exc is not None:
            tally.failures.append(str(exc))
            _err(f"FAIL  {exc}")
            continue
        if bug is not None or rec is None:
            msg = f"{Path(path).name}: {bug}"
            tally.failures.append(msg)
            _err(f"FAIL  {msg}")
            continue
        n_resp = sum(len(m.responsibilities) for m in rec.measures)
        warns = [i for i in rec.issues if i.severity == "warning"]
        extra = f" ({len(warns)} warnings)" if warns else ""
        _err(f"ok    {rec.source_file}  {len(rec.measures)} measures, {n_resp} responsibilities{extra}")
        for issue in warns:  # "file:line: warning: reason"
            _err(f"warn  {issue}")
        if not rec.measures and rec.meta.kind != "interpretation":  # an explanation has none
            _err(f"warn  {rec.source_file}: {_no_measures_note(rec)}")
        tally.loaded += 1
        yield rec
    tally.seconds = time.perf_counter() - tally.started
    _err(f"loaded {tally.loaded} of {tally.n_files} files in {tally.seconds:.1f} s")


def _refusal(tally: _Tally, strict: bool) -> Optional[str]:
    """Why a build/ingest must not replace the graph: a failed file under ``--strict``, or
    nothing loaded."""
    if tally.failures and strict:
        return f"{len(tally.failures)} of {tally.n_files} files failed (--strict); the graph was not changed"
    if not tally.loaded:
        return "no document could be loaded; the existing graph was kept"
    return None


def _no_measures_note(rec: Any) -> str:
    """Why a loaded document has no measures (it is still loaded, as a document)."""
    note = "no numbered measures found (一、 （一） 1． …); loaded as a document without measures"
    if len(rec.text) > 5000 and "\n" not in rec.text:
        note += (f" -- the text is one paragraph of {len(rec.text)} characters, and item labels "
                 "are recognised only at the start of a line")
    return note


def _write_graph(args: argparse.Namespace, records: Iterable[Any], tally: _Tally) -> None:
    """Build the graph from ``records`` (sorted by file name) and write it, streamed: each
    document's part of the graph goes to the store as it is built, so neither the records nor
    the graph are held in memory; the shared nodes, citations and plan chains come last. Any
    refusal (``--strict``, nothing loaded) is raised before the store switches: the previous
    graph stays."""
    from graph.build import GraphBuilder
    from graph.model import GraphBatch

    builder = GraphBuilder(_gazetteer())
    graph_s = 0.0

    def batches() -> Iterator[GraphBatch]:
        nonlocal graph_s
        for rec in records:
            t = time.perf_counter()
            part = builder.add(rec)
            graph_s += time.perf_counter() - t
            if part is None:
                _err(f"warn  {builder.dropped[-1]}")
                continue
            yield GraphBatch(part, [rec])
        refusal = _refusal(tally, args.strict)
        if refusal:
            raise CliError(refusal)
        t = time.perf_counter()
        shared = builder.finish()
        graph_s += time.perf_counter() - t
        yield GraphBatch(shared)

    store = _open(args)
    with store:
        counts = store.write(batches())
    n_nodes = sum(counts.get(nt, 0) for nt in _node_labels())
    n_edges = sum(counts.values()) - n_nodes
    where = getattr(store, "path", None) or store.backend
    total = time.perf_counter() - tally.started
    _err(f"built {builder.documents} documents: {n_nodes} nodes, {n_edges} relationships "
         f"in {total:.1f} s (graph {graph_s:.1f} s, store {max(0.0, total - tally.seconds):.1f} s "
         f"after loading) -> {where}")


def _node_labels() -> list[str]:
    from graph.schema import NODE_TYPES

    return [nt.label for nt in NODE_TYPES]


# -- commands ---------------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from loaders.pipeline import DEFAULT_CORPUS_DIR, iter_document_files

    dirs = [Path(d) for d in (args.corpus or [DEFAULT_CORPUS_DIR])]
    for d in dirs:
        if not d.exists():
            raise CliError(f"{d}: no such folder")
    files = iter_document_files(dirs)
    if not files:
        raise CliError(f"no document files (.txt) in {', '.join(str(d) for d in dirs)}")
    tally = _Tally(len(files))
    _write_graph(args, _loaded(files, tally), tally)
    return 1 if tally.failures else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    import heapq

    from graph.build import document_id

    paths = sorted((Path(p) for p in args.files), key=lambda p: p.name)
    for p in paths:
        if not p.is_file():
            raise CliError(f"{p}: no such file")
    tally = _Tally(len(paths))
    new = list(_loaded(paths, tally))  # the files given (few): loaded before the graph is read
    refusal = _refusal(tally, args.strict)
    if refusal:
        raise CliError(refusal)
    new_files = {r.source_file for r in new}
    new_ids = {document_id(r) for r in new}

    def kept() -> Iterator[Any]:  # the stored records not replaced, streamed from the store
        reader = _open(args)
        with reader:
            if not reader.exists():
                return
            for r in reader.iter_records():
                if r.source_file in new_files or document_id(r) in new_ids:
                    _err(f"replace {r.source_file}")
                else:
                    yield r

    by_file = lambda r: r.source_file  # noqa: E731
    _write_graph(args, heapq.merge(kept(), sorted(new, key=by_file), key=by_file), tally)
    return 1 if tally.failures else 0


def _parse_params(items: Optional[list[str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise CliError(f"--param {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        name = name.strip().lstrip("$")
        if not name.isidentifier():
            raise CliError(f"--param {item!r}: {name!r} is not a valid parameter name")
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(columns: list[str], rows: list[list[Any]], max_cell: int = 60) -> str:
    def clip(s: str) -> str:
        s = s.replace("\n", " ")
        if _width(s) <= max_cell:
            return s
        out, w = "", 0
        for c in s:
            w += _width(c)
            if w > max_cell - 1:
                break
            out += c
        return out + "…"

    cells = [[clip(_cell(v)) for v in row] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(vals: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    return "\n".join(out) + "\n"


def cmd_query(args: argparse.Namespace) -> int:
    from graph.readonly import query_limits

    params = _parse_params(args.param)
    timeout_s, max_rows = query_limits(args.timeout, args.max_rows)  # flag, else env, else default
    store = _open(args)
    with store:
        res = store.query(args.cypher, params, timeout_s=timeout_s, max_rows=max_rows)
    if args.format == "json":
        text = json.dumps(res.records(), ensure_ascii=False, indent=2, default=str) + "\n"
    elif args.format == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(res.columns)
        for row in res.rows:
            w.writerow([_cell(v) for v in row])
        text = buf.getvalue()
    else:
        text = _table(res.columns, res.rows)
    sys.stdout.write(text)
    if res.truncated:
        _err(f"note: only the first {max_rows} rows are shown; raise --max-rows to see more")
    elif args.format == "table":
        _err(f"{len(res.rows)} rows in {res.elapsed_s:.3f} s")
    return 0


def _emit(data: bytes | str, out: Optional[str], binary: bool = False) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if out and out != "-":
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise CliError(f"{out}: cannot write: {exc.strerror or exc}") from None
        _err(f"wrote {out} ({len(data)} bytes)")
        return
    if binary and sys.stdout.isatty():
        raise CliError("this format is binary; write it to a file with -o FILE")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def cmd_export(args: argparse.Namespace) -> int:
    from graph import exports

    what = args.what
    if what == "rdf":
        try:
            from graph.rdf import export_rdf
        except ImportError as exc:
            raise CliError(f"RDF export is not available: {exc}") from None
        fmt = args.format or "turtle"
        if fmt not in ("turtle", "json-ld", "nt"):
            raise CliError(f"unknown RDF format {fmt!r}; available: turtle, json-ld, nt")
        store = _open(args)
        with store:
            snap = store.snapshot()
            text = export_rdf(snap, fmt, args.base) if args.base else export_rdf(snap, fmt)
        _emit(text, args.output)
        return 0
    if what == "neo4j":
        if not args.output:
            raise CliError("export neo4j writes a folder of CSV files: give it with -o DIR")
        from graph.neo4j_import import write_admin_import_csv

        store = _open(args)
        with store:
            written = write_admin_import_csv(store.snapshot(), Path(args.output), store.load_records())
        _err(f"wrote {len(written)} files for neo4j-admin database import to {args.output} (see import.sh)")
        return 0
    store = _open(args)
    with store:
        if what == "responsibilities":
            fmt = args.format or "csv"
            if fmt not in exports.RESPONSIBILITY_FORMATS:
                raise CliError(f"unknown format {fmt!r} for responsibilities; available: "
                               f"{', '.join(exports.RESPONSIBILITY_FORMATS)}")
            gaz = _gazetteer()
            if fmt == "xlsx" and args.per_agency:
                data = exports.responsibilities_workbook(store, args.agency, args.document,
                                                         per_agency=True, gazetteer=gaz)
            else:
                data = exports.responsibilities_bytes(store, fmt, args.agency, args.document, gaz)
            _emit(data, args.output, binary=fmt in ("xlsx", "docx"))
            return 0
        fmt = args.format or "json"
        if fmt != "json":
            raise CliError(f"export {what} supports --format json only, not {fmt!r}")
        if args.agency or args.document:
            raise CliError(f"--agency/--document apply to export responsibilities only")
        _emit(exports.records_json(store, what), args.output)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        from graph.rdf import validate_graph
    except ImportError as exc:
        raise CliError(f"validation is not available: {exc}") from None
    store = _open(args)
    with store:
        ok, report = validate_graph(store.snapshot())
    sys.stdout.write(report if report.endswith("\n") else report + "\n")
    if not ok:
        _err("error: the graph does not conform to the SHACL shapes")
    return 0 if ok else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from graph.queries import stats

    store = _open(args)
    with store:
        s = stats(store)
    if args.format == "json":
        sys.stdout.write(json.dumps({"nodes": s.nodes, "relationships": s.relationships,
                                     "documents": s.documents}, ensure_ascii=False, indent=2) + "\n")
        return 0
    out = ["Nodes"]
    out.append(_table(["label", "count"], [[k, v] for k, v in s.nodes.items()]))
    out.append("Relationships")
    out.append(_table(["type", "count"], [[k, v] for k, v in s.relationships.items()]))
    out.append("Documents")
    cols = ["source_file", "chapters", "measures", "responsibilities", "targets", "title"]
    out.append(_table(cols, [[d[c] for c in cols] for d in s.documents]))
    sys.stdout.write("\n".join(out))
    return 0


# -- parser -----------------------------------------------------------------------------------
def _arg_type(kind: str) -> Any:
    """An argparse type for --timeout / --max-rows (a bad value is a usage error, exit 2)."""
    from graph import readonly

    parse = readonly.parse_timeout if kind == "timeout" else readonly.parse_max_rows

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = kind
    return convert


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="PATH",
                   help="store folder (default: $POLICY_KG_STORE or <repo>/var/store)")
    p.add_argument("--backend", choices=("ladybug", "neo4j"),
                   help="graph backend (default: $POLICY_KG_BACKEND or ladybug)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graph",
        description="policy-kg: build, query and export the Shanghai policy knowledge graph.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", help="(re)build the whole graph from document folders",
                       description="Rebuild the whole graph atomically from every document in "
                                   "the given folders (default: the shipped corpus).")
    p.add_argument("--corpus", action="append", metavar="DIR",
                   help="folder of documents; repeatable (default: data/corpus)")
    p.add_argument("--strict", action="store_true", help="fail if any file fails to load")
    _store_options(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("ingest", help="add or replace documents in the existing graph",
                       description="Load files and rebuild the graph with them, replacing any "
                                   "document from the same file or with the same 文号. Idempotent.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--strict", action="store_true", help="fail if any file fails to load")
    _store_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("query", help="run a read-only Cypher query",
                       description="Run a read-only Cypher query; writes are refused.")
    p.add_argument("cypher", metavar="CYPHER")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="query parameter; VALUE is parsed as JSON when it parses (numbers, "
                        "lists), else taken as a string; repeatable")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--timeout", type=_arg_type("timeout"), default=None, metavar="S",
                   help="seconds before the query is stopped (default $POLICY_KG_QUERY_TIMEOUT "
                        "or 10)")
    p.add_argument("--max-rows", type=_arg_type("max_rows"), default=None, metavar="N",
                   help="row cap (default $POLICY_KG_MAX_ROWS or 5000)")
    _store_options(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("export", help="export responsibilities, records or RDF",
                       description="Export the responsibility list (csv|xlsx|docx|json|md), the "
                                   "extracted records (json) or the graph as RDF.")
    p.add_argument("what", choices=("responsibilities", "measures", "targets", "places",
                                    "chains", "documents", "rdf", "neo4j"))
    p.add_argument("--format", metavar="FMT",
                   help="responsibilities: csv|xlsx|docx|json|md (default csv); records: json; "
                        "rdf: turtle|json-ld|nt (default turtle)")
    p.add_argument("--agency", metavar="NAME", help="short name, full name or alias")
    p.add_argument("--document", metavar="REF", help="file name, 文号 or title")
    p.add_argument("--per-agency", action="store_true",
                   help="xlsx: one sheet per agency (the all-agencies workbook)")
    p.add_argument("--base", metavar="IRI",
                   help="rdf: base IRI of node identifiers (default: graph.rdf's)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _store_options(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("validate", help="validate the graph against the SHACL shapes")
    _store_options(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("stats", help="counts by node label, relationship type and document")
    p.add_argument("--format", choices=("table", "json"), default="table")
    _store_options(p)
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on wrong usage
    from graph.exports import ExportError
    from graph.queries import QueryInputError
    from loaders.errors import LoadError

    try:
        return args.func(args)
    except (CliError, StoreError, QueryInputError, ExportError, LoadError) as exc:
        _err(f"error: {exc}")
        return 1
    except ValueError as exc:  # e.g. a malformed vocabulary file (GazetteerError)
        _err(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
