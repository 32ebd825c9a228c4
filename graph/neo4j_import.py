"""``export neo4j``: the graph as ``neo4j-admin database import full`` CSV files.

Takes: ``GraphData`` (and optionally the loader ``DocumentRecord``s, so ``ingest`` keeps working on
the imported database) and an output folder.
Gives: ``write_admin_import_csv(graph, out_dir, records=None) -> list[Path]`` which writes

    nodes_<Label>.csv      header  id:ID,<prop>:<type>,…,:LABEL    (one file per schema label)
    rels_<TYPE>.csv        header  :START_ID,:END_ID,<prop>:<type>,…,:TYPE   (one per type)
    schema.cypher          the store's constraints and indexes (admin import creates none)
    import.sh              the exact ``neo4j-admin database import full`` command

Types come from ``graph.schema``: STRING->string, INT64->long, DOUBLE->double,
BOOLEAN->boolean. Files are UTF-8 (no BOM), RFC 4180 quoting (``"`` doubled), so Chinese text,
commas, quotes and newlines survive; ``import.sh`` passes ``--multiline-fields=true``. A missing
value is an empty field, which neo4j-admin skips (the property is not set), matching
``Neo4jStore.rebuild``. The ids form one global ID space, as in ``GraphData``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Optional

from graph import schema
from graph.model import GraphData
from graph.neo4j_store import RECORD_PROPERTY, coerce_value, record_to_json, schema_statements
from loaders.records import DocumentRecord

ADMIN_TYPES = {"STRING": "string", "INT64": "long", "DOUBLE": "double", "BOOLEAN": "boolean"}


def node_header(node_type: schema.NodeType, *, with_record: bool = False) -> list[str]:
    cols = ["id:ID"] + [
        f"{name}:{ADMIN_TYPES[type_name]}" for name, type_name in node_type.properties if name != "id"
    ]
    if with_record:
        cols.append(f"{RECORD_PROPERTY}:string")
    return cols + [":LABEL"]


def rel_header(rel_type: schema.RelType) -> list[str]:
    return (
        [":START_ID", ":END_ID"]
        + [f"{name}:{ADMIN_TYPES[type_name]}" for name, type_name in rel_type.properties]
        + [":TYPE"]
    )


def _cell(value: Any, type_name: str) -> str:
    value = coerce_value(value, type_name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def import_command(node_files: list[str], rel_files: list[str]) -> str:
    """The neo4j-admin command line (file names relative to ``$DIR``; database ``$DATABASE``)."""
    parts = [
        "neo4j-admin database import full",
        "--overwrite-destination=true",
        "--multiline-fields=true",
        "--id-type=string",
    ]
    parts += [f'--nodes="$DIR/{name}"' for name in node_files]
    parts += [f'--relationships="$DIR/{name}"' for name in rel_files]
    parts.append('"$DATABASE"')
    return " \\\n  ".join(parts)


def _import_script(node_files: list[str], rel_files: list[str]) -> str:
    return f"""#!/bin/sh
# Bulk-load the policy-kg graph into Neo4j 5 with neo4j-admin (written by `python -m graph export neo4j`).
# Run it where neo4j-admin can reach these files, with the database STOPPED
# (Community: `neo4j stop`; Docker: see docs/neo4j.md). It REPLACES the database.
# Afterwards start Neo4j and create the constraints and indexes:
#   cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f schema.cypher
# Usage: sh import.sh [DATABASE]   (default: neo4j)
set -eu
DIR=$(cd "$(dirname "$0")" && pwd)
DATABASE=${{1:-neo4j}}
{import_command(node_files, rel_files)}
"""


def write_admin_import_csv(
    graph: GraphData, out_dir: Path, records: Optional[list[DocumentRecord]] = None
) -> list[Path]:
    """Write the neo4j-admin import files for ``graph`` into ``out_dir``; return their paths.

    Only labels and types that have rows get a file. With ``records``, each record's JSON goes
    into the ``record_json`` column of its Document row (matched by ``source_file``), as
    ``Neo4jStore.rebuild`` stores it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    record_json = {r.source_file: record_to_json(r) for r in (records or [])}
    written: list[Path] = []
    node_files: list[str] = []
    rel_files: list[str] = []

    def open_csv(name: str):
        path = out_dir / name
        written.append(path)
        return path.open("w", encoding="utf-8", newline="")

    for node_type in schema.NODE_TYPES:
        nodes = sorted(graph.nodes_by_label(node_type.label), key=lambda n: n.id)
        if not nodes:
            continue
        with_record = node_type.label == "Document" and bool(record_json)
        name = f"nodes_{node_type.label}.csv"
        with open_csv(name) as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(node_header(node_type, with_record=with_record))
            for node in nodes:
                row = [node.id] + [
                    _cell(node.properties.get(p), t) for p, t in node_type.properties if p != "id"
                ]
                if with_record:
                    external = node.properties.get("external")
                    row.append("" if external else record_json.get(node.properties.get("source_file"), ""))
                w.writerow(row + [node_type.label])
        node_files.append(name)

    for rel_type in schema.REL_TYPES:
        edges = sorted(graph.edges_by_type(rel_type.name), key=lambda e: (e.source, e.target))
        if not edges:
            continue
        name = f"rels_{rel_type.name}.csv"
        with open_csv(name) as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(rel_header(rel_type))
            for edge in edges:
                w.writerow(
                    [edge.source, edge.target]
                    + [_cell(edge.properties.get(p), t) for p, t in rel_type.properties]
                    + [rel_type.name]
                )
        rel_files.append(name)

    schema_path = out_dir / "schema.cypher"
    schema_path.write_text("".join(s + ";\n" for s in schema_statements()), encoding="utf-8")
    written.append(schema_path)

    script = out_dir / "import.sh"
    script.write_text(_import_script(node_files, rel_files), encoding="utf-8")
    script.chmod(0o755)
    written.append(script)
    return written

