"""The embedded LadybugDB store (default backend).

Takes: a stream of ``GraphBatch``es -- parts of the graph with the ``DocumentRecord``s they came
from (``write``; ``rebuild(graph, records)`` is one batch) -- and read-only Cypher + parameters
(``query``).
Gives: ``LadybugStore(path)`` implementing ``graph.store.GraphStore``; ``default_store_path()``
(``<repo>/var/store``, git-ignored); ``ddl_statements()`` (typed DDL generated from
``graph.schema``).

Layout of a store folder::

    <path>/CURRENT                 name of the live version ("v000007"), switched by os.replace
    <path>/write.lock              flock held by the one writer (rebuild) at a time
    <path>/versions/v000007/
        graph.lbdb                 the LadybugDB database
        records.jsonl.gz           the DocumentRecords the graph was built from (for ``ingest``),
                                   one JSON object per line, in source-file order
        manifest.json              counts by label/type, build time, record count
        readers.lock               shared flock held by every open reader of this version

Write = stream the batches into a fresh version folder: every node and edge goes to a Parquet
file of its label or (type, from label, to label) as it arrives (``_ParquetTables``), every
record to the records file, so the store holds one batch at a time; then bulk ``COPY … FROM``
each file (nodes first), one ``CHECKPOINT``, verify the counts, reopen it read-only, switch
``CURRENT`` atomically and delete old versions no reader holds (the previous version is always
kept). Copying from files kept the engine at ~300 MB for 1,000 documents where copying the same
rows from in-memory Arrow tables took ~600 MB; ``COPY`` beat ``UNWIND … MERGE`` batches 6.6 s vs
14.4 s (``benchmarks/build.py --compare-writes``). An exception -- including one raised by the
batches' source, which is re-raised as it is -- or a killed process before the switch leaves
``CURRENT`` -- the previous graph -- untouched; the half-written folder is removed then or by
the next write.

Queries open the ``CURRENT`` version with ``read_only=True`` (the engine refuses writes), after
``graph.readonly.ensure_read_only`` (clear messages); each statement is prepared alone (one
statement) and its engine plan (``EXPLAIN``) is checked by ``graph.readonly.plan_violation``,
because ``read_only=True`` lets CHECKPOINT (which then breaks read-only opens of the version),
COPY … TO, LOAD FROM and ``CALL threads=…`` through. Every query takes its own connection of
the version's database, so queries of several app sessions run at the same time. A reader
notices a newer ``CURRENT`` on its next query and reopens; the old version is closed (and its
shared lock released) when its last running query ends. Note: ``end`` is a keyword in LadybugDB, so ``Measure.end`` must be
written ``m.`end` `` (backquoted) in queries.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import re
import shutil
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import ladybug as lb
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import TypeAdapter

from graph.model import Edge, GraphBatch, GraphData, Node
from graph.readonly import ensure_read_only, plan_statement, plan_violation, timeout_message
from graph.schema import NODE_TYPE_BY_LABEL, NODE_TYPES, REL_TYPES, coerce_value
from graph.store import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT_S,
    GraphStore,
    QueryFailed,
    QueryRefused,
    QueryResult,
    StoreError,
    StoreUnavailable,
)
from loaders.records import DocumentRecord

REPO_ROOT = Path(__file__).resolve().parent.parent
DB_FILE = "graph.lbdb"
RECORDS_FILE = "records.jsonl.gz"  # one DocumentRecord JSON per line
MANIFEST_FILE = "manifest.json"
READERS_LOCK = "readers.lock"
_VERSION_RE = re.compile(r"^v(\d{6,})$")
_ARROW_TYPES = {"STRING": pa.string(), "INT64": pa.int64(), "DOUBLE": pa.float64(),
                "BOOLEAN": pa.bool_()}
_RECORD_ADAPTER = TypeAdapter(DocumentRecord)
WRITE_BUFFER_BYTES = int(os.environ.get("POLICY_KG_WRITE_BUFFER_MB", "1024")) * 1024 * 1024
READ_BUFFER_BYTES = int(os.environ.get("POLICY_KG_READ_BUFFER_MB", "256")) * 1024 * 1024


def default_store_path() -> str:
    return str(REPO_ROOT / "var" / "store")


def _q(name: str) -> str:
    return f"`{name}`"


def ddl_statements() -> list[str]:
    """``CREATE NODE TABLE`` / ``CREATE REL TABLE`` statements for every type in graph.schema."""
    out = []
    for nt in NODE_TYPES:
        cols = ", ".join(
            f"{_q(n)} {t}{' PRIMARY KEY' if n == 'id' else ''}" for n, t in nt.properties
        )
        out.append(f"CREATE NODE TABLE {nt.label}({cols})")
    for rt in REL_TYPES:
        parts = [f"FROM {a} TO {b}" for a, b in rt.pairs]
        parts += [f"{_q(n)} {t}" for n, t in rt.properties]
        out.append(f"CREATE REL TABLE {rt.name}({', '.join(parts)})")
    return out


def _prepare(conn: Any, text: str) -> Any:
    """``text`` prepared as ONE statement; engine errors (syntax, read-only, several
    statements) raise ``RuntimeError`` like ``execute`` does.

    Prepared explicitly because the engine prepares exactly one statement, while a plain
    ``execute(text)`` without parameters runs "RETURN 1; CHECKPOINT" as two. ladybug 0.22 marks
    the public ``prepare()`` deprecated (a warning per call), so its non-warning twin
    ``_prepare`` is used when present (tests/test_query_safety.py pins the behaviour).
    """
    if hasattr(conn, "init_connection"):  # _prepare does not open a lazy connection itself
        conn.init_connection()
    prepare = getattr(conn, "_prepare", None) or conn.prepare
    prepared = prepare(text, None)
    if not prepared.is_success():
        message = prepared.get_error_message()
        if "multiple statements" in message:
            raise QueryRefused("only one statement per query is allowed (the engine refused "
                               "to prepare several)")
        raise RuntimeError(message)
    return prepared


_PYTHON_TYPE = {"STRING": str, "INT64": int, "DOUBLE": float, "BOOLEAN": bool}


def _coerced(values: list[Any], type_name: str) -> list[Any]:
    """``values`` through ``coerce_value``, skipped when every value already has the column's type
    (the common case: ~1 M calls saved on 1,000 documents)."""
    python_type = _PYTHON_TYPE[type_name]
    if all(v is None or type(v) is python_type for v in values):
        return values
    return [coerce_value(v, type_name) for v in values]


_COPY_DIR = "copy"  # Parquet files of a version being written; removed once loaded
ROW_GROUP = 4096  # rows buffered per table before they are written to its Parquet file


def _row_group(label: str) -> int:
    """Documents carry their whole text: a few dozen per row group keep the buffer small."""
    return 32 if label == "Document" else ROW_GROUP


def _rel_group(graph: GraphData, edge: Edge) -> tuple[str, str, str]:
    """(type, source label, target label) of ``edge``, checked against the schema."""
    try:
        key = (edge.type, graph.label_of(edge.source), graph.label_of(edge.target))
    except KeyError as exc:
        raise StoreError(f"edge {edge.key} points to a missing node {exc}") from None
    if key not in _ALLOWED_RELS:
        raise StoreError(f"edge type {key[0]} from {key[1]} to {key[2]} is not in the schema")
    return key


_ALLOWED_RELS = {(rt.name, a, b) for rt in REL_TYPES for a, b in rt.pairs}
_REL_TYPE = {rt.name: rt for rt in REL_TYPES}


class _ParquetTables:
    """Streamed rows of one graph: a Parquet file per node label and per relationship group.

    ``add(graph)`` files every node under its label and every edge under its (type, from label,
    to label), writing a row group whenever a table has ``ROW_GROUP`` rows buffered;
    ``close()`` returns the node files, the relationship files and the row counts per label and
    type. A node id written twice is left for ``COPY`` to refuse (primary key).
    """

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir()
        self._columns: dict[Any, dict[str, list[Any]]] = {}
        self._writers: dict[Any, Any] = {}
        self._files: dict[Any, Path] = {}
        self.counts: dict[str, int] = {}

    def _buffer(self, key: Any, names: list[str]) -> dict[str, list[Any]]:
        cols = self._columns.get(key)
        if cols is None:
            cols = self._columns[key] = {name: [] for name in names}
        return cols

    def add(self, graph: GraphData) -> None:
        by_label: dict[str, list[Node]] = {}
        for node in graph.nodes.values():
            by_label.setdefault(node.label, []).append(node)
        for label, nodes in by_label.items():
            nt = NODE_TYPE_BY_LABEL.get(label)
            if nt is None:
                raise StoreError(f"node {nodes[0].id!r} has label {label!r}, not in the schema")
            cols = self._buffer(label, [name for name, _typ in nt.properties])
            for name, col in cols.items():
                col.extend([n.id for n in nodes] if name == "id"
                           else [n.properties.get(name) for n in nodes])
            self.counts[label] = self.counts.get(label, 0) + len(nodes)
            if len(cols["id"]) >= _row_group(label):
                self._flush(label)
        by_group: dict[tuple[str, str, str], list[Edge]] = {}
        labels = {nid: n.label for nid, n in graph.nodes.items()}
        labels.update(graph.refs)
        for edge in graph.edges.values():
            src, dst = labels.get(edge.source), labels.get(edge.target)
            key = (edge.type, src, dst)
            if src is None or dst is None or key not in _ALLOWED_RELS:
                key = _rel_group(graph, edge)  # raises the precise error
            by_group.setdefault(key, []).append(edge)
        for key, edges in by_group.items():
            rt = _REL_TYPE[key[0]]
            cols = self._buffer(key, ["from", "to", *(name for name, _typ in rt.properties)])
            for name, col in cols.items():
                col.extend([e.source for e in edges] if name == "from"
                           else [e.target for e in edges] if name == "to"
                           else [e.properties.get(name) for e in edges])
            self.counts[key[0]] = self.counts.get(key[0], 0) + len(edges)
            if len(cols["from"]) >= ROW_GROUP:
                self._flush(key)

    def _flush(self, key: Any) -> None:
        cols = self._columns[key]
        if isinstance(key, str):
            types = dict(NODE_TYPE_BY_LABEL[key].properties)
        else:
            types = {"from": "STRING", "to": "STRING", **dict(_REL_TYPE[key[0]].properties)}
        table = pa.table({name: pa.array(values if name in ("id", "from", "to")
                                         else _coerced(values, types[name]),
                                         type=_ARROW_TYPES[types[name]])
                          for name, values in cols.items()})
        writer = self._writers.get(key)
        if writer is None:
            name = key if isinstance(key, str) else "__".join(key)
            self._files[key] = self.folder / f"{name}.parquet"
            writer = self._writers[key] = pq.ParquetWriter(str(self._files[key]), table.schema)
        writer.write_table(table)
        for col in cols.values():
            col.clear()

    def close(self) -> tuple[list[tuple[str, Path]], list[tuple[tuple[str, str, str], Path]],
                             dict[str, int]]:
        for key, cols in self._columns.items():
            if next(iter(cols.values())):
                self._flush(key)
        for writer in self._writers.values():
            writer.close()
        nodes = [(nt.label, self._files[nt.label]) for nt in NODE_TYPES if nt.label in self._files]
        rels = sorted((k, f) for k, f in self._files.items() if not isinstance(k, str))
        return nodes, rels, {k: v for k, v in self.counts.items() if v}


class _SourceFailed(Exception):
    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


def _pulled(batches: Iterable[GraphBatch]) -> Iterator[GraphBatch]:
    """The batches, with a failure of their source (a loader, ``--strict``) raised as
    ``_SourceFailed`` so that ``write`` re-raises it as it is, not as a store failure."""
    it = iter(batches)
    while True:
        try:
            batch = next(it)
        except StopIteration:
            return
        except Exception as exc:
            raise _SourceFailed(exc) from exc
        yield batch


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0].strip() if text else type(exc).__name__


class _Reader:
    """One read-only open of one version: database, a pool of connections, shared reader lock.

    Each running query takes its own connection (``take``/``give``), so queries of several app
    sessions run at the same time and a slow one does not hold up the others. ``users`` counts
    running queries; a reader replaced by a newer version is ``retired`` and closed when its
    last query ends (guarded by the store's lock).
    """

    def __init__(self, version_dir: Path):
        self.version = version_dir.name
        self.lock_fh = open(version_dir / READERS_LOCK, "a+")
        fcntl.flock(self.lock_fh, fcntl.LOCK_SH)
        try:
            if not (version_dir / DB_FILE).exists():  # deleted between CURRENT and the lock
                raise FileNotFoundError(f"{version_dir / DB_FILE} was removed")
            self.db = lb.Database(str(version_dir / DB_FILE), read_only=True,
                                  buffer_pool_size=READ_BUFFER_BYTES)
            self.conn = lb.Connection(self.db)
        except Exception:
            self.lock_fh.close()
            raise
        self.table_labels: Optional[dict[int, str]] = None
        self.idle: list[Any] = [self.conn]
        self.all: list[Any] = [self.conn]
        self.users = 0
        self.retired = False

    def take(self) -> Any:
        if self.idle:
            return self.idle.pop()
        conn = lb.Connection(self.db)
        self.all.append(conn)
        return conn

    def give(self, conn: Any) -> None:
        self.idle.append(conn)

    def close(self) -> None:
        for obj in [*getattr(self, "all", []), getattr(self, "db", None)]:
            try:
                obj.close()
            except Exception:
                pass
        try:
            self.lock_fh.close()  # releases the shared lock
        except Exception:
            pass


class LadybugStore(GraphStore):
    backend = "ladybug"

    def __init__(self, path: str | os.PathLike, *, write_method: str = "copy"):
        self.path = Path(path)
        if write_method not in ("copy", "unwind"):
            raise StoreError(f"unknown write method {write_method!r}; use copy or unwind")
        self.write_method = write_method
        self._reader: Optional[_Reader] = None
        self._lock = threading.RLock()  # guards the reader bookkeeping; queries run in parallel

    def __repr__(self) -> str:
        return f"LadybugStore({str(self.path)!r})"

    # -- layout -----------------------------------------------------------------------------
    @property
    def versions_dir(self) -> Path:
        return self.path / "versions"

    def current_version(self) -> Optional[str]:
        try:
            name = (self.path / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if _VERSION_RE.match(name) else None

    def current_dir(self) -> Optional[Path]:
        name = self.current_version()
        if name is None:
            return None
        d = self.versions_dir / name
        return d if (d / DB_FILE).exists() else None

    def exists(self) -> bool:
        return self.current_dir() is not None

    def manifest(self) -> dict[str, Any]:
        d = self.current_dir()
        if d is None:
            return {}
        try:
            return json.loads((d / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    # -- writing ----------------------------------------------------------------------------
    def _acquire_write_lock(self):
        self.path.mkdir(parents=True, exist_ok=True)
        fh = open(self.path / "write.lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreUnavailable(
                f"another process is writing the store {self.path} (write.lock is held); "
                "try again when it has finished"
            )
        return fh

    def _next_version_name(self) -> str:
        numbers = [int(m.group(1)) for p in self.versions_dir.glob("v*")
                   if (m := _VERSION_RE.match(p.name))]
        return f"v{(max(numbers) + 1 if numbers else 1):06d}"

    def write(self, batches: Iterable[GraphBatch]) -> dict[str, int]:
        lock = self._acquire_write_lock()
        new_dir: Optional[Path] = None
        try:
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            previous = self.current_version()
            new_dir = self.versions_dir / self._next_version_name()
            new_dir.mkdir()
            counts = self._write_version(new_dir, batches)
            self._verify_readable(new_dir, counts)
            self._switch(new_dir.name)
            new_dir = None  # now live: never delete it below
            self.close()
            self._cleanup(keep={self.current_version(), previous})
            return counts
        except StoreError:
            raise
        except _SourceFailed as exc:  # the batches did not come: their own error, as it is
            raise exc.cause from None
        except Exception as exc:
            raise StoreError(f"rebuild of {self.path} failed, previous graph kept: "
                             f"{_one_line(exc)}") from exc
        finally:
            if new_dir is not None:
                shutil.rmtree(new_dir, ignore_errors=True)
            lock.close()

    def _write_version(self, vdir: Path, batches: Iterable[GraphBatch]) -> dict[str, int]:
        """Stream the batches into Parquet files and the records file, then bulk-load the files.

        Nothing but one batch and the write buffers is held in memory: every node and edge goes
        to the Parquet file of its label or (type, from label, to label) as it arrives, every
        record to ``records.jsonl.gz``. ``COPY … FROM '<file>'`` then loads node files before
        relationship files; copying from files kept the engine at ~300 MB for 1,000 documents,
        where copying the same rows from in-memory Arrow tables took ~600 MB.
        """
        tables = _ParquetTables(vdir / _COPY_DIR)
        source_files: list[str] = []
        # level 1: ~4x faster than the default 6 (3.7 s -> 0.9 s for 1,000 documents), ~25 % larger
        with gzip.open(vdir / RECORDS_FILE, "wb", compresslevel=1) as fh:
            if self.write_method == "copy":
                for batch in _pulled(batches):
                    tables.add(batch.graph)
                    for rec in batch.records:  # one line at a time
                        fh.write(_RECORD_ADAPTER.dump_json(rec) + b"\n")
                        source_files.append(rec.source_file)
            else:  # the UNWIND comparison needs the whole graph
                graph = GraphData()
                for batch in _pulled(batches):
                    graph.merge(batch.graph)
                    for rec in batch.records:
                        fh.write(_RECORD_ADAPTER.dump_json(rec) + b"\n")
                        source_files.append(rec.source_file)
                graph.refs = {}
        node_files, rel_files, expected = tables.close()
        db = lb.Database(str(vdir / DB_FILE), buffer_pool_size=WRITE_BUFFER_BYTES)
        conn = lb.Connection(db)
        try:
            for stmt in ddl_statements():
                conn.execute(stmt)
            # one checkpoint at the end instead of one after every COPY (~24 ms each: 0.6 s of
            # the shipped corpus's 25 statements); the folder is not live until the switch anyway
            conn.execute("CALL auto_checkpoint=false")
            if self.write_method == "copy":
                self._copy_nodes(conn, node_files)
                self._copy_rels(conn, rel_files)
            else:
                expected = {k: v for k, v in graph.counts().items() if v}
                self._rel_groups(graph)  # schema check before writing
                self._unwind_nodes(conn, graph)
                self._unwind_rels(conn, graph)
            conn.execute("CHECKPOINT")
            counts = self._count(conn)
            got = {k: v for k, v in counts.items() if v}
            if got != expected:
                diff = {k: (expected.get(k, 0), got.get(k, 0))
                        for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
                raise StoreError(f"verification failed (expected, stored): {diff}")
        finally:
            conn.close()
            db.close()
        shutil.rmtree(vdir / _COPY_DIR, ignore_errors=True)
        manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "counts": counts,
                    "records": len(source_files), "source_files": sorted(source_files),
                    "records_bytes": (vdir / RECORDS_FILE).stat().st_size}
        (vdir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
        (vdir / READERS_LOCK).touch()
        return counts

    @staticmethod
    def _copy_nodes(conn: Any, node_files: list[tuple[str, Path]]) -> None:
        for label, path in node_files:
            conn.execute(f"COPY {label} FROM '{path}'")

    @staticmethod
    def _copy_rels(conn: Any, rel_files: list[tuple[tuple[str, str, str], Path]]) -> None:
        for (rtype, a, b), path in rel_files:
            conn.execute(f"COPY {rtype} FROM '{path}' (from='{a}', to='{b}')")

    @staticmethod
    def _rel_groups(graph: GraphData) -> dict[tuple[str, str, str], list[Edge]]:
        groups: dict[tuple[str, str, str], list[Edge]] = {}
        for e in graph.edges.values():
            groups.setdefault(_rel_group(graph, e), []).append(e)
        return groups

    # The slow path, kept for the benchmark's comparison (write_method="unwind").
    def _unwind_nodes(self, conn: Any, graph: GraphData, batch: int = 2000) -> None:
        for nt in NODE_TYPES:
            nodes = sorted(graph.nodes_by_label(nt.label), key=lambda n: n.id)
            props = [(n, t) for n, t in nt.properties if n != "id"]
            sets = ", ".join(f"n.{_q(n)} = row.{_q(n)}" for n, _ in props)
            stmt = f"UNWIND $rows AS row MERGE (n:{nt.label} {{id: row.id}})" + (f" SET {sets}" if sets else "")
            for i in range(0, len(nodes), batch):
                rows = [{"id": n.id, **{p: coerce_value(n.properties.get(p), t) for p, t in props}}
                        for n in nodes[i:i + batch]]
                conn.execute(stmt, {"rows": rows})

    def _unwind_rels(self, conn: Any, graph: GraphData, batch: int = 2000) -> None:
        rel_by_name = {rt.name: rt for rt in REL_TYPES}
        for (rtype, a, b), edges in sorted(self._rel_groups(graph).items()):
            rt = rel_by_name[rtype]
            sets = ", ".join(f"r.{_q(n)} = row.{_q(n)}" for n, _ in rt.properties)
            stmt = (f"UNWIND $rows AS row MATCH (a:{a} {{id: row.src}}), (b:{b} {{id: row.dst}}) "
                    f"MERGE (a)-[r:{rtype}]->(b)" + (f" SET {sets}" if sets else ""))
            for i in range(0, len(edges), batch):
                rows = [{"src": e.source, "dst": e.target,
                         **{p: coerce_value(e.properties.get(p), t) for p, t in rt.properties}}
                        for e in edges[i:i + batch]]
                conn.execute(stmt, {"rows": rows})

    @staticmethod
    def _count(conn: Any) -> dict[str, int]:
        counts: dict[str, int] = {}
        for nt in NODE_TYPES:
            counts[nt.label] = conn.execute(f"MATCH (n:{nt.label}) RETURN count(n)").get_next()[0]
        for rt in REL_TYPES:
            counts[rt.name] = conn.execute(f"MATCH ()-[r:{rt.name}]->() RETURN count(r)").get_next()[0]
        return counts

    def _verify_readable(self, vdir: Path, counts: dict[str, int]) -> None:
        """Reopen the finished version read-only, as a reader will, and count its nodes."""
        db = lb.Database(str(vdir / DB_FILE), read_only=True, buffer_pool_size=64 * 1024 * 1024)
        try:
            conn = lb.Connection(db)
            n = conn.execute("MATCH (n) RETURN count(n)").get_next()[0]
            conn.close()
        finally:
            db.close()
        expected = sum(counts.get(nt.label, 0) for nt in NODE_TYPES)
        if n != expected:
            raise StoreError(f"verification failed: {n} nodes readable, {expected} written")
        manifest = json.loads((vdir / MANIFEST_FILE).read_text(encoding="utf-8"))
        size = (vdir / RECORDS_FILE).stat().st_size
        if size != manifest["records_bytes"]:  # written in full (gzip closed, nothing truncated)
            raise StoreError(f"verification failed: records file has {size} bytes, "
                             f"{manifest['records_bytes']} written")

    def _switch(self, version: str) -> None:
        tmp = self.path / "CURRENT.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(version + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / "CURRENT")
        try:
            dfd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass

    def _cleanup(self, keep: set[Optional[str]]) -> None:
        """Delete versions other than ``keep`` that no reader holds; errors are ignored."""
        for d in self.versions_dir.iterdir():
            if d.name in keep or not d.is_dir():
                continue
            try:
                with open(d / READERS_LOCK, "a+") as fh:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # a reader still has it open
                    shutil.rmtree(d, ignore_errors=True)
            except OSError:
                continue

    # -- reading ----------------------------------------------------------------------------
    def _open_reader(self) -> _Reader:
        """The reader of the ``CURRENT`` version (call with ``self._lock`` held)."""
        for attempt in range(3):
            d = self.current_dir()
            if d is None:
                self.close()
                raise StoreUnavailable(
                    f"no graph in {self.path}; build one with: python -m graph build --store {self.path}"
                )
            if self._reader is not None and self._reader.version == d.name:
                return self._reader
            self.close()
            try:
                self._reader = _Reader(d)
                return self._reader
            except Exception as exc:
                # CURRENT moved on while we opened an old version (it was cleaned up): retry
                if attempt < 2 and self.current_version() != d.name:
                    continue
                raise StoreUnavailable(f"cannot open graph {d / DB_FILE}: {_one_line(exc)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _checkout(self) -> tuple[_Reader, Any]:
        """A connection of the current version for one query; give it back with ``_checkin``."""
        with self._lock:
            reader = self._open_reader()
            reader.users += 1
            return reader, reader.take()

    def _checkin(self, reader: _Reader, conn: Any) -> None:
        with self._lock:
            reader.give(conn)
            reader.users -= 1
            if reader.retired and reader.users == 0:
                reader.close()

    def raw_connection(self) -> Any:
        """The engine connection of the current read-only open (tests; do not keep it)."""
        with self._lock:
            return self._open_reader().conn

    def close(self) -> None:
        """Close the current reader; one still running queries closes when they end."""
        with self._lock:
            reader, self._reader = self._reader, None
            if reader is not None:
                reader.retired = True
                if reader.users == 0:
                    reader.close()

    def load_records(self) -> list[DocumentRecord]:
        return list(self.iter_records())

    def iter_records(self) -> Iterator[DocumentRecord]:
        """The records of the current version, read one line at a time (written in source-file
        order by ``write``)."""
        d = self.current_dir()
        if d is None or not (d / RECORDS_FILE).exists():
            return
        try:
            with gzip.open(d / RECORDS_FILE, "rb") as fh:
                for line in fh:
                    if line.strip():
                        yield _RECORD_ADAPTER.validate_json(line)
        except Exception as exc:
            raise StoreUnavailable(f"cannot read {d / RECORDS_FILE}: {_one_line(exc)}") from None

    def query(self, cypher: str, params: Optional[dict[str, Any]] = None, *,
              timeout_s: Optional[float] = DEFAULT_TIMEOUT_S,
              max_rows: Optional[int] = DEFAULT_MAX_ROWS) -> QueryResult:
        ensure_read_only(cypher)
        reader, conn = self._checkout()
        try:
            return self._query(reader, conn, cypher, params, timeout_s, max_rows)
        finally:
            self._checkin(reader, conn)

    @staticmethod
    def _check_plan(conn: Any, cypher: str, params: dict[str, Any]) -> None:
        """Refuse what the engine's own plan shows to have side effects (see graph.readonly).

        LadybugDB's read-only mode lets CHECKPOINT (which then breaks read-only opens of the
        version), COPY … TO, LOAD FROM, CALL option=value and INSTALL through; EXPLAIN names
        their operators without running them.
        """
        res = conn.execute(_prepare(conn, "EXPLAIN " + plan_statement(cypher)), params)
        plan = "\n".join(str(row[0]) for row in res.get_all())
        res.close()
        problem = plan_violation(plan)
        if problem:
            raise QueryRefused(problem)

    def _query(self, reader: _Reader, conn: Any, cypher: str, params: Optional[dict[str, Any]],
               timeout_s: Optional[float], max_rows: Optional[int]) -> QueryResult:
        text = cypher.strip().rstrip(";").strip()
        params = dict(params or {})
        conn.set_query_timeout(int(timeout_s * 1000) if timeout_s else 0)
        t0 = time.perf_counter()
        try:
            self._check_plan(conn, text, params)
            res = conn.execute(_prepare(conn, text), params)
            columns = res.get_column_names()
            rows: list[list[Any]] = []
            truncated = False
            while res.has_next():
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(res.get_next())
            res.close()
        except RuntimeError as exc:
            msg = _one_line(exc)
            if "read-only" in msg.lower():
                raise QueryRefused(f"writes are not allowed: {msg}") from None
            if msg.startswith("Interrupted"):
                raise QueryFailed(timeout_message(timeout_s)) from None
            if "unable to allocate memory" in msg.lower():  # the read buffer pool is full
                raise QueryFailed(
                    f"query needs more memory than the {READ_BUFFER_BYTES // 2**20} MB query "
                    "buffer and was stopped: narrow the MATCH, bound variable-length paths like "
                    "[*1..3], or add LIMIT (POLICY_KG_READ_BUFFER_MB sets the buffer)") from None
            raise QueryFailed(msg) from None
        except (TypeError, ValueError) as exc:
            raise QueryFailed(f"bad parameters: {_one_line(exc)}") from None
        finally:
            try:
                conn.set_query_timeout(0)
            except Exception:
                pass
        rows = self._normalize_rows(reader, rows, conn)
        return QueryResult(columns=columns, rows=rows, truncated=truncated,
                           elapsed_s=time.perf_counter() - t0,
                           notes=[f"first {max_rows} rows shown"] if truncated else [])

    # -- result normalization ---------------------------------------------------------------
    def _normalize_rows(self, reader: _Reader, rows: list[list[Any]],
                        conn: Any = None) -> list[list[Any]]:
        known: dict[tuple[int, int], str] = {}
        wanted: set[tuple[int, int]] = set()

        def scan(v: Any) -> None:
            if isinstance(v, dict):
                if "_ID" in v and "_LABEL" in v and "_SRC" not in v and "id" in v:
                    known[(v["_ID"]["table"], v["_ID"]["offset"])] = v["id"]
                if "_SRC" in v and "_DST" in v:
                    for k in ("_SRC", "_DST"):
                        wanted.add((v[k]["table"], v[k]["offset"]))
                for x in v.values():
                    scan(x)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    scan(x)

        for row in rows:
            scan(row)
        missing = wanted - set(known)
        if missing:
            known.update(self._lookup_ids(reader, missing, conn or reader.conn))

        def conv(v: Any) -> Any:
            if isinstance(v, dict):
                if "_NODES" in v and "_RELS" in v:
                    return {"_kind": "path", "nodes": [conv(n) for n in v["_NODES"]],
                            "rels": [conv(r) for r in v["_RELS"]]}
                if "_SRC" in v and "_DST" in v and "_LABEL" in v:
                    out = {"_kind": "rel", "_type": v["_LABEL"],
                           "_source": known.get((v["_SRC"]["table"], v["_SRC"]["offset"])),
                           "_target": known.get((v["_DST"]["table"], v["_DST"]["offset"]))}
                    out.update({k: conv(x) for k, x in v.items()
                                if not k.startswith("_") and x is not None})
                    return out
                if "_ID" in v and "_LABEL" in v:
                    out = {"_kind": "node", "_label": v["_LABEL"], "id": v.get("id")}
                    out.update({k: conv(x) for k, x in v.items()
                                if not k.startswith("_") and k != "id" and x is not None})
                    return out
                return {k: conv(x) for k, x in v.items()}
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, Decimal):  # sum() over INT64 is DECIMAL on LadybugDB
                return int(v) if v == v.to_integral_value() else float(v)
            return v

        return [[conv(x) for x in row] for row in rows]

    def _lookup_ids(self, reader: _Reader, internal: set[tuple[int, int]],
                    conn: Any) -> dict[tuple[int, int], str]:
        if reader.table_labels is None:
            res = conn.execute("CALL show_tables() RETURN id, name, type")
            reader.table_labels = {row[0]: row[1] for row in res.get_all() if row[2] == "NODE"}
        by_table: dict[int, list[int]] = {}
        for table, offset in internal:
            by_table.setdefault(table, []).append(offset)
        out: dict[tuple[int, int], str] = {}
        for table, offsets in by_table.items():
            label = reader.table_labels.get(table)
            if label is None:
                continue
            res = conn.execute(
                f"MATCH (n:{label}) WHERE offset(id(n)) IN $offsets RETURN offset(id(n)), n.id",
                {"offsets": offsets},
            )
            for off, nid in res.get_all():
                out[(table, off)] = nid
        return out

    # -- snapshot ---------------------------------------------------------------------------
    def snapshot(self) -> GraphData:
        """Every node and edge of the current version; properties that are null are omitted."""
        reader, conn = self._checkout()
        try:
            return self._snapshot(conn)
        finally:
            self._checkin(reader, conn)

    def _snapshot(self, conn: Any) -> GraphData:
        g = GraphData()
        for nt in NODE_TYPES:
            names = nt.property_names
            res = conn.execute(
                f"MATCH (n:{nt.label}) RETURN " + ", ".join(f"n.{_q(p)}" for p in names)
                + " ORDER BY n.id"
            )
            for row in res.get_all():
                props = {k: v for k, v in zip(names[1:], row[1:]) if v is not None}
                g.add_node(Node(row[0], nt.label, props))
        for rt in REL_TYPES:
            names = rt.property_names
            for a, b in rt.pairs:
                ret = ", ".join(["x.id", "y.id"] + [f"r.{_q(p)}" for p in names])
                res = conn.execute(f"MATCH (x:{a})-[r:{rt.name}]->(y:{b}) RETURN {ret}")
                for row in res.get_all():
                    props = {k: v for k, v in zip(names, row[2:]) if v is not None}
                    g.add_edge(Edge(row[0], rt.name, row[1], props))
        return g
