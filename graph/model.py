"""The neutral graph model between the builder and the stores.

Takes: nothing (data definitions).
Gives: ``Node``, ``Edge`` and ``GraphData`` -- a backend-independent property graph that
``graph.build`` produces from loader records, that every ``GraphStore`` writes, that
``GraphStore.snapshot`` reads back, and that the RDF exporter converts.

Labels and relationship types must be the ones declared in ``graph.schema``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    properties: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Edge:
    source: str  # node id
    type: str
    target: str  # node id
    properties: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)


@dataclass
class GraphData:
    """Nodes by id and edges (one edge per (source, type, target)).

    A graph built in parts (``graph.build.GraphBuilder``: one part per document, then the shared
    nodes) has edges that reach nodes of another part; ``refs`` names their labels, so a store
    can file each edge under its (type, source label, target label) without the other part.
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # node id -> label, for nodes elsewhere

    def add_node(self, node: Node) -> Node:
        """Add a node; if the id exists, merge properties (existing non-empty values win)."""
        existing = self.nodes.get(node.id)
        if existing is None:
            self.nodes[node.id] = node
            return node
        if existing.label != node.label:
            raise ValueError(f"node {node.id!r} is both {existing.label} and {node.label}")
        merged = dict(node.properties)
        merged.update({k: v for k, v in existing.properties.items() if v not in (None, "", [])})
        self.nodes[node.id] = Node(node.id, node.label, merged)
        return self.nodes[node.id]

    def add_edge(self, edge: Edge) -> Edge:
        """Add an edge; a repeated (source, type, target) keeps the first one's properties."""
        return self.edges.setdefault(edge.key, edge)

    def nodes_by_label(self, label: str) -> Iterator[Node]:
        return (n for n in self.nodes.values() if n.label == label)

    def edges_by_type(self, rel_type: str) -> Iterator[Edge]:
        return (e for e in self.edges.values() if e.type == rel_type)

    def label_of(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.label if node is not None else self.refs[node_id]

    def merge(self, other: "GraphData") -> None:
        for node in other.nodes.values():
            self.add_node(node)
        for edge in other.edges.values():
            self.add_edge(edge)
        for node_id, label in other.refs.items():
            if node_id not in self.nodes:
                self.refs.setdefault(node_id, label)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for n in self.nodes.values():
            out[n.label] = out.get(n.label, 0) + 1
        for e in self.edges.values():
            out[e.type] = out.get(e.type, 0) + 1
        return out

    @classmethod
    def from_parts(cls, nodes: Iterable[Node], edges: Iterable[Edge]) -> "GraphData":
        g = cls()
        for n in nodes:
            g.add_node(n)
        for e in edges:
            g.add_edge(e)
        return g


@dataclass
class GraphBatch:
    """One step of a streamed build (``GraphStore.write``): a part of the graph and the document
    records it was built from (persisted by the store for ``ingest``)."""

    graph: GraphData
    records: list = field(default_factory=list)  # loaders.records.DocumentRecord
