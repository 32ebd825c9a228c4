"""The Neo4j server backend: the same graph, records and read-only queries on a Neo4j server.

Takes: a Neo4j connection (``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``),
``GraphData`` plus loader ``DocumentRecord``s to store, and user Cypher to run read-only.
Gives: ``Neo4jStore`` (a ``graph.store.GraphStore``) and the pure functions that produce every
Cypher string it sends, so tests can pin them exactly:

    schema_statements()            uniqueness constraints + indexes, from graph.schema
    node_merge_query(label)        UNWIND $rows … MERGE (n:Label {id: row.id}) SET n += row.props
    rel_merge_query(type, a, b)    UNWIND $rows … MATCH a, MATCH b, MERGE (a)-[r:TYPE]->(b) …
    delete_graph_query()           DETACH DELETE every node with a schema label
    to_neo4j_dialect(cypher)       rewrites the few LadybugDB spellings named queries may use
    normalize_value(value)         driver Node/Relationship/Path/temporal -> plain Python

How it stores things:
  * one node label per schema label, ``id`` unique (constraint ``<label>_id``), properties only
    from ``graph.schema`` and coerced to the schema's types (so both engines return equal values);
  * each DocumentRecord as JSON in the hidden property ``record_json`` of its ``Document`` node
    (matched by ``source_file``); query results and ``snapshot()`` never show it, and a label-less
    ``MATCH (n)`` counts exactly the graph's nodes on both engines;
  * ``rebuild`` deletes and rewrites everything in ONE write transaction (schema statements run
    before it: Neo4j does not allow schema and data changes in one transaction).

User queries are checked by ``graph.readonly.ensure_read_only`` and then run in a READ session
(the server refuses writes there too) with a per-query timeout (``neo4j.Query(text,
timeout=…)``); at most ``max_rows + 1`` records are fetched. Errors become one-line
``StoreUnavailable`` / ``QueryRefused`` / ``QueryFailed`` messages that name the URI, never the
password.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import defaultdict
from typing import Any, Callable, Iterable, Iterator, NoReturn, Optional
from urllib.parse import urlsplit, urlunsplit

import neo4j
import neo4j.exceptions as nx
import neo4j.time
from neo4j.graph import Node as Neo4jNode
from neo4j.graph import Path as Neo4jPath
from neo4j.graph import Relationship as Neo4jRelationship
from pydantic import TypeAdapter

from graph import schema
from graph.schema import coerce_value  # re-exported: neo4j_import and tests use it from here
from graph.model import Edge, GraphBatch, GraphData, Node
from graph.readonly import ensure_read_only, timeout_message
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

# The driver logs connection problems itself; without a handler Python prints them to stderr
# next to our one-line message. Callers who configure logging still see them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
log = logging.getLogger(__name__)

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
DEFAULT_BATCH_SIZE = 2000
SUPPORTED_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

# Properties users filter by; an index is created for each one a label has.
INDEXED_PROPERTIES: tuple[str, ...] = ("name", "title", "source_file", "doc_number", "number")

# Where a DocumentRecord lives: a property of its Document node, hidden from query results.
RECORD_PROPERTY = "record_json"
HIDDEN_PROPERTIES = frozenset({RECORD_PROPERTY})

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


# ---------------------------------------------------------------------------------------------
# Cypher, generated from graph.schema by small pure functions (tests pin these strings)
# ---------------------------------------------------------------------------------------------

def _name(name: str) -> str:
    """A label, type or property name that is safe to write into Cypher unquoted."""
    if not _NAME_RE.match(name):
        raise ValueError(f"unsafe Cypher name {name!r}: only letters, digits and '_' are allowed")
    return name


def constraint_statement(label: str) -> str:
    lab = _name(label)
    return (
        f"CREATE CONSTRAINT {lab.lower()}_id IF NOT EXISTS "
        f"FOR (n:{lab}) REQUIRE n.id IS UNIQUE"
    )


def index_statement(label: str, prop: str) -> str:
    lab, p = _name(label), _name(prop)
    return f"CREATE INDEX {lab.lower()}_{p} IF NOT EXISTS FOR (n:{lab}) ON (n.{p})"


def schema_statements() -> list[str]:
    """Constraints (one per label) then indexes, in schema order. Idempotent (IF NOT EXISTS)."""
    statements = [constraint_statement(t.label) for t in schema.NODE_TYPES]
    for t in schema.NODE_TYPES:
        statements += [index_statement(t.label, p) for p in INDEXED_PROPERTIES if p in t.property_names]
    return statements


def node_merge_query(label: str) -> str:
    return f"UNWIND $rows AS row MERGE (n:{_name(label)} {{id: row.id}}) SET n += row.props"


def rel_merge_query(rel_type: str, from_label: str, to_label: str) -> str:
    return (
        f"UNWIND $rows AS row "
        f"MATCH (a:{_name(from_label)} {{id: row.source}}) "
        f"MATCH (b:{_name(to_label)} {{id: row.target}}) "
        f"MERGE (a)-[r:{_name(rel_type)}]->(b) SET r += row.props"
    )


def delete_graph_query() -> str:
    labels = "|".join(_name(t.label) for t in schema.NODE_TYPES)
    return f"MATCH (n:{labels}) DETACH DELETE n"


STORE_RECORDS_QUERY = (
    "UNWIND $rows AS row "
    "MATCH (d:Document {source_file: row.source_file}) "
    "WHERE d.external IS NULL OR d.external = false "
    f"SET d.{RECORD_PROPERTY} = row.json"
)
LOAD_RECORDS_QUERY = (
    f"MATCH (d:Document) WHERE d.{RECORD_PROPERTY} IS NOT NULL "
    f"RETURN d.{RECORD_PROPERTY} AS json ORDER BY d.source_file, d.id"
)
EXISTS_QUERY = "MATCH (d:Document) RETURN count(d) > 0 AS built"


def snapshot_nodes_query(label: str) -> str:
    return f"MATCH (n:{_name(label)}) RETURN n.id AS id, properties(n) AS props ORDER BY n.id"


def snapshot_rels_query(rel_type: str) -> str:
    return (
        f"MATCH (a)-[r:{_name(rel_type)}]->(b) "
        f"RETURN a.id AS source, b.id AS target, properties(r) AS props "
        f"ORDER BY source, target"
    )


# ---------------------------------------------------------------------------------------------
# Dialect: the few LadybugDB spellings a portable named query may use, rewritten for Neo4j
# ---------------------------------------------------------------------------------------------

_LITERAL_RE = re.compile(
    r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL
)
_REL_VAR_RE = re.compile(r"-\[\s*([A-Za-z_][A-Za-z0-9_]*)")
_LABEL_FN_RE = re.compile(r"(?<![\w.$])label\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.IGNORECASE)
_RENAMED_FN_RE = re.compile(r"(?<![\w.$])(rels|string)\s*\(", re.IGNORECASE)
_RENAMED_FN = {"rels": "relationships", "string": "toString"}
_SHORTEST_RE = re.compile(
    r"(?P<left>\([^()]*\))\s*(?P<larrow><?-)\s*\[\s*(?P<var>[A-Za-z_][A-Za-z0-9_]*)?\s*"
    r"(?P<types>:[^\]*]*?)?\s*\*\s*(?P<all>ALL\s+)?SHORTEST\s+(?P<min>\d+)\s*\.\.\s*(?P<max>\d+)\s*"
    r"\]\s*(?P<rarrow>->?)\s*(?P<right>\([^()]*\))",
    re.IGNORECASE,
)


def to_neo4j_dialect(cypher: str) -> str:
    """Rewrite LadybugDB-only spellings so a named query runs unchanged on Neo4j.

    * ``label(x)``  -> ``labels(x)[0]`` for a node, ``type(x)`` for a relationship variable
      (one bound in ``-[x …]-``);
    * ``rels(p)`` -> ``relationships(p)``; ``string(x)`` -> ``toString(x)``;
    * ``(a)-[r:T* SHORTEST 1..5]-(b)`` -> ``shortestPath((a)-[r:T*1..5]-(b))``
      (``ALL SHORTEST`` -> ``allShortestPaths``).

    String literals, backquoted names and comments are left untouched. Anything already in Neo4j
    spelling passes through unchanged.
    """
    literals: list[str] = []

    def stash(m: re.Match[str]) -> str:
        literals.append(m.group(0))
        return f"\x00{len(literals) - 1}\x00"

    code = _LITERAL_RE.sub(stash, cypher)
    rel_vars = set(_REL_VAR_RE.findall(code))

    def label_fn(m: re.Match[str]) -> str:
        var = m.group(1)
        return f"type({var})" if var in rel_vars else f"labels({var})[0]"

    def shortest(m: re.Match[str]) -> str:
        fn = "allShortestPaths" if m.group("all") else "shortestPath"
        rel = f"{m.group('var') or ''}{(m.group('types') or '').strip()}*{m.group('min')}..{m.group('max')}"
        return f"{fn}({m.group('left')}{m.group('larrow')}[{rel}]{m.group('rarrow')}{m.group('right')})"

    code = _LABEL_FN_RE.sub(label_fn, code)
    code = _RENAMED_FN_RE.sub(lambda m: _RENAMED_FN[m.group(1).lower()] + "(", code)
    code = _SHORTEST_RE.sub(shortest, code)
    return re.sub(r"\x00(\d+)\x00", lambda m: literals[int(m.group(1))], code)


# ---------------------------------------------------------------------------------------------
# Values: schema coercion on the way in, normalization on the way out
# ---------------------------------------------------------------------------------------------

def coerce_properties(properties: dict[str, Any], declared: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The declared properties of ``properties`` (minus ``id``), typed; None values left out.

    Properties ``graph.schema`` does not declare are not stored (LadybugDB has no column for
    them either).
    """
    out: dict[str, Any] = {}
    for name, type_name in declared:
        if name == "id":
            continue
        value = coerce_value(properties.get(name), type_name)
        if value is not None:
            out[name] = value
    return out


def normalize_value(value: Any) -> Any:
    """Driver values as plain Python, in the shape ``graph.store`` documents."""
    if isinstance(value, Neo4jNode):
        return _normalize_node(value)
    if isinstance(value, Neo4jRelationship):
        return _normalize_rel(value)
    if isinstance(value, Neo4jPath):
        return {
            "_kind": "path",
            "nodes": [_normalize_node(n) for n in value.nodes],
            "rels": [_normalize_rel(r) for r in value.relationships],
        }
    if isinstance(value, (neo4j.time.Date, neo4j.time.DateTime, neo4j.time.Time)):
        try:  # "2020-01-02T03:04:05", not the driver's nanosecond form
            return value.to_native().isoformat()
        except (ValueError, OverflowError):
            return value.iso_format()
    if isinstance(value, neo4j.time.Duration):  # a tuple subclass: test before lists
        return value.iso_format()
    if isinstance(value, (list, tuple)):
        return [normalize_value(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_value(v) for k, v in value.items()}
    return value


def _props(entity: Any) -> dict[str, Any]:
    return {k: normalize_value(v) for k, v in entity.items() if k not in HIDDEN_PROPERTIES}


def _first_label(node: Any) -> Optional[str]:
    labels = set(node.labels)
    for t in schema.NODE_TYPES:  # a schema label wins over any other label the node has
        if t.label in labels:
            return t.label
    return sorted(labels)[0] if labels else None


def _normalize_node(node: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"_kind": "node", "_label": _first_label(node), "id": node.get("id")}
    out.update(_props(node))
    return out


def _normalize_rel(rel: Any) -> dict[str, Any]:
    start, end = rel.start_node, rel.end_node
    out: dict[str, Any] = {
        "_kind": "rel",
        "_type": rel.type,
        "_source": start.get("id") if start is not None else None,
        "_target": end.get("id") if end is not None else None,
    }
    out.update(_props(rel))
    return out


# ---------------------------------------------------------------------------------------------
# Errors: driver exceptions -> one-line store errors
# ---------------------------------------------------------------------------------------------

_CONNECTION_ERRORS = (
    nx.ServiceUnavailable,
    nx.SessionExpired,
    nx.ConfigurationError,
    nx.ConnectionPoolError,
    nx.AuthError,
    OSError,
)


_SOCKET_REASON_RE = re.compile(r"\(reason (?:\[Errno -?\d+\] )?([^()]+)\)")


def redact_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def translate_error(
    exc: BaseException, uri: str, *, password: Optional[str] = None, timeout_s: Optional[float] = None
) -> Optional[StoreError]:
    """The store error for a driver exception, or None when ``exc`` is not a driver error."""
    if isinstance(exc, StoreError):
        return exc
    where = redact_uri(uri)

    def clean(text: str) -> str:
        text = one_line(text)
        return text.replace(password, "***") if password else text

    code = getattr(exc, "code", "") or ""
    message = getattr(exc, "message", None) or str(exc)
    first = clean(message.splitlines()[0] if message.strip() else type(exc).__name__)
    if isinstance(exc, nx.AuthError) or code.startswith("Neo.ClientError.Security.Unauthorized"):
        return StoreUnavailable(
            f"Neo4j at {where} is unreachable: authentication failed "
            f"(check NEO4J_USER and NEO4J_PASSWORD): {first}"
        )
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreUnavailable(f"Neo4j at {where} is unreachable: {first} (check NEO4J_DATABASE)")
    if isinstance(exc, _CONNECTION_ERRORS):
        reason = _SOCKET_REASON_RE.search(message)  # "… (reason [Errno 111] Connection refused)"
        return StoreUnavailable(
            f"Neo4j at {where} is unreachable: {clean(reason.group(1) if reason else message)}"
        )
    if "TimedOut" in code:
        return QueryFailed(timeout_message(timeout_s, "Neo4j"))
    if code == "Neo.ClientError.Statement.AccessMode" or isinstance(exc, nx.ForbiddenOnReadOnlyDatabase):
        return QueryRefused(f"writes are not allowed: queries are read-only (Neo4j: {first})")
    if isinstance(exc, nx.Neo4jError):
        return QueryFailed(f"Neo4j rejected the query: {first}")
    if isinstance(exc, nx.DriverError):
        return QueryFailed(f"Neo4j driver error: {first}")
    return None


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------

def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


_RECORD_ADAPTER = TypeAdapter(DocumentRecord)


def record_to_json(record: DocumentRecord) -> str:
    return _RECORD_ADAPTER.dump_json(record).decode("utf-8")


def record_from_json(text: str) -> DocumentRecord:
    return _RECORD_ADAPTER.validate_json(text)


class Neo4jStore(GraphStore):
    """The policy graph on a Neo4j 5 server (or Aura). One driver per store; close() ends it."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str = DEFAULT_USER,
        password: Optional[str] = None,
        database: Optional[str] = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        driver: Any = None,
        connection_timeout_s: float = 10.0,
    ) -> None:
        """``driver`` is for tests (any object with the driver's ``session()``); normally None."""
        self.uri = uri
        self.user = user
        self.database = database or None
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._password = password
        self._connection_timeout_s = connection_timeout_s
        self._driver = driver
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        if driver is None:
            scheme = urlsplit(uri).scheme.lower() if "://" in uri else ""
            if scheme not in SUPPORTED_SCHEMES:
                raise StoreUnavailable(
                    f"Neo4j at {redact_uri(uri)} is unreachable: URI scheme {scheme or '(none)'!r} "
                    f"is not supported; use one of {', '.join(s + '://' for s in SUPPORTED_SCHEMES)}"
                )

    @classmethod
    def from_env(cls, environ: Optional[dict[str, str]] = None) -> "Neo4jStore":
        env = os.environ if environ is None else environ
        password = env.get("NEO4J_PASSWORD")
        if not password:
            raise StoreUnavailable(
                "NEO4J_PASSWORD is not set: export NEO4J_PASSWORD (and NEO4J_URI, default "
                f"{DEFAULT_URI}; NEO4J_USER, default {DEFAULT_USER}) to use the neo4j backend"
            )
        batch = env.get("POLICY_KG_NEO4J_BATCH_SIZE")
        return cls(
            env.get("NEO4J_URI") or DEFAULT_URI,
            env.get("NEO4J_USER") or DEFAULT_USER,
            password,
            env.get("NEO4J_DATABASE") or None,
            batch_size=int(batch) if batch else DEFAULT_BATCH_SIZE,
        )

    def __repr__(self) -> str:  # never shows the password
        return f"Neo4jStore(uri={redact_uri(self.uri)!r}, user={self.user!r}, database={self.database!r})"

    # -- connection -------------------------------------------------------------------------

    def _get_driver(self) -> Any:
        if self._driver is None:
            driver = None
            try:
                driver = neo4j.GraphDatabase.driver(
                    self.uri,
                    auth=(self.user, self._password or ""),
                    connection_timeout=self._connection_timeout_s,
                    max_transaction_retry_time=15.0,
                )
                # Fail fast with the real reason: transaction functions would otherwise retry
                # an unreachable server for max_transaction_retry_time.
                driver.verify_connectivity()
            except Exception as exc:  # unreachable, wrong password, bad URI, ...
                if driver is not None:
                    driver.close()
                self._raise(exc)
            self._driver = driver
        return self._driver

    def _session(self, access_mode: str, **config: Any) -> Any:
        # One bookmark manager for all sessions of this store: on a cluster (Aura), a read
        # after a rebuild waits for the servers to have that rebuild (causal consistency).
        return self._get_driver().session(
            database=self.database,
            default_access_mode=access_mode,
            bookmark_manager=self._bookmarks,
            **config,
        )

    def _raise(self, exc: BaseException, timeout_s: Optional[float] = None) -> NoReturn:
        """Raise the one-line store error for ``exc`` (or ``exc`` itself if it is not a driver error)."""
        err = translate_error(exc, self.uri, password=self._password, timeout_s=timeout_s)
        if err is None or err is exc:
            raise exc
        raise err from exc

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    # -- writes -----------------------------------------------------------------------------

    def ensure_schema(self) -> list[str]:
        """Create the constraints and indexes (idempotent). Returns the statements run."""
        statements = schema_statements()
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                for statement in statements:
                    session.run(statement).consume()
        except Exception as exc:
            self._raise(exc)
        return statements

    def write_plan(
        self, graph: GraphData, records: list[DocumentRecord]
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """Every (query, rows) pair a rebuild sends, unbatched; validates before any write."""
        plan: list[tuple[str, list[dict[str, Any]]]] = []
        for node_type in schema.NODE_TYPES:
            rows = [
                {
                    "id": node.id,
                    "props": coerce_properties(node.properties, node_type.properties),
                }
                for node in graph.nodes_by_label(node_type.label)
            ]
            if rows:
                plan.append((node_merge_query(node_type.label), rows))
        unknown = sorted({n.label for n in graph.nodes.values()} - set(schema.NODE_TYPE_BY_LABEL))
        if unknown:
            raise StoreError(
                f"node labels {', '.join(unknown)} are not in graph.schema "
                f"(declared: {', '.join(schema.NODE_TYPE_BY_LABEL)})"
            )

        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for edge in graph.edges.values():
            rel_type = schema.REL_TYPE_BY_NAME.get(edge.type)
            if rel_type is None:
                raise StoreError(
                    f"relationship type {edge.type!r} is not in graph.schema "
                    f"(declared: {', '.join(schema.REL_TYPE_BY_NAME)})"
                )
            if edge.source not in graph.nodes or edge.target not in graph.nodes:
                missing = edge.source if edge.source not in graph.nodes else edge.target
                raise StoreError(f"{edge.type} edge {edge.source!r} -> {edge.target!r}: no node {missing!r}")
            pair = (graph.label_of(edge.source), graph.label_of(edge.target))
            if pair not in rel_type.pairs:
                raise StoreError(
                    f"{edge.type} edge {edge.source!r} -> {edge.target!r}: ({pair[0]})->({pair[1]}) "
                    f"is not allowed by graph.schema (allowed: "
                    f"{', '.join(f'({a})->({b})' for a, b in rel_type.pairs)})"
                )
            groups[(edge.type, *pair)].append(
                {
                    "source": edge.source,
                    "target": edge.target,
                    "props": coerce_properties(edge.properties, rel_type.properties),
                }
            )
        for rel_type in schema.REL_TYPES:  # schema order, then pair order: deterministic
            for a, b in rel_type.pairs:
                rows = groups.get((rel_type.name, a, b))
                if rows:
                    plan.append((rel_merge_query(rel_type.name, a, b), rows))

        loaded = {
            n.properties.get("source_file")
            for n in graph.nodes_by_label("Document")
            if not n.properties.get("external")
        }
        rows = []
        for record in records:
            if record.source_file in loaded:
                rows.append({"source_file": record.source_file, "json": record_to_json(record)})
            else:  # a duplicate graph.build dropped: it contributes nothing to the graph
                log.warning("%s: no Document node in the graph; its record is not stored",
                            record.source_file)
        if rows:
            plan.append((STORE_RECORDS_QUERY, rows))
        return plan

    def write(self, batches: Iterable[GraphBatch]) -> dict[str, int]:
        """Replace the whole graph in one write transaction; on failure the old graph stays.

        The batches are merged first: the server needs every node before the relationships
        that MATCH them, and the records all go on Document nodes. (A streamed build holds the
        whole graph here; the embedded store streams it to files instead.)
        """
        graph = GraphData()
        records: list[DocumentRecord] = []
        for batch in batches:
            graph.merge(batch.graph)
            records.extend(batch.records)
        graph.refs = {}
        plan = self.write_plan(graph, records)  # validation errors happen before any write
        self.ensure_schema()
        batch_size = self.batch_size

        def work(tx: Any) -> None:
            tx.run(delete_graph_query()).consume()
            for query, rows in plan:
                for batch in _batches(rows, batch_size):
                    tx.run(query, {"rows": batch}).consume()

        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                session.execute_write(work)
        except Exception as exc:
            err = translate_error(exc, self.uri, password=self._password)
            if err is None or isinstance(err, StoreUnavailable):
                self._raise(exc)
            raise StoreError(
                f"rebuild on Neo4j at {redact_uri(self.uri)} failed, previous graph kept: {err}"
            ) from exc
        return {k: v for k, v in graph.counts().items() if v}  # committed in one transaction

    # -- reads ------------------------------------------------------------------------------

    def _read(self, work: Callable[[Any], Any]) -> Any:
        try:
            with self._session(neo4j.READ_ACCESS) as session:
                return session.execute_read(work)
        except Exception as exc:
            self._raise(exc)

    def exists(self) -> bool:
        def work(tx: Any) -> bool:
            record = tx.run(EXISTS_QUERY).single()
            return bool(record and record[0])

        return self._read(work)

    def load_records(self) -> list[DocumentRecord]:
        texts = self._read(lambda tx: [rec["json"] for rec in tx.run(LOAD_RECORDS_QUERY)])
        return [record_from_json(text) for text in texts]

    def snapshot(self) -> GraphData:
        def work(tx: Any) -> GraphData:
            graph = GraphData()
            for node_type in schema.NODE_TYPES:
                names = set(node_type.property_names) - {"id"}
                for rec in tx.run(snapshot_nodes_query(node_type.label)):
                    props = {k: normalize_value(v) for k, v in rec["props"].items() if k in names}
                    graph.add_node(Node(rec["id"], node_type.label, props))
            for rel_type in schema.REL_TYPES:
                names = set(rel_type.property_names)
                for rec in tx.run(snapshot_rels_query(rel_type.name)):
                    props = {k: normalize_value(v) for k, v in rec["props"].items() if k in names}
                    graph.add_edge(Edge(rec["source"], rel_type.name, rec["target"], props))
            return graph

        return self._read(work)

    def query(
        self,
        cypher: str,
        params: Optional[dict[str, Any]] = None,
        *,
        timeout_s: Optional[float] = DEFAULT_TIMEOUT_S,
        max_rows: Optional[int] = DEFAULT_MAX_ROWS,
    ) -> QueryResult:
        ensure_read_only(cypher)
        text = to_neo4j_dialect(cypher.strip().rstrip(";").strip())
        started = time.monotonic()
        fetch = {"fetch_size": max_rows + 1} if max_rows is not None else {}
        rows: list[list[Any]] = []
        truncated = False
        notes: list[str] = []
        try:
            with self._session(neo4j.READ_ACCESS, **fetch) as session:
                result = session.run(neo4j.Query(text, timeout=timeout_s), params or {})
                columns = list(result.keys())
                for record in result:
                    if max_rows is not None and len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append([normalize_value(v) for v in record.values()])
                summary = result.consume()
                for n in getattr(summary, "summary_notifications", None) or ():
                    notes.append(f"Neo4j {n.severity_level}: {n.title}")
        except Exception as exc:
            self._raise(exc, timeout_s)
        if truncated:
            notes.insert(0, f"first {max_rows} rows shown")
        return QueryResult(columns, rows, truncated, time.monotonic() - started, notes)

