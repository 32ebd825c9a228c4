"""The graph schema as data: node labels, their properties and types, relationship types.

Takes: nothing.
Gives: ``NODE_TYPES`` and ``REL_TYPES``, the single source of truth used by
  - the LadybugDB store (typed ``CREATE NODE TABLE`` / ``CREATE REL TABLE`` DDL),
  - the Neo4j store (uniqueness constraints and indexes),
  - the graph builder (which properties to fill) and the RDF exporter,
  - the README's schema section (kept true by a test).

Types are LadybugDB type names: STRING, INT64, DOUBLE, BOOLEAN. Every node has ``id`` (STRING,
primary key, stable: the same input gives the same id). Extend, don't rename (see DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NodeType:
    label: str
    properties: tuple[tuple[str, str], ...]  # (name, type); "id" first
    description: str

    @property
    def property_names(self) -> list[str]:
        return [name for name, _ in self.properties]


@dataclass(frozen=True)
class RelType:
    name: str
    pairs: tuple[tuple[str, str], ...]  # allowed (FROM label, TO label)
    properties: tuple[tuple[str, str], ...]
    description: str

    @property
    def property_names(self) -> list[str]:
        return [name for name, _ in self.properties]


S, I, D, B = "STRING", "INT64", "DOUBLE", "BOOLEAN"
_PROVENANCE = (("source_file", S), ("line", I), ("source_text", S))

NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(
        "Document",
        (
            ("id", S), ("title", S), ("doc_number", S), ("issuer", S), ("issued", S),
            ("valid_from", S), ("valid_to", S), ("kind", S), ("source_file", S),
            ("sha256", S), ("external", B), ("text", S),
        ),
        "A policy document or research article; external=true for cited, unloaded documents.",
    ),
    NodeType(
        "Chapter",
        (
            ("id", S), ("document_id", S), ("source_file", S), ("number", S), ("label", S),
            ("title", S), ("heading", S), ("seq", I), ("line", I),
            ("key", S),  # added: the loader's key within the document ("c2")
        ),
        "A top-level part of a document (一、…).",
    ),
    NodeType(
        "Measure",
        (
            ("id", S), ("document_id", S), ("source_file", S), ("doc_number", S),
            ("number", S), ("label", S), ("title", S), ("text", S), ("kind", S),
            ("chapter", S), ("level", I), ("seq", I), ("line", I), ("start", I), ("end", I),
            ("key", S), ("parent_key", S),  # added: loader keys within the document
        ),
        "A measure, task, project, goal or recommendation (numbered item).",
    ),
    NodeType(
        "Agency",
        (
            ("id", S), ("name", S), ("full_name", S), ("kind", S), ("aliases", S),
            ("catalogued", B),
        ),
        "A government body or group of bodies; name is the canonical short name.",
    ),
    NodeType(
        "Sector",
        (("id", S), ("name", S), ("name_en", S), ("level", I)),
        "A sector or field from the controlled vocabulary (data/vocab/sectors.yaml).",
    ),
    NodeType(
        "Place",
        (("id", S), ("name", S), ("kind", S), ("district", S), ("catalogued", B),
         ("aliases", S)),  # added: aliases "|"-joined, from the gazetteer
        "A park, zone, new town, district or other named area.",
    ),
    NodeType(
        "Target",
        (
            ("id", S), ("metric", S), ("value", D), ("unit", S), ("comparator", S),
            ("year", I), ("text", S), ("source_file", S), ("line", I),
        ),
        "A quantitative commitment (metric, value, unit, comparator, year).",
    ),
)

REL_TYPES: tuple[RelType, ...] = (
    RelType(
        "CONTAINS",
        (("Document", "Chapter"), ("Chapter", "Measure"), ("Measure", "Measure"),
         ("Document", "Measure")),
        (("seq", I),),
        "Document structure; Document->Measure only for items outside any chapter.",
    ),
    RelType(
        "RESPONSIBLE_FOR",
        (("Agency", "Measure"),),
        (("role", S), ("rank", I), ("written", S)) + _PROVENANCE,
        "role = lead | support; rank = 1-based position as written.",
    ),
    RelType(
        "LEADS",
        (("Agency", "Document"),),
        (("rank", I),) + _PROVENANCE,
        "Document-level lead (e.g. 保障措施 … 市发展改革委牵头).",
    ),
    RelType("ISSUED_BY", (("Document", "Agency"),), (), "Issuing body of a document."),
    RelType(
        "CONCERNS",
        (("Measure", "Sector"), ("Document", "Sector")),
        _PROVENANCE,
        "A measure (or a document as a whole) concerns a sector.",
    ),
    RelType("BROADER", (("Sector", "Sector"),), (), "Sector hierarchy (narrower -> broader)."),
    RelType(
        "LOCATED_IN",
        (("Measure", "Place"), ("Document", "Place")),
        _PROVENANCE,
        "A measure (or document) names a place.",
    ),
    RelType("WITHIN", (("Place", "Place"),), (), "Place hierarchy (park -> district)."),
    RelType(
        "FOCUSES_ON",
        (("Place", "Sector"),),
        (("source_file", S), ("line", I)),
        "Industries a document assigns to a place (e.g. 嘉定新城 -> 智能传感器).",
    ),
    RelType(
        "SETS",
        (("Measure", "Target"), ("Document", "Target")),
        (),
        "A measure (or document goal) sets a target.",
    ),
    RelType(
        "MENTIONS",
        (("Measure", "Agency"),),
        _PROVENANCE,
        "An agency named in a measure's text outside its responsibility clause.",
    ),
    RelType(
        "CITES",
        (("Document", "Document"),),
        (("relation", S),) + _PROVENANCE,
        "relation = cites | implements.",
    ),
    RelType(
        "CONTINUES",
        (("Document", "Document"), ("Measure", "Measure")),
        (("score", D), ("evidence", S), ("relation", S)),
        "Later -> earlier: the later item continues (or realizes) the earlier one.",
    ),
)

NODE_TYPE_BY_LABEL = {t.label: t for t in NODE_TYPES}
REL_TYPE_BY_NAME = {t.name: t for t in REL_TYPES}


def coerce_value(value: Any, type_name: str) -> Any:
    """``value`` as the schema type (STRING, INT64, DOUBLE, BOOLEAN); both stores coerce through
    this, so both engines hold equal values. None, or a value that does not convert, is None."""
    if value is None:
        return None
    try:
        if type_name == "INT64":
            return int(value)
        if type_name == "DOUBLE":
            return float(value)
        if type_name == "BOOLEAN":
            return bool(value)
    except (TypeError, ValueError):
        return None
    if type_name == "STRING":
        return value if isinstance(value, str) else str(value)
    raise ValueError(f"unknown schema type {type_name!r}; known: STRING, INT64, DOUBLE, BOOLEAN")
