"""Benchmark of ``python -m graph build``: the shipped corpus and a replicated corpus of N documents.

Takes: command-line options (``--docs N [N ...]`` [default 1000], ``--compare-writes``, ``--keep``).
Gives: a markdown table on stdout: documents, wall time, documents/s, peak RSS, store size on
disk, nodes and relationships -- one row per scenario. Each scenario runs ``python -m graph
build`` in its own process tree (the figure a user gets, start-up included), so peak RSS
(``resource.getrusage(RUSAGE_CHILDREN)``) belongs to that scenario alone.

The replicated corpus is written to a temporary folder: copies of the shipped files with
distinct file names and distinct 文号 (the number before 号 is prefixed with the copy number), so
every copy becomes its own Document.

``--compare-writes`` also times the store's write path alone for the two strategies on the same
graph: bulk ``COPY`` from Parquet files (used) and batched ``UNWIND … MERGE`` (kept for this
comparison).

The build is streamed (``graph.build.GraphBuilder`` → ``LadybugStore.write``): records and
the graph are not held in memory, so peak RSS should stay flat as the corpus grows -- run
``--docs 250 1000 2000`` to see it.

Run: ``python benchmarks/build.py [--docs 250 1000 2000] [--compare-writes]``
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

_DOCNUM_RE = re.compile(r"(〔\s*[0-9０-９]{4}\s*〕\s*)([0-9０-９]+)(\s*号)")


def replicate(src_dir: Path, dst_dir: Path, n_docs: int) -> int:
    """Write ``n_docs`` documents to ``dst_dir``: copies with distinct names and 文号."""
    sources = sorted(p for p in src_dir.iterdir() if p.suffix == ".txt")
    texts = [(p, p.read_text(encoding="utf-8")) for p in sources]
    dst_dir.mkdir(parents=True, exist_ok=True)
    for i in range(n_docs):
        path, text = texts[i % len(texts)]
        copy_no = i // len(texts)
        if copy_no:
            text = _DOCNUM_RE.sub(lambda m: f"{m.group(1)}{copy_no}{m.group(2)}{m.group(3)}", text)
        (dst_dir / f"{path.stem}_c{copy_no:04d}.txt").write_text(text, encoding="utf-8")
    return n_docs


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


_LOADED_RE = re.compile(r"loaded (\d+) of (\d+) files in ([\d.]+) s")
_BUILT_RE = re.compile(r"built (\d+) documents: (\d+) nodes, (\d+) relationships in ([\d.]+) s "
                       r"\(graph ([\d.]+) s, store ([\d.]+) s after loading\)")


def run_build(corpus: Path, store: Path) -> dict:
    """``python -m graph build --corpus CORPUS --store STORE`` in a child process, end to end.

    Wall time includes interpreter start-up and imports, as a user sees it; the phase split comes
    from the CLI's own status lines; peak RSS is the largest of the build process and its loader
    workers (``RUSAGE_CHILDREN``, measured in a fresh process per scenario).
    """
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "graph", "build", "--corpus", str(corpus), "--store", str(store)],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )
    total = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    loaded, built = _LOADED_RE.search(proc.stderr), _BUILT_RE.search(proc.stderr)
    if not loaded or not built:
        raise SystemExit(f"unexpected build output:\n{proc.stderr[-3000:]}")
    return {
        "documents": int(built.group(1)), "failed": int(loaded.group(2)) - int(loaded.group(1)),
        "load_s": float(loaded.group(3)), "graph_s": float(built.group(5)),
        "store_s": float(built.group(6)), "total_s": total,
        "nodes": int(built.group(2)), "relationships": int(built.group(3)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "store_mb": _dir_size(store) / 1e6,
    }


def run_writes(corpus: Path, store: Path, method: str) -> dict:
    """Time only the store write of one strategy (called in a child process)."""
    from graph.build import build_graph, default_gazetteer
    from graph.ladybug_store import LadybugStore
    from loaders.pipeline import iter_document_files, load_paths

    records = load_paths(iter_document_files([corpus])).records
    graph = build_graph(records, default_gazetteer())
    t0 = time.perf_counter()
    LadybugStore(store, write_method=method).rebuild(graph, records)
    return {"method": method, "store_s": time.perf_counter() - t0, "nodes": len(graph.nodes),
            "relationships": len(graph.edges)}


def _child(mode: str, corpus: Path, store: Path, extra: str = "") -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(corpus), str(store), extra],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000],
                    help="sizes of the replicated corpus (one scenario each)")
    ap.add_argument("--compare-writes", action="store_true",
                    help="also time COPY vs UNWIND/MERGE writes on the replicated corpus")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        mode, corpus, store, extra = args.child
        if mode == "build":
            out = run_build(Path(corpus), Path(store))
        else:
            out = run_writes(Path(corpus), Path(store), extra)
        print(json.dumps(out))
        return 0

    from loaders.pipeline import DEFAULT_CORPUS_DIR

    tmp = Path(tempfile.mkdtemp(prefix="policy-kg-bench-"))
    try:
        rows = []
        r = _child("build", DEFAULT_CORPUS_DIR, tmp / "store-shipped")
        rows.append(("shipped corpus", r))
        for n in args.docs:
            big = tmp / f"corpus-{n}"
            replicate(DEFAULT_CORPUS_DIR, big, n)
            r = _child("build", big, tmp / f"store-{n}")
            rows.append((f"replicated x{n}", r))

        print("| corpus | documents | failed | load s | graph s | store s | total s | docs/s "
              "| peak RSS MB | store MB | nodes | relationships |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in rows:
            print(f"| {name} | {r['documents']} | {r['failed']} | {r['load_s']:.1f} | "
                  f"{r['graph_s']:.1f} | {r['store_s']:.1f} | {r['total_s']:.1f} | "
                  f"{r['documents'] / r['total_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                  f"{r['store_mb']:.1f} | {r['nodes']} | {r['relationships']} |")
        if args.compare_writes:
            print()
            print("| write method | nodes | relationships | store write s |")
            print("|---|---:|---:|---:|")
            for method in ("copy", "unwind"):
                w = _child("writes", big, tmp / f"store-{method}", method)
                print(f"| {method} | {w['nodes']} | {w['relationships']} | {w['store_s']:.1f} |")
    finally:
        if args.keep:
            print(f"\n(kept {tmp})", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
