"""The store interface: one small abstract class, two implementations.

Takes: ``GraphData`` (from ``graph.build``) and loader ``DocumentRecord``s to persist; Cypher
text plus parameters to run read-only.
Gives: ``GraphStore`` (abstract), ``QueryResult``, the store errors, and ``open_store`` which
picks the implementation by backend name (the only place that knows the backends):

    ladybug -> graph.ladybug_store.LadybugStore  (embedded, default)
    neo4j   -> graph.neo4j_store.Neo4jStore      (server)

Query results are normalized so callers never see backend types: a node becomes a dict
``{"_kind": "node", "_label": ..., "id": ..., <properties>}``, a relationship a dict
``{"_kind": "rel", "_type": ..., "_source": <node id>, "_target": <node id>, <properties>}``,
a path ``{"_kind": "path", "nodes": [...], "rels": [...]}``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from graph.model import GraphBatch, GraphData
from loaders.records import DocumentRecord

def _env_limit(name: str, default: Any, kind: type) -> Any:
    """A positive number from the environment, or ``default`` when unset or invalid.

    Never raises at import (a bad value must not crash every command); user-facing code calls
    ``graph.readonly.query_limits()``, which reports a bad value in one line.
    """
    try:
        value = kind(os.environ.get(name, "").strip() or default)
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


# Defaults of GraphStore.query (read at import); user queries use graph.readonly.query_limits().
DEFAULT_TIMEOUT_S = _env_limit("POLICY_KG_QUERY_TIMEOUT", 10.0, float)
DEFAULT_MAX_ROWS = _env_limit("POLICY_KG_MAX_ROWS", 5000, int)


class StoreError(Exception):
    """Base class of store errors; the message is one line a user can act on."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (missing graph, server down, wrong password)."""


class QueryRefused(StoreError):
    """A user query tried to write, or is otherwise not allowed."""


class QueryFailed(StoreError):
    """The engine rejected or aborted the query (syntax error, timeout, ...)."""


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False  # True when more rows existed than max_rows
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class GraphStore(ABC):
    """A place the policy graph lives. Implementations must be safe to re-run (idempotent)."""

    backend: str = "abstract"

    @abstractmethod
    def write(self, batches: Iterable[GraphBatch]) -> dict[str, int]:
        """Atomically replace the whole graph with the union of ``batches`` (a streamed build:
        one batch per document, then the shared nodes -- ``graph.build.GraphBuilder``) and
        return the stored counts by label and relationship type. On any failure, including one
        raised by the batches' source (re-raised as it is), the previous graph stays intact."""

    def rebuild(self, graph: GraphData, records: Iterable[DocumentRecord]) -> dict[str, int]:
        """``write`` of one batch: the whole graph and its records."""
        return self.write([GraphBatch(graph, list(records))])

    @abstractmethod
    def load_records(self) -> list[DocumentRecord]:
        """The document records the current graph was built from (for ``ingest``)."""

    def iter_records(self) -> Iterator[DocumentRecord]:
        """``load_records`` one at a time, sorted by source file (a store may stream them)."""
        yield from sorted(self.load_records(), key=lambda r: r.source_file)

    @abstractmethod
    def query(
        self,
        cypher: str,
        params: Optional[dict[str, Any]] = None,
        *,
        timeout_s: Optional[float] = DEFAULT_TIMEOUT_S,
        max_rows: Optional[int] = DEFAULT_MAX_ROWS,
    ) -> QueryResult:
        """Run a read-only query. Writes raise ``QueryRefused``; errors ``QueryFailed``."""

    @abstractmethod
    def snapshot(self) -> GraphData:
        """Read the whole stored graph back (for RDF export and tests)."""

    @abstractmethod
    def exists(self) -> bool:
        """True when a graph has been built in this store."""

    def close(self) -> None:  # pragma: no cover - trivial default
        pass

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(backend: Optional[str] = None, path: Optional[str] = None) -> GraphStore:
    """Open the store for ``backend`` (default: $POLICY_KG_BACKEND or ``ladybug``)."""
    backend = (backend or os.environ.get("POLICY_KG_BACKEND") or "ladybug").lower()
    if backend == "ladybug":
        from graph.ladybug_store import LadybugStore, default_store_path

        return LadybugStore(path or os.environ.get("POLICY_KG_STORE") or default_store_path())
    if backend == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.from_env()
    raise StoreError(f"unknown backend {backend!r}; available backends: ladybug, neo4j")
